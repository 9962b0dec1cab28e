// Update-or-create as one atomic step per attempt, for counters and lists several instances write at
// once (request-limit windows, brute-force counters, sign-ins in progress): `store.update` when the
// document is live, else `store.create`; when another writer created or expired it in between, the
// next attempt sees that. `fn` gets undefined when it creates. Many documents at once: upsertInBatches
// (Store.upsertMany, a bounded number of documents per call).

import { GatewayError } from '../errors.ts';
import type { Store, UpsertItem, WriteOptions } from './store.ts';

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

/** upsertMany's input check (both backends): the ids are distinct non-empty strings; else a TypeError, nothing written. */
export function assertDistinctIds<T>(collection: string, items: readonly UpsertItem<T>[]): void {
  if (!Array.isArray(items)) throw new TypeError(`"${collection}" upsertMany takes an array of items`);
  const seen = new Set<string>();
  for (const item of items) {
    if (typeof item?.id !== 'string' || item.id.length === 0 || typeof item.fn !== 'function') {
      throw new TypeError(`"${collection}" upsertMany items need a non-empty string id and an fn`);
    }
    if (seen.has(item.id)) throw new TypeError(`"${collection}" upsertMany lists ${JSON.stringify(item.id)} twice`);
    seen.add(item.id);
  }
}

/** Documents per Store.upsertMany call of upsertInBatches: one transaction each, its locks held briefly. */
export const UPSERT_BATCH = 500;

/** Store.upsertMany over any number of items, UPSERT_BATCH at a time (each batch atomic on its own). */
export async function upsertInBatches<T>(store: Store, collection: string, items: readonly UpsertItem<T>[]): Promise<void> {
  for (let start = 0; start < items.length; start += UPSERT_BATCH) await store.upsertMany(collection, items.slice(start, start + UPSERT_BATCH));
}
