// An emulated Sina Weibo speaking the real wire protocol at the real paths, so replacing
// https://api.weibo.com with http://127.0.0.1:PORT is all a client changes. Used by tests, the sandbox
// and the benchmark; faults and auto-approve are driven in-process or over HTTP under /__emulator.

import express from 'express';
import type { Emulator, EmulatorOptions } from '../contract.ts';
import { controlRoutes } from '../shared/emulator/control-routes.ts';
import { FaultSwitch } from '../shared/emulator/fault-switch.ts';
import { authorizeRoutes } from './emulator-authorize.ts';
import { apiRoutes } from './emulator-api.ts';
import { tokenRoutes } from './emulator-token.ts';
import { sendApiJson } from './emulator-replies.ts';
import { uidFor, WeiboWorld } from './emulator-world.ts';
import { weiboKeys } from './identity.ts';

/** Weibo-specific fault modes, per endpoint, on top of hang / status500 / html / malformed. */
export const WEIBO_FAULT_MODES = {
  authorize: ['temporarily_unavailable'],
  access_token: ['json_body_refused', 'string_types'],
  get_token_info: ['foreign_appkey', 'expired_token', 'string_types'],
  'users/show': ['expired_token', 'user_not_found', 'other_uid'],
} as const;

export function createWeiboEmulator(options: EmulatorOptions): Emulator {
  const world = new WeiboWorld(options);
  const faults = new FaultSwitch();
  const setAutoApprove = (login: string | undefined) => {
    world.autoApprove = login;
  };
  const control = controlRoutes({ providerId: 'weibo', faults, setAutoApprove, getAutoApprove: () => world.autoApprove });

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // The control router parses JSON bodies; keep it away from Weibo's paths, which must not read JSON.
  app.use((req, res, next) => (req.path === '/__emulator' || req.path.startsWith('/__emulator/') ? control(req, res, next) : next()));
  app.use(authorizeRoutes(world, faults));
  app.use(tokenRoutes(world, faults));
  app.use(apiRoutes(world, faults));
  app.use((req, res) => sendApiJson(res, 404, { error: 'Request Api not found!', error_code: 10020, request: req.path }));
  app.use((err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
    sendApiJson(res, status, { error: status < 500 ? 'invalid request body' : 'system error!', error_code: status < 500 ? 10008 : 10001, request: req.path });
  });

  return {
    app,
    faults,
    users: world.users,
    setAutoApprove,
    identityKeysFor: (login: string, _clientId: string) => weiboKeys(uidFor(login)),
    close: () => faults.releaseHanging(),
  };
}
