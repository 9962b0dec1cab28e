// The per-process copy of the `cached` collections (partners, secrets, managers) of the PostgreSQL store.
// A collection is read whole on first use, and again when a change notification names it, when this
// process wrote it, or when the copy is older than one second at read time (so a missed notification
// costs at most a second). Documents are deep-frozen and stay the same object until their JSON text
// changes. The copy is only ever read: writes go to the database.

import type { Clock, EpochMs } from '../../clock.ts';
import { MemoryTables } from '../memory-tables.ts';
import type { CollectionSpec } from '../store.ts';
import type { Queryable } from './database.ts';
import { readWholeCollection } from './document-reads.ts';

/** How stale a copy may be when read. */
export const CACHE_MAX_AGE_MS = 1000;

interface CopyState {
  /** id → JSON text and expiry as last read */
  rows: Map<string, { json: string; expiresAt: EpochMs | undefined }>;
  /** bumped by every change heard or made; the copy is fresh when it was read at the current version */
  version: number;
  loadedVersion: number;
  /** performance.now() when the loaded read started */
  loadedAt: number;
  loading: Promise<void> | undefined;
}

export class CachedCollections {
  readonly #tables: MemoryTables;
  readonly #states = new Map<string, CopyState>();
  readonly #db: Queryable;

  constructor(db: Queryable, specs: readonly CollectionSpec[], clock: Clock) {
    this.#db = db;
    const cached = specs.filter((s) => s.cached);
    this.#tables = new MemoryTables(cached, clock);
    for (const spec of cached) this.#states.set(spec.name, { rows: new Map(), version: 1, loadedVersion: 0, loadedAt: 0, loading: undefined });
  }

  has(collection: string): boolean {
    return this.#states.has(collection);
  }

  /** The copy is out of date: the next read reads the collection again. */
  invalidate(collection: string): void {
    const state = this.#states.get(collection);
    if (state) state.version++;
  }

  invalidateAll(): void {
    for (const state of this.#states.values()) state.version++;
  }

  /** The copy, fresh (read again first if it is not). */
  async fresh(collection: string): Promise<MemoryTables> {
    const state = this.#states.get(collection)!;
    // Two rounds at most: a change heard during the first read makes a second one.
    for (let round = 0; round < 2 && !this.#isFresh(state); round++) {
      state.loading ??= this.#reload(collection, state).finally(() => {
        state.loading = undefined;
      });
      await state.loading;
    }
    return this.#tables;
  }

  #isFresh(state: CopyState): boolean {
    return state.loadedVersion === state.version && performance.now() - state.loadedAt < CACHE_MAX_AGE_MS;
  }

  async #reload(collection: string, state: CopyState): Promise<void> {
    const version = state.version;
    const startedAt = performance.now();
    const rows = await readWholeCollection(this.#db, collection);
    const next = new Map<string, { json: string; expiresAt: EpochMs | undefined }>();
    for (const row of rows) {
      next.set(row.id, { json: row.json, expiresAt: row.expiresAt });
      const known = state.rows.get(row.id);
      if (known && known.json === row.json && known.expiresAt === row.expiresAt) continue; // same object as before
      this.#tables.set(collection, row.id, JSON.parse(row.json), row.expiresAt, row.json);
    }
    for (const id of state.rows.keys()) if (!next.has(id)) this.#tables.remove(collection, id);
    state.rows = next;
    state.loadedVersion = version;
    state.loadedAt = startedAt;
  }
}
