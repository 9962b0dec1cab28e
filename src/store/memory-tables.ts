// In-memory collections with secondary indexes and expiry: the working set of the lowdb backend.
// Every mutation is synchronous and returns an undo closure, so a failed journal write can be rolled
// back and a batch can be applied all-or-nothing. A stored document is either a deep-frozen copy, or,
// in a collection held as text (CollectionSpec.heldAsText), its JSON text, parsed afresh on every read:
// one string instead of an object graph, so 100,000 accounts cost the garbage collector 100,000 leaf
// objects to mark and move instead of well over a million.

import type { Clock, EpochMs } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { CollectionSpec, ListOptions } from './store.ts';

export interface StoredRecord {
  /** the document (deep-frozen); absent when the collection is held as text */
  v?: unknown;
  /** the document's JSON text, in a collection held as text */
  t?: string;
  /**
   * the index keys of a record held as text, as JSON (one array per index, in the table's order), so
   * that overwriting, deleting or sweeping it does not parse the whole document: one more string (a
   * leaf for the garbage collector) instead of a parse per removal
   */
  k?: string;
  /** expires at (epoch ms) */
  e?: EpochMs;
  /** serialized size in bytes, for stats */
  b?: number;
}

type Undo = () => void;

/**
 * Index key → the id of the document holding it, or a Set of ids once several do. Most keys have one
 * holder (an identity, a grant, a session uid), so they cost no Set: at 100,000 accounts and tens of
 * thousands of sessions that is hundreds of thousands fewer objects for the garbage collector to trace.
 */
type IndexMap = Map<string, string | Set<string>>;

/** Index keys held by at least this many ids keep their sorted order between `list` pages. */
const SORTED_HOLDERS_FROM = 1000;

function sameKeys(a: readonly (readonly string[])[], b: readonly (readonly string[])[]): boolean {
  return a.length === b.length && a.every((keys, i) => keys.length === b[i]!.length && keys.every((k, j) => k === b[i]![j]));
}

function holdersOf(map: IndexMap, key: string): Iterable<string> {
  const holders = map.get(key);
  return holders === undefined ? [] : typeof holders === 'string' ? [holders] : holders;
}

class Table {
  readonly spec: CollectionSpec;
  readonly records = new Map<string, StoredRecord>();
  /** index name → key → ids */
  readonly indexes = new Map<string, IndexMap>();
  bytes = 0;
  /** How many records carry an expiry: sweep skips a table with none (100,000 accounts, every minute). */
  expiring = 0;
  /**
   * The ids in order, kept between `dump` pages until an id is added or removed: paging through a
   * million accounts (export) sorts them once, not once per page.
   */
  sortedIds: string[] | undefined;
  /** Bumped whenever a record is added or removed, or its index keys change (invalidates `sortedHolders`). */
  membership = 0;
  /**
   * The ids under a large index key in order (index name + NUL + key), kept between `list` pages while
   * `membership` stays: paging through a shop's 100,000 shoppers sorts them once, not once per page.
   */
  readonly sortedHolders = new Map<string, { at: number; ids: string[] }>();

  constructor(spec: CollectionSpec) {
    this.spec = spec;
    for (const name of Object.keys(spec.indexes ?? {})) this.indexes.set(name, new Map());
  }

  keysOf(indexName: string, value: unknown): readonly string[] {
    return this.spec.indexes![indexName]!.keys(value);
  }
}

/** The document of a record: its frozen value, or a fresh parse of its text. */
export function documentOf(record: StoredRecord): unknown {
  return record.t !== undefined ? JSON.parse(record.t) : record.v;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export class MemoryTables {
  readonly #tables = new Map<string, Table>();
  readonly #clock: Clock;

  constructor(specs: readonly CollectionSpec[], clock: Clock) {
    this.#clock = clock;
    for (const spec of specs) this.#tables.set(spec.name, new Table(spec));
  }

  table(name: string): Table {
    const table = this.#tables.get(name);
    if (!table) throw new TypeError(`unknown collection "${name}"`);
    return table;
  }

  specs(): CollectionSpec[] {
    return [...this.#tables.values()].map((t) => t.spec);
  }

  /** The store's clock. */
  now(): EpochMs {
    return this.#clock.now();
  }

  isLive(record: StoredRecord | undefined, now: EpochMs = this.#clock.now()): record is StoredRecord {
    return record !== undefined && (record.e === undefined || record.e > now);
  }

  get(collection: string, id: string): unknown {
    const record = this.table(collection).records.get(id);
    return this.isLive(record) ? documentOf(record) : undefined;
  }

  find(collection: string, index: string, key: string): { id: string; value: unknown }[] {
    const table = this.table(collection);
    const ids = holdersOf(this.#indexMap(table, index), key);
    const now = this.#clock.now();
    const out: { id: string; value: unknown }[] = [];
    for (const id of ids) {
      const record = table.records.get(id);
      if (this.isLive(record, now)) out.push({ id, value: documentOf(record) });
    }
    return out;
  }

  /** Calls `visit` with each live document under an index key, in no order, keeping none (no list of them is built). */
  each(collection: string, index: string, key: string, visit: (value: unknown) => void): void {
    const table = this.table(collection);
    const now = this.#clock.now();
    for (const id of holdersOf(this.#indexMap(table, index), key)) {
      const record = table.records.get(id);
      if (this.isLive(record, now)) visit(documentOf(record));
    }
  }

  list(collection: string, options: ListOptions = {}): { id: string; value: unknown }[] {
    const table = this.table(collection);
    const ids = options.index ? this.#sortedHolders(table, options.index.name, options.index.key) : [...table.records.keys()].sort();
    const desc = options.order === 'desc';
    // The first position past `after` in the direction of the listing (ids are sorted ascending).
    let start = desc ? ids.length - 1 : 0;
    if (options.after !== undefined) {
      const after = options.after;
      let lo = 0;
      let hi = ids.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (desc ? ids[mid]! < after : ids[mid]! <= after) lo = mid + 1;
        else hi = mid;
      }
      start = desc ? lo - 1 : lo;
    }
    const now = this.#clock.now();
    const out: { id: string; value: unknown }[] = [];
    for (let i = start; desc ? i >= 0 : i < ids.length; desc ? i-- : i++) {
      const id = ids[i]!;
      const record = table.records.get(id);
      if (!this.isLive(record, now)) continue;
      out.push({ id, value: documentOf(record) });
      if (options.limit !== undefined && out.length >= options.limit) break;
    }
    return out;
  }

  /** The ids under an index key in order; a large set's order is kept until the table's membership changes. */
  #sortedHolders(table: Table, index: string, key: string): string[] {
    const holders = holdersOf(this.#indexMap(table, index), key);
    if (typeof holders === 'string' || !(holders instanceof Set) || holders.size < SORTED_HOLDERS_FROM) return [...holders].sort();
    const cacheKey = `${index}\0${key}`;
    const cached = table.sortedHolders.get(cacheKey);
    if (cached?.at === table.membership) return cached.ids;
    const ids = [...holders].sort();
    table.sortedHolders.set(cacheKey, { at: table.membership, ids });
    return ids;
  }

  /** Live documents with their expiry, in id order, after `after`, at most `limit`. */
  dump(collection: string, after: string | undefined, limit: number): { id: string; value: unknown; expiresAt?: EpochMs }[] {
    const table = this.table(collection);
    table.sortedIds ??= [...table.records.keys()].sort();
    const ids = table.sortedIds;
    let start = 0;
    if (after !== undefined) {
      let end = ids.length;
      while (start < end) {
        const mid = (start + end) >>> 1;
        if (ids[mid]! <= after) start = mid + 1;
        else end = mid;
      }
    }
    const now = this.#clock.now();
    const out: { id: string; value: unknown; expiresAt?: EpochMs }[] = [];
    for (let i = start; i < ids.length; i++) {
      const id = ids[i]!;
      const record = table.records.get(id);
      if (!this.isLive(record, now)) continue;
      out.push(record.e === undefined ? { id, value: documentOf(record) } : { id, value: documentOf(record), expiresAt: record.e });
      if (out.length >= limit) break;
    }
    return out;
  }

  count(collection: string): number {
    const table = this.table(collection);
    const now = this.#clock.now();
    let n = 0;
    for (const record of table.records.values()) if (this.isLive(record, now)) n++;
    return n;
  }

  /**
   * Checks that writing `value` under `id` keeps every unique index unique (expired holders do not
   * count). Throws ERR_CONFLICT naming the index otherwise.
   */
  assertUnique(collection: string, id: string, value: unknown): void {
    const table = this.table(collection);
    const now = this.#clock.now();
    for (const [name, spec] of Object.entries(table.spec.indexes ?? {})) {
      if (!spec.unique) continue;
      for (const key of spec.keys(value)) {
        for (const holder of holdersOf(table.indexes.get(name)!, key)) {
          if (holder !== id && this.isLive(table.records.get(holder), now)) {
            throw new GatewayError('ERR_CONFLICT', `"${collection}.${name}" already holds key ${JSON.stringify(key)}`, {
              status: 409,
            });
          }
        }
      }
    }
  }

  /**
   * Replaces (or inserts) a record. `value` must already be a private copy; it is frozen here, or, in a
   * collection held as text, only indexed, and `json` (its JSON text) is what is kept.
   */
  set(collection: string, id: string, value: unknown, expiresAt: EpochMs | undefined, json: string): Undo {
    const table = this.table(collection);
    const previous = table.records.get(id);
    const previousBytes = previous ? (previous.b ?? 0) : 0;
    const bytes = json.length;
    const previousKeys = previous && table.indexes.size > 0 ? this.#recordKeys(table, previous) : undefined;
    if (previous) this.#unindex(table, id, previous, previousKeys);
    const keys = this.#keysOf(table, value);
    const record: StoredRecord = table.spec.heldAsText ? { t: json, b: bytes } : { v: deepFreeze(value), b: bytes };
    if (table.spec.heldAsText && keys.length > 0) record.k = JSON.stringify(keys);
    if (expiresAt !== undefined) record.e = expiresAt;
    table.expiring += (expiresAt !== undefined ? 1 : 0) - (previous?.e !== undefined ? 1 : 0);
    table.records.set(id, record);
    if (!previous) table.sortedIds = undefined;
    if (!previous || (table.indexes.size > 0 && !sameKeys(previousKeys!, keys))) table.membership++;
    table.bytes += bytes - previousBytes;
    this.#index(table, id, keys);
    return () => this.#restore(table, id, previous, bytes);
  }

  remove(collection: string, id: string): Undo {
    const table = this.table(collection);
    const previous = table.records.get(id);
    if (!previous) return () => {};
    this.#unindex(table, id, previous);
    table.records.delete(id);
    table.sortedIds = undefined;
    table.membership++;
    table.bytes -= previous.b ?? 0;
    if (previous.e !== undefined) table.expiring--;
    return () => this.#restore(table, id, previous, 0);
  }

  /** Drops expired records from memory; returns how many. */
  sweep(now: EpochMs = this.#clock.now()): number {
    let n = 0;
    for (const table of this.#tables.values()) {
      if (table.expiring === 0) continue;
      for (const [id, record] of table.records) {
        if (record.e !== undefined && record.e <= now) {
          this.remove(table.spec.name, id);
          n++;
        }
      }
    }
    return n;
  }

  /**
   * A consistent copy of the records of some collections (records are immutable, so a shallow copy).
   * A record holds its document either as `v` or, held as text, as `t`.
   */
  capture(collections: readonly string[]): Map<string, [string, StoredRecord][]> {
    const out = new Map<string, [string, StoredRecord][]>();
    for (const name of collections) out.set(name, [...this.table(name).records.entries()]);
    return out;
  }

  stats(): Record<string, { documents: number; bytes: number }> {
    const out: Record<string, { documents: number; bytes: number }> = {};
    for (const [name, table] of this.#tables) out[name] = { documents: table.records.size, bytes: table.bytes };
    return out;
  }

  #restore(table: Table, id: string, previous: StoredRecord | undefined, currentBytes: number): void {
    table.sortedIds = undefined;
    table.membership++;
    const current = table.records.get(id);
    if (current) {
      this.#unindex(table, id, current);
      table.bytes -= currentBytes;
      if (current.e !== undefined) table.expiring--;
    }
    if (previous) {
      table.records.set(id, previous);
      table.bytes += previous.b ?? 0;
      if (previous.e !== undefined) table.expiring++;
      if (table.indexes.size > 0) this.#index(table, id, this.#recordKeys(table, previous));
    } else {
      table.records.delete(id);
    }
  }

  #indexMap(table: Table, index: string): IndexMap {
    const map = table.indexes.get(index);
    if (!map) throw new TypeError(`collection "${table.spec.name}" has no index "${index}"`);
    return map;
  }

  /** A document's keys, one array per index in the table's order (none for a table without indexes). */
  #keysOf(table: Table, value: unknown): (readonly string[])[] {
    const keys: (readonly string[])[] = [];
    for (const name of table.indexes.keys()) keys.push(table.keysOf(name, value));
    return keys;
  }

  /** A stored record's keys: kept beside a text record, else computed from its (frozen) document. */
  #recordKeys(table: Table, record: StoredRecord): (readonly string[])[] {
    return record.k !== undefined ? (JSON.parse(record.k) as string[][]) : this.#keysOf(table, documentOf(record));
  }

  #index(table: Table, id: string, keys: (readonly string[])[]): void {
    let i = 0;
    for (const map of table.indexes.values()) {
      for (const key of keys[i++]!) {
        const holders = map.get(key);
        if (holders === undefined) map.set(key, id);
        else if (typeof holders !== 'string') holders.add(id);
        else if (holders !== id) map.set(key, new Set([holders, id]));
      }
    }
  }

  /** Removes a record's index keys. */
  #unindex(table: Table, id: string, record: StoredRecord, known?: (readonly string[])[]): void {
    if (table.indexes.size === 0) return;
    const keys = known ?? this.#recordKeys(table, record);
    let i = 0;
    for (const map of table.indexes.values()) {
      for (const key of keys[i++]!) {
        const holders = map.get(key);
        if (holders === undefined) continue;
        if (typeof holders === 'string') {
          if (holders === id) map.delete(key);
          continue;
        }
        holders.delete(id);
        if (holders.size === 1) map.set(key, holders.values().next().value!);
        else if (holders.size === 0) map.delete(key);
      }
    }
  }
}
