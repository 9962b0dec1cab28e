// The lowdb backend: the Store contract in a fresh temp dir, then what only a file store can get wrong:
// damaged files, a second process, a failing disk, compaction, kill -9 at random moments and event-loop
// stalls on a big store.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ManualClock, systemClock } from '../../src/clock.ts';
import { LowdbStore, type LowdbStoreOptions } from '../../src/store/lowdb/lowdb-store.ts';
import { CONTRACT_COLLECTIONS, describeStoreContract } from './store.contract.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const T0 = Date.parse('2013-09-01T00:00:00Z');

async function freshDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'denglu-store-'));
}

/** The contract once with documents held as frozen objects, once with every collection held as text. */
for (const [label, collections] of [
  ['lowdb', CONTRACT_COLLECTIONS],
  ['lowdb (held as text)', CONTRACT_COLLECTIONS.map((c) => ({ ...c, heldAsText: !c.cached }))],
] as const) {
  describeStoreContract(
    label,
    async (clock) => {
      const dir = await freshDir();
      const opened: LowdbStore[] = [];
      const open = async () => {
        const store = await LowdbStore.open({ dir, clock, collections });
        opened.push(store);
        return store;
      };
      return {
        store: await open(),
        reopen: open,
        cleanup: async () => {
          for (const store of opened) await store.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
    { durable: true },
  );
}

/** Runs a fixture with `node --import tsx`; resolves with its stdout lines once it exits. */
function runFixture(script: string, args: string[]): Promise<string[]> {
  const child = startFixture(script, args);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', () => resolve(out.split('\n').filter((l) => l !== '')));
  });
}

function startFixture(script: string, args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx', join(FIXTURES, script), ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function isStoreCode(code: string) {
  return (err: unknown) => {
    assert.equal((err as { code?: string }).code, code, String(err));
    return true;
  };
}

async function journalFiles(dir: string, group: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith(`${group}.`) && n.endsWith('.journal')).sort();
}

describe('store/lowdb', function () {
  this.timeout(30_000);
  const dirs: string[] = [];
  const stores: LowdbStore[] = [];
  let clock: ManualClock;

  async function dirForTest(): Promise<string> {
    const dir = await freshDir();
    dirs.push(dir);
    return dir;
  }

  async function open(dir: string, extra: Partial<LowdbStoreOptions> = {}): Promise<LowdbStore> {
    const store = await LowdbStore.open({ dir, clock, collections: CONTRACT_COLLECTIONS, ...extra });
    stores.push(store);
    return store;
  }

  beforeEach(() => {
    clock = new ManualClock(T0);
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  describe('damaged files', () => {
    it('a garbage snapshot stops the open with ERR_STORE_CORRUPT naming the file, and is left as it was', async () => {
      const dir = await dirForTest();
      const file = join(dir, 'domain.json');
      const garbage = Buffer.from('{"format":"denglu-store/1","seq":3,"collections":{"contract_docs":{"a":{"v":\x00\xff garbage');
      await writeFile(file, garbage);
      await assert.rejects(open(dir), (err: unknown) => {
        isStoreCode('ERR_STORE_CORRUPT')(err);
        assert.ok((err as Error).message.includes(file), (err as Error).message);
        return true;
      });
      assert.deepEqual(await readFile(file), garbage);
      await assert.rejects(open(dir), isStoreCode('ERR_STORE_CORRUPT')); // the failed open released its lock
    });

    it('a snapshot of the wrong shape is corrupt too', async () => {
      const dir = await dirForTest();
      const file = join(dir, 'ephemeral.json');
      const text = JSON.stringify({ format: 'denglu-store/1', group: 'ephemeral', seq: 1, collections: null });
      await writeFile(file, text);
      await assert.rejects(open(dir), isStoreCode('ERR_STORE_CORRUPT'));
      assert.equal(await readFile(file, 'utf8'), text);
    });

    it('a snapshot cut short after a record line (a partial copy) is corrupt, not read as fewer records', async () => {
      const dir = await dirForTest();
      const file = join(dir, 'domain.json');
      const text =
        '{"format":"denglu-store/1","group":"domain","seq":1,"savedAt":"","collections":{\n"contract_docs":{\n"a":{"v":{"title":"a","n":1}},\n"b":{"v":{"title":"b","n":2}}';
      await writeFile(file, text);
      await assert.rejects(open(dir), (err: unknown) => {
        isStoreCode('ERR_STORE_CORRUPT')(err);
        assert.match((err as Error).message, /ends before the end/);
        return true;
      });
      assert.equal(await readFile(file, 'utf8'), text);
    });

    it('reads a snapshot line by line in the layout of this writer and of earlier ones (collection closed on its last record line)', async () => {
      const dir = await dirForTest();
      const head = '{"format":"denglu-store/1","group":"domain","seq":0,"savedAt":"","collections":{';
      // earlier writers: the collection's closing brace ends its last record's line; an empty collection on one line
      const earlier = `${head}\n"contract_docs":{\n"a":{"v":{"title":"a","n":1,"nested":{"list":[1]}}},\n"b":{"v":{"title":"b","n":2}}},\n"contract_events":{}\n}}\n`;
      await writeFile(join(dir, 'domain.json'), earlier);
      let store = await open(dir);
      assert.deepEqual(await store.get('contract_docs', 'a'), { title: 'a', n: 1, nested: { list: [1] } });
      assert.deepEqual(await store.get('contract_docs', 'b'), { title: 'b', n: 2 });
      await store.put('contract_docs', 'c', { title: 'c', n: 3 });
      await store.compact(); // rewritten in this writer's layout: every closing brace on its own line
      const written = await readFile(join(dir, 'domain.json'), 'utf8');
      assert.ok(written.split('\n').includes('}'), written.slice(0, 400));
      JSON.parse(written); // still one JSON document
      await store.close();
      stores.splice(stores.indexOf(store), 1);
      store = await open(dir);
      assert.deepEqual(
        (await store.list('contract_docs')).map((d) => d.id),
        ['a', 'b', 'c'],
      );
    });

    it('a damaged journal line in the middle stops the open and is left as it was', async () => {
      const dir = await dirForTest();
      const store = await open(dir);
      for (const id of ['a', 'b', 'c']) await store.put('contract_docs', id, { title: id, n: 1 });
      await store.close();
      const [segment] = await journalFiles(dir, 'domain');
      const file = join(dir, segment!);
      const lines = (await readFile(file, 'utf8')).split('\n');
      assert.equal(lines.length, 4); // three lines and the empty rest
      lines[1] = lines[1]!.slice(0, 10) + '#' + lines[1]!.slice(11);
      const damaged = lines.join('\n');
      await writeFile(file, damaged);
      await assert.rejects(open(dir), (err: unknown) => {
        isStoreCode('ERR_STORE_CORRUPT')(err);
        assert.ok((err as Error).message.includes(file), (err as Error).message);
        return true;
      });
      assert.equal(await readFile(file, 'utf8'), damaged);
    });

    it('a torn final journal line is dropped and every earlier write is there', async () => {
      const dir = await dirForTest();
      let store = await open(dir);
      for (let i = 0; i < 5; i++) await store.put('contract_docs', `d${i}`, { title: `d${i}`, n: i });
      await store.close();
      const [segment] = await journalFiles(dir, 'domain');
      const file = join(dir, segment!);
      const whole = await readFile(file, 'utf8');
      await appendFile(file, '{"s":6,"o":[["p","contract_docs","torn",{"title":"to');
      store = await open(dir);
      for (let i = 0; i < 5; i++) assert.deepEqual(await store.get('contract_docs', `d${i}`), { title: `d${i}`, n: i });
      assert.equal(await store.get('contract_docs', 'torn'), undefined);
      assert.equal(await readFile(file, 'utf8'), whole, 'the torn bytes are cut off');
      await store.put('contract_docs', 'after', { title: 'after', n: 9 });
      await store.close();
      store = await open(dir);
      assert.equal(await store.count('contract_docs'), 6);
    });

    it('a torn line at the end of an older segment is dropped when no later segment has entries', async () => {
      // A crash while a group commit straddles a compaction's rotation: the older segment is torn,
      // the newer one exists but holds nothing yet.
      const dir = await dirForTest();
      let store = await open(dir);
      await store.put('contract_docs', 'a', { title: 'a', n: 1 });
      await store.close();
      const [segment] = await journalFiles(dir, 'domain');
      await appendFile(join(dir, segment!), '{"s":2,"o":[["p","contract_docs","b"');
      await writeFile(join(dir, 'domain.000000000003.journal'), '');
      store = await open(dir);
      assert.deepEqual(await store.get('contract_docs', 'a'), { title: 'a', n: 1 });
      await store.put('contract_docs', 'c', { title: 'c', n: 3 });
      await store.close();
      store = await open(dir);
      assert.deepEqual(ids(await store.list('contract_docs')), ['a', 'c']);
      await store.close();

      // ... but a torn line followed by entries in a later segment is damage.
      const files = await journalFiles(dir, 'domain');
      await appendFile(join(dir, files[0]!), '{"s":2,"o":[["p","contract_docs","b"');
      await assert.rejects(open(dir), isStoreCode('ERR_STORE_CORRUPT'));
    });
  });

  describe('one process per directory', () => {
    it('a second opener in the same process gets ERR_STORE_LOCKED until the first closes', async () => {
      const dir = await dirForTest();
      const first = await open(dir);
      await assert.rejects(open(dir), (err: unknown) => {
        isStoreCode('ERR_STORE_LOCKED')(err);
        const message = (err as Error).message;
        assert.ok(message.includes(dir) && message.includes(`process ${process.pid}`), message);
        return true;
      });
      await first.put('contract_docs', 'a', { title: 'a', n: 1 });
      await first.close();
      const second = await open(dir);
      assert.deepEqual(await second.get('contract_docs', 'a'), { title: 'a', n: 1 });
    });

    it('a child process cannot open a directory this process holds, and the reverse', async () => {
      const dir = await dirForTest();
      const mine = await open(dir);
      const [line] = await runFixture('open-store.ts', [dir, 'try']);
      const result = JSON.parse(line!) as { ok: boolean; code?: string; message?: string };
      assert.equal(result.ok, false);
      assert.equal(result.code, 'ERR_STORE_LOCKED');
      assert.match(result.message!, new RegExp(`in use by process ${process.pid}`));
      await mine.close();

      const child = startFixture('open-store.ts', [dir, 'hold']);
      try {
        const ready = await new Promise<string>((resolve, reject) => {
          child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8')));
          child.on('error', reject);
        });
        assert.deepEqual(JSON.parse(ready), { ok: true, pid: child.pid });
        await assert.rejects(open(dir), (err: unknown) => {
          isStoreCode('ERR_STORE_LOCKED')(err);
          assert.match((err as Error).message, new RegExp(`in use by process ${child.pid}`));
          return true;
        });
      } finally {
        const exited = new Promise((resolve) => child.on('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      // The killed child left its lock file behind: a dead owner's lock is taken over.
      const store = await open(dir);
      assert.equal(await store.count('contract_docs'), 0);
    });

    it('a stale lock file from a dead pid is taken over', async () => {
      const dir = await dirForTest();
      const dead = spawn(process.execPath, ['-e', '']);
      const pid = dead.pid!;
      await new Promise((resolve) => dead.on('exit', resolve));
      const lockFile = join(dir, 'denglu.lock');
      await writeFile(lockFile, JSON.stringify({ pid, host: hostname(), since: '2013-09-01T00:00:00.000Z' }) + '\n');
      const store = await open(dir);
      assert.equal(JSON.parse(await readFile(lockFile, 'utf8')).pid, process.pid);
      await store.close();
      await assert.rejects(stat(lockFile), { code: 'ENOENT' });
    });
  });

  describe('disk failures', () => {
    function enospc(): Error {
      return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
    }

    it('a failed journal write rejects with ERR_STORE_UNAVAILABLE, rolls memory back and is gone after reopen', async () => {
      const dir = await dirForTest();
      let failing = false;
      const writeHook = () => {
        if (failing) throw enospc();
      };
      let store = await open(dir, { writeHook });
      await store.put('contract_docs', 'a', { title: 'a', n: 1, handles: ['h'] });
      await store.put('contract_docs', 'b', { title: 'b', n: 1 });

      failing = true;
      const failed = [
        store.update<{ n: number }>('contract_docs', 'a', (d) => ({ ...d, n: 2, handles: [] })),
        store.create('contract_docs', 'c', { title: 'c', n: 1, handles: ['h2'] }),
        store.delete('contract_docs', 'b'),
        store.put('contract_tokens', 't', { owner: 'o', n: 1 }),
      ];
      for (const result of await Promise.allSettled(failed)) {
        assert.equal(result.status, 'rejected');
        const err = (result as PromiseRejectedResult).reason as Error & { code?: string };
        assert.equal(err.code, 'ERR_STORE_UNAVAILABLE', String(err));
        assert.equal((err.cause as { code?: string }).code, 'ENOSPC');
      }
      assert.deepEqual(await store.get('contract_docs', 'a'), { title: 'a', n: 1, handles: ['h'] });
      assert.equal((await store.findOne('contract_docs', 'handle', 'h'))?.id, 'a');
      assert.equal(await store.get('contract_docs', 'c'), undefined);
      assert.equal(await store.findOne('contract_docs', 'handle', 'h2'), undefined);
      assert.deepEqual(await store.get('contract_docs', 'b'), { title: 'b', n: 1 });
      assert.equal(await store.get('contract_tokens', 't'), undefined);

      failing = false;
      await store.update<{ n: number }>('contract_docs', 'a', (d) => ({ ...d, n: 3 }));
      await store.create('contract_docs', 'd', { title: 'd', n: 1, handles: ['h2'] });
      await store.put('contract_tokens', 't2', { owner: 'o', n: 2 });
      await store.close();

      store = await open(dir);
      assert.deepEqual(await store.get('contract_docs', 'a'), { title: 'a', n: 3, handles: ['h'] });
      assert.deepEqual(await store.get('contract_docs', 'b'), { title: 'b', n: 1 });
      assert.equal(await store.get('contract_docs', 'c'), undefined);
      assert.equal((await store.findOne('contract_docs', 'handle', 'h2'))?.id, 'd');
      assert.equal(await store.get('contract_tokens', 't'), undefined);
      assert.deepEqual(await store.get('contract_tokens', 't2'), { owner: 'o', n: 2 });
    });

    it('writes failing at random during constant compaction: acknowledged ones survive, rejected ones never appear', async () => {
      const dir = await dirForTest();
      let seed = 12345;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      let failing = true;
      const writeHook = () => {
        if (failing && random() < 0.2) throw enospc();
      };
      let store = await open(dir, { writeHook, compactAfterBytes: 300 });
      const acked: string[] = [];
      const rejected: string[] = [];
      for (let wave = 0; wave < 60; wave++) {
        const writes = Array.from({ length: 8 }, (_, i) => {
          const id = `w${String(wave).padStart(3, '0')}-${i}`;
          return store.put('contract_events', id, { id, pad: 'y'.repeat(50) }).then(
            () => acked.push(id),
            (err: { code?: string }) => {
              assert.equal(err.code, 'ERR_STORE_UNAVAILABLE');
              rejected.push(id);
            },
          );
        });
        if (wave % 3 === 0) writes.push(store.compact().catch(() => {}));
        await Promise.all(writes);
      }
      assert.ok(acked.length > 100 && rejected.length > 20, `${acked.length} acked, ${rejected.length} rejected`);
      for (const id of rejected) assert.equal(await store.get('contract_events', id), undefined, id);
      failing = false;
      await store.close();
      store = await open(dir);
      assert.deepEqual(ids(await store.list('contract_events')), [...acked].sort());
    });
  });

  describe('compaction', () => {
    async function expectState(store: LowdbStore, expected: Map<string, unknown>): Promise<void> {
      const rows = await store.list('contract_events');
      assert.deepEqual(
        rows.map((r) => [r.id, r.value]),
        [...expected].sort(([a], [b]) => (a < b ? -1 : 1)),
      );
    }

    it('rewrites the snapshot once the journal passed compactAfterBytes and deletes old segments', async () => {
      const dir = await dirForTest();
      let store = await open(dir, { compactAfterBytes: 2048 });
      const expected = new Map<string, unknown>();
      for (let i = 0; i < 300; i++) {
        const id = `e${String(i % 120).padStart(3, '0')}`;
        if (i % 7 === 3) {
          await store.delete('contract_events', id);
          expected.delete(id);
        } else {
          const value = { i, text: `value ${i}` };
          await store.put('contract_events', id, value);
          expected.set(id, value);
        }
      }
      await store.close(); // waits for a running compaction
      const snapshot = JSON.parse(await readFile(join(dir, 'domain.json'), 'utf8'));
      assert.equal(snapshot.format, 'denglu-store/1');
      assert.ok(snapshot.seq > 100, `snapshot through #${snapshot.seq}`);
      const segments = await journalFiles(dir, 'domain');
      assert.ok(segments.length <= 2, `old segments are deleted: ${segments.join(', ')}`);
      const journalBytes = (await Promise.all(segments.map((s) => stat(join(dir, s))))).reduce((n, s) => n + s.size, 0);
      assert.ok(journalBytes < 4096, `the journal holds only what came after the snapshot (${journalBytes} bytes)`);
      store = await open(dir);
      await expectState(store, expected);
    });

    it('waits until the journal is twice the live data before rewriting a large snapshot', async () => {
      const dir = await dirForTest();
      let store = await open(dir, { compactAfterBytes: 1024 });
      const expected = new Map<string, unknown>();
      const write = async (round: number) => {
        for (let i = 0; i < 40; i++) {
          const value = { round, pad: 'x'.repeat(200) };
          await store.put('contract_events', `big${i}`, value);
          expected.set(`big${i}`, value);
        }
      };
      await write(1); // ~9 KB live, ~10 KB of journal: past the floor, not past twice the live data
      await store.close();
      await assert.rejects(readFile(join(dir, 'domain.json'), 'utf8'), /ENOENT/, 'no snapshot yet: the journal is not twice the live data');
      store = await open(dir, { compactAfterBytes: 1024 });
      await write(2);
      await write(3); // now ~30 KB of journal for ~9 KB live
      await store.close();
      const snapshot = JSON.parse(await readFile(join(dir, 'domain.json'), 'utf8'));
      assert.ok(snapshot.seq > 40, `snapshot through #${snapshot.seq}`);
      store = await open(dir);
      await expectState(store, expected);
    });

    it('an explicit compact() leaves a snapshot and one empty segment per group, and the exact state', async () => {
      const dir = await dirForTest();
      let store = await open(dir);
      const expected = new Map<string, unknown>();
      for (let i = 0; i < 50; i++) {
        expected.set(`e${i}`, { i });
        await store.put('contract_events', `e${i}`, { i });
      }
      await store.put('contract_tokens', 'gone', { owner: 'o', n: 1 }, { expiresAt: T0 + 10 });
      await store.put('contract_tokens', 'kept', { owner: 'o', n: 2 }, { expiresAt: T0 + 1000 });
      clock.set(T0 + 10);
      await store.compact();
      for (const group of ['domain', 'ephemeral']) {
        const segments = await journalFiles(dir, group);
        assert.equal(segments.length, 1, `${group}: ${segments.join(', ')}`);
        assert.equal((await stat(join(dir, segments[0]!))).size, 0);
      }
      const ephemeral = JSON.parse(await readFile(join(dir, 'ephemeral.json'), 'utf8'));
      assert.deepEqual(Object.keys(ephemeral.collections.contract_tokens), ['kept'], 'expired documents are not written');
      await store.close();
      store = await open(dir);
      await expectState(store, expected);
      assert.deepEqual(await store.get('contract_tokens', 'kept'), { owner: 'o', n: 2 });
      clock.set(T0 + 1000);
      assert.equal(await store.get('contract_tokens', 'kept'), undefined, 'the expiry is in the snapshot');
    });

    it('compact() with nothing new to compact, twice in a row, loses no later write', async () => {
      const dir = await dirForTest();
      let store = await open(dir);
      await store.compact(); // nothing written yet in either group
      await store.put('contract_events', 'a', { n: 1 });
      await store.compact();
      await store.compact();
      await store.put('contract_events', 'b', { n: 2 });
      await store.put('contract_tokens', 't', { owner: 'o', n: 1 });
      await store.close();
      store = await open(dir);
      assert.deepEqual(ids(await store.list('contract_events')), ['a', 'b']);
      assert.deepEqual(await store.get('contract_tokens', 't'), { owner: 'o', n: 1 });
    });

    it('writes concurrent with compaction are not lost', async () => {
      const dir = await dirForTest();
      let store = await open(dir, { compactAfterBytes: 1024 });
      const expected = new Map<string, unknown>();
      for (let i = 0; i < 200; i++) {
        expected.set(`pre${i}`, { i });
        await store.put('contract_events', `pre${i}`, { i });
      }
      for (let round = 0; round < 5; round++) {
        const work: Promise<unknown>[] = [store.compact()];
        for (let i = 0; i < 100; i++) {
          const id = `r${round}-${i}`;
          expected.set(id, { round, i });
          work.push(store.put('contract_events', id, { round, i }));
          if (i % 10 === 0) {
            expected.delete(`pre${round * 20 + i / 10}`);
            work.push(store.delete('contract_events', `pre${round * 20 + i / 10}`));
          }
          if (i % 25 === 0) work.push(store.compact());
        }
        await Promise.all(work);
      }
      await expectState(store, expected);
      await store.close();
      store = await open(dir);
      await expectState(store, expected);
    });
  });

  describe('kill -9 and torn lines', () => {
    /** A small deterministic generator, so a failing round can be replayed. */
    function seeded(seed: number) {
      return () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
    }

    /** What a round acknowledged, checked against a reopened store: every acknowledged write, whole. */
    interface Acknowledged {
      docs: Map<string, number>; // id → pad length
      tokens: Set<string>;
      counted: number;
    }

    async function expectAcknowledged(dir: string, ack: Acknowledged, round: number): Promise<void> {
      const store = await LowdbStore.open({ dir, clock: systemClock, collections: CONTRACT_COLLECTIONS });
      try {
        for (const [id, pad] of ack.docs) {
          const value = await store.get<{ id: string; pad: string; len: number }>('contract_events', id);
          assert.ok(value, `round ${round}: acknowledged ${id} is missing`);
          assert.equal(value.id, id);
          assert.equal(value.len, pad);
          assert.equal(value.pad, 'x'.repeat(pad));
        }
        for (const { id, value } of await store.list<{ id: string; pad: string; len: number }>('contract_events')) {
          assert.equal(value.id, id, 'unacknowledged writes that did land are whole too');
          assert.equal(value.pad, 'x'.repeat(value.len));
        }
        for (const id of ack.tokens) assert.ok(await store.get('contract_tokens', id), `round ${round}: token ${id} is missing`);
        const counter = await store.get<{ n: number }>('contract_docs', 'counter');
        assert.ok(ack.counted === 0 || (counter && counter.n >= ack.counted), `round ${round}: counter ${counter?.n} < acknowledged ${ack.counted}`);
      } finally {
        await store.close();
      }
    }

    it('a writer killed at random moments, or mid-write at a random byte offset, never loses an acknowledged write nor corrupts the store', async function () {
      this.timeout(240_000); // 8 child processes: a few seconds here, longer on a contended host
      const dir = await dirForTest();
      // Even rounds tear: the child dies inside its n-th journal write, leaving a torn line; the round after
      // appends to that same journal, so the torn bytes must have been cut off on open or its lines are lost.
      const ROUNDS = 8;
      const ack: Acknowledged = { docs: new Map(), tokens: new Set(), counted: 0 };
      const random = seeded(4242);
      let torn = 0;

      for (let round = 0; round < ROUNDS; round++) {
        const tear = round % 2 === 0;
        const compactAfter = round % 4 === 3 ? 4096 : 16 * 1024 * 1024;
        const args = [dir, `r${String(round).padStart(2, '0')}`, String(compactAfter)];
        if (tear) args.push(`${2 + Math.floor(random() * 30)}:${random().toFixed(4)}`);
        const child = startFixture('torture-writer.ts', args);
        const killAfterAcks = 1 + Math.floor(random() * 60);
        const extraDelay = Math.floor(random() * 20);
        let acks = 0;
        let pending = '';
        let killTimer: NodeJS.Timeout | undefined;
        const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
        child.stdout.on('data', (chunk: Buffer) => {
          pending += chunk.toString('utf8');
          const lines = pending.split('\n');
          pending = lines.pop()!;
          for (const line of lines) {
            const [kind, a, b] = line.split(' ');
            if (kind === 'doc') ack.docs.set(a!, Number(b));
            else if (kind === 'tok') ack.tokens.add(a!);
            else if (kind === 'count') ack.counted = Math.max(ack.counted, Number(a));
            else assert.fail(`unexpected line from the writer: ${line}`);
            if (++acks === killAfterAcks && !tear) killTimer = setTimeout(() => child.kill('SIGKILL'), extraDelay);
          }
        });
        const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
        const signal = await exited;
        clearTimeout(guard);
        clearTimeout(killTimer);
        assert.equal(signal, 'SIGKILL', `round ${round}: the writer was killed`);
        if (tear) torn += (await tornJournals(dir)).length;
        else assert.ok(acks >= killAfterAcks, `round ${round}: the writer died early after ${acks} acks`);
        await expectAcknowledged(dir, ack, round);
      }
      assert.ok(torn >= ROUNDS / 4, `the tearing rounds left torn lines (${torn})`);
      assert.ok(ack.docs.size > ROUNDS, `${ack.docs.size} documents acknowledged`);
    });

    it('240 torn tails at random byte offsets: each is cut off on open, and the writes after it survive the next open', async function () {
      this.timeout(120_000);
      const dir = await dirForTest();
      const ROUNDS = 240;
      const random = seeded(7);
      const docs = new Map<string, string>(); // id → title
      const tokens = new Set<string>();
      let seq = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const store = await open(dir, { ephemeralSyncMs: 0 });
        // Exactly what was acknowledged: nothing lost, nothing of a torn line applied.
        assert.deepEqual(
          (await store.list<{ title: string }>('contract_events')).map(({ id, value }) => [id, value.title]).sort(),
          [...docs].sort(),
          `round ${round}: the documents after reopening`,
        );
        assert.deepEqual((await store.list('contract_tokens')).map(({ id }) => id).sort(), [...tokens].sort(), `round ${round}: the tokens`);
        // One to three acknowledged writes (more than one line after the tear, or the last one).
        for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i++) {
          const id = `e${++seq}`;
          const title = `登录 ${id} ${'x'.repeat(Math.floor(random() * 200))}`;
          await store.put('contract_events', id, { title });
          docs.set(id, title);
        }
        await store.put('contract_tokens', `t${seq}`, { owner: 'torn', n: seq });
        tokens.add(`t${seq}`);
        if (round % 60 === 59) await store.compact(); // then the tear lands in a fresh, empty segment
        await store.close();
        stores.splice(stores.indexOf(store), 1);

        // The process died while appending the next line: a random prefix of it is all that reached the file.
        const group = round % 4 === 3 ? 'ephemeral' : 'domain';
        const segment = join(dir, (await journalFiles(dir, group)).at(-1)!);
        const collection = group === 'domain' ? 'contract_events' : 'contract_tokens';
        const line = Buffer.from(
          `{"s":${10_000_000 + round},"o":[["p","${collection}","torn-${round}",{"title":"登录 torn ${'y'.repeat(Math.floor(random() * 300))}","owner":"torn","n":${round}}]]}\n`,
        );
        const cut = 1 + Math.floor(random() * (line.length - 1)); // 1 … length-1: never the whole line with its newline
        await appendFile(segment, line.subarray(0, cut));
      }
      const store = await open(dir);
      assert.deepEqual((await store.list<{ title: string }>('contract_events')).map(({ id, value }) => [id, value.title]).sort(), [...docs].sort());
      assert.equal(await store.get('contract_events', `torn-${ROUNDS - 1}`), undefined);
    });

    /** Journal segments whose last line is torn (no final newline). */
    async function tornJournals(dir: string): Promise<string[]> {
      const out: string[] = [];
      for (const name of (await readdir(dir)).filter((n) => n.endsWith('.journal'))) {
        const text = await readFile(join(dir, name), 'utf8');
        if (text.length > 0 && !text.endsWith('\n')) out.push(name);
      }
      return out;
    }
  });

  describe('documents held as text', () => {
    const asText = CONTRACT_COLLECTIONS.map((c) => ({ ...c, heldAsText: !c.cached }));

    async function fill(store: LowdbStore): Promise<void> {
      await store.put('contract_docs', 'a', { title: 'ä "quoted" \\ 登录', n: 1, handles: ['ha'], tags: ['t'] });
      await store.put('contract_docs', 'b', { title: 'b', n: 2.5, tags: ['t'] });
      await store.update<{ n: number }>('contract_docs', 'b', (d) => ({ ...d, n: d.n + 1 }));
      await store.put('contract_tokens', 'k', { owner: 'o', n: 3 }, { expiresAt: T0 + 1000 });
      await store.delete('contract_docs', 'missing');
    }

    it("writes the same snapshot bytes as the object layout, and each layout opens the other's files", async () => {
      const [objDir, textDir] = [await dirForTest(), await dirForTest()];
      const objStore = await open(objDir);
      const textStore = await open(textDir, { collections: asText });
      await fill(objStore);
      await fill(textStore);
      await objStore.compact();
      await textStore.compact();
      for (const group of ['domain', 'ephemeral']) {
        const strip = (t: string) => t.replace(/"savedAt":"[^"]*"/, '');
        assert.equal(strip(await readFile(join(textDir, `${group}.json`), 'utf8')), strip(await readFile(join(objDir, `${group}.json`), 'utf8')), group);
      }
      await objStore.close();
      await textStore.close();
      // Swapped: the text layout reads the object layout's files and the reverse.
      for (const [dir, collections] of [
        [objDir, asText],
        [textDir, CONTRACT_COLLECTIONS],
      ] as const) {
        const store = await open(dir, { collections });
        assert.deepEqual(await store.get('contract_docs', 'a'), { title: 'ä "quoted" \\ 登录', n: 1, handles: ['ha'], tags: ['t'] });
        assert.equal((await store.get<{ n: number }>('contract_docs', 'b'))!.n, 3.5);
        assert.deepEqual(ids(await store.list('contract_docs', { index: { name: 'tag', key: 't' } })), ['a', 'b']);
        assert.equal((await store.findOne('contract_docs', 'handle', 'ha'))?.id, 'a');
        assert.deepEqual(await store.get('contract_tokens', 'k'), { owner: 'o', n: 3 });
        await store.close();
      }
    });

    it('hands out a fresh copy on every read, so no reader can change what another reads', async () => {
      const store = await open(await dirForTest(), { collections: asText });
      await store.put('contract_docs', 'a', { title: 'a', n: 1, tags: ['t'] });
      const first = await store.get<{ n: number; tags: string[] }>('contract_docs', 'a');
      first!.n = 99;
      first!.tags.push('changed');
      assert.deepEqual(await store.get('contract_docs', 'a'), { title: 'a', n: 1, tags: ['t'] });
      assert.notEqual(await store.get('contract_docs', 'a'), await store.get('contract_docs', 'a'));
    });

    it('moves a text record between index keys on overwrite, delete, rollback and sweep, and refuses a duplicate create, without parsing a document', async () => {
      const store = await open(await dirForTest(), { collections: asText });
      await store.put('contract_docs', 'a', { title: 'a', n: 1, handles: ['h1'], tags: ['t1', 't2'] });
      await store.put('contract_docs', 'b', { title: 'b', n: 2, tags: ['t2'] }, { expiresAt: T0 + 1000 });
      const parse = JSON.parse;
      const parsed: string[] = [];
      JSON.parse = ((text: string, ...rest: any[]) => {
        parsed.push(text);
        return (parse as any)(text, ...rest);
      }) as typeof JSON.parse;
      try {
        await store.put('contract_docs', 'a', { title: 'a2', n: 1, handles: ['h2'], tags: ['t3'] });
        await assert.rejects(store.create('contract_docs', 'a', { title: 'dup', n: 0, tags: [] }), /already/);
        // Rolled back: the second op is refused after the first was applied.
        await assert.rejects(
          store.batch([
            { op: 'put', collection: 'contract_docs', id: 'c', value: { title: 'c', n: 3, tags: ['t4'] } },
            { op: 'create', collection: 'contract_docs', id: 'a', value: { title: 'dup', n: 0, tags: [] } },
          ]),
          /already/,
        );
        await store.delete('contract_docs', 'missing');
        clock.advance(2000);
        await store.sweepExpired();
      } finally {
        JSON.parse = parse;
      }
      // Not even the ERR_ALREADY_EXISTS checks parse a stored document.
      assert.deepEqual(
        parsed.filter((t) => t.includes('"title"')),
        [],
      );
      assert.equal(await store.get('contract_docs', 'c'), undefined);
      assert.equal(await store.get('contract_docs', 'b'), undefined);
      assert.deepEqual(ids(await store.list('contract_docs', { index: { name: 'tag', key: 't4' } })), []);
      assert.equal(await store.findOne('contract_docs', 'handle', 'h1'), undefined);
      assert.equal((await store.findOne('contract_docs', 'handle', 'h2'))?.id, 'a');
      assert.deepEqual(ids(await store.list('contract_docs', { index: { name: 'tag', key: 't2' } })), []);
      assert.deepEqual(ids(await store.list('contract_docs', { index: { name: 'tag', key: 't3' } })), ['a']);
      await store.delete('contract_docs', 'a');
      assert.deepEqual(ids(await store.list('contract_docs', { index: { name: 'tag', key: 't3' } })), []);
      await store.close();
    });
  });

  describe('a big store', () => {
    it('compacting 100,000 documents yields to the event loop while it writes', async function () {
      this.timeout(60_000);
      const dir = await dirForTest();
      let store = await open(dir);
      const N = 100_000;
      const loadStarted = Date.now();
      const batches: Promise<void>[] = [];
      for (let b = 0; b < N / 1000; b++) {
        batches.push(
          store.batch(
            Array.from({ length: 1000 }, (_, i) => {
              const n = b * 1000 + i;
              const id = `acct-${String(n).padStart(6, '0')}`;
              return { op: 'put' as const, collection: 'contract_docs', id, value: { title: id, n, handles: [`h${n}`] } };
            }),
          ),
        );
      }
      await Promise.all(batches);
      const loadMs = Date.now() - loadStarted;

      // How much work runs between two turns of the event loop, counted rather than timed (a busy host
      // stretches any delay): every document written to the snapshot is serialised (JSON.stringify), and a
      // snapshot written in chunks of 1,000 records lets the loop turn after each chunk; one serialised in a
      // single piece runs all 100,000 without a turn.
      let sinceTurn = 0;
      let mostBetweenTurns = 0;
      let compacting = true;
      const spin = () => {
        if (!compacting) return;
        sinceTurn = 0;
        setImmediate(spin);
      };
      const stringify = JSON.stringify;
      JSON.stringify = ((...args: Parameters<typeof JSON.stringify>) => {
        mostBetweenTurns = Math.max(mostBetweenTurns, ++sinceTurn);
        return stringify(...args);
      }) as typeof JSON.stringify;
      const histogram = monitorEventLoopDelay({ resolution: 5 });
      histogram.enable();
      const compactStarted = Date.now();
      setImmediate(spin);
      try {
        await store.compact();
      } finally {
        compacting = false;
        JSON.stringify = stringify;
      }
      const compactMs = Date.now() - compactStarted;
      histogram.disable();
      console.log(
        `      big store: loaded ${N} documents in ${loadMs} ms; compact() took ${compactMs} ms, at most ${mostBetweenTurns} serialisations ` +
          `between two event-loop turns, longest event-loop delay ${(histogram.max / 1e6).toFixed(1)} ms`,
      );
      assert.ok(mostBetweenTurns > 0, 'the compaction serialised documents');
      assert.ok(mostBetweenTurns <= 10_000, `${mostBetweenTurns} documents serialised without letting the event loop turn`);

      await store.close();
      const reopenStarted = Date.now();
      store = await open(dir);
      console.log(`      big store: reopened from the snapshot in ${Date.now() - reopenStarted} ms`);
      assert.equal(await store.count('contract_docs'), N);
      assert.equal((await store.findOne('contract_docs', 'handle', 'h77777'))?.id, 'acct-077777');
    });
  });
});

function ids(rows: { id: string }[]): string[] {
  return rows.map((r) => r.id);
}
