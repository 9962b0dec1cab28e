// What a request already knows of the PostgreSQL store (src/store/request-reads.ts): within one request
// scope a repeated read is answered without a round trip, a request's own writes are what it reads back,
// an update of a document it read is one conditional statement, and nothing of this weakens a guarantee:
// a change made meanwhile by another instance makes that update take the locked path on the current
// document (no lost write), concurrent single-use marks in two requests let one win, and a closed scope
// (the response is over) reads the database again.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { inRequestScope } from '../../src/store/request-reads.ts';
import { freshDatabase, postgresAvailable, type TestDatabase, watchStatements } from '../support/postgres.ts';
import { CONTRACT_COLLECTIONS, type ContractDoc } from './store.contract.ts';

const T0 = Date.parse('2013-09-01T00:00:00Z');
const DOCS = 'contract_docs';

describe('postgres store: reads within one request', function () {
  this.timeout(20_000);
  let db: TestDatabase;
  let store: PostgresStore;
  let other: PostgresStore;
  const clock = new ManualClock(T0);
  let sent = 0;
  let unwatch = () => {};

  /** Runs `fn` as one request; `end()` closes it as a finished response would. */
  function request<T>(fn: (end: () => void) => Promise<T>): Promise<T> {
    let close = () => {};
    return inRequestScope(
      (c) => {
        close = c;
      },
      () => fn(() => close()),
    );
  }

  async function roundTrips(call: () => Promise<unknown>): Promise<number> {
    sent = 0;
    await call();
    return sent;
  }

  before(async function () {
    if (!(await postgresAvailable())) this.skip();
    db = await freshDatabase('request_reads');
    store = await PostgresStore.open({ url: db.url, clock, collections: CONTRACT_COLLECTIONS });
    other = await PostgresStore.open({ url: db.url, clock, collections: CONTRACT_COLLECTIONS });
    unwatch = watchStatements(() => {
      sent++;
    });
  });

  after(async () => {
    unwatch();
    await store?.close();
    await other?.close();
    await db?.drop();
  });

  it('a repeated get or find in one request is one round trip; outside a request each is one', async () => {
    await store.create<ContractDoc>(DOCS, 'r1', { title: 'r1', n: 1, handles: ['r1h'] });
    await request(async () => {
      assert.equal(await roundTrips(() => store.get(DOCS, 'r1')), 1);
      assert.equal(await roundTrips(() => store.get(DOCS, 'r1')), 0);
      assert.equal(await roundTrips(() => store.findOne(DOCS, 'handle', 'r1h')), 1);
      assert.equal(await roundTrips(() => store.findOne(DOCS, 'handle', 'r1h')), 0);
      assert.equal(await roundTrips(() => store.get(DOCS, 'absent')), 1);
      assert.equal(await roundTrips(async () => assert.equal(await store.get(DOCS, 'absent'), undefined)), 0);
    });
    assert.equal(await roundTrips(() => store.get(DOCS, 'r1')), 1);
    assert.equal(await roundTrips(() => store.get(DOCS, 'r1')), 1);
  });

  it('what a request reads is a copy: mutating it changes neither the store nor the next read', async () => {
    await store.create<ContractDoc>(DOCS, 'r2', { title: 'r2', n: 1 });
    await request(async () => {
      const first = (await store.get<ContractDoc>(DOCS, 'r2'))!;
      first.n = 99;
      assert.equal((await store.get<ContractDoc>(DOCS, 'r2'))?.n, 1);
    });
    assert.equal((await other.get<ContractDoc>(DOCS, 'r2'))?.n, 1);
  });

  it('a request reads back its own writes and deletes; its index lookups follow its writes', async () => {
    await request(async () => {
      const written = { title: 'w', n: 1, handles: ['wh'] };
      await store.put<ContractDoc>(DOCS, 'r3', written);
      written.n = 50;
      assert.equal(await roundTrips(async () => assert.equal((await store.get<ContractDoc>(DOCS, 'r3'))?.n, 1)), 0);
      assert.equal((await store.findOne<ContractDoc>(DOCS, 'handle', 'wh'))?.id, 'r3');
      await store.put<ContractDoc>(DOCS, 'r3', { title: 'w', n: 2, handles: ['wh2'] });
      assert.equal(await store.findOne(DOCS, 'handle', 'wh'), undefined, 'the lookup before the write is forgotten');
      await store.delete(DOCS, 'r3');
      assert.equal(await roundTrips(async () => assert.equal(await store.get(DOCS, 'r3'), undefined)), 0);
    });
  });

  it('an update of a document the request read is one statement, and later reads see it', async () => {
    await store.create<ContractDoc>(DOCS, 'r4', { title: 'r4', n: 1, handles: ['r4a'] });
    await request(async () => {
      await store.get(DOCS, 'r4');
      assert.equal(await roundTrips(() => store.update<ContractDoc>(DOCS, 'r4', (d) => ({ ...d, n: d.n + 1, handles: ['r4b'] }))), 1);
      assert.equal(await roundTrips(() => store.update<ContractDoc>(DOCS, 'r4', (d) => ({ ...d, n: d.n + 1 }))), 1);
      assert.equal(await roundTrips(async () => assert.equal((await store.get<ContractDoc>(DOCS, 'r4'))?.n, 3)), 0);
    });
    assert.equal((await other.get<ContractDoc>(DOCS, 'r4'))?.n, 3);
    assert.equal((await other.findOne<ContractDoc>(DOCS, 'handle', 'r4b'))?.id, 'r4', 'index keys written with the conditional update');
    assert.equal(await other.findOne(DOCS, 'handle', 'r4a'), undefined);
  });

  it('changed by another instance after the request read it: the update applies to the current document, no write lost', async () => {
    await store.create<ContractDoc>(DOCS, 'r5', { title: 'r5', n: 1 });
    await request(async () => {
      assert.equal((await store.get<ContractDoc>(DOCS, 'r5'))?.n, 1);
      await other.update<ContractDoc>(DOCS, 'r5', (d) => ({ ...d, n: 10 }));
      const seen: number[] = [];
      const next = await store.update<ContractDoc>(DOCS, 'r5', (d) => {
        seen.push(d.n);
        return { ...d, n: d.n + 1 };
      });
      assert.deepEqual(seen, [1, 10], 'fn ran on the version read, then on the current one');
      assert.equal(next.n, 11);
    });
    assert.equal((await other.get<ContractDoc>(DOCS, 'r5'))?.n, 11);
  });

  it('deleted by another instance after the request read it: the update finds nothing and resurrects nothing', async () => {
    await store.create<ContractDoc>(DOCS, 'r6', { title: 'r6', n: 1 });
    await request(async () => {
      await store.get(DOCS, 'r6');
      await other.delete(DOCS, 'r6');
      await assert.rejects(
        store.update<ContractDoc>(DOCS, 'r6', (d) => ({ ...d, n: 2 })),
        (err: { code?: string }) => err.code === 'ERR_NOT_FOUND',
      );
    });
    assert.equal(await other.get(DOCS, 'r6'), undefined);
  });

  it('two requests that both read a code and mark it used: exactly one mark succeeds', async () => {
    await store.create<ContractDoc>(DOCS, 'code', { title: 'unused', n: 0 });
    const mark = () =>
      request(async () => {
        await store.get(DOCS, 'code');
        await new Promise((resolve) => setImmediate(resolve));
        try {
          await store.update<ContractDoc>(DOCS, 'code', (d) => {
            if (d.title === 'used') throw new Error('already used');
            return { ...d, title: 'used', n: d.n + 1 };
          });
          return true;
        } catch {
          return false;
        }
      });
    const results = await Promise.all(Array.from({ length: 10 }, mark));
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal((await other.get<ContractDoc>(DOCS, 'code'))?.n, 1);
  });

  it('after the response closed, reads go to the database again', async () => {
    await store.create<ContractDoc>(DOCS, 'r7', { title: 'r7', n: 1 });
    await request(async (end) => {
      await store.get(DOCS, 'r7');
      await other.update<ContractDoc>(DOCS, 'r7', (d) => ({ ...d, n: 2 }));
      assert.equal((await store.get<ContractDoc>(DOCS, 'r7'))?.n, 1, 'within the request: as first read');
      end();
      assert.equal((await store.get<ContractDoc>(DOCS, 'r7'))?.n, 2);
    });
  });
});
