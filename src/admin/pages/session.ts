// Admin page sessions. Signing in creates a random session id (32 bytes) sent in an HttpOnly, SameSite=Lax
// cookie (Secure over https) scoped to /admin; the store keeps only its SHA-256 under `admin_sessions`,
// expiring after 8 hours on the gateway clock. Each request re-reads who the session belongs to: a
// manager that was removed or re-keyed, or a changed operator token, ends the session.

import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Clock, EpochMs } from '../../clock.ts';
import type { Store } from '../../store/store.ts';
import type { Principal } from '../auth.ts';
import { sameToken } from '../credentials.ts';
import type { Manager } from '../managers.ts';

export const SESSION_COOKIE = 'dl_admin';
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const COOKIE_PATH = '/admin';

export interface AdminSessionRecord {
  principal: { kind: 'operator' } | { kind: 'manager'; id: string };
  /** Fingerprint of the credential signed in with: a new operator token or manager secret ends the session. */
  credential: string;
  createdAt: EpochMs;
  expiresAt: EpochMs;
}

export interface SessionDeps {
  store: Store;
  clock: Clock;
  operatorToken: string;
  secureCookies: boolean;
}

const digest = (value: string): string => createHash('sha256').update(value).digest('base64url');

function fingerprint(deps: SessionDeps, principal: AdminSessionRecord['principal'], manager?: Manager): string {
  return principal.kind === 'operator' ? digest(`operator:${deps.operatorToken}`) : digest(`manager:${manager?.secretHash.hash ?? ''}`);
}

/** Starts a session for a verified principal; sets the cookie and returns nothing secret. */
export async function startSession(deps: SessionDeps, res: Response, principal: Principal): Promise<void> {
  const id = randomBytes(32).toString('base64url');
  const now = deps.clock.now();
  let record: AdminSessionRecord;
  if (principal.kind === 'operator') {
    record = { principal: { kind: 'operator' }, credential: fingerprint(deps, { kind: 'operator' }), createdAt: now, expiresAt: now + SESSION_TTL_MS };
  } else {
    const manager = await deps.store.get<Manager>('managers', principal.actor.id);
    const who = { kind: 'manager' as const, id: principal.actor.id };
    record = { principal: who, credential: fingerprint(deps, who, manager), createdAt: now, expiresAt: now + SESSION_TTL_MS };
  }
  await deps.store.create('admin_sessions', digest(id), record, { expiresAt: record.expiresAt });
  res.cookie(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, path: COOKIE_PATH, maxAge: SESSION_TTL_MS });
}

/** The principal of this request's session, or undefined when there is none or it no longer holds. */
export async function sessionPrincipal(deps: SessionDeps, req: Request): Promise<Principal | undefined> {
  const id = sessionCookie(req);
  if (!id) return undefined;
  const record = await deps.store.get<AdminSessionRecord>('admin_sessions', digest(id));
  if (!record || record.expiresAt <= deps.clock.now()) return undefined;
  if (record.principal.kind === 'operator') {
    if (!sameToken(record.credential, fingerprint(deps, record.principal))) return undefined;
    return { kind: 'operator', actor: { kind: 'operator', id: 'operator' } };
  }
  const manager = await deps.store.get<Manager>('managers', record.principal.id);
  if (!manager || !sameToken(record.credential, fingerprint(deps, record.principal, manager))) return undefined;
  return { kind: 'manager', actor: { kind: 'manager', id: manager.id }, partners: new Set(manager.partners) };
}

/** Forgets this request's session record, if any (signing in again replaces it). */
export async function dropSession(deps: SessionDeps, req: Request): Promise<void> {
  const id = sessionCookie(req);
  if (id) await deps.store.delete('admin_sessions', digest(id));
}

/** Ends this request's session (if any) and clears the cookie. */
export async function endSession(deps: SessionDeps, req: Request, res: Response): Promise<void> {
  await dropSession(deps, req);
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, path: COOKIE_PATH });
}

export function sessionCookie(req: Request): string | undefined {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}
