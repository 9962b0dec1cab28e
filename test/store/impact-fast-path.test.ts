// The impact report from the shop-usage summaries alone (the ways each account holds kept in its summary)
// answers exactly what the straightforward computation — every shopper's account read — answers, on a
// generated population with accounts gone and summaries written before they kept the ways, on both
// backends; and the summaries' ways follow the account: the login-event flush reads the account only when
// the ways may have changed, and linking, unlinking, a password and a phone outside a sign-in rewrite them.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMPACT_CONFIGURED, IMPACT_NOW, IMPACT_PARTNER_ID, impactAccountId, impactPartner, loadImpactPopulation } from '../../bench/impact-population.ts';
import type { Account } from '../../src/accounts/account.ts';
import { setPhone, removePhone } from '../../src/accounts/phone-credentials.ts';
import { unlinkIdentity } from '../../src/accounts/unlink.ts';
import { ManualClock } from '../../src/clock.ts';
import { LoginEventRecorder } from '../../src/events/recorder.ts';
import { SHOP_USAGE_COLLECTION, type ShopUsage, shopUsageId } from '../../src/events/shop-usage.ts';
import { heldWays } from '../../src/events/shop-ways.ts';
import { buildImpactReport } from '../../src/impact/impact-service.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';

const ACCOUNTS = 3000;

for (const backend of ['embedded', 'postgres'] as const) {
  describe(`impact report from the summaries alone (${backend})`, function () {
    this.timeout(120_000);
    const clock = new ManualClock(IMPACT_NOW);
    let store: Store;
    let dir: string;
    let db: TestDatabase | undefined;

    before(async function () {
      if (backend === 'postgres' && !(await postgresAvailable())) return this.skip();
      dir = await mkdtemp(join(tmpdir(), 'denglu-impact-fast-'));
      db = backend === 'postgres' ? await freshDatabase('impact_fast') : undefined;
      store = await createStore({ dataDir: dir, clock, ...(db ? { databaseUrl: db.url } : {}) });
      await loadImpactPopulation(store, { accounts: ACCOUNTS, eventsPerAccount: 6, raw: false, legacy: 0.05 });
    });
    after(async () => {
      await store?.close();
      await db?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    const report = (fromAccounts: boolean, options: { cutoffAt?: number; activeDays?: number; list?: boolean } = {}, provider = 'weibo') =>
      buildImpactReport(store, impactPartner(), provider, IMPACT_CONFIGURED, clock.now(), { ...options, fromAccounts });
    /** The store's tally (no shopper list) against the straightforward report without its list. */
    const assertTallyAnswers = async (options: { cutoffAt?: number; activeDays?: number } = {}, provider = 'weibo') => {
      const straight = sorted(await report(true, options, provider));
      assert.deepEqual(await report(false, options, provider), { ...straight, list: [] }, `tally: ${provider} ${JSON.stringify(options)}`);
      assert.deepEqual(sorted(await report(false, { ...options, list: true }, provider)), straight, `list: ${provider} ${JSON.stringify(options)}`);
      return straight;
    };
    const sorted = <T extends { list: { account: string }[] }>(r: T): T => ({ ...r, list: [...r.list].sort((a, b) => a.account.localeCompare(b.account)) });

    it('answers as the straightforward computation does, at the scheduled cutoff and at ones considered, with notice or without', async () => {
      for (const [provider, options] of [
        ['weibo', {}],
        ['weibo', { cutoffAt: IMPACT_NOW + 5 * 86_400_000 }],
        ['weibo', { activeDays: 30 }],
        ['qq', { cutoffAt: IMPACT_NOW + 40 * 86_400_000 }],
        ['sohu', {}],
      ] as const) {
        const r = await assertTallyAnswers(options, provider);
        assert.ok(r.list.length > 0 && r.shoppers.affected > 0, `${provider}: some affected`);
      }
      const r = await report(false);
      for (const n of [r.shoppers.stranded, r.shoppers.atRisk, r.shoppers.safe, r.shoppers.unaffected, r.migration.migrated])
        assert.ok(n > 0, JSON.stringify(r.shoppers));
      for (const n of [r.providerSignIns30d.stranded, r.providerSignIns30d.atRisk, r.providerSignIns30d.safe])
        assert.ok(n > 0, JSON.stringify(r.providerSignIns30d));
      const migrationDays = new Set(r.migration.progress.map((p) => p.migrated));
      assert.ok(migrationDays.size > 5, `migrations on several days: ${JSON.stringify(r.migration.progress)}`);
      assert.ok(
        r.noticeAt !== undefined && (await report(false, { cutoffAt: IMPACT_NOW + 40 * 86_400_000 }, 'qq')).noticeAt === undefined,
        'with notice and without',
      );
      assert.ok(r.shoppers.active < ACCOUNTS, 'some shoppers inactive or gone');
    });

    it('keeps the ways current: the flush reads the account only when they may have changed; unlink and phone rewrite them', async () => {
      const id = impactAccountId(ACCOUNTS + 1);
      const now = clock.now();
      const account: Account = {
        id,
        createdAt: now,
        identities: ['weibo', 'qq'].map((provider) => ({
          provider,
          subject: `${provider}-x`,
          keys: [`${provider}:uid:x-${backend}`],
          displayName: 'x',
          linkedAt: now,
          lastUsedAt: now,
        })),
        profile: { name: 'x' },
        shops: { [IMPACT_PARTNER_ID]: { firstAt: now, lastAt: now, lastProvider: 'weibo' } },
      };
      await store.create('accounts', id, account);
      const recorder = new LoginEventRecorder({ store, clock, log: { warn: () => undefined }, keepRaw: false });
      recorder.record({ at: now, partner: IMPACT_PARTNER_ID, method: 'weibo', outcome: 'success', account: id, created: true });
      await recorder.flush();
      const usage = () => store.get<ShopUsage>(SHOP_USAGE_COLLECTION, shopUsageId(IMPACT_PARTNER_ID, id));
      assert.deepEqual((await usage())!.ways, { weibo: now, qq: now });

      // A returning shopper's sign-in with a way the summary lists: the account is not read.
      const reads: string[] = [];
      const get = store.get.bind(store);
      store.get = (async (collection: string, key: string) => {
        reads.push(collection);
        return get(collection, key);
      }) as Store['get'];
      try {
        recorder.record({ at: now + 1000, partner: IMPACT_PARTNER_ID, method: 'qq', outcome: 'success', account: id });
        await recorder.flush();
        assert.ok(!reads.includes('accounts'), reads.join());
      } finally {
        store.get = get;
      }

      await unlinkIdentity(store, clock, id, 'qq', 'qq-x');
      assert.deepEqual((await usage())!.ways, { weibo: now });
      clock.advance(1000);
      await setPhone(store, clock, id, '+8613800000001');
      assert.deepEqual((await usage())!.ways, heldWays((await store.get<Account>('accounts', id))!));
      assert.ok((await usage())!.ways!.phone !== undefined);
      await removePhone(store, clock, id);
      assert.deepEqual((await usage())!.ways, { weibo: now });
      await assertTallyAnswers();
    });
  });
}
