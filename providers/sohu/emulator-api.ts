// The emulated Sohu API: GET /users/show.json?access_token=… answers the signed-in user (or a Sohu-style
// JSON error for a missing, unknown or expired token), and /__avatars/<id>.svg serves the avatars it
// links to. Extra fault modes for users/show: `invalid_token`, `string_id`, `missing_id`.

import express, { type Router } from 'express';
import type { SohuEmulatorContext } from './emulator-context.ts';
import { avatarSvg, findUser, sohuUserId, userObject } from './emulator-users.ts';
import { JSON_TYPE, sendJsonError } from './emulator-wire.ts';

export const USERS_SHOW_PATH = '/users/show.json';

/** Provider-specific fault modes (beyond hang, status500, html, malformed), by endpoint. */
export const SOHU_FAULT_MODES = { 'users/show': ['invalid_token', 'string_id', 'missing_id'] } as const;

export function apiRoutes(context: SohuEmulatorContext): Router {
  const router = express.Router();
  const garbage = { contentType: JSON_TYPE, body: '{"id":123456789,"screen_name":"张' };

  router.get(USERS_SHOW_PATH, context.faults.guard('users/show', garbage), (req, res) => {
    const token = typeof req.query.access_token === 'string' ? req.query.access_token : undefined;
    const check = context.grants.token(token);
    if (!check.ok) {
      if (check.reason === 'expired') return sendJsonError(res, 'expired_token', '"access_token" has expired', USERS_SHOW_PATH);
      return sendJsonError(res, 'invalid_token', check.reason === 'missing' ? '"access_token" is required' : '"access_token" is invalid', USERS_SHOW_PATH);
    }
    const fault = res.locals.fault as string | undefined;
    if (fault === 'invalid_token') return sendJsonError(res, 'invalid_token', '"access_token" is invalid', USERS_SHOW_PATH);
    const user = findUser(context.users, check.grant.login);
    const body: Record<string, unknown> = { ...userObject(user, `${req.protocol}://${req.get('host')}`) };
    context.avatarNames.set(sohuUserId(user.login), user.name);
    if (fault === 'string_id') body.id = String(body.id);
    if (fault === 'missing_id') delete body.id;
    res.set('cache-control', 'no-store').type(JSON_TYPE).send(JSON.stringify(body));
  });

  router.get('/__avatars/:file', (req, res) => {
    const id = /^([1-9][0-9]{8})\.svg$/.exec(req.params.file)?.[1];
    const name = id === undefined ? undefined : context.avatarNames.get(id);
    if (name === undefined) {
      res.status(404).type('text/plain').send('not found');
      return;
    }
    res.set('cache-control', 'public, max-age=86400').type('image/svg+xml').send(avatarSvg(name));
  });

  return router;
}
