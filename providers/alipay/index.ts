// The Alipay provider module as the registry sees it: descriptor, adapter (no revocation) and emulator.

import type { ProviderModule } from '../contract.ts';
import { createAlipayAdapter } from './adapter.ts';
import { descriptor } from './descriptor.ts';
import { createAlipayEmulator } from './emulator.ts';

export const alipay: ProviderModule = {
  descriptor,
  createAdapter: createAlipayAdapter,
  createEmulator: createAlipayEmulator,
};
