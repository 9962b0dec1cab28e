// Update-or-create as one atomic step per attempt, for counters and lists several instances write at
// once (request-limit windows, brute-force counters, sign-ins in progress): `store.update` when the
// document is live, else `store.create`; when another writer created or expired it in between, the
// next attempt sees that. `fn` gets undefined when it creates.

import { GatewayError } from '../errors.ts';
import type { Store, WriteOptions } from './store.ts';

const ATTEMPTS = 5;

export const isStoreError = (err: unknown, code: 'ERR_NOT_FOUND' | 'ERR_ALREADY_EXISTS'): boolean => err instanceof GatewayError && err.code === code;

export async function upsert<T>(
  store: Store,
  collection: string,
  id: string,
  fn: (current: T | undefined) => T,
  options: { onCreate?: WriteOptions; onUpdate?: WriteOptions } = {},
): Promise<T> {
  for (let i = 0; i < ATTEMPTS; i++) {
    try {
      return await store.update<T>(collection, id, (c) => fn(c), options.onUpdate);
    } catch (err) {
      if (!isStoreError(err, 'ERR_NOT_FOUND')) throw err;
    }
    const created = fn(undefined);
    try {
      await store.create<T>(collection, id, created, options.onCreate);
      return created;
    } catch (err) {
      if (!isStoreError(err, 'ERR_ALREADY_EXISTS')) throw err;
    }
  }
  throw new GatewayError('ERR_STORE_UNAVAILABLE', `"${collection}" document kept changing under concurrent writes; try again`, { status: 503 });
}
