// What each call of the PostgreSQL store costs in round trips to the database (issue 14 §7: a login's
// store calls are most of its cost): one for a read, a create, a put, a delete or a take; three for an
// update (BEGIN with the row lock, the prepared write, COMMIT), however many index keys change; four for an
// upsertMany of up to 500 documents.

import assert from 'node:assert/strict';
import pg from 'pg';
import { ManualClock } from '../../src/clock.ts';
import { quoted } from '../../src/store/postgres/document-writes.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { freshDatabase, postgresAvailable, type TestDatabase, watchStatements } from '../support/postgres.ts';
import { CONTRACT_COLLECTIONS, type ContractDoc } from './store.contract.ts';

const T0 = Date.parse('2013-09-01T00:00:00Z');

describe('postgres store: round trips per call', function () {
  this.timeout(20_000);
  let db: TestDatabase;
  let store: PostgresStore;
  const clock = new ManualClock(T0);
  let sent = 0;
  let unwatch = () => {};

  /** The queries `call` sent. */
  async function roundTrips(call: () => Promise<unknown>): Promise<number> {
    sent = 0;
    await call();
    return sent;
  }

  before(async function () {
    if (!(await postgresAvailable())) this.skip();
    db = await freshDatabase('round_trips');
    store = await PostgresStore.open({ url: db.url, clock, collections: CONTRACT_COLLECTIONS });
    unwatch = watchStatements(() => {
      sent++;
    });
  });

  after(async () => {
    unwatch();
    await store?.close();
    await db?.drop();
  });

  it('one for get, create, put, delete and take; three for an update', async () => {
    assert.equal(await roundTrips(() => store.create<ContractDoc>('contract_docs', 'a', { title: 'a', n: 0, handles: ['h1'], tags: ['t'] })), 1);
    assert.equal(await roundTrips(() => store.put<ContractDoc>('contract_docs', 'a', { title: 'a', n: 1, handles: ['h2'], tags: ['t'] })), 1);
    assert.equal(await roundTrips(() => store.get('contract_docs', 'a')), 1);
    assert.equal(await roundTrips(() => store.update<ContractDoc>('contract_docs', 'a', (d) => ({ ...d, n: 2, handles: ['h3'] }))), 3);
    assert.equal(await roundTrips(() => store.update<ContractDoc>('contract_docs', 'a', (d) => ({ ...d, n: 3 }))), 3);
    assert.equal(await roundTrips(() => store.create('contract_tokens', 't', { owner: 'o', n: 1 })), 1);
    assert.equal(await roundTrips(() => store.take('contract_tokens', 't')), 1);
    assert.equal(await roundTrips(() => store.delete('contract_docs', 'a')), 1);
  });

  it('an update is committed with its index keys, and a failed one rolls back and leaves its connection clean', async () => {
    await store.create<ContractDoc>('contract_docs', 'b', { title: 'b', n: 0, handles: ['hb'] });
    await store.create<ContractDoc>('contract_docs', 'c', { title: 'c', n: 0, handles: ['hc'] });
    await store.update<ContractDoc>('contract_docs', 'b', (d) => ({ ...d, n: 1, handles: ['hb2'] }));
    const other = await PostgresStore.open({ url: db.url, clock, collections: CONTRACT_COLLECTIONS });
    try {
      assert.equal((await other.findOne<ContractDoc>('contract_docs', 'handle', 'hb2'))?.value.n, 1);
      assert.equal(await other.findOne('contract_docs', 'handle', 'hb'), undefined);
      await assert.rejects(
        store.update<ContractDoc>('contract_docs', 'b', (d) => ({ ...d, n: 2, handles: ['hc'] })),
        (err: { code?: string }) => err.code === 'ERR_CONFLICT',
      );
      assert.equal((await other.get<ContractDoc>('contract_docs', 'b'))?.n, 1);
      // The connection went back to the pool clean: the next update on it commits.
      await store.update<ContractDoc>('contract_docs', 'b', (d) => ({ ...d, n: 3, title: "it's \\ “quoted” 😀" }));
      assert.equal((await other.get<ContractDoc>('contract_docs', 'b'))?.title, "it's \\ “quoted” 😀");
    } finally {
      await other.close();
    }
  });

  it('the lock of an update quotes its collection and id exactly as pg escapes literals', async () => {
    for (const text of ['', 'plain', "it's", "''", '\\', "a\\'b", '{"a":"\\"x\\""}', '“中文” 😀', "E'x'"]) {
      assert.equal(quoted(text), pg.escapeLiteral(text), text);
      const { rows } = await store.database.query(`SELECT ${quoted(text)}::text AS t`);
      assert.equal(rows[0].t, text);
      await store.create('contract_tokens', `id ${text}`, { owner: 'o', n: 1 });
      assert.equal((await store.update<{ owner: string; n: number }>('contract_tokens', `id ${text}`, (d) => ({ ...d, n: 2 }))).n, 2);
    }
  });
  it('four for an upsertMany (BEGIN, the lock, the write, COMMIT) of 3 documents as of 300; two more per further 500', async () => {
    const bump = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, fn: (c: ContractDoc | undefined) => ({ title: prefix, n: (c?.n ?? 0) + 1, tags: ['t'] }) }));
    assert.equal(await roundTrips(() => store.upsertMany('contract_docs', bump(3, 'few'))), 4);
    assert.equal(await roundTrips(() => store.upsertMany('contract_docs', bump(300, 'many'))), 4, 'creating 300');
    assert.equal(await roundTrips(() => store.upsertMany('contract_docs', bump(300, 'many'))), 4, 'updating 300');
    assert.equal(await roundTrips(() => store.upsertMany('contract_docs', bump(1200, 'more'))), 2 + 2 * 3, 'three chunks');
    assert.equal((await store.get<ContractDoc>('contract_docs', 'many-299'))?.n, 2);
  });
});
