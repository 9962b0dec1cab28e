// Background work that runs once per cluster per period, whichever instance gets there first: every
// instance ticks (src/main.ts), `store.exclusive` keeps two runs of a job from overlapping, and the
// job's last start, kept in the store (`jobs` collection), keeps instances ticking at other offsets from
// running it again within the same period. A run that fails is not retried before the next period.

import type { Clock, EpochMs } from '../clock.ts';
import type { Store } from '../store/store.ts';
import { upsert } from '../store/upsert.ts';

export const JOBS_COLLECTION = 'jobs';

interface JobRecord {
  startedAt: EpochMs;
}

/** Thrown inside the claim to leave the record as it is. */
class RanRecently extends Error {}

/**
 * Runs `fn` unless the job started less than `periodMs` ago anywhere in the cluster or is running now.
 * Resolves to whether it ran.
 */
export async function runOncePerPeriod(store: Store, clock: Clock, job: string, periodMs: number, fn: () => Promise<unknown>): Promise<boolean> {
  const outcome = await store.exclusive(job, async () => {
    const now = clock.now();
    try {
      await upsert<JobRecord>(store, JOBS_COLLECTION, job, (last) => {
        // A little slack: instances' timers drift, and a run due now must not wait a whole period more.
        if (last && now - last.startedAt < periodMs * 0.9) throw new RanRecently();
        return { startedAt: now };
      });
    } catch (err) {
      if (err instanceof RanRecently) return false;
      throw err;
    }
    await fn();
    return true;
  });
  return outcome.ran && outcome.value;
}
