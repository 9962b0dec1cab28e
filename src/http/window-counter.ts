// Hit counters in fixed windows on the gateway clock, kept in the Store (the ephemeral `hits`
// collection) so every instance on one database counts together: N instances never allow N times a
// limit. What Denglu's request limits count with (password attempts per IP and per sign-in, failed client
// authentications at /token, the admin API and pages, admin sign-in failures). It is an
// express-rate-limit `Store`, so the library's middleware counts with it.
// A window starts at a key's first hit and lasts `windowMs`; each increment is one atomic store update
// (src/store/upsert.ts). The document
// expires with its window, so the store's sweep removes it. The library compares `resetTime` with the
// machine's clock, so it is reported on that clock (same distance ahead).

import type { ClientRateLimitInfo, Options, Store as RateLimitStore } from 'express-rate-limit';
import type { Clock, EpochMs } from '../clock.ts';
import type { Store } from '../store/store.ts';
import { isStoreError, upsert } from '../store/upsert.ts';

export const HITS_COLLECTION = 'hits';

interface Window {
  hits: number;
  resetAt: EpochMs;
}

export class WindowCounter implements RateLimitStore {
  readonly localKeys = false;
  /** Distinguishes the limiters sharing the collection (also express-rate-limit's check for double counting). */
  readonly prefix: string;
  readonly #store: Store;
  readonly #clock: Clock;
  #windowMs: number;

  constructor(deps: { store: Store; clock: Clock }, prefix: string, windowMs: number) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.prefix = prefix;
    this.#windowMs = windowMs;
  }

  /** express-rate-limit passes its options: the window is the middleware's. */
  init(options: Options): void {
    this.#windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const w = await this.#store.get<Window>(HITS_COLLECTION, this.#id(key));
    return w ? { totalHits: w.hits, resetTime: this.#resetTime(w) } : undefined;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const now = this.#clock.now();
    const fresh: Window = { hits: 1, resetAt: now + this.#windowMs };
    // A live document is a window not yet over (it expires at its resetAt): one more hit in it.
    const w = await upsert<Window>(this.#store, HITS_COLLECTION, this.#id(key), (c) => (c ? { hits: c.hits + 1, resetAt: c.resetAt } : fresh), {
      onCreate: { expiresAt: fresh.resetAt },
    });
    return { totalHits: w.hits, resetTime: this.#resetTime(w) };
  }

  async decrement(key: string): Promise<void> {
    try {
      await this.#store.update<Window>(HITS_COLLECTION, this.#id(key), (c) => ({ hits: Math.max(0, c.hits - 1), resetAt: c.resetAt }));
    } catch (err) {
      if (!isStoreError(err, 'ERR_NOT_FOUND')) throw err;
    }
  }

  async resetKey(key: string): Promise<void> {
    await this.#store.delete(HITS_COLLECTION, this.#id(key));
  }

  #id(key: string): string {
    return `${this.prefix}|${key}`;
  }

  #resetTime(w: Window): Date {
    return new Date(Date.now() + (w.resetAt - this.#clock.now()));
  }
}
