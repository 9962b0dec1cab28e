// The emulated api.weixin.qq.com sns API: the code exchange and the refresh (GET only, `appid`/`secret`),
// sns/userinfo and sns/auth — every answer JSON as text/plain at HTTP 200, refusals as errcode/errmsg
// with the live `rid` suffix — and the avatars headimgurl points at.

import express, { type Router } from 'express';
import type { FaultSwitch } from '../shared/emulator/fault-switch.ts';
import { avatarSvg } from './emulator-pages.ts';
import { param, sendErrcode, sendJson } from './emulator-wire.ts';
import { ACCESS_TOKEN_TTL_SECONDS, type AccessGrant, openidFor, type WechatWorld } from './emulator-world.ts';

const TEXT = 'text/plain';
const MALFORMED = {
  access_token: { contentType: TEXT, body: '{"access_token":"' },
  refresh_token: { contentType: TEXT, body: '{"access_token":"' },
  userinfo: { contentType: TEXT, body: '{"openid":"o6_bmjrPTlm6_2sgVt7hMZOPfL2M","nickname":"' },
  auth: { contentType: TEXT, body: '{"errcode":0,"errm' },
};

/** WeChat-specific fault modes by endpoint (the common ones are hang, status500, html, malformed). */
export const WECHAT_FAULT_MODES = {
  access_token: ['invalid_code', 'code_been_used', 'code_expired', 'no_unionid'],
  userinfo: ['invalid_credential', 'invalid_access_token', 'api_unauthorized', 'other_openid', 'generic_profile'],
  auth: ['invalid_credential'],
} as const;

export function snsRoutes(world: WechatWorld, faults: FaultSwitch): Router {
  const router = express.Router();

  /** The app named by `appid`, its secret checked when `withSecret`; undefined after answering the errcode. */
  function app(query: unknown, res: express.Response, withSecret: boolean) {
    const appid = param(query, 'appid');
    if (!appid) return void sendErrcode(res, 41002);
    const found = world.apps.get(appid);
    if (!found) return void sendErrcode(res, 40013);
    if (withSecret) {
      const secret = param(query, 'secret');
      if (!secret) return void sendErrcode(res, 41004);
      if (secret !== found.secret) return void sendErrcode(res, 40125);
    }
    return found;
  }

  router.get('/sns/oauth2/access_token', faults.guard('access_token', MALFORMED.access_token), (req, res) => {
    const fault = res.locals.fault as string | undefined;
    if (fault === 'invalid_code') return sendErrcode(res, 40029);
    if (fault === 'code_been_used') return sendErrcode(res, 40163);
    if (fault === 'code_expired') return sendErrcode(res, 42003);
    const client = app(req.query, res, true);
    if (!client) return;
    if (param(req.query, 'grant_type') !== 'authorization_code') return sendErrcode(res, 40002);
    const code = param(req.query, 'code');
    if (!code) return sendErrcode(res, 41008);
    const grant = world.codes.get(code);
    if (!grant || grant.appId !== client.appId) return sendErrcode(res, 40029);
    if (grant.used) return sendErrcode(res, 40163);
    grant.used = true;
    if (grant.expiresAt <= world.clock.now()) return sendErrcode(res, 42003);
    const issued: AccessGrant = {
      appId: grant.appId,
      login: grant.login,
      scope: grant.scope,
      expiresAt: 0,
      ...(fault === 'no_unionid' ? { noUnionid: true } : {}),
    };
    const { accessToken, refreshToken } = world.issueTokens(issued);
    const unionid = world.unionidOf(issued);
    sendJson(res, {
      access_token: accessToken,
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      refresh_token: refreshToken,
      openid: openidFor(grant.appId, grant.login),
      scope: grant.scope,
      ...(unionid ? { unionid } : {}),
    });
  });

  // Refresh (no secret): a still-valid access token is kept and its expiry extended; the refresh token
  // keeps its 30 days and comes back unchanged.
  router.get('/sns/oauth2/refresh_token', faults.guard('refresh_token', MALFORMED.refresh_token), (req, res) => {
    const client = app(req.query, res, false);
    if (!client) return;
    if (param(req.query, 'grant_type') !== 'refresh_token') return sendErrcode(res, 40002);
    const refreshToken = param(req.query, 'refresh_token') ?? '';
    const held = world.refreshTokens.get(refreshToken);
    if (!held || held.appId !== client.appId) return sendErrcode(res, 40030);
    const now = world.clock.now();
    if (held.expiresAt <= now) return sendErrcode(res, 42002);
    let accessToken = held.accessToken;
    const current = world.tokens.get(accessToken);
    if (current && current.expiresAt > now) current.expiresAt = now + ACCESS_TOKEN_TTL_SECONDS * 1000;
    else {
      world.tokens.delete(accessToken);
      const fresh = world.issueTokens(held);
      // Only the access token is new: the shopper keeps the refresh token they hold.
      world.refreshTokens.delete(fresh.refreshToken);
      accessToken = fresh.accessToken;
      held.accessToken = accessToken;
    }
    sendJson(res, {
      access_token: accessToken,
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      refresh_token: refreshToken,
      openid: openidFor(held.appId, held.login),
      scope: held.scope,
    });
  });

  router.post(['/sns/oauth2/access_token', '/sns/oauth2/refresh_token', '/sns/userinfo', '/sns/auth'], (_req, res) => sendErrcode(res, 43001));

  /** The token and openid of a userinfo/auth call, or undefined after answering the errcode. */
  function tokenFor(query: unknown, res: express.Response): AccessGrant | undefined {
    const held = world.token(param(query, 'access_token'));
    if (!held.ok) {
      const errcode = ({ missing: 41001, malformed: 40014, unknown: 40001, expired: 42001 } as const)[held.reason];
      return void sendErrcode(res, errcode);
    }
    const openid = param(query, 'openid');
    if (!openid) return void sendErrcode(res, 41009);
    if (openid !== openidFor(held.grant.appId, held.grant.login)) return void sendErrcode(res, 40003);
    return held.grant;
  }

  router.get('/sns/userinfo', faults.guard('userinfo', MALFORMED.userinfo), (req, res) => {
    const fault = res.locals.fault as string | undefined;
    if (fault === 'invalid_credential') return sendErrcode(res, 40001);
    if (fault === 'invalid_access_token') return sendErrcode(res, 40014);
    if (fault === 'api_unauthorized') return sendErrcode(res, 48001);
    const grant = tokenFor(req.query, res);
    if (!grant) return;
    if (!grant.scope.split(',').some((s) => s === 'snsapi_login' || s === 'snsapi_userinfo')) return sendErrcode(res, 48001);
    const user = world.user(grant.login);
    const extra = user.extra ?? {};
    const openid = openidFor(grant.appId, grant.login);
    const generic = fault === 'generic_profile';
    const unionid = world.unionidOf(grant);
    sendJson(res, {
      openid: fault === 'other_openid' ? openidFor(grant.appId, `${grant.login}-other`) : openid,
      nickname: generic ? '微信用户' : user.name,
      sex: generic ? 0 : Number(extra.sex ?? 0),
      language: extra.language ?? 'zh_CN',
      city: extra.city ?? '',
      province: extra.province ?? '',
      country: extra.country ?? '',
      headimgurl: generic || extra.avatar === 'none' ? '' : (extra.avatarUrl ?? `${req.protocol}://${req.get('host')}/mmopen/vi_32/${openid}/132`),
      privilege: [],
      ...(unionid ? { unionid } : {}),
    });
  });

  router.get('/sns/auth', faults.guard('auth', MALFORMED.auth), (req, res) => {
    if (res.locals.fault === 'invalid_credential') return sendErrcode(res, 40001);
    if (!tokenFor(req.query, res)) return;
    sendJson(res, { errcode: 0, errmsg: 'ok' });
  });

  // headimgurl's last path segment is the size: 0 (640), 46, 64, 96 or 132.
  router.get('/mmopen/vi_32/:openid/:size', (req, res) => {
    const size = Number(req.params.size);
    if (!/^o[\w-]{27}$/.test(String(req.params.openid)) || ![0, 46, 64, 96, 132].includes(size)) {
      res.status(404).type(TEXT).send('not found');
      return;
    }
    res
      .status(200)
      .type('image/svg+xml')
      .send(avatarSvg(String(req.params.openid), size));
  });

  return router;
}
