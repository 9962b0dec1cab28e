// In-process hit counters in fixed windows on the gateway clock: what Denglu's request limits count
// with (password attempts per IP and per sign-in, failed client authentications at /token). It is an
// express-rate-limit `Store`, so the library's middleware counts with it; a shared backend (PostgreSQL,
// issue 14) implements the same small interface. Expired windows are swept once per window. The library
// compares `resetTime` with the machine's clock, so it is reported on that clock (same distance ahead).

import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Clock, EpochMs } from '../clock.ts';

interface Window {
  hits: number;
  resetAt: EpochMs;
}

export class WindowCounter implements Store {
  readonly localKeys = true;
  readonly #clock: Clock;
  #windowMs: number;
  readonly #windows = new Map<string, Window>();
  #nextSweep = 0;

  constructor(clock: Clock, windowMs: number) {
    this.#clock = clock;
    this.#windowMs = windowMs;
  }

  /** express-rate-limit passes its options: the window is the middleware's. */
  init(options: Options): void {
    this.#windowMs = options.windowMs;
  }

  get(key: string): ClientRateLimitInfo | undefined {
    const w = this.#live(key);
    return w ? { totalHits: w.hits, resetTime: this.#resetTime(w) } : undefined;
  }

  increment(key: string): ClientRateLimitInfo {
    const now = this.#clock.now();
    this.#sweep(now);
    let w = this.#live(key);
    if (!w) {
      w = { hits: 0, resetAt: now + this.#windowMs };
      this.#windows.set(key, w);
    }
    w.hits += 1;
    return { totalHits: w.hits, resetTime: this.#resetTime(w) };
  }

  /** Seconds until the key's window ends (for Retry-After); at least 1. */
  retryAfterSeconds(key: string): number {
    const w = this.#live(key);
    return w ? Math.max(1, Math.ceil((w.resetAt - this.#clock.now()) / 1000)) : 1;
  }

  #resetTime(w: Window): Date {
    return new Date(Date.now() + (w.resetAt - this.#clock.now()));
  }

  decrement(key: string): void {
    const w = this.#live(key);
    if (w && w.hits > 0) w.hits -= 1;
  }

  resetKey(key: string): void {
    this.#windows.delete(key);
  }

  resetAll(): void {
    this.#windows.clear();
  }

  #live(key: string): Window | undefined {
    const w = this.#windows.get(key);
    return w && w.resetAt > this.#clock.now() ? w : undefined;
  }

  #sweep(now: EpochMs): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + this.#windowMs;
    for (const [key, w] of this.#windows) if (w.resetAt <= now) this.#windows.delete(key);
  }
}
