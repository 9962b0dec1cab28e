// On a server running without autovacuum (this machine's, CI's) the impact report's side table would never
// get statistics and its aggregate would run serially: the PostgreSQL store's cluster-once expiry sweep
// analyses it once enough of it changed, and not again until enough changes once more.

import assert from 'node:assert/strict';
import pg from 'pg';
import { ManualClock } from '../../src/clock.ts';
import { COLLECTIONS } from '../../src/store/collections.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { analyzeSideTableIfStale } from '../../src/store/postgres/side-table-statistics.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';

const T0 = Date.UTC(2026, 10, 20);
const DAY = 86_400_000;

describe('PostgreSQL: the impact side table analysed when autovacuum has not', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let store: PostgresStore;
  let observer: pg.Client;

  before(async function () {
    if (!(await postgresAvailable())) return this.skip();
    db = await freshDatabase('side_stats');
    store = await PostgresStore.open({ url: db.url, clock: new ManualClock(T0), collections: COLLECTIONS });
    observer = new pg.Client(db.url);
    await observer.connect();
  });
  after(async () => {
    await observer?.end();
    await store?.close();
    await db?.drop();
  });

  const stats = async () =>
    (await observer.query(`SELECT n_mod_since_analyze::int AS changed, last_analyze FROM pg_stat_user_tables WHERE relname = 'shop_usage_facts'`)).rows[0];
  /** Waits for the server's statistics to show the changes (an idle backend reports them within 10 s). */
  const changesSeen = async (atLeast: number) => {
    for (let i = 0; i < 250 && (await stats()).changed < atLeast; i++) await new Promise((r) => setTimeout(r, 100));
  };

  it('analyses the side table from the expiry sweep once enough changed, then not again', async () => {
    const summaries = Array.from({ length: 3000 }, (_, i) => ({
      id: `shop:a${i}`,
      value: {
        partner: 'shop',
        account: `a${i}`,
        lastAt: T0 - DAY,
        methods: { weibo: { firstAt: T0 - DAY, lastAt: T0 - DAY, days: [[Math.floor(T0 / DAY) - 1, 1]] } },
        ways: {},
      },
      expiresAt: T0 + 400 * DAY,
    }));
    await store.load('shop_usage', summaries);
    await changesSeen(3000);
    assert.equal((await stats()).last_analyze, null, 'no statistics yet (autovacuum is not what analyses it here)');
    await store.sweepExpired();
    assert.notEqual((await stats()).last_analyze, null, 'analysed by the sweep');
    assert.equal(await analyzeSideTableIfStale(store.database), false, 'nothing changed since');
  });
});
