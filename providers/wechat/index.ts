// The WeChat website-login provider module: descriptor, adapter and emulator. No revoke: WeChat has no
// endpoint to revoke a website-login grant.

import type { ProviderModule } from '../contract.ts';
import { createWechatAdapter } from './adapter.ts';
import { descriptor } from './descriptor.ts';
import { createWechatEmulator } from './emulator.ts';

export const wechat: ProviderModule = {
  descriptor,
  createAdapter: createWechatAdapter,
  createEmulator: createWechatEmulator,
};
