// The Sina Weibo provider module as the registry sees it: descriptor, adapter, revoke and emulator.

import type { ProviderModule } from '../contract.ts';
import { descriptor } from './descriptor.ts';
import { createWeiboEmulator } from './emulator.ts';
import { revokeWeibo } from './revoke.ts';
import { WeiboStrategy } from './strategy.ts';

export const weibo: ProviderModule = {
  descriptor,
  createStrategy: (options) => new WeiboStrategy(options),
  revoke: revokeWeibo,
  createEmulator: createWeiboEmulator,
};
