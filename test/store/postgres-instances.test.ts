// Two PostgreSQL stores (two pools, as two gateway instances have) on one database: every guarantee of the
// Store holds across them because it comes from the database: single-use take, no lost update, unique
// keys, change notifications, the cached copy at most a second stale, once-per-cluster jobs, upsertMany
// on overlapping ids without a lost update or a deadlock.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';
import { CONTRACT_COLLECTIONS, type CachedDoc, type ContractDoc, type ContractToken } from './store.contract.ts';

const T0 = Date.parse('2013-09-01T00:00:00Z');

async function within<T>(ms: number, what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    assert.ok(Date.now() - started < ms, `${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('postgres store: two instances on one database', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let a: PostgresStore;
  let b: PostgresStore;
  const clock = new ManualClock(T0);

  before(async function () {
    if (!(await postgresAvailable())) this.skip();
  });

  beforeEach(async () => {
    db = await freshDatabase('instances');
    [a, b] = await Promise.all([
      PostgresStore.open({ url: db.url, clock, collections: CONTRACT_COLLECTIONS }),
      PostgresStore.open({ url: db.url, clock, collections: CONTRACT_COLLECTIONS }),
    ]);
  });

  afterEach(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('20 concurrent takes of one id over both: exactly one gets it', async () => {
    await a.create('contract_tokens', 'code', { owner: 'o', n: 1 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).take<ContractToken>('contract_tokens', 'code')));
    assert.deepEqual(
      results.filter((r) => r !== undefined),
      [{ owner: 'o', n: 1 }],
    );
  });

  it('20 concurrent updates over both: no lost update', async () => {
    await a.create('contract_docs', 'counter', { title: 'counter', n: 0 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).update<ContractDoc>('contract_docs', 'counter', (d) => ({ ...d, n: d.n + 1 }))),
    );
    assert.deepEqual(
      results.map((r) => r.n).sort((x, y) => x - y),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    assert.equal((await b.get<ContractDoc>('contract_docs', 'counter'))?.n, 20);
  });

  it('concurrent creates of documents sharing a unique key over both: exactly one wins', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).create('contract_docs', `d${i}`, { title: `d${i}`, n: i, handles: ['shared'] })),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code?: string }).code, 'ERR_CONFLICT');
    assert.equal(await a.count('contract_docs'), 1);
  });

  it("watch on B hears A's writes within a second", async () => {
    const heard: (string | undefined)[] = [];
    const stop = b.watch('contract_docs', (id) => heard.push(id));
    try {
      await a.put('contract_docs', 'x', { title: 'x', n: 0 });
      await within(1000, 'B heard the put', async () => (heard.includes('x') ? true : undefined));
      await a.delete('contract_docs', 'x');
      await within(1000, 'B heard the delete', async () => (heard.filter((id) => id === 'x').length === 2 ? true : undefined));
    } finally {
      stop();
    }
  });

  it('a cached document changed on A is seen on B within a second, notified or not', async () => {
    await a.put('contract_cached', 'p', { name: 'before', clients: ['c'] });
    const before = await b.get<CachedDoc>('contract_cached', 'p');
    assert.equal(before?.name, 'before');
    assert.equal(await b.get('contract_cached', 'p'), before, 'B serves its copy');
    await a.put('contract_cached', 'p', { name: 'after', clients: ['c'] });
    await within(1000, 'B sees the change', async () => ((await b.get<CachedDoc>('contract_cached', 'p'))?.name === 'after' ? true : undefined));
    // A change nobody was told about (written behind the store's back): the copy is at most a second stale.
    await a.database.query(`UPDATE documents SET doc = '{"name":"silent","clients":["c"]}' WHERE collection = 'contract_cached' AND id = 'p'`);
    const started = Date.now();
    await within(1500, 'B sees the silent change', async () => ((await b.get<CachedDoc>('contract_cached', 'p'))?.name === 'silent' ? true : undefined));
    assert.ok(Date.now() - started <= 1200, `at most a second stale (took ${Date.now() - started} ms)`);
  });

  it('batches locking the same documents in opposite orders on both all succeed (a deadlock victim runs again)', async () => {
    await a.create('contract_docs', 'x', { title: 'x', n: 0 });
    await a.create('contract_docs', 'y', { title: 'y', n: 0 });
    const bump = (id: string) => ({ op: 'update' as const, collection: 'contract_docs', id, fn: (d: ContractDoc) => ({ ...d, n: d.n + 1 }) });
    for (let round = 0; round < 4; round++) {
      await Promise.all([a.batch([bump('x'), bump('y')]), b.batch([bump('y'), bump('x')])]);
    }
    assert.equal((await a.get<ContractDoc>('contract_docs', 'x'))?.n, 8);
    assert.equal((await b.get<ContractDoc>('contract_docs', 'y'))?.n, 8);
  });

  it('exclusive runs once across both instances', async () => {
    let runs = 0;
    const job = async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 200));
      return runs;
    };
    const results = await Promise.all([a.exclusive('sweep', job), b.exclusive('sweep', job), a.exclusive('sweep', job), b.exclusive('sweep', job)]);
    assert.equal(results.filter((r) => r.ran).length, 1);
    assert.equal(runs, 1);
    assert.deepEqual(await b.exclusive('sweep', async () => 'later'), { ran: true, value: 'later' });
  });
  it('upsertMany over both on overlapping ids, absent and present, in any order: no lost update, no deadlock', async () => {
    const pool = Array.from({ length: 40 }, (_, i) => `id-${i}`);
    const bump = (ids: readonly string[]) =>
      ids.map((id) => ({ id, fn: (c: ContractDoc | undefined) => ({ title: id, n: (c?.n ?? 0) + 1, tags: ['bumped'] }) }));
    await a.upsertMany('contract_docs', bump(pool.filter((_, i) => i % 3 === 0))); // a third exist beforehand
    const expected = new Map(pool.map((id, i) => [id, i % 3 === 0 ? 1 : 0]));
    const deadlocks = async () =>
      (await a.database.query('SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()')).rows[0].n as number;
    const before = await deadlocks();
    const calls: Promise<void>[] = [];
    for (let k = 0; k < 24; k++) {
      const mine = pool.filter((_, i) => (i + k) % 4 !== 0 && (i * 7 + k) % 5 !== 0);
      if (k % 2) mine.reverse();
      for (const id of mine) expected.set(id, expected.get(id)! + 1);
      calls.push((k % 2 ? a : b).upsertMany('contract_docs', bump(mine)));
    }
    await Promise.all(calls);
    for (const id of pool) assert.equal((await a.get<ContractDoc>('contract_docs', id))?.n ?? 0, expected.get(id), id);
    assert.equal((await b.find('contract_docs', 'tag', 'bumped')).length, pool.length);
    const { rows } = await a.database.query("SELECT count(*)::int AS n FROM index_keys WHERE collection = 'contract_docs'");
    assert.equal(rows[0].n, pool.length, 'every document has its index key once');
    await new Promise((resolve) => setTimeout(resolve, 1200)); // the server publishes its counters after a second idle
    assert.equal(await deadlocks(), before, 'the database detected no deadlock');
  });
});
