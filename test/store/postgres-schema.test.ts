// The PostgreSQL schema: migrations run at start under node-pg-migrate's advisory lock (instances booting
// together take turns and all start), a schema migrated by a newer Denglu refuses start-up with a clear
// message, and ready() tells /readyz whether the schema is the one this code knows.

import assert from 'node:assert/strict';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { ManualClock } from '../../src/clock.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { KNOWN_MIGRATIONS, MIGRATIONS_DIR, MIGRATIONS_TABLE, migrate } from '../../src/store/postgres/migrations.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';
import { CONTRACT_COLLECTIONS } from './store.contract.ts';

describe('postgres store: schema migrations', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  const T0 = Date.parse('2013-09-01T00:00:00Z');
  const DAY = 86_400_000;
  const clock = new ManualClock(T0);
  const open = (options: { migrate?: boolean } = {}) => PostgresStore.open({ url: db.url, clock, collections: CONTRACT_COLLECTIONS, ...options });

  before(async function () {
    if (!(await postgresAvailable())) this.skip();
  });
  beforeEach(async () => {
    db = await freshDatabase('schema');
  });
  afterEach(async () => {
    await db?.drop();
  });

  async function sql(text: string): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return await client.query(text);
    } finally {
      await client.end();
    }
  }

  it('four stores opening an empty database at once all start, and the migrations ran once', async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => open()));
    try {
      for (const store of stores) await store.ready();
      await stores[0]!.put('contract_docs', 'a', { title: 'a', n: 0 });
      assert.deepEqual(await stores[3]!.get('contract_docs', 'a'), { title: 'a', n: 0 });
      const { rows } = await sql(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`);
      assert.deepEqual(
        rows.map((r) => r.name),
        [...KNOWN_MIGRATIONS],
      );
    } finally {
      for (const store of stores) await store.close();
    }
  });

  it('a database migrated by a newer Denglu refuses start-up with a clear message, and ready() fails', async () => {
    const store = await open();
    try {
      await sql(`INSERT INTO ${MIGRATIONS_TABLE} (name, run_on) VALUES ('9999_from_a_newer_denglu', now())`);
      const expected = `the database schema is at version 9999_from_a_newer_denglu, newer than this Denglu knows (${KNOWN_MIGRATIONS.at(-1)}): upgrade Denglu or use another database`;
      await assert.rejects(open(), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'ERR_STORE_UNAVAILABLE');
        assert.equal(err.message, expected);
        return true;
      });
      await assert.rejects(open({ migrate: false }), { message: expected });
      await assert.rejects(store.ready(), { message: expected });
    } finally {
      await store.close();
    }
  });

  it('without migrating, an unmigrated database is refused with what to run', async () => {
    await assert.rejects(open({ migrate: false }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_STORE_UNAVAILABLE');
      assert.ok(err.message.includes(`lacks migrations ${KNOWN_MIGRATIONS.join(', ')}: run \`npm run denglu -- db migrate\``), err.message);
      return true;
    });
    const migrated = await open();
    await migrated.close();
    const store = await open({ migrate: false });
    await store.ready();
    await store.close();
  });

  it('0003 fills the shop-usage side table from the summaries already there, and its down migration removes it', async () => {
    const store = await open();
    await store.close();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    // Down to just before 0003 (undoing what came after it first), then up again to the newest.
    const downTo0003 = KNOWN_MIGRATIONS.length - KNOWN_MIGRATIONS.indexOf('0003_shop_usage_facts');
    const migrations = (direction: 'up' | 'down', count: number) =>
      runner({ dbClient: client, dir: MIGRATIONS_DIR, direction, count, migrationsTable: MIGRATIONS_TABLE, singleTransaction: true, log: () => undefined });
    try {
      await migrations('down', downTo0003);
      assert.equal((await client.query(`SELECT to_regclass('shop_usage_facts') AS t`)).rows[0].t, null);
      const summary = (lastAt: number, ways?: Record<string, number>) =>
        JSON.stringify({
          partner: 'jd',
          account: `a${lastAt}`,
          lastAt,
          methods: { weibo: { firstAt: lastAt, lastAt, days: [[Math.floor(lastAt / DAY), 2]] } },
          ...(ways ? { ways } : {}),
        });
      await client.query(
        `INSERT INTO documents (collection, id, doc, expires_at) VALUES ('shop_usage', 'jd:a', $1, NULL), ('shop_usage', 'jd:b', $2, $3), ('contract_docs', 'x', '{}', NULL)`,
        [summary(T0 - DAY, { qq: T0 - 3 * DAY }), summary(T0 - 2 * DAY), T0 + DAY],
      );
      // Up again as `denglu db migrate` does, which says first how many summaries the back-fill goes through.
      const notes: string[] = [];
      await migrate(db.url, 'test', undefined, (msg) => notes.push(msg));
      assert.deepEqual(
        notes.filter((n) => n.includes('back-fills')).map((n) => n.replace(/: about .*/, '')),
        ["store: 0003_shop_usage_facts back-fills 2 shop-usage summaries into the impact report's side table (shop_usage_facts)"],
      );
    } finally {
      await client.end();
    }
    const reopened = await open();
    try {
      const tally = await reopened.tallyUsage({
        partner: 'jd',
        method: 'weibo',
        ways: ['qq'],
        activeFrom: T0 - 10 * DAY,
        activeTo: T0,
        countFromDay: Math.floor((T0 - 30 * DAY) / DAY),
        cuts: [T0 - 14 * DAY, T0],
      });
      assert.deepEqual(tally.classes, [{ count: 1, usesMethod: true, held: ['qq'], used: [], firstHeldAt: T0 - 3 * DAY, methodSignIns: 2 }]);
      assert.deepEqual(
        tally.unlisted.map((u) => u.lastAt),
        [T0 - 2 * DAY],
      );
    } finally {
      await reopened.close();
    }
  });
});
