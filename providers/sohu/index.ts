// The Sohu provider module for the registry: descriptor, adapter factory and emulator. No revoke: Sohu
// never documented a revoke endpoint (see README.md).

import type { ProviderModule } from '../contract.ts';
import { descriptor } from './descriptor.ts';
import { createSohuEmulator } from './emulator.ts';
import { createSohuAdapter } from './adapter.ts';

export const sohu: ProviderModule = {
  descriptor,
  createAdapter: createSohuAdapter,
  createEmulator: createSohuEmulator,
};
