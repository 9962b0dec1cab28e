// An emulated Alipay speaking the real wire protocol at the real paths: the authorize page of
// openauth.alipay.com and the signed RPC gateway of openapi.alipay.com on one server, so pointing both
// base URLs (or Alipay's own SDK's gateway) at http://127.0.0.1:PORT is all a client changes. Used by
// tests, the sandbox and the benchmark; faults and auto-approve under /__emulator as for every provider.

import express from 'express';
import type { Emulator, EmulatorOptions } from '../contract.ts';
import { controlRoutes } from '../shared/emulator/control-routes.ts';
import { FaultSwitch } from '../shared/emulator/fault-switch.ts';
import { avatarSvg } from '../weibo/emulator-user.ts';
import { authorizeRoutes } from './emulator-authorize.ts';
import { gatewayRoutes } from './emulator-gateway.ts';
import { sendErrorPage } from './emulator-replies.ts';
import { AlipayWorld } from './emulator-world.ts';
import { alipayKeys } from './identity.ts';

export function createAlipayEmulator(options: EmulatorOptions): Emulator {
  const world = new AlipayWorld(options);
  const faults = new FaultSwitch();
  const setAutoApprove = (login: string | undefined) => {
    world.autoApprove = login;
  };
  const control = controlRoutes({ providerId: 'alipay', faults, setAutoApprove, getAutoApprove: () => world.autoApprove });

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((req, res, next) => (req.path === '/__emulator' || req.path.startsWith('/__emulator/') ? control(req, res, next) : next()));
  app.use(authorizeRoutes(world, faults));
  app.use(gatewayRoutes(world, faults));
  app.get('/__avatars/:file', (req, res) => {
    const openId = /^([A-Za-z0-9]{1,64})\.svg$/.exec(String(req.params.file))?.[1];
    if (!openId) return sendErrorPage(res, 404, 'NOT_FOUND', 'not found');
    const user = world.users.find((u) => world.apps.some((a) => world.idsFor(a.app.clientId, u.login).openId === openId));
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type('image/svg+xml').send(avatarSvg(user?.name ?? '支', String(openId.length * 7)));
  });
  app.use((_req, res) => sendErrorPage(res, 404, 'NOT_FOUND', '页面不存在 / not found'));
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
    sendErrorPage(res, status, status < 500 ? 'INVALID_REQUEST' : 'SYSTEM_ERROR', status < 500 ? '请求无效 / invalid request' : '系统繁忙 / system busy');
  });

  return {
    app,
    faults,
    users: world.users,
    setAutoApprove,
    // An app this emulator does not hold (the benchmark seeds accounts from an emulator without apps) is
    // taken as one created before 2023: both ids.
    identityKeysFor: (login: string, clientId: string) => alipayKeys(clientId, world.idsFor(clientId, login)),
    close: () => faults.releaseHanging(),
  };
}
