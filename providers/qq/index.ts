// The QQ Connect provider module: descriptor, adapter and emulator. No revoke: QQ website login has
// no endpoint to revoke a grant.

import type { ProviderModule } from '../contract.ts';
import { descriptor } from './descriptor.ts';
import { createQqEmulator } from './emulator.ts';
import { createQqAdapter } from './adapter.ts';

export const qq: ProviderModule = {
  descriptor,
  createAdapter: createQqAdapter,
  createEmulator: createQqEmulator,
};
