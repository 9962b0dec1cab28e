// What a flush of the login-event recorder costs the store, by the number of accounts in it: the summaries
// (shop_usage, login_days) are written with one Store.upsertMany each, so a flush of 50 returning shoppers
// makes the same store calls (and, on PostgreSQL, sends the same statements) as a flush of 5 — never a
// transaction per account, as it did before (three round trips per account). New shoppers cost one read of
// their account each (their ways) and still one write for all of them.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Account } from '../../src/accounts/account.ts';
import { ManualClock } from '../../src/clock.ts';
import type { LoginEvent } from '../../src/events/login-event.ts';
import { LoginEventRecorder } from '../../src/events/recorder.ts';
import { SHOP_USAGE_COLLECTION, type ShopUsage, shopUsageId } from '../../src/events/shop-usage.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { freshDatabase, postgresAvailable, type TestDatabase, watchStatements } from '../support/postgres.ts';
import { wrapStore } from '../support/store-wrapper.ts';

const T0 = Date.parse('2013-09-20T10:00:00+08:00');
const quiet = { warn: () => undefined };

for (const backend of ['embedded', 'postgres'] as const) {
  describe(`login events: a flush costs the same store calls for 50 accounts as for 5 (${backend} store)`, function () {
    this.timeout(60_000);
    const clock = new ManualClock(T0);
    let dir: string;
    let db: TestDatabase | undefined;
    let opened: Store;
    let store: Store;
    const calls: string[] = [];
    let statements = 0;
    let unwatch = () => {};

    before(async function () {
      if (backend === 'postgres' && !(await postgresAvailable())) {
        console.log('      SKIPPED: PostgreSQL is not reachable (CI runs it)');
        this.skip();
      }
      dir = await mkdtemp(join(tmpdir(), 'denglu-events-cost-'));
      db = backend === 'postgres' ? await freshDatabase('events_cost') : undefined;
      opened = await createStore({ dataDir: dir, clock, ...(db ? { databaseUrl: db.url } : {}) });
      for (let i = 0; i < 100; i++) {
        const id = `acc-${i}`;
        const weibo = { provider: 'weibo', subject: `w${i}`, keys: [`weibo:uid:${i}`], displayName: id, linkedAt: T0 - 1000, lastUsedAt: T0 - 1000 };
        await opened.create<Account>('accounts', id, { id, createdAt: T0 - 1000, identities: [weibo], profile: { name: id }, shops: {} });
      }
      store = wrapStore(opened, (method, args) => {
        calls.push(`${method} ${String(args[0])}`);
      });
      unwatch = watchStatements(() => {
        statements++;
      });
    });
    after(async () => {
      unwatch();
      await opened?.close();
      await db?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** Flushes one weibo sign-in per account (at shop jd); the store calls and statements it made. */
    async function flush(accounts: readonly string[], at: number): Promise<{ calls: string[]; statements: number }> {
      const recorder = new LoginEventRecorder({ store, clock, log: quiet, keepRaw: false });
      for (const account of accounts) recorder.record({ at, partner: 'jd', method: 'weibo', outcome: 'success', account } satisfies LoginEvent);
      calls.length = 0;
      statements = 0;
      await recorder.close();
      return { calls: [...calls].sort(), statements };
    }
    const accounts = (from: number, n: number) => Array.from({ length: n }, (_, i) => `acc-${from + i}`);
    const writes = (c: string[]) => c.filter((x) => !x.startsWith('get ') && !x.startsWith('find'));

    it('new shoppers: one read of each account for its ways, and one write per summary collection however many', async () => {
      const few = await flush(accounts(0, 5), T0);
      const many = await flush(accounts(50, 50), T0);
      assert.deepEqual(writes(many.calls), ['upsertMany login_days', 'upsertMany shop_usage', 'upsertMany shop_usage']);
      assert.deepEqual(writes(few.calls), writes(many.calls));
      assert.equal(many.calls.filter((c) => c === 'get accounts').length, 50);
      const usage = await opened.get<ShopUsage>(SHOP_USAGE_COLLECTION, shopUsageId('jd', 'acc-77'));
      assert.deepEqual(usage?.ways, { weibo: T0 - 1000 }, 'the ways were read and written');
    });

    it('returning shoppers: the same store calls and statements for 50 accounts as for 5, and no read of an account', async () => {
      const few = await flush(accounts(0, 5), T0 + 60_000);
      const many = await flush(accounts(50, 50), T0 + 60_000);
      assert.deepEqual(writes(many.calls), ['upsertMany login_days', 'upsertMany shop_usage']);
      assert.deepEqual(many.calls, few.calls);
      assert.ok(!many.calls.includes('get accounts'), many.calls.join());
      if (backend === 'postgres') {
        assert.equal(many.statements, few.statements, 'statements do not grow with the accounts');
        assert.ok(many.statements <= 8, `two transactions of four statements at most, sent ${many.statements}`);
      }
      const usage = await opened.get<ShopUsage>(SHOP_USAGE_COLLECTION, shopUsageId('jd', 'acc-77'));
      assert.equal(usage?.methods.weibo?.days[0]?.[1], 2, 'both sign-ins counted');
    });
  });
}
