// Brute-force limit of the admin sign-in form: failed sign-ins are counted per (IP, manager id) and per
// IP in 15-minute windows on the gateway clock; past the limit every attempt, right or wrong, is refused
// with the same message as a wrong secret (and 429), until the window ends. In-memory, per process.

import type { Clock, EpochMs } from '../../clock.ts';

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const FAILURES_PER_USER = 10;
export const FAILURES_PER_IP = 50;
const MAX_KEYS = 10_000;

export class LoginThrottle {
  readonly #clock: Clock;
  readonly #counts = new Map<string, { failures: number; resetAt: EpochMs }>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** true when this IP (for this user) has failed too often in the current window. */
  blocked(ip: string, user: string): boolean {
    return this.#failures(`u|${ip}|${user}`) >= FAILURES_PER_USER || this.#failures(`i|${ip}`) >= FAILURES_PER_IP;
  }

  /** Seconds until the blocking window ends (for Retry-After). */
  retryAfterSeconds(ip: string, user: string): number {
    const now = this.#clock.now();
    const ends = [this.#counts.get(`u|${ip}|${user}`), this.#counts.get(`i|${ip}`)].filter((c) => c && c.resetAt > now).map((c) => c!.resetAt);
    return Math.max(1, Math.ceil(((ends.length ? Math.max(...ends) : now) - now) / 1000));
  }

  fail(ip: string, user: string): void {
    this.#bump(`u|${ip}|${user}`);
    this.#bump(`i|${ip}`);
  }

  #failures(key: string): number {
    const entry = this.#counts.get(key);
    if (!entry || entry.resetAt <= this.#clock.now()) return 0;
    return entry.failures;
  }

  #bump(key: string): void {
    const now = this.#clock.now();
    const entry = this.#counts.get(key);
    if (entry && entry.resetAt > now) {
      entry.failures += 1;
      return;
    }
    if (this.#counts.size >= MAX_KEYS) {
      for (const [k, v] of this.#counts) if (v.resetAt <= now) this.#counts.delete(k);
      // Still full: forget the oldest key rather than grow without bound.
      if (this.#counts.size >= MAX_KEYS) this.#counts.delete(this.#counts.keys().next().value!);
    }
    this.#counts.set(key, { failures: 1, resetAt: now + LOGIN_WINDOW_MS });
  }
}
