// Brute-force limit of the admin sign-in form: failed sign-ins are counted per (IP, manager id) and per
// IP in 15-minute windows on the gateway clock; past the limit every attempt, right or wrong, is refused
// with the same message as a wrong secret (and 429), until the window ends. The counters live in the
// Store (src/http/window-counter.ts), so failures on every instance add up.

import type { Clock } from '../../clock.ts';
import { WindowCounter } from '../../http/window-counter.ts';
import type { Store } from '../../store/store.ts';

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const FAILURES_PER_USER = 10;
export const FAILURES_PER_IP = 50;

export class LoginThrottle {
  readonly #failures: WindowCounter;

  constructor(deps: { store: Store; clock: Clock }) {
    this.#failures = new WindowCounter(deps, 'admin-login', LOGIN_WINDOW_MS);
  }

  /** Seconds until sign-in from this IP (for this user) opens again (for Retry-After), or 0 when open. */
  async blockedFor(ip: string, user: string): Promise<number> {
    const [perUser, perIp] = await Promise.all([this.#failures.get(`u|${ip}|${user}`), this.#failures.get(`i|${ip}`)]);
    const ends = [
      ...(perUser && perUser.totalHits >= FAILURES_PER_USER ? [perUser.resetTime!.getTime()] : []),
      ...(perIp && perIp.totalHits >= FAILURES_PER_IP ? [perIp.resetTime!.getTime()] : []),
    ];
    return ends.length ? Math.max(1, Math.ceil((Math.max(...ends) - Date.now()) / 1000)) : 0;
  }

  async fail(ip: string, user: string): Promise<void> {
    await Promise.all([this.#failures.increment(`u|${ip}|${user}`), this.#failures.increment(`i|${ip}`)]);
  }
}
