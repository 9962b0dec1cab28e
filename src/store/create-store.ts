// Which store backend a process runs on: the one place outside src/store/lowdb/ and src/store/postgres/
// that names a backend. The gateway (src/main.ts), the test harness and the benchmark open their store
// here and hold it only as a `Store`. A database URL (DATABASE_URL) selects PostgreSQL, shared by any
// number of gateway processes; without one it is the embedded store (lowdb files under DATA_DIR, single
// process: its directory lock refuses a second one). Given metrics, every operation of either backend is
// measured here, at this one seam (measured-store.ts).

import type { Clock } from '../clock.ts';
import { COLLECTIONS } from './collections.ts';
import { LowdbStore } from './lowdb/lowdb-store.ts';
import type { PoolSettings } from './postgres/database.ts';
import { PostgresStore } from './postgres/postgres-store.ts';
import type { CollectionSpec, Store } from './store.ts';
import { MeasuredStore, type StoreMetrics } from './measured-store.ts';

export type { PoolSettings } from './postgres/database.ts';

export interface StoreSettings {
  /** The embedded store's directory (DATA_DIR); unused when a database URL is given. */
  dataDir: string;
  /** A PostgreSQL URL (DATABASE_URL): selects the shared PostgreSQL store. */
  databaseUrl?: string | undefined;
  clock: Clock;
  /** Denglu's collections unless a test declares its own. */
  collections?: readonly CollectionSpec[];
  log?: { info: (msg: string) => void; warn: (msg: string) => void };
  /** PostgreSQL connection pool (DB_POOL_MAX, DB_POOL_WAIT_MS, DB_STATEMENT_TIMEOUT_MS). */
  pool?: PoolSettings;
  /** Report each operation's duration and failures here (the gateway's metrics). */
  metrics?: StoreMetrics;
}

export async function createStore(settings: StoreSettings): Promise<Store> {
  const store = await openBackend(settings);
  return settings.metrics ? new MeasuredStore(store, settings.metrics) : store;
}

async function openBackend(settings: StoreSettings): Promise<Store> {
  const collections = settings.collections ?? COLLECTIONS;
  if (settings.databaseUrl) {
    return PostgresStore.open({
      url: settings.databaseUrl,
      clock: settings.clock,
      collections,
      ...(settings.pool ? { pool: settings.pool } : {}),
      ...(settings.log ? { log: settings.log } : {}),
    });
  }
  return LowdbStore.open({
    dir: settings.dataDir,
    clock: settings.clock,
    collections,
    ...(settings.log ? { log: settings.log } : {}),
  });
}
