// What one HTTP request already knows of the shared store. A login asks the store for the same document
// more than once within one request (oidc-provider resumes an interaction the callback just wrote; the
// callback looks an account up by identity twice; the token endpoint reads a code and then marks it
// used), and on PostgreSQL every ask is a round trip. Within a request, a shared backend answers such a
// repeat from what the request itself read or wrote — as if the repeated read had happened at that
// earlier instant — and uses the version it read to make a later `update` one conditional statement
// (tried first; when another writer changed the document meanwhile it falls back to the locked update).
// A request's writes replace what it remembers; a write to a collection forgets the request's index
// lookups in it. Outside a request (jobs, the CLI) and after the response has closed nothing is
// remembered. The embedded store needs none of this: its reads are in memory.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { EpochMs } from '../clock.ts';
import { copyJson } from './copy-json.ts';

/** A document as the request last saw it: `doc` undefined when it was absent. */
export interface Remembered {
  doc: unknown;
  expiresAt: EpochMs | undefined;
  /** The row version it was read or written at (PostgreSQL xmin), when known. */
  version?: string | undefined;
}

export class RequestReads {
  readonly #docs = new Map<string, Remembered>();
  readonly #finds = new Map<string, Map<string, { id: string; value: unknown }[]>>();
  #closed = false;

  /** What the request saw of the document, or undefined when it has not seen it. */
  doc(collection: string, id: string): Remembered | undefined {
    return this.#closed ? undefined : this.#docs.get(`${collection}\u0000${id}`);
  }

  /** Remembers a document read or written (a copy: callers may mutate their own). */
  remember(collection: string, id: string, seen: Remembered): void {
    if (this.#closed) return;
    this.#docs.set(`${collection}\u0000${id}`, { ...seen, doc: seen.doc === undefined ? undefined : copyJson(seen.doc) });
  }

  forget(collection: string, id: string): void {
    this.#docs.delete(`${collection}\u0000${id}`);
  }

  /** An index lookup the request made, as copies. */
  found(collection: string, index: string, key: string): { id: string; value: unknown }[] | undefined {
    if (this.#closed) return undefined;
    return this.#finds
      .get(collection)
      ?.get(`${index}\u0000${key}`)
      ?.map((r) => ({ id: r.id, value: copyJson(r.value) }));
  }

  rememberFound(collection: string, index: string, key: string, rows: readonly { id: string; value: unknown }[]): void {
    if (this.#closed) return;
    const byKey = this.#finds.get(collection) ?? new Map<string, { id: string; value: unknown }[]>();
    this.#finds.set(collection, byKey);
    byKey.set(
      `${index}\u0000${key}`,
      rows.map((r) => ({ id: r.id, value: copyJson(r.value) })),
    );
  }

  /** The request wrote to the collection: its index lookups there may have changed. */
  wroteTo(collection: string): void {
    this.#finds.delete(collection);
  }

  /** The response is over: later reads go to the store. */
  close(): void {
    this.#closed = true;
    this.#docs.clear();
    this.#finds.clear();
  }
}

/** One request: what each store (by its owner object) has read or written in it. */
class RequestScope {
  readonly #byOwner = new Map<object, RequestReads>();
  #closed = false;

  readsOf(owner: object): RequestReads | undefined {
    if (this.#closed) return undefined;
    let reads = this.#byOwner.get(owner);
    if (!reads) {
      reads = new RequestReads();
      this.#byOwner.set(owner, reads);
    }
    return reads;
  }

  close(): void {
    this.#closed = true;
    for (const reads of this.#byOwner.values()) reads.close();
    this.#byOwner.clear();
  }
}

const scope = new AsyncLocalStorage<RequestScope>();

/** What the running request knows of `owner`'s store, or undefined outside a request. */
export function requestReads(owner: object): RequestReads | undefined {
  return scope.getStore()?.readsOf(owner);
}

/** Whether the running code serves an HTTP request (not a timer's or job's background work). */
export function withinRequest(): boolean {
  return scope.getStore() !== undefined;
}

/** Runs `fn` as one request's scope; closed when `onEnd` fires (the response closed). */
export function inRequestScope<T>(onEnd: (close: () => void) => void, fn: () => T): T {
  const request = new RequestScope();
  onEnd(() => request.close());
  return scope.run(request, fn);
}
