// The grant a request has just saved, kept on that request: a provider's callback finishes the login
// (saving the first-party shop's grant) and is then answered by oidc-provider's resume in place
// (src/oidc/resume-in-place.ts), whose loadExistingGrant would read that grant back. Only for the
// request's own lifetime (a WeakMap on the Node request object, which express and oidc-provider share).

import type { IncomingMessage } from 'node:http';
import type { Grant } from 'oidc-provider';

const byRequest = new WeakMap<IncomingMessage, Grant>();

/** Remembers the grant this request just saved. */
export function keepGrantInRequest(req: IncomingMessage, grant: Grant): void {
  byRequest.set(req, grant);
}

/** The grant with this id when this request has just saved it. */
export function grantInRequest(req: IncomingMessage | undefined, grantId: string): Grant | undefined {
  const grant = req ? byRequest.get(req) : undefined;
  return grant?.jti === grantId ? grant : undefined;
}
