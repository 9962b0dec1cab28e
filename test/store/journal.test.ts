// The lowdb journal's group commit under faults the store tests cannot time by hand: a group commit that
// straddles a rotation, short writes, and a failed write whose bytes cannot be cut off. FileHandle methods
// are wrapped for the duration of a test to hold a datasync or fail a truncate; appends (synchronous
// writes) go through the journal's `write` seam to be shortened or failed.

import assert from 'node:assert/strict';
import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSync } from 'node:fs';
import { Journal, type AppendWrite } from '../../src/store/lowdb/journal.ts';
import { until } from '../support/until.ts';

type Method = 'datasync' | 'truncate';

describe('store/lowdb journal', () => {
  let dir: string;
  let proto: Record<Method, (...args: unknown[]) => Promise<unknown>>;
  const originals = new Map<Method, (...args: unknown[]) => Promise<unknown>>();

  before(async () => {
    const probe = join(tmpdir(), `denglu-probe-${process.pid}`);
    await writeFile(probe, '');
    const handle = await open(probe, 'r');
    proto = Object.getPrototypeOf(handle);
    await handle.close();
    await rm(probe);
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'denglu-journal-'));
  });

  afterEach(async () => {
    for (const [name, fn] of originals) proto[name] = fn;
    originals.clear();
    await rm(dir, { recursive: true, force: true });
  });

  /** Replaces a FileHandle method for this test; `original` calls the real one. */
  function wrap(name: Method, fn: (original: (...args: unknown[]) => Promise<unknown>, self: unknown, args: unknown[]) => Promise<unknown>): void {
    const original = originals.get(name) ?? proto[name];
    originals.set(name, original);
    proto[name] = function (this: unknown, ...args: unknown[]) {
      return fn((...a) => original.apply(this, a), this, args);
    };
  }

  /** Holds every datasync until release() (rotation uses sync, so it is not held). */
  function holdDatasync(): { release: () => void } {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    wrap('datasync', async (original) => {
      await gate;
      return original();
    });
    return { release };
  }

  function enospc(): Error {
    return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  }

  async function segments(): Promise<string[]> {
    return (await readdir(dir)).filter((n) => n.endsWith('.journal')).sort();
  }

  function appender(journal: Journal, undone: number[]) {
    return (n: number) => {
      const seq = journal.nextSeq();
      return journal.appendRaw(seq, `{"s":${seq},"o":[["p","c","id${n}",${n}]]}\n`, () => undone.push(seq));
    };
  }

  async function reopenedSeqs(): Promise<number[]> {
    const { journal, entries } = await Journal.open(dir, 'domain', { afterSeq: 0 });
    await journal.close();
    return entries.map((e) => e.s);
  }

  it('acknowledges only after fdatasync by default, and syncs in the background with syncIntervalMs', async () => {
    let syncs = 0;
    wrap('datasync', async (original) => {
      syncs++;
      return original();
    });
    const strict = (await Journal.open(dir, 'strict', { afterSeq: 0 })).journal;
    let seq = strict.nextSeq();
    await strict.appendRaw(seq, `{"s":${seq},"o":[]}\n`, () => {});
    assert.equal(syncs, 1, 'synced before the acknowledgement');
    await strict.close();

    // The background timer is held here and fired by hand: a real short timer could race the appends
    // on a busy host. (Any interval will do; this one marks the journal's timer among others.)
    syncs = 0;
    const INTERVAL = 3_600_017;
    const held: (() => void)[] = [];
    const realSetTimeout = globalThis.setTimeout;
    globalThis.setTimeout = ((fn: () => void, ms?: number, ...rest: unknown[]) => {
      if (ms !== INTERVAL) return realSetTimeout(fn, ms, ...rest);
      held.push(fn);
      return {
        unref: () => undefined,
        ref: () => undefined,
        hasRef: () => false,
        refresh() {
          return this;
        },
        [Symbol.toPrimitive]: () => 0,
      };
    }) as typeof setTimeout;
    try {
      const lazy = (await Journal.open(dir, 'lazy', { afterSeq: 0, syncIntervalMs: INTERVAL })).journal;
      for (let i = 0; i < 5; i++) {
        seq = lazy.nextSeq();
        await lazy.appendRaw(seq, `{"s":${seq},"o":[]}\n`, () => {});
      }
      assert.equal(syncs, 0, 'acknowledged once written, before any fdatasync');
      assert.equal(held.length, 1, 'one background fdatasync scheduled for the five writes');
      held.shift()!();
      await until(() => syncs > 0, 'the background fdatasync ran');
      assert.equal(syncs, 1, 'one background fdatasync covered the five writes');
      seq = lazy.nextSeq();
      await lazy.appendRaw(seq, `{"s":${seq},"o":[]}\n`, () => {});
      assert.equal(held.length, 1, 'the next write schedules the next one');
      await lazy.close();
      assert.equal(syncs, 2, 'closing syncs what is still unsynced');
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    const reopened = await Journal.open(dir, 'lazy', { afterSeq: 0 });
    assert.equal(reopened.entries.length, 6);
    await reopened.journal.close();
  });

  it('a group commit straddling a rotation: when the newer segment fails, the older run is acknowledged', async () => {
    let failFile: string | undefined;
    const { journal } = await Journal.open(dir, 'domain', {
      afterSeq: 0,
      hook: (file) => {
        if (file === failFile) throw enospc();
      },
    });
    const undone: number[] = [];
    const append = appender(journal, undone);
    const gate = holdDatasync();
    const first = append(1); // written, held in datasync
    const second = append(2); // queued for the old segment
    const { cut } = await journal.rotate(() => undefined);
    assert.equal(cut, 2);
    const third = append(3); // queued for the new segment
    failFile = join(dir, (await segments())[1]!);
    gate.release();
    await first;
    await second;
    await assert.rejects(third, { code: 'ERR_STORE_UNAVAILABLE' });
    assert.deepEqual(undone, [3]);
    await journal.durableThrough(cut);
    await journal.close();
    assert.deepEqual(await reopenedSeqs(), [1, 2]);
  });

  it('a group commit straddling a rotation: when the older segment fails, the snapshot point is refused', async () => {
    let failFile: string | undefined;
    const { journal } = await Journal.open(dir, 'domain', {
      afterSeq: 0,
      hook: (file) => {
        if (file === failFile) throw enospc();
      },
    });
    const undone: number[] = [];
    const append = appender(journal, undone);
    const gate = holdDatasync();
    const first = append(1);
    failFile = join(dir, (await segments())[0]!); // from now on the old segment fails
    const second = append(2);
    const { cut } = await journal.rotate(() => undefined);
    const third = append(3);
    gate.release();
    await first;
    await assert.rejects(second, { code: 'ERR_STORE_UNAVAILABLE' });
    await assert.rejects(third, { code: 'ERR_STORE_UNAVAILABLE' });
    assert.deepEqual(undone, [3, 2]);
    // A snapshot captured at `cut` holds #2, which failed: it must not be written.
    await assert.rejects(journal.durableThrough(cut), { code: 'ERR_STORE_UNAVAILABLE' });
    await journal.close();
    assert.deepEqual(await reopenedSeqs(), [1]);
  });

  it('a writer looping on acknowledged appends does not starve timers and I/O (appends are synchronous)', async () => {
    const { journal } = await Journal.open(dir, 'lazy', { afterSeq: 0, syncIntervalMs: 1000 });
    const append = appender(journal, []);
    let timerFired = false;
    setTimeout(() => (timerFired = true), 1);
    const started = performance.now();
    let n = 0;
    while (!timerFired && performance.now() - started < 2000) await append(++n);
    const firedDuringLoop = timerFired;
    const elapsed = Math.round(performance.now() - started);
    await journal.close();
    assert.ok(firedDuringLoop, `a 1 ms timer never ran during ${n} appends in ${elapsed} ms`);
    assert.ok(n > 1, 'appends were acknowledged meanwhile');
  });

  it('group commit: appends made by separate callbacks of one event-loop turn go to disk in one write', async () => {
    let writes = 0;
    const write: AppendWrite = (fd, data, offset, length) => {
      writes++;
      return writeSync(fd, data, offset, length);
    };
    const { journal } = await Journal.open(dir, 'domain', { afterSeq: 0, write });
    const append = appender(journal, []);
    // Immediates queued together run in one check phase, like requests served in one poll phase. (Timers
    // would not do: under load, three 0 ms timers made a millisecond apart come due in different turns.)
    const acked = await Promise.all([1, 2, 3].map((n) => new Promise<void>((resolve, reject) => setImmediate(() => append(n).then(resolve, reject)))));
    assert.equal(acked.length, 3);
    assert.equal(writes, 1, 'one write for the three appends of the turn');
    await append(4);
    assert.equal(writes, 2);
    await journal.close();
    assert.deepEqual(await reopenedSeqs(), [1, 2, 3, 4]);
  });

  it('a short write is completed before the batch is acknowledged', async () => {
    let shortened = 0;
    const write: AppendWrite = (fd, data, offset, length) => {
      if (shortened++ > 0 || length < 2) return writeSync(fd, data, offset, length);
      return writeSync(fd, data, offset, Math.floor(length / 2));
    };
    const { journal } = await Journal.open(dir, 'domain', { afterSeq: 0, write });
    const append = appender(journal, []);
    await append(1);
    await append(2);
    await journal.close();
    assert.ok(shortened > 2, `the short write was completed by further writes (${shortened} calls)`);
    assert.deepEqual(await reopenedSeqs(), [1, 2]);
  });

  it('bytes of a failed write that could not be cut off are cut before the next write', async () => {
    let failNext = false;
    const write: AppendWrite = (fd, data, offset, length) => {
      if (!failNext) return writeSync(fd, data, offset, length);
      failNext = false;
      writeSync(fd, data, offset, Math.floor(length / 2)); // half a line lands, then the disk is full
      throw enospc();
    };
    const { journal } = await Journal.open(dir, 'domain', { afterSeq: 0, write });
    const undone: number[] = [];
    const append = appender(journal, undone);
    await append(1);
    failNext = true;
    let truncates = 0;
    wrap('truncate', (original, _self, args) => {
      if (truncates++ === 0) return Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
      return original(...args);
    });
    await assert.rejects(append(2), { code: 'ERR_STORE_UNAVAILABLE' });
    assert.deepEqual(undone, [2]);
    await append(3);
    await journal.close();
    assert.deepEqual(await reopenedSeqs(), [1, 3]);
  });
});
