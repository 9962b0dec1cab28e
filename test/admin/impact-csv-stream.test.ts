// The impact report's CSV download is streamed a page of summaries at a time (src/http/csv-stream.ts), on
// both store backends: more shoppers than one page arrive each exactly once, in the order of their
// summaries, as the report's in-memory list has them; a store failure on the first page is an ordinary 503
// problem, and one after the 200 went out cuts the download off, so no client takes it for a complete file.

import assert from 'node:assert/strict';
import { IMPACT_CONFIGURED, IMPACT_NOW, impactPartner, loadImpactPopulation } from '../../bench/impact-population.ts';
import { ManualClock } from '../../src/clock.ts';
import { GatewayError } from '../../src/errors.ts';
import { SHOP_USAGE_COLLECTION, shopUsageId } from '../../src/events/shop-usage.ts';
import { buildImpactReport } from '../../src/impact/impact-service.ts';
import { pairwiseSubject } from '../../src/oidc/pairwise.ts';
import { loadPairwiseSalt } from '../../src/oidc/secrets.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';
import { wrapStore } from '../support/store-wrapper.ts';
import { OPERATOR } from './admin-client.ts';

const ACCOUNTS = 8000; // about 6,000 affected shoppers: more than one page (5,000 summaries) of rows
const PATH = `/api/admin/partners/${impactPartner().id}/integrations/weibo/impact?format=csv`;

for (const backend of ['embedded', 'postgres'] as const) {
  describe(`impact CSV streamed page by page (${backend})`, function () {
    this.timeout(120_000);
    let gw: Gateway;
    let db: TestDatabase | undefined;
    /** Which call to list shop_usage fails (1: the first page), or none. */
    let failAtPage: number | undefined;
    let pagesRead = 0;

    before(async function () {
      if (backend === 'postgres' && !(await postgresAvailable())) return this.skip();
      db = backend === 'postgres' ? await freshDatabase('impact_csv') : undefined;
      const { createdAt: _c, updatedAt: _u, ...seed } = impactPartner();
      gw = await startGateway({
        clock: new ManualClock(IMPACT_NOW),
        ...(db ? { databaseUrl: db.url } : {}),
        partners: (defaults) => [...defaults, seed],
        wrapStore: (store) =>
          wrapStore(store, (method, args) => {
            if (method !== 'list' || args[0] !== SHOP_USAGE_COLLECTION) return;
            pagesRead++;
            if (pagesRead === failAtPage) throw new GatewayError('ERR_STORE_UNAVAILABLE', 'store unavailable (test)', { status: 503 });
          }),
      });
      await loadImpactPopulation(gw.store, { accounts: ACCOUNTS, eventsPerAccount: 3, raw: false, legacy: 0.02 });
    });
    after(async () => {
      await gw?.close();
      await db?.drop();
    });
    beforeEach(() => {
      failAtPage = undefined;
      pagesRead = 0;
    });

    const download = () => fetch(`${gw.issuer}${PATH}`, { headers: { authorization: `Bearer ${OPERATOR}` } });

    it('sends every affected shopper once, in the order of their summaries, over more than one page', async () => {
      const res = await download();
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
      const lines = (await res.text()).split('\r\n');
      assert.equal(lines.pop(), '', 'ends with a line end');
      assert.equal(lines.shift(), 'sub,group,last_sign_in_with_provider,provider_sign_ins_30d,ways_at_cutoff');
      assert.ok(pagesRead >= 2, `read ${pagesRead} page(s)`);
      const report = await buildImpactReport(gw.store, impactPartner(), 'weibo', IMPACT_CONFIGURED, IMPACT_NOW, { list: true });
      assert.ok(report.list.length > 5000, `${report.list.length} affected shoppers`);
      const salt = await loadPairwiseSalt(gw.store, gw.config.pairwiseSalt);
      const expected = [...report.list]
        .sort((a, b) => (shopUsageId(report.partner, a.account) < shopUsageId(report.partner, b.account) ? -1 : 1))
        .map(
          (s) =>
            `${pairwiseSubject(salt, report.partner, s.account)},${s.group},${new Date(s.lastWithProviderAt).toISOString()},${s.providerSignIns30d},${s.ways.join(' ')}`,
        );
      assert.equal(new Set(lines).size, lines.length, 'no row twice');
      assert.deepEqual(lines, expected);
    });

    it('answers a store failure on the first page with a 503 problem', async () => {
      failAtPage = 1;
      const res = await download();
      assert.equal(res.status, 503);
      assert.equal((await res.json()).error, 'ERR_STORE_UNAVAILABLE');
    });

    it('cuts the download off when the store fails after the first page: never a complete-looking file', async () => {
      failAtPage = 2;
      const res = await download();
      assert.equal(res.status, 200, 'the first page went out');
      await assert.rejects(res.text(), /terminated/);
      assert.ok(
        gw.logs.some((l) => l.includes('impact CSV cut off')),
        'the failure is logged',
      );
    });
  });
}
