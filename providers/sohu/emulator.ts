// The Sohu emulator: an express app speaking the Sohu OAuth 2.0 dialect described in README.md at the
// real paths (authorize, access_token, users/show.json), with default test users, a fault switch per
// endpoint (`authorize`, `access_token`, `users/show`), auto-approve and the /__emulator control routes.

import express from 'express';
import { systemClock } from '../../src/clock.ts';
import type { Emulator, EmulatorOptions } from '../contract.ts';
import { controlRoutes } from '../shared/emulator/control-routes.ts';
import { FaultSwitch } from '../shared/emulator/fault-switch.ts';
import { GrantStore } from '../shared/emulator/grant-store.ts';
import { descriptor } from './descriptor.ts';
import { apiRoutes } from './emulator-api.ts';
import { authorizeRoutes } from './emulator-authorize.ts';
import type { SohuEmulatorContext } from './emulator-context.ts';
import { tokenRoutes } from './emulator-token.ts';
import { DEFAULT_USERS, sohuUserId } from './emulator-users.ts';
import { sohuIdentityKeys } from './identity.ts';

export function createSohuEmulator(options: EmulatorOptions): Emulator {
  const clock = options.clock ?? systemClock;
  const users = options.users ?? DEFAULT_USERS;
  const context: SohuEmulatorContext = {
    apps: options.apps,
    users,
    clock,
    grants: new GrantStore(clock),
    faults: new FaultSwitch(),
    autoApprove: undefined,
    refreshTokens: new Map(),
    tokensByCode: new Map(),
    avatarNames: new Map(users.map((u) => [sohuUserId(u.login), u.name])),
    ...(options.banner ? { banner: options.banner } : {}),
  };
  const setAutoApprove = (login: string | undefined): void => {
    context.autoApprove = login;
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(authorizeRoutes(context));
  app.use(tokenRoutes(context));
  app.use(apiRoutes(context));
  // last, so that its JSON body parser never reaches the protocol endpoints (they take forms only)
  app.use(controlRoutes({ providerId: descriptor.id, faults: context.faults, setAutoApprove, getAutoApprove: () => context.autoApprove }));

  return {
    app,
    faults: context.faults,
    users,
    setAutoApprove,
    identityKeysFor: (login: string, _clientId: string) => sohuIdentityKeys(sohuUserId(login)),
    close: () => context.faults.releaseHanging(),
  };
}
