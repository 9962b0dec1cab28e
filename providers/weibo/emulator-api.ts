// The emulated /2/ API: users/show.json and account/get_uid.json, plus the avatars the profiles point
// at. The token comes as `access_token` in the query (or `Authorization: OAuth2 <token>`); token
// problems answer `{"error","error_code","request"}` with HTTP 403 (21301 no token, 21327 expired,
// 21332 unknown or revoked).

import express, { type Request, type Response, type Router } from 'express';
import type { FaultSwitch } from '../shared/emulator/fault-switch.ts';
import type { TestUser } from '../shared/emulator/test-users.ts';
import { API_CONTENT_TYPE, params, sendApiError, sendApiJson, sendRaw } from './emulator-replies.ts';
import { avatarSvg, weiboUser } from './emulator-user.ts';
import { uidFor, type WeiboToken, type WeiboWorld } from './emulator-world.ts';

export function apiRoutes(world: WeiboWorld, faults: FaultSwitch): Router {
  const router = express.Router();

  router.get('/2/users/show.json', faults.guard('users/show', { contentType: API_CONTENT_TYPE, body: '{"id":1404376560,"idstr":"14043' }), (req, res) => {
    if (res.locals.fault === 'expired_token') return sendApiError(req, res, 403, 21327, 'expired_token');
    if (!authorized(req, res)) return;
    if (res.locals.fault === 'user_not_found') return sendApiError(req, res, 400, 20003, 'User does not exists!');
    const p = params(req);
    let user: TestUser | undefined;
    if (p.uid !== undefined) user = world.userByUid(p.uid);
    else if (p.screen_name !== undefined) user = world.userByName(p.screen_name);
    else return sendApiError(req, res, 400, 10016, 'miss required parameter (uid or screen_name), see doc for more info.');
    if (res.locals.fault === 'other_uid') user = world.ensureUser('someone-else');
    if (!user) return sendApiError(req, res, 400, 20003, 'User does not exists!');
    sendApiJson(res, 200, weiboUser(user, `${req.protocol}://${req.get('host')}`));
  });

  router.get('/2/account/get_uid.json', faults.guard('get_uid', { contentType: API_CONTENT_TYPE, body: '{"uid":' }), (req, res) => {
    const grant = authorized(req, res);
    if (grant) sendApiJson(res, 200, { uid: Number(uidFor(grant.login)) });
  });

  router.get('/__avatars/:file', (req, res) => {
    const uid = /^(\d{1,20})\.svg$/.exec(String(req.params.file))?.[1];
    if (!uid) return sendRaw(res, 404, 'text/plain;charset=UTF-8', 'not found');
    res.setHeader('Cache-Control', 'public, max-age=86400');
    sendRaw(res, 200, 'image/svg+xml', avatarSvg(world.userByUid(uid)?.name ?? 'W', uid));
  });

  /** The live token of the request, or an answer like Weibo's. */
  function authorized(req: Request, res: Response): WeiboToken | undefined {
    const header = /^OAuth2\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const checked = world.token(params(req).access_token ?? header);
    if (checked.ok) return checked.grant;
    if (checked.reason === 'missing') sendApiError(req, res, 403, 21301, 'auth by Null spi!');
    else if (checked.reason === 'expired') sendApiError(req, res, 403, 21327, 'expired_token');
    else sendApiError(req, res, 403, 21332, 'invalid_access_token');
    return undefined;
  }

  return router;
}
