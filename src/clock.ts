// Time as a dependency. Domain code asks a Clock for "now" (UTC epoch milliseconds) and never calls
// Date.now() itself, so tests can drive time by hand and the sandbox can run at a simulated instant.

export type EpochMs = number;

export interface Clock {
  /** The current instant, UTC epoch milliseconds. */
  now(): EpochMs;
}

/** The machine's clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * Runs at a simulated instant that keeps ticking: now() = start + (real time elapsed since creation).
 * Used by `npm start -- --now 2013-09-20T10:00+08:00` so a tester can walk through a dated cutoff.
 */
export class SimulatedClock implements Clock {
  readonly #offset: number;
  readonly base: Clock;
  constructor(start: EpochMs, base: Clock = systemClock) {
    this.base = base;
    this.#offset = start - base.now();
  }
  now(): EpochMs {
    return this.base.now() + this.#offset;
  }
}

/** A clock that only moves when told to (tests). */
export class ManualClock implements Clock {
  #now: EpochMs;
  constructor(start: EpochMs | string = '2013-09-01T00:00:00Z') {
    this.#now = typeof start === 'string' ? Date.parse(start) : start;
  }
  now(): EpochMs {
    return this.#now;
  }
  set(instant: EpochMs | string): void {
    this.#now = typeof instant === 'string' ? Date.parse(instant) : instant;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}
