// The Store contract every capability depends on: named collections of JSON documents, each document
// optionally expiring, with declared secondary indexes (unique or not, several keys per document).
// Two backends pass test/store/store.contract.ts:
// - embedded (src/store/lowdb/): one process owns a data directory (a lock refuses a second). Reads come
//   from memory; every guarantee (atomic update, single-use take, unique keys) holds within that process.
//   `volatile` collections stay in memory only; `exclusive` jobs are exclusive within the process.
// - postgres (src/store/postgres/): any number of gateway processes share one database. Every guarantee
//   comes from the database (transactions, row locks, unique indexes, advisory locks): nothing a
//   request needs is held in one process's memory, `volatile` collections included, so the next request
//   of a sign-in may reach another instance. `watch` listeners hear other instances' writes (LISTEN/NOTIFY).
// Callers never mutate a document handed out, and never rely on two reads giving the same object, except
// for collections declared `cached` (see CollectionSpec.cached).

import type { EpochMs } from '../clock.ts';
import type { AddToListOptions, ListAdd, ListAddition, ListEntry } from './capped-list.ts';
import type { UsageTally, UsageTallyQuery } from './usage-tally.ts';

/** A secondary index: `keys(doc)` lists the index keys a document is found under. */
export interface IndexSpec {
  /** At most one live document per key; a write that would break this fails with ERR_CONFLICT. */
  unique?: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: collections hold heterogeneous JSON documents; the index functions in collections.ts read each collection's own shape
  keys: (doc: any) => readonly string[];
}

export interface CollectionSpec {
  name: string;
  /**
   * Which group holds the collection; a batch spans one group only. `domain` data (partners, accounts,
   * audit) is never swept. `ephemeral` data (sessions, grants, tokens) expires and churns. `volatile` data
   * (sign-ins in progress: interactions, codes, flows) expires within minutes. A single-process backend
   * (embedded) may keep it in memory only, so a crash loses logins in progress (they restart) and nothing
   * else; a shared backend (postgres) keeps it in the database like the rest, since the next request of a
   * sign-in may reach another instance.
   */
  group: 'domain' | 'ephemeral' | 'volatile';
  indexes?: Record<string, IndexSpec>;
  /**
   * A hint for an in-memory backend: keep each document as its JSON text and parse it on every read,
   * instead of as a frozen object graph. For collections that grow large (accounts, sessions, the audit
   * log): far fewer objects for the garbage collector, at the price of a parse per read. Documents
   * read from such a collection are fresh, mutable copies.
   */
  heldAsText?: boolean;
  /**
   * Small, read on nearly every request, rarely written (partners, secrets, managers). In every backend its
   * documents come back deep-frozen and as the same object until the document changes, so a caller may
   * key a derived-value cache on the document object (WeakMap). A shared backend serves them from a copy
   * in each process, refreshed on change notifications from any instance and never more than one second
   * stale; reads right after this process's own write see the write.
   */
  cached?: boolean;
}

/** Hears a changed document's id, or undefined when changes may have been missed (see Store.watch). */
export type WatchListener = (id: string | undefined) => void;

/** A document with its expiry, as `dump` lists it (for export and import between backends). */
export interface DumpedDocument {
  id: string;
  value: unknown;
  expiresAt?: EpochMs;
}

/** What a backend is, for start-up banners, /readyz and the benchmark. */
export interface StoreInfo {
  backend: 'embedded' | 'postgres';
  /** true when several processes may open the same data (postgres). */
  shared: boolean;
  /** Where the data is: the directory, or the database URL without its password. */
  location: string;
}

export interface WriteOptions {
  /** Absolute expiry; the document reads as absent from this instant on (start-inclusive). */
  expiresAt?: EpochMs;
}

export interface ListOptions {
  /** Only documents under this index key. */
  index?: { name: string; key: string };
  /** Newest first by id (ids are expected to sort by time where order matters). */
  order?: 'asc' | 'desc';
  /**
   * Ids strictly after (asc) or before (desc) this one: keyset pagination. Ids sort by UTF-16 code unit
   * (embedded) or UTF-8 byte (postgres, COLLATE "C"): the same order unless ids mix characters beyond
   * U+FFFF with ones in U+E000–U+FFFF (Denglu's ids are ASCII).
   */
  after?: string;
  limit?: number;
}

/**
 * One write of a batch. Ops apply in order; a `value` given as a function is computed when its op
 * applies, after the ops before it (so an audit entry can record what an `update` op changed).
 */
export type BatchOp =
  | { op: 'create'; collection: string; id: string; value: unknown; options?: WriteOptions }
  | { op: 'put'; collection: string; id: string; value: unknown; options?: WriteOptions }
  // biome-ignore lint/suspicious/noExplicitAny: heterogeneous documents: each update op's fn names its collection's document type (a parameter typed unknown would refuse it)
  | { op: 'update'; collection: string; id: string; fn: (current: any) => unknown; options?: WriteOptions }
  | { op: 'delete'; collection: string; id: string };

/**
 * One document of an upsertMany: `fn` gets the live document, or undefined when it is absent or expired,
 * and returns the next one, or undefined to leave the document as it is (absent stays absent). The written
 * document expires as `options.expiresAt` says when given (undefined: never), else keeps its expiry (a
 * created one: none), as with `update`.
 */
export interface UpsertItem<T> {
  id: string;
  fn: (current: T | undefined) => T | undefined;
  options?: WriteOptions;
}

/** The Store's asynchronous data operations, by name (for wrappers that time or delay every one of them). */
export const STORE_OPERATIONS = [
  'get',
  'find',
  'findOne',
  'list',
  'count',
  'create',
  'put',
  'update',
  'delete',
  'take',
  'batch',
  'upsertMany',
  'addToList',
  'addToLists',
  'removeFromList',
  'load',
  'dump',
  'tallyUsage',
] as const;

export interface Store {
  /** The document, or undefined when absent or expired. */
  get<T>(collection: string, id: string): Promise<T | undefined>;
  /** Documents under a secondary index key. */
  find<T>(collection: string, index: string, key: string): Promise<T[]>;
  /** The id and document under a unique index key. */
  findOne<T>(collection: string, index: string, key: string): Promise<{ id: string; value: T } | undefined>;
  list<T>(collection: string, options?: ListOptions): Promise<{ id: string; value: T }[]>;
  count(collection: string): Promise<number>;

  /** Inserts; ERR_ALREADY_EXISTS when the id is live, ERR_CONFLICT when a unique index key is taken. */
  create<T>(collection: string, id: string, value: T, options?: WriteOptions): Promise<void>;
  /** Inserts or replaces; ERR_CONFLICT when a unique index key is taken by another document. */
  put<T>(collection: string, id: string, value: T, options?: WriteOptions): Promise<void>;
  /**
   * Atomic read-modify-write. `fn` sees the current document and returns the next one (synchronously:
   * no other write can interleave). Throwing from `fn` aborts and changes nothing. ERR_NOT_FOUND when absent.
   * `fn` must return a new object: documents handed out are read-only (frozen by the embedded backend).
   * `fn` may run more than once (postgres runs a transaction again when it was a deadlock's victim or met an
   * expired holder of a unique key): only its last run counts, so it may assign captured variables but must
   * have no other side effect. The same holds for a batch's `fn`s and `value` functions.
   */
  update<T>(collection: string, id: string, fn: (current: T) => T, options?: WriteOptions): Promise<T>;
  /** true when a live document was removed. */
  delete(collection: string, id: string): Promise<boolean>;
  /** Single use: returns the document and removes it in one step; concurrent takers get it at most once. */
  take<T>(collection: string, id: string): Promise<T | undefined>;
  /** All of these writes or none (within one collection group). */
  batch(ops: BatchOp[]): Promise<void>;
  /**
   * Atomic read-modify-write of many documents of one collection, creating the absent ones: each item's
   * `fn` sees its document as it is now and no other write of it interleaves (concurrent upsertMany calls
   * from any instance on overlapping ids lose no update and never deadlock each other); all or none (a
   * throwing `fn` or a taken unique key, ERR_CONFLICT, changes nothing). Ids must be distinct (else a
   * TypeError). `fn`s may run more than once, as with `update`. For summaries written in bulk (the
   * login-event flush): four statements on PostgreSQL for up to 500 documents, two more per further 500
   * (one transaction: every row locked in id order, then one write per 500 ids; when another instance
   * created an absent id meanwhile, the transaction runs again). Embedded: applied in one step, journaled
   * as one batch.
   */
  upsertMany<T>(collection: string, items: readonly UpsertItem<T>[]): Promise<void>;

  /**
   * Adds an entry to the capped list document `id` (src/store/capped-list.ts decides; created when absent
   * or expired) in one atomic step: the expired entries go, then a full list refuses the entry or drops
   * its oldest, as `options.whenFull` says. The document lives until its latest entry expires. One round
   * trip on PostgreSQL, where concurrent adders from any instance never exceed the cap. Only for
   * collections without indexes.
   */
  addToList(collection: string, id: string, entry: ListEntry, options: AddToListOptions): Promise<ListAddition>;
  /**
   * addToList for several distinct lists of one collection in one atomic step (one statement on
   * PostgreSQL), in order: once a list refuses its entry, the lists after it are left as they were and
   * reported not added. For a sign-in counted at its address (refused when full) and in its browser.
   */
  addToLists(collection: string, adds: readonly ListAdd[]): Promise<ListAddition[]>;
  /** Removes the entry under `key` from each of these live list documents (absent ones are skipped), in one step. */
  removeFromList(collection: string, ids: readonly string[], key: string): Promise<void>;

  /**
   * Inserts many documents at once (import between backends, benchmark seeding): all or none, ERR_ALREADY_EXISTS
   * when an id is live, ERR_CONFLICT when a unique index key is taken. Postgres inserts them in chunks of
   * thousands per statement (unnest arrays), in one transaction.
   */
  load(collection: string, documents: readonly DumpedDocument[]): Promise<void>;
  /** Live documents of a collection with their expiry, in id order, one page at a time (export). */
  dump(collection: string, options?: { after?: string; limit?: number }): Promise<DumpedDocument[]>;

  /**
   * The impact report's aggregate: a shop's live usage summaries (collection `shop_usage`) grouped into
   * classes of shoppers with their counts, as src/store/usage-tally.ts decides, in no particular order; the
   * active summaries that list no ways come back whole. Embedded: one pass over the shop's summaries in
   * memory. Postgres: one aggregate query over the summaries' side table (migrations/0003_shop_usage_facts.sql,
   * kept by a trigger in the same transaction as each summary write), answering a few hundred rows at most.
   */
  tallyUsage(query: UsageTallyQuery): Promise<UsageTally>;

  /**
   * Runs `fn` unless another run of the same job is in progress anywhere in the cluster (this process
   * for the embedded store, every instance on the database for postgres: an advisory lock). Background
   * work (expiry sweeps, compaction, scheduled jobs) goes through here so it runs once per cluster.
   */
  exclusive<T>(job: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  /**
   * Calls `listener(id)` after a document of `collection` was written or deleted, by this process or
   * (postgres) by any other instance, within a second. `listener(undefined)` says changes may have been
   * missed (postgres: the notification connection was lost and is back): re-read whatever is held.
   * Returns a function that stops listening.
   */
  watch(collection: string, listener: WatchListener): () => void;
  /** Resolves when the store answers and its schema is the one this code knows (for /readyz); throws a
   * GatewayError ERR_STORE_UNAVAILABLE (status 503) otherwise. */
  ready(): Promise<void>;
  readonly info: StoreInfo;

  /**
   * Forgets expired documents; returns how many. PostgreSQL also analyses the impact report's side table
   * when autovacuum has not (src/store/postgres/side-table-statistics.ts): it runs once per cluster.
   */
  sweepExpired(): Promise<number>;
  /** Approximate bytes held per collection (for capacity reports and the benchmark). */
  stats(): Promise<Record<string, { documents: number; bytes: number }>>;
  close(): Promise<void>;
}
