// A small upstream OpenID Provider for tests and the sandbox ("Example OIDC"): discovery, /jwks,
// /authorize (the shared test-user page; PKCE S256 and nonce carried into the code), /token
// (client_secret_basic or _post, single-use codes bound to client, redirect_uri and challenge; an RS256
// ID token), /userinfo, and the /__emulator control routes. Its issuer is the origin it is reached at.
// Fault endpoints: `discovery`, `jwks`, `authorize`, `token`, `userinfo`; besides the common modes,
// `token` takes the wrong-ID-token modes of emulator-tokens.ts and `discovery` takes `wrong_issuer`.

import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { systemClock } from '../../src/clock.ts';
import type { Emulator, EmulatorApp, EmulatorOptions } from '../contract.ts';
import { renderAuthorizePage } from '../shared/emulator/authorize-page.ts';
import { controlRoutes } from '../shared/emulator/control-routes.ts';
import { FaultSwitch } from '../shared/emulator/fault-switch.ts';
import { GrantStore } from '../shared/emulator/grant-store.ts';
import { resolveAutoApprove, type TestUser } from '../shared/emulator/test-users.ts';
import { newSigningKey, signIdToken, subjectOf } from './emulator-tokens.ts';

const DEFAULT_USERS: TestUser[] = [
  { login: 'alice', name: 'Alice Example' },
  { login: 'bob', name: 'Bob Example' },
  { login: 'li.lei', name: '李雷' },
];
const CARRIED = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'ui_locales'];
const CODE_TTL_SECONDS = 60;
const ACCESS_TOKEN_TTL_SECONDS = 3600;

/** The identity keys Denglu derives for a login at a declared provider `providerId`. */
export function oidcIdentityKeys(providerId: string, login: string): string[] {
  return [`${providerId}:sub:${subjectOf(login)}`];
}

export function createOidcEmulator(providerId: string, name: string, options: EmulatorOptions): Emulator {
  const clock = options.clock ?? systemClock;
  const users = options.users ?? DEFAULT_USERS;
  const grants = new GrantStore(clock);
  const faults = new FaultSwitch();
  const nonces = new Map<string, string | undefined>();
  const key = newSigningKey();
  let autoApprove: string | undefined;
  const issuerOf = (req: Request) => `${req.protocol}://${req.get('host')}`;
  const findApp = (clientId: unknown): EmulatorApp | undefined => options.apps.find((a) => a.clientId === clientId);
  const page = (res: Response, status: number, message: string) => res.status(status).type('text/plain; charset=utf-8').send(`${name} (emulator): ${message}`);

  const app = express();
  app.disable('x-powered-by');

  app.get('/.well-known/openid-configuration', faults.guard('discovery', { contentType: 'application/json', body: '{"issuer":' }), (req, res) => {
    const issuer = issuerOf(req);
    res.json({
      issuer: res.locals.fault === 'wrong_issuer' ? 'https://issuer.invalid' : issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      userinfo_endpoint: `${issuer}/userinfo`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['openid', 'profile', 'email'],
      authorization_response_iss_parameter_supported: true,
    });
  });

  app.get('/jwks', faults.guard('jwks', { contentType: 'application/json', body: '{"keys":[' }), (_req, res) => {
    res.json({ keys: [key.jwk] });
  });

  /** Checks an authorization request; a problem is answered with a page, never a redirect. */
  const check = (input: Record<string, unknown>): { params: Record<string, string>; app: EmulatorApp } | string => {
    const params: Record<string, string> = {};
    for (const n of CARRIED) if (typeof input[n] === 'string') params[n] = input[n] as string;
    const client = findApp(params.client_id);
    if (!client) return 'unknown client_id';
    if (!params.redirect_uri || !client.redirectUris.includes(params.redirect_uri)) return 'redirect_uri is not registered for this client';
    if (params.response_type !== 'code') return 'response_type must be "code"';
    if (!(params.scope ?? '').split(' ').includes('openid')) return 'scope must include "openid"';
    if (params.code_challenge !== undefined && params.code_challenge_method !== 'S256') return 'code_challenge_method must be S256';
    return { params, app: client };
  };
  const redirectBack = (req: Request, res: Response, params: Record<string, string>, extra: Record<string, string>) => {
    const url = new URL(params.redirect_uri!);
    for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
    if (params.state !== undefined) url.searchParams.set('state', params.state);
    url.searchParams.set('iss', issuerOf(req));
    res.set('cache-control', 'no-store').redirect(302, url.toString());
  };
  const approve = (req: Request, res: Response, params: Record<string, string>, login: string) => {
    const code = grants.issueCode(
      {
        clientId: params.client_id!,
        redirectUri: params.redirect_uri!,
        login,
        scope: params.scope!,
        ...(params.code_challenge ? { codeChallenge: params.code_challenge, codeChallengeMethod: 'S256' } : {}),
      },
      CODE_TTL_SECONDS,
    );
    nonces.set(code, params.nonce);
    redirectBack(req, res, params, { code });
  };

  app.get('/authorize', faults.guard('authorize', { contentType: 'text/html', body: '<html><form' }), (req, res) => {
    const checked = check(req.query as Record<string, unknown>);
    if (typeof checked === 'string') return page(res, 400, checked);
    if (autoApprove !== undefined) return approve(req, res, checked.params, resolveAutoApprove(autoApprove));
    res
      .set('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(
        renderAuthorizePage({
          providerName: `${name} (sandbox demo OpenID Provider)`,
          appName: checked.app.name ?? checked.app.clientId,
          action: '/authorize',
          params: checked.params,
          users,
          color: '#3b5bdb',
          approveLabel: '授权 / Allow',
          denyLabel: '取消 / Cancel',
          notice: 'This demo provider shares your name (profile) with the app. 该演示提供方会向应用提供你的名字。',
          banner: options.banner?.(),
        }),
      );
  });

  app.post('/authorize', express.urlencoded({ extended: false, limit: '20kb' }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const checked = check(body);
    if (typeof checked === 'string') return page(res, 400, checked);
    if (body.decision === 'deny') return redirectBack(req, res, checked.params, { error: 'access_denied', error_description: 'the user cancelled' });
    const typed = typeof body.typed_login === 'string' ? body.typed_login.trim() : '';
    const login = typed || (typeof body.login === 'string' ? body.login.trim() : '');
    if (!/^[\p{L}\p{N}_.@-]{1,64}$/u.test(login)) return page(res, 400, 'pick a test user or type a login');
    approve(req, res, checked.params, login);
  });

  app.post(
    '/token',
    faults.guard('token', { contentType: 'application/json', body: '{"access_token":"' }),
    express.urlencoded({ extended: false, limit: '10kb' }),
    async (req, res) => {
      const body = (req.body ?? {}) as Record<string, string | undefined>;
      const fail = (status: number, error: string, description: string) =>
        res.status(status).set('cache-control', 'no-store').json({ error, error_description: description });
      let clientId = body.client_id;
      let secret = body.client_secret;
      const basic = /^Basic (.+)$/i.exec(req.get('authorization') ?? '');
      if (basic) {
        const [id, pw] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
        clientId = decodeURIComponent((id ?? '').replace(/\+/g, ' '));
        secret = decodeURIComponent((pw ?? '').replace(/\+/g, ' '));
      }
      const client = findApp(clientId);
      if (!client || secret === undefined || !same(secret, client.clientSecret)) return fail(401, 'invalid_client', 'client authentication failed');
      if (body.grant_type !== 'authorization_code') return fail(400, 'unsupported_grant_type', 'only authorization_code');
      const redeemed = grants.redeemCode(body.code ?? '', client.clientId, body.redirect_uri);
      if (!redeemed.ok) return fail(400, 'invalid_grant', `code ${redeemed.reason}`);
      const grant = redeemed.grant;
      if (grant.codeChallenge !== undefined) {
        const verifier = body.code_verifier ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== grant.codeChallenge) return fail(400, 'invalid_grant', 'PKCE verification failed');
      }
      const token = grants.issueToken(client.clientId, grant.login, grant.scope, ACCESS_TOKEN_TTL_SECONDS);
      const issuer = issuerOf(req);
      const user = users.find((u) => u.login === grant.login);
      const fault = typeof res.locals.fault === 'string' ? res.locals.fault : undefined;
      const idToken = await signIdToken(key, {
        issuer,
        clientId: client.clientId,
        login: grant.login,
        name: user?.name ?? grant.login,
        nonce: nonces.get(grant.code),
        picture: undefined,
        nowSeconds: Math.floor(clock.now() / 1000),
        fault,
      });
      nonces.delete(grant.code);
      res.set('cache-control', 'no-store').json({
        access_token: token.token,
        token_type: 'Bearer',
        expires_in: ACCESS_TOKEN_TTL_SECONDS,
        scope: grant.scope,
        ...(fault === 'no_id_token' ? {} : { id_token: idToken }),
      });
    },
  );

  app.get('/userinfo', faults.guard('userinfo', { contentType: 'application/json', body: '{"sub":' }), (req, res) => {
    const bearer = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const checked = grants.token(bearer);
    if (!checked.ok) return res.status(401).set('www-authenticate', 'Bearer error="invalid_token"').end();
    const user = users.find((u) => u.login === checked.grant.login);
    res.json({ sub: subjectOf(checked.grant.login), name: user?.name ?? checked.grant.login, preferred_username: checked.grant.login });
  });

  const setAutoApprove = (login: string | undefined) => {
    autoApprove = login;
  };
  app.use(controlRoutes({ providerId, faults, setAutoApprove, getAutoApprove: () => autoApprove }));

  return {
    app,
    faults,
    users,
    setAutoApprove,
    identityKeysFor: (login: string) => oidcIdentityKeys(providerId, login),
    close: () => faults.releaseHanging(),
  };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
