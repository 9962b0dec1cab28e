// The embedded Store: lowdb snapshot files plus an append-only journal per collection group, all under
// one data directory owned by one process. Reads come from memory; a write is applied to memory
// synchronously (so read-modify-write cannot lose updates), journaled, and acknowledged once fsync'ed.
// A login appends a few small lines and never rewrites the accounts snapshot; compaction rewrites a
// group's snapshot in the background when its journal has grown.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import type { Clock } from '../../clock.ts';
import { GatewayError } from '../../errors.ts';
import {
  type AddToListOptions,
  addToCappedList,
  assertListAdds,
  type CappedList,
  type ListAdd,
  type ListAddition,
  type ListEntry,
  removeFromCappedList,
} from '../capped-list.ts';
import { documentOf, MemoryTables, type StoredRecord } from '../memory-tables.ts';
import { USAGE_COLLECTION, type UsageSummary, type UsageTally, type UsageTallyQuery, UsageTallier, usageClassOf } from '../usage-tally.ts';
import type { BatchOp, CollectionSpec, DumpedDocument, ListOptions, Store, StoreInfo, UpsertItem, WatchListener, WriteOptions } from '../store.ts';
import { assertDistinctIds } from '../upsert.ts';
import { lockDirectory, type DirLock } from './dir-lock.ts';
import { Journal, type JournalEntry, type WriteHook } from './journal.ts';
import { SNAPSHOT_FORMAT, SnapshotFile, type SnapshotData } from './snapshot-file.ts';

export interface LowdbStoreOptions {
  dir: string;
  clock: Clock;
  collections: readonly CollectionSpec[];
  /**
   * fdatasync of the `ephemeral` group (sessions, grants, tokens) runs in the background at most this
   * often (default 1000 ms) instead of before each acknowledgement: a process crash loses nothing, a power
   * loss at most this much of them. `domain` data is always fdatasync'ed before it is acknowledged.
   * 0 syncs ephemeral data before acknowledging too.
   */
  ephemeralSyncMs?: number;
  /**
   * Rewrite a group's snapshot once its journal passed this many bytes (default 16 MiB) and also twice
   * the group's live data: rewriting costs as much as the live data, so tying the trigger to it keeps
   * compaction's share of the work per write constant however many sessions or accounts are stored.
   */
  compactAfterBytes?: number;
  log?: { info: (msg: string) => void; warn: (msg: string) => void };
  /** Test seam for disk failures. */
  writeHook?: WriteHook;
}

interface Group {
  name: string;
  collections: string[];
  db: Low<SnapshotData>;
  journal: Journal;
  compacting: Promise<void> | undefined;
}

/** The `volatile` group: applied in memory like the others, never journaled (see CollectionSpec). */
const VOLATILE = 'volatile';

export class LowdbStore implements Store {
  readonly #tables: MemoryTables;
  readonly #groups = new Map<string, Group>();
  readonly #groupOf = new Map<string, Group>();
  readonly #volatile = new Set<string>();
  readonly #options: LowdbStoreOptions;
  readonly #lock: DirLock;
  readonly #watchers = new Map<string, Set<WatchListener>>();
  readonly #running = new Set<string>();
  readonly info: StoreInfo;
  #closed = false;

  private constructor(options: LowdbStoreOptions, tables: MemoryTables, lock: DirLock) {
    this.#options = options;
    this.#tables = tables;
    this.#lock = lock;
    this.info = { backend: 'embedded', shared: false, location: options.dir };
  }

  static async open(options: LowdbStoreOptions): Promise<LowdbStore> {
    for (const c of options.collections) {
      if (c.cached && c.heldAsText) throw new TypeError(`collection "${c.name}" cannot be both cached (frozen objects) and held as text`);
    }
    const tables = new MemoryTables(options.collections, options.clock);
    const lock = await openDirectory(options.dir);
    const store = new LowdbStore(options, tables, lock);
    try {
      for (const groupName of ['domain', 'ephemeral'] as const) {
        await store.#openGroup(groupName);
      }
      for (const c of options.collections) if (c.group === VOLATILE) store.#volatile.add(c.name);
      return store;
    } catch (err) {
      for (const group of store.#groups.values()) await group.journal.close();
      await lock.release();
      throw err;
    }
  }

  async #openGroup(name: string): Promise<void> {
    const collections = this.#options.collections.filter((c) => c.group === name).map((c) => c.name);
    const db = new Low<SnapshotData>(new SnapshotFile(join(this.#options.dir, `${name}.json`)), emptySnapshot(name));
    await db.read();
    const known = new Set(collections);
    const now = this.#options.clock.now();
    for (const [collection, records] of Object.entries(db.data.collections)) {
      if (!known.has(collection)) {
        this.#options.log?.warn(`store: ignoring unknown collection "${collection}" in ${name}.json`);
        continue;
      }
      for (const [id, record] of records) {
        if (record.e !== undefined && record.e <= now) continue;
        this.#tables.set(collection, id, record.v, record.e, JSON.stringify(record.v));
      }
    }
    const snapshotSeq = db.data.seq;
    // The tables hold the documents now; keeping the parsed file as well would hold a wrapper object and
    // an entry array per document (200,000 objects at 100,000 accounts) until the first compaction.
    db.data = emptySnapshot(name);
    const { journal, entries } = await Journal.open(this.#options.dir, name, {
      afterSeq: snapshotSeq,
      hook: this.#options.writeHook,
      log: this.#options.log?.warn,
      ...(name === 'ephemeral' && (this.#options.ephemeralSyncMs ?? 1000) > 0 ? { syncIntervalMs: this.#options.ephemeralSyncMs ?? 1000 } : {}),
    });
    for (const entry of entries) this.#replay(entry, known);
    const group: Group = { name, collections, db, journal, compacting: undefined };
    this.#groups.set(name, group);
    for (const c of collections) this.#groupOf.set(c, group);
  }

  #replay(entry: JournalEntry, known: Set<string>): void {
    for (const op of entry.o) {
      if (!known.has(op[1])) continue;
      if (op[0] === 'p') this.#tables.set(op[1], op[2], op[3], op[4], JSON.stringify(op[3]));
      else this.#tables.remove(op[1], op[2]);
    }
  }

  // ---- reads -------------------------------------------------------------------------------------

  async get<T>(collection: string, id: string): Promise<T | undefined> {
    return this.#tables.get(collection, id) as T | undefined;
  }

  async find<T>(collection: string, index: string, key: string): Promise<T[]> {
    return this.#tables.find(collection, index, key).map((r) => r.value as T);
  }

  async findOne<T>(collection: string, index: string, key: string): Promise<{ id: string; value: T } | undefined> {
    return this.#tables.find(collection, index, key)[0] as { id: string; value: T } | undefined;
  }

  async list<T>(collection: string, options?: ListOptions): Promise<{ id: string; value: T }[]> {
    return this.#tables.list(collection, options) as { id: string; value: T }[];
  }

  async count(collection: string): Promise<number> {
    return this.#tables.count(collection);
  }

  /** One pass over the shop's summaries in memory (held as text: one JSON parse each), tallied, none kept. */
  async tallyUsage(query: UsageTallyQuery): Promise<UsageTally> {
    const tallier = new UsageTallier(query.cuts);
    const unlisted: UsageSummary[] = [];
    this.#tables.each(USAGE_COLLECTION, 'partner', query.partner, (value) => {
      const usage = value as UsageSummary;
      if (!usage.ways) {
        if (usageClassOf(usage, {}, query)) unlisted.push(usage);
        return;
      }
      const c = usageClassOf(usage, usage.ways, query);
      if (c) tallier.add(c);
    });
    return { classes: tallier.classes(), unlisted };
  }

  // ---- writes ------------------------------------------------------------------------------------

  async create<T>(collection: string, id: string, value: T, options?: WriteOptions): Promise<void> {
    return this.batch([{ op: 'create', collection, id, value, options }]);
  }

  async put<T>(collection: string, id: string, value: T, options?: WriteOptions): Promise<void> {
    return this.batch([{ op: 'put', collection, id, value, options }]);
  }

  async update<T>(collection: string, id: string, fn: (current: T) => T, options?: WriteOptions): Promise<T> {
    const volatile = this.#volatile.has(collection);
    if (volatile) this.#open();
    const group = volatile ? undefined : this.#group(collection);
    const { copy, undo, line } = this.#apply({ op: 'update', collection, id, fn, options });
    if (group) await this.#append(group, group.journal.nextSeq(), [line], [undo]); // volatile: nothing to journal
    this.#notify(collection, id);
    return copy as T;
  }

  async delete(collection: string, id: string): Promise<boolean> {
    const record = this.#tables.table(collection).records.get(id);
    if (!record) return false;
    const live = this.#tables.isLive(record);
    await this.#remove(collection, id);
    return live;
  }

  async take<T>(collection: string, id: string): Promise<T | undefined> {
    const value = this.#tables.get(collection, id) as T | undefined;
    if (value === undefined) return undefined;
    await this.#remove(collection, id);
    return value;
  }

  /**
   * Each fn runs on the live document (or undefined) and the results are applied as one batch of puts, all
   * within one turn of the event loop: no other call interleaves, all or nothing, journaled together.
   */
  async upsertMany<T>(collection: string, items: readonly UpsertItem<T>[]): Promise<void> {
    const table = this.#tables.table(collection);
    assertDistinctIds(collection, items);
    const ops: BatchOp[] = [];
    for (const { id, fn, options } of items) {
      const record = table.records.get(id);
      const live = this.#tables.isLive(record);
      const next = fn(live ? (documentOf(record) as T) : undefined);
      if (next === undefined) continue;
      const expiresAt = options && 'expiresAt' in options ? options.expiresAt : live ? record.e : undefined;
      ops.push({ op: 'put', collection, id, value: next, options: expiresAt === undefined ? {} : { expiresAt } });
    }
    await this.batch(ops);
  }

  /**
   * Reads, decides and writes within one turn of the event loop (batch applies its ops before its first
   * await), so no other call interleaves: atomic within this process, which is all the embedded store serves.
   */
  async addToList(collection: string, id: string, entry: ListEntry, options: AddToListOptions): Promise<ListAddition> {
    return (await this.addToLists(collection, [{ id, entry, options }]))[0]!;
  }

  async addToLists(collection: string, adds: readonly ListAdd[]): Promise<ListAddition[]> {
    this.#assertListCollection(collection);
    assertListAdds(collection, adds);
    const ops: BatchOp[] = [];
    const additions: ListAddition[] = [];
    for (const { id, entry, options } of adds) {
      if (additions.some((a) => !a.added)) {
        additions.push({ added: false });
        continue;
      }
      const record = this.#tables.table(collection).records.get(id);
      const live = this.#tables.isLive(record);
      const { next, addition } = addToCappedList(live ? (documentOf(record) as CappedList) : undefined, entry, this.#tables.now(), options);
      const expiresAt = Math.max(live && record.e !== undefined ? record.e : 0, Math.ceil(entry.expiresAt));
      ops.push({ op: 'put', collection, id, value: next, options: { expiresAt } });
      additions.push(addition);
    }
    await this.batch(ops);
    return additions;
  }

  async removeFromList(collection: string, ids: readonly string[], key: string): Promise<void> {
    this.#assertListCollection(collection);
    const ops: BatchOp[] = [];
    for (const id of new Set(ids)) {
      const current = this.#tables.get(collection, id) as CappedList | undefined;
      if (current) ops.push({ op: 'update', collection, id, fn: (list: CappedList) => removeFromCappedList(list, key) });
    }
    await this.batch(ops);
  }

  #assertListCollection(collection: string): void {
    if (Object.keys(this.#tables.table(collection).spec.indexes ?? {}).length > 0)
      throw new TypeError(`"${collection}" has indexes: lists live in collections without`);
  }

  /** Removes from memory now (so a concurrent take cannot see it), journaled unless volatile. */
  async #remove(collection: string, id: string): Promise<void> {
    if (this.#volatile.has(collection)) {
      this.#open();
      this.#tables.remove(collection, id);
      this.#notify(collection, id);
      return;
    }
    const group = this.#group(collection);
    const seq = group.journal.nextSeq();
    const undo = this.#tables.remove(collection, id);
    await this.#append(group, seq, [deleteLine(collection, id)], [undo]);
    this.#notify(collection, id);
  }

  async batch(ops: BatchOp[]): Promise<void> {
    if (ops.length === 0) return;
    const volatile = this.#volatile.has(ops[0]!.collection);
    if (volatile && ops.some((op) => !this.#volatile.has(op.collection))) {
      throw new TypeError(`a batch spans one collection group; "${ops.find((op) => !this.#volatile.has(op.collection))!.collection}" is not volatile`);
    }
    const group = volatile ? undefined : this.#group(ops[0]!.collection);
    if (volatile) this.#open();
    for (const op of ops) {
      if (group && (this.#volatile.has(op.collection) || this.#group(op.collection) !== group)) {
        throw new TypeError(`a batch spans one collection group; "${op.collection}" is not in "${group.name}"`);
      }
    }
    // Apply one by one; on the first refusal roll back what was applied, so the batch is all or nothing.
    const undos: (() => void)[] = [];
    const lines: string[] = [];
    try {
      for (const op of ops) {
        if (op.op === 'delete') {
          undos.push(this.#tables.remove(op.collection, op.id));
          lines.push(deleteLine(op.collection, op.id));
          continue;
        }
        const { undo, line } = this.#apply(op);
        undos.push(undo);
        lines.push(line);
      }
    } catch (err) {
      for (let i = undos.length - 1; i >= 0; i--) undos[i]!();
      throw err;
    }
    if (group) await this.#append(group, group.journal.nextSeq(), lines, undos); // volatile: nothing to journal
    for (const op of ops) this.#notify(op.collection, op.id);
  }

  /**
   * Applies one create, put or update to memory, synchronously (the caller journals it): refuses a create
   * of a live id and an update of a missing one, keeps unique indexes unique, and returns the stored copy,
   * how to undo it and its journal line. An update applies `fn` to the current document and keeps its
   * expiry unless the options set one.
   */
  #apply(op: Exclude<BatchOp, { op: 'delete' }>): { copy: unknown; undo: () => void; line: string } {
    const table = this.#tables.table(op.collection);
    const record = table.records.get(op.id);
    const live = this.#tables.isLive(record);
    if (op.op === 'create' && live) {
      throw new GatewayError('ERR_ALREADY_EXISTS', `"${op.collection}" already has ${JSON.stringify(op.id)}`, { status: 409 });
    }
    if (op.op === 'update' && !live) {
      throw new GatewayError('ERR_NOT_FOUND', `"${op.collection}" has no document ${JSON.stringify(op.id)}`, { status: 404 });
    }
    const value = op.op === 'update' ? op.fn(documentOf(record!)) : typeof op.value === 'function' ? (op.value as () => unknown)() : op.value;
    const expiresAt = op.op === 'update' && !(op.options && 'expiresAt' in op.options) ? record!.e : op.options?.expiresAt;
    const { json, copy } = serialise(value, op.collection, op.id, table.spec.heldAsText);
    this.#tables.assertUnique(op.collection, op.id, copy);
    const undo = this.#tables.set(op.collection, op.id, copy, expiresAt, json);
    return { copy, undo, line: putLine(op.collection, op.id, json, expiresAt) };
  }

  #open(): void {
    if (this.#closed) throw new GatewayError('ERR_STORE_UNAVAILABLE', 'store is closed', { status: 503 });
  }

  async load(collection: string, documents: readonly DumpedDocument[]): Promise<void> {
    await this.batch(
      documents.map((d) => ({
        op: 'create' as const,
        collection,
        id: d.id,
        value: d.value,
        ...(d.expiresAt === undefined ? {} : { options: { expiresAt: d.expiresAt } }),
      })),
    );
  }

  async dump(collection: string, options: { after?: string; limit?: number } = {}): Promise<DumpedDocument[]> {
    return this.#tables.dump(collection, options.after, options.limit ?? 1000) as DumpedDocument[];
  }

  /** One process owns the directory: a job is exclusive when no other run of it is in progress here. */
  async exclusive<T>(job: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.#running.has(job)) return { ran: false };
    this.#running.add(job);
    try {
      return { ran: true, value: await fn() };
    } finally {
      this.#running.delete(job);
    }
  }

  watch(collection: string, listener: WatchListener): () => void {
    this.#tables.table(collection); // unknown collections fail here, not silently
    const set = this.#watchers.get(collection) ?? new Set<WatchListener>();
    this.#watchers.set(collection, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  async ready(): Promise<void> {
    this.#open();
  }

  /** Tells watchers of the collection, after the write is acknowledged (never inside it). */
  #notify(collection: string, id: string): void {
    const set = this.#watchers.get(collection);
    if (!set || set.size === 0) return;
    for (const listener of set) queueMicrotask(() => listener(id));
  }

  async sweepExpired(): Promise<number> {
    return this.#tables.sweep();
  }

  async stats(): Promise<Record<string, { documents: number; bytes: number }>> {
    return this.#tables.stats();
  }

  /** Writes every group's snapshot now and drops the journal segments it covers. */
  async compact(): Promise<void> {
    for (const group of this.#groups.values()) {
      while (group.compacting) await group.compacting; // a running one captured an older state
      if (this.#closed) throw new GatewayError('ERR_STORE_UNAVAILABLE', 'store is closed', { status: 503 });
      await this.#startCompaction(group);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const group of this.#groups.values()) {
      if (group.compacting) await group.compacting;
      await group.journal.close();
    }
    await this.#lock.release();
  }

  // ---- internals ---------------------------------------------------------------------------------

  #group(collection: string): Group {
    if (this.#closed) throw new GatewayError('ERR_STORE_UNAVAILABLE', 'store is closed', { status: 503 });
    const group = this.#groupOf.get(collection);
    if (!group) throw new TypeError(`unknown collection "${collection}"`);
    return group;
  }

  async #append(group: Group, seq: number, lines: string[], undos: (() => void)[]): Promise<void> {
    const undoAll = () => {
      for (let i = undos.length - 1; i >= 0; i--) undos[i]!();
    };
    await group.journal.appendRaw(seq, `{"s":${seq},"o":[${lines.join(',')}]}\n`, undoAll);
    const floor = this.#options.compactAfterBytes ?? 16 * 1024 * 1024;
    if (!group.compacting && !this.#closed && group.journal.bytesSinceRotate > floor && group.journal.bytesSinceRotate > 2 * this.#liveBytes(group)) {
      this.#startCompaction(group).catch((err) => this.#options.log?.warn(`store: compaction of ${group.name} failed: ${(err as Error).message}`));
    }
  }

  /** The serialized size of what a snapshot of the group would hold now. */
  #liveBytes(group: Group): number {
    let bytes = 0;
    for (const name of group.collections) bytes += this.#tables.table(name).bytes;
    return bytes;
  }

  /**
   * One compaction per group at a time (background or explicit): two at once would share the snapshot's
   * temp file and could delete each other's journal segment. `group.compacting` never rejects.
   */
  #startCompaction(group: Group): Promise<void> {
    const run = this.#compact(group);
    group.compacting = run
      .catch(() => {})
      .finally(() => {
        group.compacting = undefined;
      });
    return run;
  }

  async #compact(group: Group): Promise<void> {
    const started = Date.now();
    const { cut, captured } = await group.journal.rotate(() => this.#tables.capture(group.collections));
    const collections: Record<string, [string, StoredRecord][]> = {};
    const now = this.#options.clock.now();
    for (const [name, records] of captured) {
      collections[name] = records.filter(([, r]) => r.e === undefined || r.e > now);
    }
    group.db.data = { format: SNAPSHOT_FORMAT, group: group.name, seq: cut, savedAt: new Date(now).toISOString(), collections };
    await group.journal.durableThrough(cut);
    await group.db.write();
    group.db.data = emptySnapshot(group.name); // the snapshot lives on disk; memory holds the tables
    await group.journal.dropThrough(cut);
    this.#options.log?.info(`store: compacted ${group.name} through #${cut} in ${Date.now() - started} ms`);
  }
}

function emptySnapshot(group: string): SnapshotData {
  return { format: SNAPSHOT_FORMAT, group, seq: 0, savedAt: '', collections: {} };
}

/**
 * The JSON text of a document being written, and the value to index (and hand back from update): a
 * private parsed copy, to be frozen and kept; or, for a collection held as text, the given value itself,
 * since only the text is kept (index keys are strings, which JSON gives back unchanged).
 */
function serialise(value: unknown, collection: string, id: string, heldAsText: boolean | undefined): { json: string; copy: unknown } {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError(`"${collection}" ids must be non-empty strings`);
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`"${collection}" documents must be JSON values`);
  return { json, copy: heldAsText ? value : JSON.parse(json) };
}

function putLine(collection: string, id: string, json: string, expiresAt: number | undefined): string {
  const head = `["p",${JSON.stringify(collection)},${JSON.stringify(id)},${json}`;
  return expiresAt === undefined ? `${head}]` : `${head},${expiresAt}]`;
}

function deleteLine(collection: string, id: string): string {
  return `["d",${JSON.stringify(collection)},${JSON.stringify(id)}]`;
}

/** Creates and locks the data directory; a path that cannot be one (a file, no permission) says so. */
async function openDirectory(dir: string): Promise<DirLock> {
  try {
    await mkdir(dir, { recursive: true });
    return await lockDirectory(dir);
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'it is not a directory'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : `${code ?? 'error'}: ${(err as Error).message}`;
    throw new GatewayError('ERR_STORE_UNAVAILABLE', `cannot use the data directory ${dir} (DATA_DIR): ${why}`, { status: 503, cause: err });
  }
}
