// Where the running OpenID Provider lives when its signing keys change. oidc-provider takes its JWKS
// once, at construction, and its author's advice for rotation is to restart with the new set; Denglu
// builds a new Provider instead, behind a request handler that never changes. Nothing is lost: sessions,
// interactions, codes and grants live in the Store and cookies are signed with the same keys, so a
// sign-in that started on the old instance finishes on the new one. Requests already running finish on
// the instance they started on (their tokens carry a key the JWKS still publishes).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OidcProvider } from './provider.ts';
import type { SigningKeys } from './secrets.ts';

export class ProviderHost {
  readonly #build: (keys: SigningKeys) => OidcProvider;
  #provider: OidcProvider;
  #handler: (req: IncomingMessage, res: ServerResponse) => unknown;

  /** `build` makes a fully configured Provider (listeners included) for a JWKS. */
  constructor(build: (keys: SigningKeys) => OidcProvider, keys: SigningKeys) {
    this.#build = build;
    this.#provider = build(keys);
    this.#handler = this.#provider.callback();
  }

  /** The Provider serving new requests. */
  get provider(): OidcProvider {
    return this.#provider;
  }

  /** The request handler to mount: always the current Provider's. */
  readonly callback = (req: IncomingMessage, res: ServerResponse): unknown => this.#handler(req, res);

  /** Serves new requests with a Provider built for `keys`. */
  use(keys: SigningKeys): void {
    const provider = this.#build(keys);
    this.#handler = provider.callback();
    this.#provider = provider;
  }
}
