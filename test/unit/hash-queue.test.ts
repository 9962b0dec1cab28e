// Unit tests of the bounded hash queue: never more than `concurrency` at once, waiters start in order
// as slots free, a full queue refuses at once, a waiter past its deadline is refused without running.

import assert from 'node:assert/strict';
import { HashBusy, HashQueue } from '../../src/accounts/hash-queue.ts';

/** A piece of work the test finishes by hand. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, work: () => opened };
}

describe('hash queue', () => {
  it('runs at most `concurrency` at once; waiters start in order as slots free', async () => {
    const queue = new HashQueue({ concurrency: 2, maxWaiting: 10, maxWaitMs: 60_000 });
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    const runs = gates.map((g, i) => queue.run(() => (started.push(i), g.work())));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [0, 1]);
    gates[1]!.open();
    await runs[1];
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [0, 1, 2]);
    for (const g of gates) g.open();
    await Promise.all(runs);
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.deepEqual(queue.counts, { started: 5, refused: 0 });
  });

  it('refuses at once, without running the work, when the queue is full', async () => {
    const queue = new HashQueue({ concurrency: 1, maxWaiting: 1, maxWaitMs: 60_000 });
    const held = gate();
    const first = queue.run(held.work);
    const second = queue.run(async () => 'second');
    let ran = false;
    await assert.rejects(
      queue.run(async () => {
        ran = true;
      }),
      HashBusy,
    );
    assert.equal(ran, false);
    held.open();
    assert.equal(await second, 'second');
    await first;
    assert.deepEqual(queue.counts, { started: 2, refused: 1 });
  });

  it('refuses a waiter whose deadline passes, and the queue goes on', async () => {
    const queue = new HashQueue({ concurrency: 1, maxWaiting: 5, maxWaitMs: 30 });
    const held = gate();
    const first = queue.run(held.work);
    let ran = false;
    await assert.rejects(
      queue.run(async () => {
        ran = true;
      }),
      HashBusy,
    );
    assert.equal(ran, false);
    held.open();
    await first;
    assert.equal(await queue.run(async () => 'after'), 'after');
    assert.deepEqual(queue.counts, { started: 2, refused: 1 });
  });
});
