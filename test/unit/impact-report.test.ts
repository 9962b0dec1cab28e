// The impact report's counting rules: who is stranded, at risk or safe at a cutoff, counting each other
// integration by its own schedule and native passwords and phones; who is unaffected or inactive; the
// provider's sign-ins of the last 30 days by group; migration since notice, its daily progress, and the
// projection at the recent migration rate.

import assert from 'node:assert/strict';
import type { Account } from '../../src/accounts/account.ts';
import { DAY_MS } from '../../src/events/login-event.ts';
import { mergeUsage, type ShopUsage } from '../../src/events/shop-usage.ts';
import { heldWays } from '../../src/events/shop-ways.ts';
import { impactReport, type ImpactQuery, type Shopper } from '../../src/impact/impact-report.ts';
import type { Integration, Partner } from '../../src/partners/partner.ts';

const NOW = Date.parse('2013-09-20T10:00:00+08:00');
const NOTICE = Date.parse('2013-09-10T00:00:00+08:00');
const CUTOFF = Date.parse('2013-09-25T00:00:00+08:00');
const GRACE_END = Date.parse('2013-10-25T00:00:00+08:00');
const LONG_AGO = NOW - 300 * DAY_MS;

const live = (provider: string, extra: Partial<Integration> = {}): Integration => ({ provider, newAccountsDuringNotice: true, atCutoff: 'keep', ...extra });

function partner(integrations: Integration[]): Partner {
  return {
    id: 'jd',
    name: { 'zh-CN': '京东', en: 'JD' },
    timeZone: 'Asia/Shanghai',
    locales: ['zh-CN', 'en'],
    firstParty: true,
    clients: [],
    integrations,
    createdAt: 0,
    updatedAt: 0,
  };
}

const JD = partner([
  live('weibo', { noticeAt: NOTICE, cutoffAt: CUTOFF, graceEndsAt: GRACE_END }),
  live('qq'),
  live('sohu', { cutoffAt: CUTOFF - DAY_MS }), // ends a day before Weibo: no way out
  live('wechat', { startsAt: CUTOFF - 2 * DAY_MS }), // starts before the cutoff: a way out
  live('password'),
]);
const CONFIGURED = new Set(['weibo', 'qq', 'sohu', 'wechat', 'password', 'phone']);

/** An account holding these methods since these instants. */
function account(id: string, held: Record<string, number>): Account {
  return {
    id,
    createdAt: LONG_AGO,
    identities: Object.entries(held)
      .filter(([m]) => m !== 'password' && m !== 'phone')
      .map(([provider, at]) => ({ provider, subject: id, keys: [`${provider}:${id}`], displayName: id, linkedAt: at, lastUsedAt: at })),
    profile: { name: id },
    shops: {},
    ...(held.password !== undefined
      ? { native: { email: `${id}@example.com`, emailVerifiedAt: held.password, passwordHash: 'x', passwordSetAt: held.password } }
      : {}),
    ...(held.phone !== undefined ? { phone: { number: '+8613800000000', verifiedAt: held.phone } } : {}),
  };
}

/** A shopper who signed in at JD with each method at each of the given instants. */
function shopper(id: string, held: Record<string, number>, used: Record<string, number[]>): Shopper {
  let usage: ShopUsage | undefined;
  for (const [method, times] of Object.entries(used)) {
    usage = mergeUsage(
      usage,
      'jd',
      id,
      times.map((at) => ({ at, partner: 'jd', method, outcome: 'success' as const, account: id })),
    );
  }
  return { usage: usage!, held: heldWays(account(id, held)) };
}

const query = (extra: Partial<ImpactQuery> = {}): ImpactQuery => ({
  partner: JD,
  provider: 'weibo',
  configured: CONFIGURED,
  now: NOW,
  cutoffAt: CUTOFF,
  graceEndsAt: GRACE_END,
  noticeAt: NOTICE,
  considered: false,
  ...extra,
});

const recent = NOW - 2 * DAY_MS;

describe('impact report: counting rules', () => {
  it('classes each group: weibo only is stranded, an unused QQ is at risk, a used QQ or password is safe', () => {
    const r = impactReport(query(), [
      shopper('only-weibo', { weibo: LONG_AGO }, { weibo: [recent] }),
      shopper('qq-unused', { weibo: LONG_AGO, qq: LONG_AGO }, { weibo: [recent] }),
      shopper('qq-used', { weibo: LONG_AGO, qq: LONG_AGO }, { weibo: [recent], qq: [recent - DAY_MS] }),
      shopper('password-used', { weibo: LONG_AGO, password: LONG_AGO }, { weibo: [recent], password: [recent] }),
      shopper('qq-only', { qq: LONG_AGO }, { qq: [recent] }),
    ]);
    assert.deepEqual(r.shoppers, { active: 5, unaffected: 1, affected: 4, stranded: 1, atRisk: 1, safe: 2 });
    const group = Object.fromEntries(r.list.map((s) => [s.account, s.group]));
    assert.deepEqual(group, { 'only-weibo': 'stranded', 'qq-unused': 'at_risk', 'qq-used': 'safe', 'password-used': 'safe' });
  });

  it('counts another integration by its own schedule: Sohu ending first does not save anyone, WeChat starting before the cutoff does', () => {
    const r = impactReport(query(), [
      shopper('sohu', { weibo: LONG_AGO, sohu: LONG_AGO }, { weibo: [recent], sohu: [recent] }),
      shopper('wechat', { weibo: LONG_AGO, wechat: LONG_AGO }, { weibo: [recent] }),
    ]);
    assert.deepEqual(r.waysAtCutoff, ['qq', 'wechat', 'password']);
    assert.equal(r.list.find((s) => s.account === 'sohu')!.group, 'stranded');
    assert.equal(r.list.find((s) => s.account === 'wechat')!.group, 'at_risk');
    // Considering a cutoff before Sohu's own: Sohu still signs in then, and WeChat has not started.
    const earlier = impactReport(query({ cutoffAt: CUTOFF - 3 * DAY_MS, considered: true }), [
      shopper('sohu', { weibo: LONG_AGO, sohu: LONG_AGO }, { weibo: [recent], sohu: [recent] }),
      shopper('wechat', { weibo: LONG_AGO, wechat: LONG_AGO }, { weibo: [recent] }),
    ]);
    assert.deepEqual(earlier.waysAtCutoff, ['qq', 'sohu', 'password']);
    assert.equal(earlier.list.find((s) => s.account === 'sohu')!.group, 'safe');
    assert.equal(earlier.list.find((s) => s.account === 'wechat')!.group, 'stranded');
  });

  it('counts a native password only where the shop offers it, and a phone only where it does', () => {
    const noPassword = partner(JD.integrations.filter((i) => i.provider !== 'password'));
    const withPhone = partner([...JD.integrations, live('phone')]);
    const shoppers = [
      shopper('pw', { weibo: LONG_AGO, password: LONG_AGO }, { weibo: [recent] }),
      shopper('ph', { weibo: LONG_AGO, phone: LONG_AGO }, { weibo: [recent] }),
    ];
    const jd = impactReport(query(), shoppers);
    assert.deepEqual(
      jd.list.map((s) => s.group),
      ['at_risk', 'stranded'],
    );
    assert.deepEqual(
      impactReport(query({ partner: noPassword }), shoppers).list.map((s) => s.group),
      ['stranded', 'stranded'],
    );
    assert.deepEqual(
      impactReport(query({ partner: withPhone }), shoppers).list.map((s) => s.group),
      ['at_risk', 'at_risk'],
    );
    // An integration the deployment has not configured is no way in.
    assert.deepEqual(
      impactReport(query({ configured: new Set(['weibo', 'qq']) }), shoppers).list.map((s) => s.group),
      ['stranded', 'stranded'],
    );
  });

  it('leaves out shoppers not seen within the active days, and counts the provider sign-ins of the last 30 days by group', () => {
    const r = impactReport(query({ activeDays: 180 }), [
      shopper('gone', { weibo: LONG_AGO }, { weibo: [NOW - 200 * DAY_MS] }),
      shopper('busy', { weibo: LONG_AGO }, { weibo: [NOW - 40 * DAY_MS, NOW - 20 * DAY_MS, NOW - 3 * DAY_MS, NOW - DAY_MS] }),
      shopper('safe', { weibo: LONG_AGO, qq: LONG_AGO }, { weibo: [NOW - DAY_MS], qq: [NOW] }),
      // 30 UTC days, today's (20 September) included: 22 August counts, 21 August does not.
      shopper('edge', { weibo: LONG_AGO }, { weibo: [Date.parse('2013-08-21T23:59:00Z'), Date.parse('2013-08-22T00:00:00Z')] }),
    ]);
    assert.equal(r.shoppers.active, 3);
    assert.deepEqual(r.providerSignIns30d, { stranded: 4, atRisk: 0, safe: 1, total: 5 });
    assert.equal(impactReport(query({ activeDays: 250 }), [shopper('gone', { weibo: LONG_AGO }, { weibo: [NOW - 200 * DAY_MS] })]).shoppers.active, 1);
  });

  it('counts migration since notice began day by day, and projects the stranded at the rate since notice began', () => {
    const shoppers: Shopper[] = [];
    // 14 shoppers migrated in the last 14 days (one a day); notice began 10.4 days ago, and the 10 of them
    // since then are the rate: warned shoppers, over the time they have been warned.
    for (let i = 1; i <= 14; i++) {
      const at = NOW - i * DAY_MS + 1000;
      shoppers.push(shopper(`m${i}`, { weibo: LONG_AGO, qq: at }, { weibo: [LONG_AGO + DAY_MS, recent], qq: [at + 1] }));
    }
    // 20 still stranded; one who held QQ before notice is not counted as migrated.
    for (let i = 0; i < 20; i++) shoppers.push(shopper(`s${i}`, { weibo: LONG_AGO }, { weibo: [recent] }));
    shoppers.push(shopper('before', { weibo: LONG_AGO, qq: LONG_AGO + DAY_MS }, { weibo: [recent], qq: [recent] }));
    const r = impactReport(query(), shoppers);
    const sinceNotice = shoppers.filter((s) => (s.held.qq ?? 0) >= NOTICE).length;
    assert.equal(r.migration.migrated, sinceNotice);
    assert.equal(r.migration.since, NOTICE);
    const noticeDays = (NOW - NOTICE) / DAY_MS;
    assert.equal(r.migration.rateDays, Math.round(noticeDays * 10) / 10);
    assert.equal(r.migration.rateDays, 10.4);
    const rate = 10 / noticeDays;
    assert.equal(r.migration.ratePerDay, Math.round(rate * 100) / 100);
    assert.equal(r.shoppers.stranded, 20);
    const daysToCutoff = (CUTOFF - NOW) / DAY_MS;
    assert.equal(r.projection.strandedAtCutoff, Math.round(20 - rate * daysToCutoff));
    assert.equal(r.projection.strandedAtGraceEnd, 0, 'never below zero');
    const progress = r.migration.progress;
    assert.equal(progress[0]!.day, '2013-09-09', 'from the UTC day notice began');
    assert.equal(progress.at(-1)!.migrated, r.migration.migrated);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.migrated >= progress[i - 1]!.migrated, 'cumulative');
  });

  it('measures the rate over the last 14 days without a notice, or when notice began less than a day ago', () => {
    const shoppers: Shopper[] = [];
    for (let i = 1; i <= 14; i++) {
      const at = NOW - i * DAY_MS + 1000;
      shoppers.push(shopper(`m${i}`, { weibo: LONG_AGO, qq: at }, { weibo: [LONG_AGO + DAY_MS, recent], qq: [at + 1] }));
    }
    for (const extra of [{ noticeAt: undefined }, { noticeAt: NOW - DAY_MS / 2 }] as Partial<ImpactQuery>[]) {
      const r = impactReport(query(extra), shoppers);
      assert.equal(r.migration.rateDays, 14);
      assert.equal(r.migration.ratePerDay, 1);
    }
    const fresh = impactReport(query({ noticeAt: NOW - 2 * DAY_MS }), shoppers);
    assert.equal(fresh.migration.rateDays, 2);
    assert.equal(fresh.migration.ratePerDay, 1, 'the two shoppers of the two days since notice began');
  });

  it('projects nothing for a grace end that is not there, and the present count for a cutoff already past', () => {
    const shoppers = [shopper('only-weibo', { weibo: LONG_AGO }, { weibo: [recent] })];
    const { graceEndsAt: _g, ...noGrace } = query();
    assert.equal(impactReport(noGrace, shoppers).projection.strandedAtGraceEnd, null);
    assert.equal(impactReport(query({ cutoffAt: NOW - DAY_MS, considered: true }), shoppers).projection.strandedAtCutoff, 1);
  });
});
