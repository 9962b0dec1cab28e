// The QQ Connect provider module: descriptor, adapter and emulator. No revoke: QQ website login has
// no endpoint to revoke a grant.

import type { ProviderModule } from '../contract.ts';
import { descriptor } from './descriptor.ts';
import { createQqEmulator } from './emulator.ts';
import { QqStrategy } from './strategy.ts';

export const qq: ProviderModule = {
  descriptor,
  createStrategy: (options) => new QqStrategy(options),
  createEmulator: createQqEmulator,
};
