// Who is calling the admin API. `Authorization: Bearer <token>` where the token is the operator token
// (ADMIN_OPERATOR_TOKEN) or a partner manager token `<managerId>.<secret>`. Every failure (no header,
// unknown manager, wrong secret) gets the same 401 body, except a malformed token, which is refused
// before any hashing with a 401 saying what a token looks like. Secrets are checked in the gateway's
// bounded hash queue (src/accounts/hash-queue.ts). A manager reaching a partner they do not manage
// gets 403 whether or not that partner exists, so managers cannot probe for other shops.

import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { Actor } from '../audit/audit.ts';
import { SANDBOX_MANAGERS, sandboxManagerToken } from '../../config/sandbox-seed.ts';
import { HashBusy, type HashQueue } from '../accounts/hash-queue.ts';
import { sameToken, verifyNothing, verifySecret } from './credentials.ts';
import { splitManagerToken, type Manager } from './managers.ts';

export type Principal = { kind: 'operator'; actor: Actor } | { kind: 'manager'; actor: Actor; partners: ReadonlySet<string> };

export const UNAUTHORIZED_MESSAGE = 'a valid admin token is required: send "Authorization: Bearer <token>"';
export const MALFORMED_MESSAGE =
  'the admin token is malformed: send "Authorization: Bearer <token>" with the operator token or a manager token "<managerId>.<secret>"';

export interface AuthDeps {
  store: Store;
  operatorToken: string;
  production: boolean;
  hashes: HashQueue;
}

/** A manager secret as Denglu generates them (43 characters) or the sandbox's documented ones. */
const SECRET_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

/** The header's token, or why it cannot be one (decided without any hashing). */
export function bearerToken(authorization: string | undefined, operatorToken: string): { token: string } | { problem: 'missing' | 'malformed' } {
  if (!authorization) return { problem: 'missing' };
  const match = /^Bearer[ ]+([\x21-\x7e]{1,512})\s*$/i.exec(authorization);
  if (!match) return { problem: 'malformed' };
  const token = match[1]!;
  if (sameToken(token, operatorToken)) return { token };
  const parts = splitManagerToken(token);
  return parts && SECRET_SHAPE.test(parts.secret) ? { token } : { problem: 'malformed' };
}

export async function principalFor(deps: AuthDeps, authorization: string | undefined): Promise<Principal | undefined> {
  const bearer = bearerToken(authorization, deps.operatorToken);
  if (!('token' in bearer)) return undefined;
  const { token } = bearer;
  if (sameToken(token, deps.operatorToken)) return { kind: 'operator', actor: { kind: 'operator', id: 'operator' } };
  const parts = splitManagerToken(token)!;
  // Sandbox managers' tokens are public; a data directory carried into production must not honour them.
  if (deps.production && SANDBOX_MANAGERS.some((m) => sameToken(token, sandboxManagerToken(m)))) {
    return deps.hashes.run(() => verifyNothing(token)).then(() => undefined);
  }
  const manager = await deps.store.get<Manager>('managers', parts.id);
  const ok = await deps.hashes.run(() => (manager ? verifySecret(parts.secret, manager.secretHash) : verifyNothing(parts.secret)));
  if (!ok || !manager) return undefined;
  return { kind: 'manager', actor: { kind: 'manager', id: manager.id }, partners: new Set(manager.partners) };
}

export function authenticate(deps: AuthDeps) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const authorization = req.get('authorization');
    const principal = await principalFor(deps, authorization).catch((err: unknown) => {
      if (err instanceof HashBusy) res.set('Retry-After', '1'); // 503: too many secrets waiting to be checked
      throw err;
    });
    if (!principal) {
      res.set('WWW-Authenticate', 'Bearer realm="denglu-admin"');
      const malformed = authorization !== undefined && 'problem' in bearerToken(authorization, deps.operatorToken);
      throw new GatewayError('ERR_UNAUTHORIZED', malformed ? MALFORMED_MESSAGE : UNAUTHORIZED_MESSAGE, { status: 401 });
    }
    res.locals.principal = principal;
    next();
  };
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/** Only the operator (partners, clients, managers). */
export function requireOperator(_req: Request, res: Response, next: NextFunction): void {
  if (principalOf(res).kind !== 'operator') throw new GatewayError('ERR_FORBIDDEN', 'only the operator may do this', { status: 403 });
  next();
}

/** The operator, or a manager of the partner in `:id`. */
export function requirePartnerAccess(req: Request, res: Response, next: NextFunction): void {
  assertCanManage(principalOf(res), String(req.params.id));
  next();
}

export function assertCanManage(principal: Principal, partnerId: string): void {
  if (principal.kind === 'manager' && !principal.partners.has(partnerId)) {
    throw new GatewayError('ERR_FORBIDDEN', `you do not manage partner "${partnerId}"`, { status: 403 });
  }
}
