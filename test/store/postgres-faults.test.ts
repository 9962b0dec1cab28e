// What the PostgreSQL store does when the database cannot serve: an exhausted pool waits at most
// DB_POOL_WAIT_MS, a statement past DB_STATEMENT_TIMEOUT_MS is cancelled, an unreachable database fails
// the open; each as ERR_STORE_UNAVAILABLE (503) with no password in the message, and the store serves
// again as soon as the database can.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { createStore } from '../../src/store/create-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';
import { CONTRACT_COLLECTIONS } from './store.contract.ts';

function unavailable(err: unknown): true {
  assert.equal((err as { code?: string }).code, 'ERR_STORE_UNAVAILABLE', String(err));
  assert.equal((err as { status?: number }).status, 503);
  return true;
}

describe('postgres store: faults', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  const clock = new ManualClock(Date.parse('2013-09-01T00:00:00Z'));

  before(async function () {
    if (!(await postgresAvailable())) this.skip();
    db = await freshDatabase('faults');
  });
  after(async () => {
    await db?.drop();
  });

  it('an exhausted pool fails a query with ERR_STORE_UNAVAILABLE within the wait bound, then recovers', async () => {
    const store = await PostgresStore.open({ url: db.url, clock, collections: CONTRACT_COLLECTIONS, pool: { max: 1, waitMs: 300 } });
    try {
      const held = await store.database.pool.connect();
      const started = Date.now();
      await assert.rejects(store.get('contract_docs', 'a'), (err: Error) => {
        unavailable(err);
        assert.match(err.message, /DB_POOL_WAIT_MS/);
        return true;
      });
      const waited = Date.now() - started;
      assert.ok(waited >= 250 && waited < 1500, `waited ${waited} ms for a 300 ms bound`);
      held.release();
      await store.put('contract_docs', 'a', { title: 'a', n: 0 });
      assert.ok(await store.get('contract_docs', 'a'));
    } finally {
      await store.close();
    }
  });

  it('a statement past the statement timeout fails with ERR_STORE_UNAVAILABLE, and the store goes on', async () => {
    const store = await PostgresStore.open({ url: db.url, clock, collections: CONTRACT_COLLECTIONS, pool: { statementTimeoutMs: 200 } });
    try {
      const started = Date.now();
      await assert.rejects(store.database.query('SELECT pg_sleep(3)'), (err: Error) => {
        unavailable(err);
        assert.match(err.message, /statement timeout/);
        return true;
      });
      assert.ok(Date.now() - started < 1500, 'cancelled near the timeout');
      await store.put('contract_docs', 'b', { title: 'b', n: 0 });
      assert.ok(await store.get('contract_docs', 'b'));
    } finally {
      await store.close();
    }
  });

  it('an unreachable database fails the open with ERR_STORE_UNAVAILABLE and no password in the message', async () => {
    await assert.rejects(
      createStore({ dataDir: '/nonexistent', databaseUrl: 'postgres://denglu:s3cret-pw@127.0.0.1:1/denglu', clock, collections: CONTRACT_COLLECTIONS }),
      (err: Error) => {
        unavailable(err);
        assert.doesNotMatch(err.message, /s3cret-pw/);
        assert.match(err.message, /127\.0\.0\.1:1/);
        return true;
      },
    );
  });

  it('createStore with a database URL opens the PostgreSQL store, located without the password', async () => {
    const url = new URL(db.url);
    url.password = 'pw-not-shown'; // the test server trusts local connections: any password is accepted
    const store = await createStore({ dataDir: '/nonexistent', databaseUrl: url.href, clock, collections: CONTRACT_COLLECTIONS });
    try {
      assert.equal(store.info.backend, 'postgres');
      assert.equal(store.info.shared, true);
      assert.equal(store.info.location, db.url);
      await store.ready();
    } finally {
      await store.close();
    }
  });
});
