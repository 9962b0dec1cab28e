// Which store backend a process runs on: the one place outside src/store/lowdb/ that names a backend.
// The gateway (src/main.ts), the test harness and the benchmark open their store here and hold it only
// as a `Store`. Today there is one backend, the embedded store (lowdb files under DATA_DIR, single
// process: its directory lock refuses a second one); the PostgreSQL backend (issue 14) joins here.

import type { Clock } from '../clock.ts';
import { COLLECTIONS } from './collections.ts';
import { LowdbStore } from './lowdb/lowdb-store.ts';
import type { CollectionSpec, Store } from './store.ts';

export interface StoreSettings {
  /** The embedded store's directory (DATA_DIR). */
  dataDir: string;
  clock: Clock;
  /** Denglu's collections unless a test declares its own. */
  collections?: readonly CollectionSpec[];
  log?: { info: (msg: string) => void; warn: (msg: string) => void };
}

export async function createStore(settings: StoreSettings): Promise<Store> {
  return LowdbStore.open({
    dir: settings.dataDir,
    clock: settings.clock,
    collections: settings.collections ?? COLLECTIONS,
    ...(settings.log ? { log: settings.log } : {}),
  });
}
