// Resuming an authorization in the response to the request that finished its interaction. When a
// provider's callback (`/cb/<id>`) ends the interaction, redirecting the browser to the resume URL
// (`/auth/<uid>`) only makes it come back for oidc-provider to issue the code. Instead the callback
// request itself is handed to oidc-provider as that resume request: one browser round trip fewer per
// login, and the shop receives the code directly in the answer to the callback.
//
// oidc-provider finds the interaction by its resume cookie, which it set at /auth scoped to the path
// /auth/<uid>, so the browser did not send it to /cb. The cookie is restored here with the value and
// signature oidc-provider itself would have read (same name, same keys). Callers may do this only after
// proving that this browser started the interaction (the flow's state and browser binding, checked by
// the broker before any token request): that is the same guarantee the path-scoped cookie gives.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CookieSigner } from '../http/cookie-signer.ts';

export type ResumeInPlace = (req: IncomingMessage, res: ServerResponse, returnTo: string) => void;

export interface ResumeInPlaceOptions {
  issuer: string;
  /** oidc-provider's request handler (`provider.callback()`), mounted at the application root. */
  handler: (req: IncomingMessage, res: ServerResponse) => unknown;
  /** oidc-provider's resume cookie name (`provider.cookieName('resume')`). */
  cookieName: string;
  /** The signer oidc-provider's cookies are signed with. */
  cookieSigner: CookieSigner;
}

/** Matches oidc-provider's resume route; the uid is its nanoid (URL-safe alphabet). */
const RESUME_PATH = /^\/auth\/([A-Za-z0-9_-]{10,64})$/;

export function resumeInPlace(o: ResumeInPlaceOptions): ResumeInPlace {
  const origin = new URL(o.issuer).origin;
  return (req, res, returnTo) => {
    const target = new URL(returnTo, o.issuer);
    const uid = RESUME_PATH.exec(target.pathname)?.[1];
    if (target.origin !== origin || !uid) throw new Error(`not an oidc-provider resume URL: ${target.pathname}`);
    const pair = `${o.cookieName}=${uid}`;
    const restored = `${pair}; ${o.cookieName}.sig=${o.cookieSigner.sign(pair)}`;
    // First in the header, so it is the value read even if the browser sent another one.
    req.headers.cookie = req.headers.cookie ? `${restored}; ${req.headers.cookie}` : restored;
    req.method = 'GET';
    req.url = target.pathname + target.search;
    void o.handler(req, res);
  };
}
