// How long the upstream calls of one provider callback took, measured where every adapter's HTTP call is
// already timed for the metrics (providers/shared/upstream-http.ts → UpstreamObserver): the broker's
// observer also adds each call's time to the callback it belongs to, found through the async context the
// callback runs in. Undefined when the callback made no upstream call (the shopper said no, a bad state).

import { AsyncLocalStorage } from 'node:async_hooks';
import type { UpstreamObserver } from '../../providers/contract.ts';

interface Tally {
  seconds: number;
  calls: number;
}

const current = new AsyncLocalStorage<Tally>();

/** The observer adapters get: tells `inner` (the metrics) and adds to the callback being timed, if any. */
export function timingObserver(inner: UpstreamObserver | undefined): UpstreamObserver {
  return (provider, step, seconds, error) => {
    inner?.(provider, step, seconds, error);
    const tally = current.getStore();
    if (!tally) return;
    tally.seconds += seconds;
    tally.calls += 1;
  };
}

/** Runs `fn` and returns its value with the milliseconds its upstream calls took together. */
export async function timeUpstream<T>(fn: () => Promise<T>): Promise<{ value: T; upstreamMs: number | undefined }> {
  const tally: Tally = { seconds: 0, calls: 0 };
  const value = await current.run(tally, fn);
  return { value, upstreamMs: tally.calls ? Math.round(tally.seconds * 1000) : undefined };
}
