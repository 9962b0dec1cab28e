// The sandbox's shoppers: the same population on every start, and one that makes JD's Weibo impact report
// show something true at 20 September 2013 — shoppers in every group, migration since notice, Taobao too —
// and the same history as day summaries, so JD's analytics are not empty.

import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { sandboxPartners } from '../../config/sandbox-seed.ts';
import { heldWays } from '../../src/events/shop-ways.ts';
import { impactReport } from '../../src/impact/impact-report.ts';
import type { Partner } from '../../src/partners/partner.ts';
import { population, POPULATION_UNTIL } from '../../src/sandbox/population.ts';
import { populationDays } from '../../src/sandbox/population-days.ts';
import { analyticsReport } from '../../src/analytics/analytics-report.ts';
import { DAY_MS, localDayOf } from '../../src/events/login-event.ts';
import { signInsSince } from '../../src/events/shop-usage.ts';

describe('sandbox population', () => {
  it('is deterministic, and JD’s Weibo cutoff strands, risks and spares some shoppers, some migrated', () => {
    const a = population('hash');
    assert.deepEqual(population('hash'), a, 'the same every time');
    assert.ok(a.accounts.length >= 1000);
    const jd = { ...sandboxPartners({ jd: 'http://jd', taobao: 'http://taobao' })[0]!, createdAt: 0, updatedAt: 0 } as Partner;
    const weibo = jd.integrations.find((i) => i.provider === 'weibo')!;
    const byId = new Map(a.accounts.map((x) => [x.id, x]));
    const shoppers = a.usages.filter((u) => u.partner === 'jd').map((usage) => ({ usage, held: heldWays(byId.get(usage.account)!) }));
    assert.ok(
      shoppers.every((s) => isDeepStrictEqual(s.usage.ways, s.held)),
      'each summary lists the ways its account holds',
    );
    const r = impactReport(
      {
        partner: jd,
        provider: 'weibo',
        configured: new Set(['weibo', 'qq', 'sohu', 'wechat', 'password', 'phone']),
        now: POPULATION_UNTIL,
        cutoffAt: weibo.cutoffAt!,
        graceEndsAt: weibo.graceEndsAt!,
        noticeAt: weibo.noticeAt!,
        considered: false,
      },
      shoppers,
    );
    for (const n of [r.shoppers.stranded, r.shoppers.atRisk, r.shoppers.safe, r.shoppers.unaffected, r.migration.migrated, r.providerSignIns30d.total]) {
      assert.ok(n > 0, JSON.stringify(r.shoppers));
    }
    assert.ok(a.usages.some((u) => u.partner === 'taobao'));
    const keys = a.accounts.flatMap((x) => x.identities.flatMap((i) => i.keys));
    assert.equal(new Set(keys).size, keys.length, 'identity keys are unique');
    assert.ok(
      keys.every((k) => k.includes(':sandbox-population:')),
      'no key an emulator sign-in could produce',
    );
  });
});

describe('sandbox population: the analytics history', () => {
  it("gives JD's analytics the same successful sign-ins as the usage summaries, with failures, upstream times and links", () => {
    const a = population('hash');
    const days = populationDays(a.accounts, a.usages, () => 'Asia/Shanghai');
    assert.deepEqual(
      populationDays(a.accounts, a.usages, () => 'Asia/Shanghai'),
      days,
      'the same every time',
    );
    const r = analyticsReport('jd', 'Asia/Shanghai', days, localDayOf(POPULATION_UNTIL, 'Asia/Shanghai'), 30, [
      'weibo',
      'qq',
      'sohu',
      'wechat',
      'password',
      'phone',
    ]);
    const from = POPULATION_UNTIL - 29 * DAY_MS;
    const fromUsage = a.usages.filter((u) => u.partner === 'jd').reduce((n, u) => n + signInsSince(u.methods.weibo, from), 0);
    const weibo = r.providers.find((p) => p.method === 'weibo')!;
    assert.equal(weibo.signIns.success, fromUsage);
    assert.ok(weibo.signIns.upstream_failure > 0 && weibo.signIns.denied > 0, JSON.stringify(weibo.signIns));
    assert.ok(weibo.upstream.medianMs! > 0 && weibo.upstream.p95Ms! >= weibo.upstream.medianMs!, JSON.stringify(weibo.upstream));
    assert.ok(r.providers.find((p) => p.method === 'qq')!.links > 0, 'migrations linked QQ at JD');
    assert.equal(r.providers.find((p) => p.method === 'password')!.upstream.timed, 0, 'no upstream for the password');
  });
});
