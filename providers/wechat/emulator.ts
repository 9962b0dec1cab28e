// An emulated WeChat speaking its real wire protocol at the real paths of both hosts (open.weixin.qq.com
// and api.weixin.qq.com, served by one app: replacing both base URLs with http://127.0.0.1:PORT is all a
// client changes). Used by tests, the sandbox and the benchmark; faults and auto-approve are driven
// in-process or over HTTP under /__emulator. Every choice is listed in README.md.

import express from 'express';
import type { Emulator, EmulatorOptions } from '../contract.ts';
import { controlRoutes } from '../shared/emulator/control-routes.ts';
import { FaultSwitch } from '../shared/emulator/fault-switch.ts';
import { connectRoutes } from './emulator-connect.ts';
import { snsRoutes } from './emulator-sns.ts';
import { sendJson } from './emulator-wire.ts';
import { openidFor, unionidFor, WechatWorld } from './emulator-world.ts';
import { wechatIdentityKeys } from './identity.ts';

export function createWechatEmulator(options: EmulatorOptions): Emulator {
  const world = new WechatWorld(options);
  const faults = new FaultSwitch();
  const setAutoApprove = (login: string | undefined) => {
    world.autoApprove = login;
  };
  const control = controlRoutes({ providerId: 'wechat', faults, setAutoApprove, getAutoApprove: () => world.autoApprove });

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((req, res, next) => (req.path === '/__emulator' || req.path.startsWith('/__emulator/') ? control(req, res, next) : next()));
  app.use(connectRoutes(world, faults));
  app.use(snsRoutes(world, faults));
  app.use((_req, res) => sendJson(res, { errcode: -1, errmsg: 'system error' }, 404));

  return {
    app,
    faults,
    users: world.users,
    setAutoApprove,
    identityKeysFor: (login, clientId) =>
      wechatIdentityKeys(clientId, openidFor(clientId, login), world.apps.get(clientId)?.unionid ? unionidFor(login) : undefined),
    close: () => faults.releaseHanging(),
  };
}
