// The emulated Sohu token endpoint, POST /oauth2/access_token (form body, client secret in the body):
// codes are single use, expire, stay bound to their client and exact redirect_uri and to their PKCE
// challenge; a replayed code revokes what it bought; refresh tokens rotate. Errors are Sohu-style JSON.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import type { EmulatorApp } from '../contract.ts';
import type { CodeCheck } from '../shared/emulator/grant-store.ts';
import { ACCESS_TOKEN_TTL_SECONDS, findApp, REFRESH_TOKEN_TTL_SECONDS, type SohuEmulatorContext } from './emulator-context.ts';
import { verifierProblem } from './emulator-pkce.ts';
import { JSON_TYPE, sendJsonError, type SohuErrorName } from './emulator-wire.ts';

export const TOKEN_PATH = '/oauth2/access_token';

const CODE_PROBLEMS: Record<Exclude<CodeCheck, { ok: true }>['reason'], string> = {
  unknown: '"code" is invalid',
  reused: '"code" has already been used',
  expired: '"code" has expired',
  client_mismatch: '"code" was issued to another client',
  redirect_mismatch: '"redirect_uri" does not match the authorization request',
};

export function tokenRoutes(context: SohuEmulatorContext): Router {
  const router = express.Router();
  const garbage = { contentType: JSON_TYPE, body: '{"access_token":"a3f1c9e0' };

  router.post(TOKEN_PATH, context.faults.guard('access_token', garbage), express.urlencoded({ extended: false, limit: '10kb' }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const field = (name: string): string | undefined => (typeof body[name] === 'string' && body[name] !== '' ? body[name] : undefined);
    const fail = (name: SohuErrorName, description: string) => sendJsonError(res, name, description, TOKEN_PATH);

    const app = findApp(context, field('client_id'));
    const secret = field('client_secret');
    if (!app || secret === undefined || !sameSecret(secret, app.clientSecret)) return fail('invalid_client', 'client authentication failed');

    switch (field('grant_type')) {
      case 'authorization_code':
        return redeemCode(context, app, field, fail, res);
      case 'refresh_token':
        return refresh(context, app, field, fail, res);
      case undefined:
        return fail('invalid_request', '"grant_type" is required');
      default:
        return fail('unsupported_grant_type', '"grant_type" must be "authorization_code" or "refresh_token"');
    }
  });

  return router;
}

type Field = (name: string) => string | undefined;
type Fail = (name: SohuErrorName, description: string) => void;

function redeemCode(context: SohuEmulatorContext, app: EmulatorApp, field: Field, fail: Fail, res: Response): void {
  const code = field('code');
  if (code === undefined) return fail('invalid_request', '"code" is required');
  const check = context.grants.redeemCode(code, app.clientId, field('redirect_uri'));
  if (!check.ok) {
    if (check.reason === 'reused') revokeBoughtWith(context, code);
    return fail('invalid_grant', CODE_PROBLEMS[check.reason]);
  }
  const pkce = verifierProblem(check.grant.codeChallenge, field('code_verifier'));
  if (pkce) return fail('invalid_grant', pkce);
  const issued = issueTokens(context, app.clientId, check.grant.login, check.grant.scope);
  context.tokensByCode.set(code, issued);
  sendTokens(res, issued);
}

function refresh(context: SohuEmulatorContext, app: EmulatorApp, field: Field, fail: Fail, res: Response): void {
  const token = field('refresh_token');
  if (token === undefined) return fail('invalid_request', '"refresh_token" is required');
  const grant = context.refreshTokens.get(token);
  if (!grant || grant.clientId !== app.clientId || grant.expiresAt <= context.clock.now())
    return fail('invalid_grant', '"refresh_token" is invalid or expired');
  context.refreshTokens.delete(token);
  sendTokens(res, issueTokens(context, app.clientId, grant.login, grant.scope));
}

function issueTokens(context: SohuEmulatorContext, clientId: string, login: string, scope: string): { accessToken: string; refreshToken: string } {
  const access = context.grants.issueToken(clientId, login, scope, ACCESS_TOKEN_TTL_SECONDS);
  const refreshToken = randomBytes(24).toString('hex');
  context.refreshTokens.set(refreshToken, {
    clientId,
    login,
    scope,
    accessToken: access.token,
    expiresAt: context.clock.now() + REFRESH_TOKEN_TTL_SECONDS * 1000,
  });
  return { accessToken: access.token, refreshToken };
}

/** A replayed code: the tokens from its first use stop working (RFC 6749 §4.1.2 SHOULD). */
function revokeBoughtWith(context: SohuEmulatorContext, code: string): void {
  const issued = context.tokensByCode.get(code);
  if (!issued) return;
  context.grants.revoke(issued.accessToken);
  context.refreshTokens.delete(issued.refreshToken);
  context.tokensByCode.delete(code);
}

function sendTokens(res: Response, issued: { accessToken: string; refreshToken: string }): void {
  res
    .status(200)
    .set('cache-control', 'no-store')
    .type(JSON_TYPE)
    .send(JSON.stringify({ access_token: issued.accessToken, expires_in: ACCESS_TOKEN_TTL_SECONDS, refresh_token: issued.refreshToken }));
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
