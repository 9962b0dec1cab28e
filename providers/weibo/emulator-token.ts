// The emulated /oauth2/access_token, /oauth2/get_token_info and /oauth2/revokeoauth2. Parameters are
// read from the query string and a form body only (a JSON body leaves them missing: 21323 "miss client
// id or secret", as observed). Success bodies reproduce the observed types: `expires_in` a number,
// `remind_in` and `uid` strings; get_token_info answers numbers like the doc example.

import express, { type Request, type Response, type Router } from 'express';
import type { FaultSwitch } from '../shared/emulator/fault-switch.ts';
import { uidFor, type WeiboWorld } from './emulator-world.ts';
import { OAUTH_CONTENT_TYPE, params, sendOAuthError, sendOAuthJson } from './emulator-replies.ts';

export function tokenRoutes(world: WeiboWorld, faults: FaultSwitch): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '20kb' });
  const guard = (endpoint: string, truncated: string) => faults.guard(endpoint, { contentType: OAUTH_CONTENT_TYPE, body: truncated });

  router.post('/oauth2/access_token', form, guard('access_token', '{"access_token":"2.00hU'), (req, res) => {
    const p = params(req);
    if (res.locals.fault === 'json_body_refused' || !p.client_id || !p.client_secret) {
      return sendOAuthError(req, res, 400, 'invalid_request', 21323, 'miss client id or secret');
    }
    const app = world.app(p.client_id);
    if (!app) return sendOAuthError(req, res, 401, 'invalid_client', 21324, 'client_id error.');
    if (p.client_secret !== app.clientSecret) return sendOAuthError(req, res, 401, 'invalid_client', 21324, 'client_secret error.');
    if (p.grant_type !== 'authorization_code') return sendOAuthError(req, res, 400, 'unsupported_grant_type', 21328, 'unsupported grant type');
    if (!p.code) return sendOAuthError(req, res, 400, 'invalid_request', 21323, 'miss code');
    const redeemed = world.codes.redeemCode(p.code, app.clientId, p.redirect_uri);
    if (!redeemed.ok && redeemed.reason === 'redirect_mismatch') {
      return sendOAuthError(req, res, 400, 'redirect_uri_mismatch', 21322, 'redirect_uri mismatch');
    }
    if (!redeemed.ok) return sendOAuthError(req, res, 400, 'invalid_grant', 21325, `invalid authorization code:${p.code.slice(0, 64)}`);
    const grant = world.issueToken(app, redeemed.grant.login, redeemed.grant.scope);
    const ttl = Math.round((grant.expiresAt - grant.issuedAt) / 1000);
    const uid = uidFor(grant.login);
    if (res.locals.fault === 'string_types') {
      // The documented (2022) shape: every value a string.
      return sendOAuthJson(res, 200, { access_token: grant.token, expires_in: String(ttl), remind_in: String(ttl), uid });
    }
    sendOAuthJson(res, 200, { access_token: grant.token, remind_in: String(ttl), expires_in: ttl, uid, isRealName: 'true' });
  });

  router.post('/oauth2/get_token_info', form, guard('get_token_info', '{"uid":18'), (req, res) => {
    if (res.locals.fault === 'expired_token') return sendOAuthError(req, res, 400, 'expired_token', 21327, 'expired_token');
    const checked = world.token(params(req).access_token);
    if (!checked.ok) return tokenError(req, res, checked.reason);
    const { grant } = checked;
    const now = world.clock.now();
    const appkey = res.locals.fault === 'foreign_appkey' ? foreignAppkey(grant.clientId) : grant.clientId;
    const info = {
      uid: Number(uidFor(grant.login)),
      appkey: Number(appkey), // app keys are numbers (the emulator registers no other)
      scope: grant.scope || null,
      create_at: Math.floor(grant.issuedAt / 1000),
      expire_in: Math.floor((grant.expiresAt - now) / 1000),
    };
    if (res.locals.fault === 'string_types') {
      // How some SDKs decode it (github.com/axiaoxin-com/weibo): every value a string.
      return sendOAuthJson(res, 200, Object.fromEntries(Object.entries(info).map(([k, v]) => [k, v === null ? null : String(v)])));
    }
    sendOAuthJson(res, 200, info);
  });

  router.post('/oauth2/revokeoauth2', form, guard('revokeoauth2', '{"result":"tr'), (req, res) => {
    const token = params(req).access_token;
    const checked = world.token(token);
    if (!checked.ok) return tokenError(req, res, checked.reason);
    world.revoke(checked.grant.token);
    sendOAuthJson(res, 200, { result: 'true' });
  });

  for (const path of ['/oauth2/access_token', '/oauth2/get_token_info', '/oauth2/revokeoauth2']) {
    router.all(path, (req, res) => sendOAuthJson(res, 400, { error: 'HTTP METHOD is not suported for this request!', error_code: 10021, request: req.path }));
  }
  return router;
}

function tokenError(req: Request, res: Response, reason: 'missing' | 'unknown' | 'expired'): void {
  if (reason === 'missing') return sendOAuthError(req, res, 400, 'invalid_request', 21323, 'miss access_token');
  if (reason === 'expired') return sendOAuthError(req, res, 400, 'expired_token', 21327, 'expired_token');
  sendOAuthError(req, res, 400, 'invalid_access_token', 21332, 'invalid_access_token');
}

/** Another app's appkey (the `foreign_appkey` fault): a token issued to someone else's app. */
function foreignAppkey(clientId: string): string {
  return clientId === '1352222456' ? '2849184197' : '1352222456';
}
