// The Sina Weibo provider module as the registry sees it: descriptor, adapter (with revoke) and emulator.

import type { ProviderModule } from '../contract.ts';
import { descriptor } from './descriptor.ts';
import { createWeiboEmulator } from './emulator.ts';
import { createWeiboAdapter } from './adapter.ts';

export const weibo: ProviderModule = {
  descriptor,
  createAdapter: createWeiboAdapter,
  createEmulator: createWeiboEmulator,
};
