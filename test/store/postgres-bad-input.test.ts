// Bad input to the PostgreSQL store gets a clear error and changes nothing, rather than reaching the
// database and coming back as "store unavailable" (503).

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';
import { CONTRACT_COLLECTIONS } from './store.contract.ts';

const T0 = Date.parse('2013-09-01T00:00:00Z');

describe('postgres store: bad input', function () {
  this.timeout(20_000);
  let db: TestDatabase;
  let store: PostgresStore;

  before(async function () {
    if (!(await postgresAvailable())) this.skip();
    db = await freshDatabase('bad_input');
    store = await PostgresStore.open({ url: db.url, clock: new ManualClock(T0), collections: CONTRACT_COLLECTIONS });
  });

  after(async () => {
    await store?.close();
    await db?.drop();
  });

  it('an expiry beyond what a bigint and a JavaScript number both hold is a TypeError, and nothing is written', async () => {
    for (const expiresAt of [1e20, -1e20, Number.MAX_VALUE]) {
      await assert.rejects(store.put('contract_tokens', 't', { owner: 'o', n: 1 }, { expiresAt }), TypeError);
      await assert.rejects(store.load('contract_tokens', [{ id: 't', value: { owner: 'o', n: 1 }, expiresAt }]), TypeError);
    }
    await store.put('contract_tokens', 'u', { owner: 'o', n: 1 });
    await assert.rejects(
      store.update('contract_tokens', 'u', (d) => d, { expiresAt: 1e20 }),
      TypeError,
    );
    assert.equal(await store.count('contract_tokens'), 1);
  });
});
