// A Store that reports every operation's duration and failures to the metrics (src/metrics/), wrapping
// whichever backend create-store.ts opened: one histogram observation per call and, only on failure, a
// counter (by operation and error code). The per-operation histogram children are made once, here, so a
// call costs a clock read, the backend's own promise and one observe — no lookup by label on the way.

import { GatewayError } from '../errors.ts';
import type { AddToListOptions, ListAdd, ListAddition, ListEntry } from './capped-list.ts';
import {
  type BatchOp,
  type DumpedDocument,
  type ListOptions,
  STORE_OPERATIONS,
  type Store,
  type StoreInfo,
  type UpsertItem,
  type WatchListener,
  type WriteOptions,
} from './store.ts';
import type { UsageTally, UsageTallyQuery } from './usage-tally.ts';

/** What the wrapper needs of the metrics: a histogram and an error counter, both labelled by operation. */
export interface StoreMetrics {
  storeDuration: { labels(operation: string): { observe(seconds: number): void } };
  storeErrors: { labels(operation: string, code: string): { inc(): void } };
}

const OPERATIONS = STORE_OPERATIONS;
type Operation = (typeof OPERATIONS)[number];

class Measured {
  readonly #duration: { observe(seconds: number): void };
  readonly #metrics: StoreMetrics;
  readonly #operation: Operation;
  constructor(metrics: StoreMetrics, operation: Operation) {
    this.#metrics = metrics;
    this.#operation = operation;
    this.#duration = metrics.storeDuration.labels(operation);
  }

  async run<T>(started: number, call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (err) {
      this.#metrics.storeErrors.labels(this.#operation, err instanceof GatewayError ? err.code : 'other').inc();
      throw err;
    } finally {
      this.#duration.observe((performance.now() - started) / 1000);
    }
  }
}

export class MeasuredStore implements Store {
  readonly #store: Store;
  readonly #op: Record<Operation, Measured>;
  /** A plain field, not a getter: read through a Proxy (the tests' store wrappers) it needs no private field. */
  readonly info: StoreInfo;

  constructor(store: Store, metrics: StoreMetrics) {
    this.#store = store;
    this.info = store.info;
    this.#op = Object.fromEntries(OPERATIONS.map((o) => [o, new Measured(metrics, o)])) as Record<Operation, Measured>;
  }

  get<T>(collection: string, id: string): Promise<T | undefined> {
    return this.#op.get.run(performance.now(), this.#store.get<T>(collection, id));
  }
  find<T>(collection: string, index: string, key: string): Promise<T[]> {
    return this.#op.find.run(performance.now(), this.#store.find<T>(collection, index, key));
  }
  findOne<T>(collection: string, index: string, key: string): Promise<{ id: string; value: T } | undefined> {
    return this.#op.findOne.run(performance.now(), this.#store.findOne<T>(collection, index, key));
  }
  list<T>(collection: string, options?: ListOptions): Promise<{ id: string; value: T }[]> {
    return this.#op.list.run(performance.now(), this.#store.list<T>(collection, options));
  }
  count(collection: string): Promise<number> {
    return this.#op.count.run(performance.now(), this.#store.count(collection));
  }
  create<T>(collection: string, id: string, value: T, options?: WriteOptions): Promise<void> {
    return this.#op.create.run(performance.now(), this.#store.create<T>(collection, id, value, options));
  }
  put<T>(collection: string, id: string, value: T, options?: WriteOptions): Promise<void> {
    return this.#op.put.run(performance.now(), this.#store.put<T>(collection, id, value, options));
  }
  update<T>(collection: string, id: string, fn: (current: T) => T, options?: WriteOptions): Promise<T> {
    return this.#op.update.run(performance.now(), this.#store.update<T>(collection, id, fn, options));
  }
  delete(collection: string, id: string): Promise<boolean> {
    return this.#op.delete.run(performance.now(), this.#store.delete(collection, id));
  }
  take<T>(collection: string, id: string): Promise<T | undefined> {
    return this.#op.take.run(performance.now(), this.#store.take<T>(collection, id));
  }
  batch(ops: BatchOp[]): Promise<void> {
    return this.#op.batch.run(performance.now(), this.#store.batch(ops));
  }
  upsertMany<T>(collection: string, items: readonly UpsertItem<T>[]): Promise<void> {
    return this.#op.upsertMany.run(performance.now(), this.#store.upsertMany(collection, items));
  }
  addToList(collection: string, id: string, entry: ListEntry, options: AddToListOptions): Promise<ListAddition> {
    return this.#op.addToList.run(performance.now(), this.#store.addToList(collection, id, entry, options));
  }
  addToLists(collection: string, adds: readonly ListAdd[]): Promise<ListAddition[]> {
    return this.#op.addToLists.run(performance.now(), this.#store.addToLists(collection, adds));
  }
  removeFromList(collection: string, ids: readonly string[], key: string): Promise<void> {
    return this.#op.removeFromList.run(performance.now(), this.#store.removeFromList(collection, ids, key));
  }
  load(collection: string, documents: readonly DumpedDocument[]): Promise<void> {
    return this.#op.load.run(performance.now(), this.#store.load(collection, documents));
  }
  dump(collection: string, options?: { after?: string; limit?: number }): Promise<DumpedDocument[]> {
    return this.#op.dump.run(performance.now(), this.#store.dump(collection, options));
  }
  tallyUsage(query: UsageTallyQuery): Promise<UsageTally> {
    return this.#op.tallyUsage.run(performance.now(), this.#store.tallyUsage(query));
  }

  // Not measured: jobs, listeners and housekeeping, whose duration is not the store's.
  exclusive<T>(job: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    return this.#store.exclusive(job, fn);
  }
  watch(collection: string, listener: WatchListener): () => void {
    return this.#store.watch(collection, listener);
  }
  ready(): Promise<void> {
    return this.#store.ready();
  }
  sweepExpired(): Promise<number> {
    return this.#store.sweepExpired();
  }
  stats(): Promise<Record<string, { documents: number; bytes: number }>> {
    return this.#store.stats();
  }
  close(): Promise<void> {
    return this.#store.close();
  }
}
