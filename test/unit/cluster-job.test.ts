// Background jobs run once per cluster and period: instances ticking at other offsets do not run a job
// again within its period, two instances ticking at once run it once, and it runs again a period later.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.ts';
import { runOncePerPeriod } from '../../src/jobs/cluster-job.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { withLatency } from '../support/store-wrapper.ts';

describe('background jobs: once per cluster and period', () => {
  const clock = new ManualClock('2013-09-01T10:00:00+08:00');
  let dir: string;
  let opened: Store;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'denglu-jobs-'));
    opened = await createStore({ dataDir: dir, clock });
    store = withLatency(opened);
  });
  after(async () => {
    await opened.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs once for instances ticking together or within the period, and again after it', async () => {
    let runs = 0;
    const job = async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const tick = () => runOncePerPeriod(store, clock, 'sweep', 60_000, job);
    assert.deepEqual((await Promise.all([tick(), tick()])).sort(), [false, true], 'two instances at once: one runs');
    clock.advance(20_000);
    assert.equal(await tick(), false, 'an instance ticking 20 s later does not run it again');
    clock.advance(40_000);
    assert.equal(await tick(), true, 'a period later it runs again');
    assert.equal(runs, 2);
  });
});
