// An express app speaking QQ Connect's wire protocol at graph.qq.com's paths: authorize (error pages,
// never error redirects; cancel does not redirect; any redirect_uri under a registered root domain, see
// emulator-registration.ts for what QQ checks about an app), token (GET or POST; form-encoded success, JSONP
// errors at HTTP 200), /oauth2.0/me (JSONP openid/unionid) and get_user_info (JSON as text/html).
// Fault modes per endpoint plus QQ-specific ones; see README.md for every choice.

import express, { type Request, type Response } from 'express';
import type { Emulator, EmulatorApp, EmulatorOptions } from '../contract.ts';
import { systemClock } from '../../src/clock.ts';
import { renderAuthorizePage } from '../shared/emulator/authorize-page.ts';
import { controlRoutes } from '../shared/emulator/control-routes.ts';
import { FaultSwitch } from '../shared/emulator/fault-switch.ts';
import { GrantStore } from '../shared/emulator/grant-store.ts';
import { resolveAutoApprove, type TestUser } from '../shared/emulator/test-users.ts';
import { qqIdentityKeys } from './identity.ts';
import { formatJsonp } from './jsonp.ts';
import { answerJson, answerObject, answerToken, param, qqError, type QqErrorCode } from './emulator-protocol.ts';
import { avatarSvg, cancelledPage, errorPage } from './emulator-pages.ts';
import { DEFAULT_QQ_USERS, openidFor, typedUser, unionidFor, userInfoBody } from './emulator-users.ts';
import { assertQqApps, decodeConsumerKey, MAX_CALLBACK_BYTES, QQ_GRANT_SHAPES, redirectUriAllowed } from './emulator-registration.ts';

/** Authorization codes live 10 minutes (QQ doc). */
const CODE_TTL_SECONDS = 600;
/** Access tokens: 60 days, as the current wiki and a 2025 observation say. */
const TOKEN_TTL_SECONDS = 5184000;

/** QQ-specific fault modes, by endpoint (the common ones are hang, status500, html, malformed). */
export const QQ_FAULT_MODES = {
  token: ['jsonp_error'],
  me: ['foreign_client_id', 'extra_js', 'two_objects'],
  get_user_info: ['ret_error'],
} as const;

const HTML = 'text/html; charset=utf-8';
const MALFORMED = {
  authorize: { contentType: HTML, body: '<!DOCTYPE html><html><head><title>QQ' },
  token: { contentType: HTML, body: 'callback( {"error":1000' },
  me: { contentType: HTML, body: 'callback( {"client_id":"' },
  get_user_info: { contentType: HTML, body: '{"ret":0,"msg":"","nickname":"' },
};

interface AuthorizeRequest {
  app: EmulatorApp;
  redirectUri: string;
  state: string;
  scope: string;
}

export function createQqEmulator(options: EmulatorOptions): Emulator {
  assertQqApps(options.apps);
  const grants = new GrantStore(options.clock ?? systemClock, QQ_GRANT_SHAPES);
  const faults = new FaultSwitch();
  const users: TestUser[] = [...(options.users ?? DEFAULT_QQ_USERS)];
  const apps = new Map(options.apps.map((a) => [a.clientId, a]));
  const refreshTokens = new Map<string, { clientId: string; login: string; scope: string }>();
  let autoApprove: string | undefined;

  const userFor = (login: string): TestUser => users.find((u) => u.login === login) ?? typedUser(login);
  const hasUnionid = (clientId: string): boolean => apps.get(clientId)?.extra?.unionid === true;

  const app = express();
  app.disable('x-powered-by');
  app.use(
    controlRoutes({
      providerId: 'qq',
      faults,
      setAutoApprove: (login) => (autoApprove = login),
      getAutoApprove: () => autoApprove,
    }),
  );

  /** Validates an authorize request in QQ's order; a failure is shown as QQ's error page. */
  function checkAuthorize(source: unknown): AuthorizeRequest | { code?: QqErrorCode; description: string } {
    if (param(source, 'response_type') !== 'code') return { code: 100000, description: 'response_type is wrong or lost' };
    const clientId = param(source, 'client_id');
    if (!clientId) return { code: 100001, description: 'client_id is lost' };
    const found = apps.get(clientId);
    if (!found) return { code: 100008, description: 'client id is illegal' };
    const redirectUri = param(source, 'redirect_uri');
    // Any address under a registered root domain (QQ's FAQ), within 500 bytes; another domain: 100010.
    if (!redirectUri || !redirectUriAllowed(found, redirectUri)) return { code: 100010, description: 'redirect uri is illegal' };
    // QQ documents state as required without a documented error number; the emulator refuses without one.
    const state = param(source, 'state');
    if (!state) return { description: 'state is lost (the emulator requires "state" as the QQ documentation does)' };
    // QQ's FAQ counts a state over 500 bytes among the causes of the callback error 100010.
    if (Buffer.byteLength(state) > MAX_CALLBACK_BYTES) return { code: 100010, description: 'redirect uri is illegal' };
    return { app: found, redirectUri, state, scope: param(source, 'scope') || 'get_user_info' };
  }

  function refuse(res: Response, failure: { code?: QqErrorCode; description: string }): void {
    res.status(200).type(HTML).send(errorPage(failure.code, failure.description));
  }

  function approve(res: Response, request: AuthorizeRequest, login: string): void {
    if (!users.some((u) => u.login === login)) users.push(typedUser(login));
    const code = grants.issueCode({ clientId: request.app.clientId, redirectUri: request.redirectUri, login, scope: request.scope }, CODE_TTL_SECONDS);
    const location = new URL(request.redirectUri);
    location.searchParams.set('code', code);
    location.searchParams.set('state', request.state);
    res.redirect(302, location.toString());
  }

  function showAuthorizePage(res: Response, request: AuthorizeRequest, notice?: string, status = 200): void {
    const page = renderAuthorizePage({
      providerName: 'QQ互联',
      appName: request.app.name ?? request.app.clientId,
      action: '/oauth2.0/authorize',
      params: { response_type: 'code', client_id: request.app.clientId, redirect_uri: request.redirectUri, state: request.state, scope: request.scope },
      users,
      color: '#12B7F5',
      approveLabel: '授权并登录 / Authorize and sign in',
      denyLabel: '取消 / Cancel',
      ...(notice ? { notice } : {}),
      banner: options.banner?.(),
    });
    res.status(status).type(HTML).send(page);
  }

  app.get('/oauth2.0/authorize', faults.guard('authorize', MALFORMED.authorize), (req, res) => {
    const request = checkAuthorize(req.query);
    if (!('app' in request)) return refuse(res, request);
    if (autoApprove) return approve(res, request, resolveAutoApprove(autoApprove));
    showAuthorizePage(res, request);
  });

  app.post('/oauth2.0/authorize', express.urlencoded({ extended: false, limit: '20kb' }), faults.guard('authorize', MALFORMED.authorize), (req, res) => {
    const request = checkAuthorize(req.body);
    if (!('app' in request)) return refuse(res, request);
    const decision = param(req.body, 'decision');
    if (decision === 'deny') {
      res
        .status(200)
        .type(HTML)
        .send(cancelledPage(request.app.name ?? request.app.clientId));
      return;
    }
    if (decision !== 'approve') return refuse(res, { description: 'decision must be approve or deny' });
    const login = (param(req.body, 'typed_login') || param(req.body, 'login') || '').trim();
    if (!login) return showAuthorizePage(res, request, '请选择或输入一个 QQ 帐号 / pick or type a login', 400);
    approve(res, request, login);
  });

  function token(source: Record<string, unknown>, res: Response): void {
    const fmt = param(source, 'fmt');
    const fail = (code: QqErrorCode) => answerObject(res, fmt, qqError(code));
    if (res.locals.fault === 'jsonp_error') return fail(100019);

    const grantType = param(source, 'grant_type');
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') return fail(100004);
    const clientId = param(source, 'client_id');
    if (!clientId) return fail(100001);
    const client = apps.get(clientId);
    if (!client) return fail(100008);
    const secret = param(source, 'client_secret');
    if (!secret) return fail(100002);
    if (secret !== client.clientSecret) return fail(100009);

    let login: string;
    let scope: string;
    if (grantType === 'authorization_code') {
      const code = param(source, 'code');
      if (!code) return fail(100005);
      const check = grants.redeemCode(code, clientId, param(source, 'redirect_uri'));
      if (!check.ok) return fail(check.reason === 'reused' ? 100020 : check.reason === 'redirect_mismatch' ? 100010 : 100019);
      ({ login, scope } = check.grant);
    } else {
      const refreshToken = param(source, 'refresh_token');
      if (!refreshToken) return fail(100006);
      const held = refreshTokens.get(refreshToken);
      if (!held || held.clientId !== clientId) return fail(100036);
      refreshTokens.delete(refreshToken);
      ({ login, scope } = held);
    }

    const issued = grants.issueToken(clientId, login, scope, TOKEN_TTL_SECONDS, true);
    refreshTokens.set(issued.refreshToken!, { clientId, login, scope });
    const body: Record<string, string> = { access_token: issued.token, expires_in: String(TOKEN_TTL_SECONDS), refresh_token: issued.refreshToken! };
    if (param(source, 'need_openid') === '1') body.openid = openidFor(clientId, login);
    answerToken(res, fmt, body);
  }

  app.get('/oauth2.0/token', faults.guard('token', MALFORMED.token), (req, res) => token({ ...req.query }, res));
  app.post('/oauth2.0/token', express.urlencoded({ extended: false, limit: '20kb' }), faults.guard('token', MALFORMED.token), (req, res) =>
    token({ ...req.query, ...(req.body ?? {}) }, res),
  );

  app.get('/oauth2.0/me', faults.guard('me', MALFORMED.me), (req, res) => {
    const fmt = param(req.query, 'fmt');
    const accessToken = param(req.query, 'access_token');
    if (!accessToken) return answerObject(res, fmt, qqError(100007));
    const held = grants.token(accessToken);
    if (!held.ok) return answerObject(res, fmt, qqError(held.reason === 'expired' ? 100014 : 100016));
    const { clientId, login } = held.grant;
    const body: Record<string, unknown> = { client_id: clientId, openid: openidFor(clientId, login) };
    if (param(req.query, 'unionid') === '1') {
      if (!hasUnionid(clientId)) return answerObject(res, fmt, qqError(100048));
      body.unionid = unionidFor(login);
    }
    switch (res.locals.fault) {
      case 'foreign_client_id':
        body.client_id = `${clientId}9`;
        break;
      case 'extra_js':
        res
          .status(200)
          .type(HTML)
          .send(`${formatJsonp(body).trimEnd()} globalThis.__qqEmulatorInjected = true; alert(1);\n`);
        return;
      case 'two_objects':
        res
          .status(200)
          .type(HTML)
          .send(`callback( ${JSON.stringify(body)}, ${JSON.stringify({ ...body, openid: '0'.repeat(32) })} );\n`);
        return;
    }
    answerObject(res, fmt, body);
  });

  app.get('/user/get_user_info', faults.guard('get_user_info', MALFORMED.get_user_info), (req, res) => {
    if (res.locals.fault === 'ret_error') return answerJson(res, { ret: 100030, msg: 'user has not authorized this api' });
    const accessToken = param(req.query, 'access_token');
    // QQ decodes oauth_consumer_key as an unsigned 64-bit integer before anything else.
    const consumerKey = decodeConsumerKey(req.query.oauth_consumer_key);
    if (!consumerKey.ok) return answerJson(res, { ret: consumerKey.ret, msg: consumerKey.msg });
    const openid = param(req.query, 'openid');
    if (!accessToken) return answerJson(res, { ret: 100007, msg: 'access token is lost' });
    const held = grants.token(accessToken);
    if (!held.ok)
      return answerJson(res, {
        ret: held.reason === 'expired' ? 100014 : 100016,
        msg: held.reason === 'expired' ? 'access token expired' : 'access token check failed',
      });
    const { clientId, login } = held.grant;
    if (!consumerKey.value || consumerKey.value !== clientId) {
      return answerJson(res, { ret: -1, msg: "client request's parameters are invalid, invalid oauth_consumer_key" });
    }
    if (!openid) return answerJson(res, { ret: -1, msg: "client request's parameters are invalid, invalid openid" });
    if (openid !== openidFor(clientId, login)) return answerJson(res, { ret: 100050, msg: 'openid decrypt failed' });
    answerJson(res, userInfoBody(userFor(login), openid, `${req.protocol}://${req.get('host')}`));
  });

  app.get('/__avatars/:file', (req: Request, res: Response) => {
    const m = /^([0-9A-F]{32})\.svg$/.exec(String(req.params.file));
    if (!m) {
      res.status(404).type('text/plain').send('not found');
      return;
    }
    res.status(200).type('image/svg+xml').send(avatarSvg(m[1]!));
  });

  return {
    app,
    faults,
    users,
    setAutoApprove: (login) => {
      autoApprove = login;
    },
    identityKeysFor: (login, clientId) => qqIdentityKeys(clientId, openidFor(clientId, login), hasUnionid(clientId) ? unionidFor(login) : undefined),
    close: () => faults.releaseHanging(),
  };
}
