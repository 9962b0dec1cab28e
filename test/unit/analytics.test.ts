// The per-provider analytics from the day summaries: a day folds in links, unlinks and upstream times as
// fixed buckets; the report sums a window of days (attempts by outcome, new accounts, links, unlinks, the
// upstream failure rate, median and p95 estimated from the buckets) and lists the shop's integrations
// even without data; the CSV gives each of these numbers per day; and the recorder's flush writes all of it, read back alike from both store
// backends (the embedded one, and PostgreSQL where reachable: CI runs it).

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyticsDays, analyticsReport, bucketQuantile } from '../../src/analytics/analytics-report.ts';
import { ANALYTICS_CSV_HEADER, analyticsCsv, buildAnalytics, buildAnalyticsCsv } from '../../src/analytics/analytics-service.ts';
import { ManualClock } from '../../src/clock.ts';
import { LOGIN_DAYS_COLLECTION, type LoginDay, mergeDay, UPSTREAM_BUCKETS_MS, upstreamBucket } from '../../src/events/login-days.ts';
import { DAY_MS, type DayNote, dayLabel, dayOf, type LoginEvent, localDayOf } from '../../src/events/login-event.ts';
import { LoginEventRecorder } from '../../src/events/recorder.ts';
import type { Partner } from '../../src/partners/partner.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';

const T0 = Date.parse('2013-09-20T10:00:00+08:00');
const TODAY = dayOf(T0);
const quiet = { warn: () => undefined };

const attempt = (at: number, method: string, outcome: LoginEvent['outcome'], extra: Partial<LoginEvent> = {}): LoginEvent => ({
  at,
  partner: 'jd',
  method,
  outcome,
  ...extra,
});
const upstream = (at: number, method: string, ms: number): DayNote => ({ at, partner: 'jd', method, kind: 'upstream', ms });
const change = (at: number, method: string, kind: 'link' | 'unlink'): DayNote => ({ at, partner: 'jd', method, kind });

/** Two days of Weibo and QQ at jd, and one day too old for a 7-day window. */
function history(): (LoginEvent | DayNote)[] {
  return [
    attempt(T0, 'weibo', 'success', { created: true, account: 'a' }),
    attempt(T0, 'weibo', 'success', { account: 'b' }),
    attempt(T0, 'weibo', 'upstream_failure', { step: 'token_exchange' }),
    attempt(T0, 'weibo', 'denied', { step: 'provider_denied' }),
    attempt(T0, 'weibo', 'refused', { step: 'grace' }),
    attempt(T0 - DAY_MS, 'qq', 'success', { account: 'c' }),
    attempt(T0 - 10 * DAY_MS, 'qq', 'success', { account: 'd' }),
    upstream(T0, 'weibo', 80),
    upstream(T0, 'weibo', 90),
    upstream(T0, 'weibo', 2500),
    upstream(T0 - DAY_MS, 'qq', 40),
    change(T0, 'qq', 'link'),
    change(T0, 'weibo', 'unlink'),
  ];
}

const JD = { id: 'jd', timeZone: 'Asia/Shanghai', integrations: [{ provider: 'weibo' }, { provider: 'qq' }, { provider: 'sohu' }] } as unknown as Partner;

describe('analytics: day summaries and the report (pure)', () => {
  it('folds links, unlinks and upstream times into the day, keeping what it had', () => {
    const day = mergeDay(undefined, 'jd', TODAY, 'UTC', history());
    assert.deepEqual(day.counts, { 'weibo|success': 2, 'weibo|upstream_failure': 1, 'weibo|denied': 1, 'weibo|refused': 1 });
    assert.deepEqual(day.created, { weibo: 1 });
    assert.deepEqual(day.links, { qq: 1 });
    assert.deepEqual(day.unlinks, { weibo: 1 });
    assert.equal(day.upstream?.weibo?.length, UPSTREAM_BUCKETS_MS.length + 1);
    assert.equal(day.upstream?.weibo?.[upstreamBucket(80)], 2);
    assert.equal(day.upstream?.qq, undefined, "yesterday's time is not today's");
    const again = mergeDay(day, 'jd', TODAY, 'UTC', [upstream(T0, 'weibo', 99_999), change(T0, 'qq', 'link')]);
    assert.equal(again.links?.qq, 2);
    assert.equal(again.upstream?.weibo?.at(-1), 1, 'slower than the last bound: the overflow bucket');
    assert.equal(day.upstream?.weibo?.at(-1), 0, 'the earlier day is not changed');
  });

  it('a day without notes stays as it was written before links were counted, naming its zone', () => {
    const day = mergeDay(undefined, 'jd', TODAY, 'UTC', [attempt(T0, 'qq', 'success')]);
    assert.deepEqual(Object.keys(day).sort(), ['counts', 'created', 'day', 'partner', 'zone']);
  });

  it('estimates quantiles from the buckets, linearly within one', () => {
    assert.equal(bucketQuantile([], 0.5), null);
    // 10 in (0, 50], 10 in (50, 100]: the median at the first bucket's top, p95 near the second's.
    assert.equal(bucketQuantile([10, 10], 0.5), 50);
    assert.equal(bucketQuantile([10, 10], 0.95), 95);
    const overflow = new Array(UPSTREAM_BUCKETS_MS.length + 1).fill(0);
    overflow[UPSTREAM_BUCKETS_MS.length] = 3;
    assert.equal(bucketQuantile(overflow, 0.5), UPSTREAM_BUCKETS_MS.at(-1));
  });

  it('sums a window per method: outcomes, new accounts, links, unlinks, failure rate and upstream time', () => {
    const days = [
      mergeDay(undefined, 'jd', TODAY, 'UTC', history()),
      mergeDay(undefined, 'jd', TODAY - 1, 'UTC', history()),
      mergeDay(undefined, 'jd', TODAY - 10, 'UTC', history()),
    ];
    const r = analyticsReport('jd', 'UTC', days, TODAY, 7, ['weibo', 'qq', 'sohu']);
    assert.equal(r.from, '2013-09-14');
    assert.equal(r.to, '2013-09-20');
    assert.equal(r.perDay.length, 7);
    const weibo = r.providers.find((p) => p.method === 'weibo')!;
    assert.deepEqual(weibo.signIns, { success: 2, denied: 1, upstream_failure: 1, refused: 1, total: 5 });
    assert.equal(weibo.created, 1);
    assert.equal(weibo.unlinks, 1);
    assert.equal(weibo.upstreamFailureRate, 0.25, 'one failure among success, denied and failed; refusals never reached Weibo');
    assert.deepEqual(weibo.upstream, { timed: 3, medianMs: 88, p95Ms: 2850 });
    const qq = r.providers.find((p) => p.method === 'qq')!;
    assert.equal(qq.signIns.success, 1, 'the day 10 days ago is outside the window');
    assert.equal(qq.links, 1);
    assert.equal(qq.upstream.medianMs, 25, 'one time of 40 ms: halfway into its bucket (0, 50]');
    const sohu = r.providers.find((p) => p.method === 'sohu')!;
    assert.deepEqual(sohu.signIns, { success: 0, denied: 0, upstream_failure: 0, refused: 0, total: 0 });
    assert.equal(sohu.upstreamFailureRate, null);
    assert.deepEqual(r.perDay.at(-1)!.methods.weibo, { success: 2, denied: 1, upstream_failure: 1, refused: 1 });
    assert.deepEqual(r.perDay.at(-2)!.methods, { qq: { success: 1, denied: 0, upstream_failure: 0, refused: 0 } });
    const wide = analyticsReport('jd', 'UTC', days, TODAY, 30, ['weibo']);
    assert.equal(wide.providers.find((p) => p.method === 'qq')!.signIns.success, 2, 'a method with data is listed though not an integration');
  });

  it('lists the window day by day for the CSV: every number of the report, counted over each day, old columns first', () => {
    const days = [
      mergeDay(undefined, 'jd', TODAY, 'UTC', history()),
      mergeDay(undefined, 'jd', TODAY - 1, 'UTC', history()),
      mergeDay(undefined, 'jd', TODAY - 1, 'UTC', [attempt(T0 - DAY_MS, 'corp,"sso"', 'success', { created: true })]),
    ];
    const r = analyticsReport('jd', 'UTC', days, TODAY, 3, ['weibo', 'qq', 'sohu']);
    const daily = analyticsDays(r, days, TODAY);
    assert.deepEqual(
      daily.map((d) => d.day),
      ['2013-09-18', '2013-09-19', '2013-09-20'],
    );
    for (const p of r.providers) {
      const sum = (f: (q: (typeof r.providers)[number]) => number) => daily.reduce((n, d) => n + f(d.providers.find((q) => q.method === p.method)!), 0);
      assert.deepEqual(
        [sum((q) => q.signIns.total), sum((q) => q.created), sum((q) => q.links), sum((q) => q.unlinks), sum((q) => q.upstream.timed)],
        [p.signIns.total, p.created, p.links, p.unlinks, p.upstream.timed],
        `${p.method}: the days add up to the window`,
      );
    }
    const csv = analyticsCsv(daily).split('\r\n');
    assert.equal(
      csv[0],
      'day,method,success,denied,upstream_failure,refused,new_accounts,links,unlinks,upstream_failure_rate,upstream_timed,upstream_median_ms,upstream_p95_ms',
    );
    assert.equal(csv[0], ANALYTICS_CSV_HEADER.join(','));
    assert.deepEqual(csv.slice(-5), [
      '2013-09-20,weibo,2,1,1,1,1,0,1,0.25,3,88,2850',
      '2013-09-20,qq,0,0,0,0,0,1,0,,0,,',
      '2013-09-20,sohu,0,0,0,0,0,0,0,,0,,',
      '2013-09-20,"corp,""sso""",0,0,0,0,0,0,0,,0,,',
      '',
    ]);
    assert.ok(csv.includes('2013-09-19,qq,1,0,0,0,0,0,0,0,1,25,48'), 'one time of 40 ms: median and p95 within (0, 50]');
    assert.ok(csv.includes('2013-09-19,"corp,""sso""",1,0,0,0,1,0,0,0,0,,'), 'a method id with a comma and quotes, quoted');
    assert.ok(csv.includes('2013-09-18,weibo,0,0,0,0,0,0,0,,0,,'), 'a day without data: zeros, and no rate or time');
    assert.equal(csv.length, 3 * 4 + 2, 'a row per day and method, and the final line end');
  });

  it("a day is a date in the shop's time zone", () => {
    const late = Date.parse('2013-09-19T23:30:00Z');
    assert.equal(dayLabel(localDayOf(late, 'Asia/Shanghai')), '2013-09-20', '07:30 on the 20th in Beijing');
    assert.equal(dayLabel(localDayOf(late, 'UTC')), '2013-09-19');
    assert.equal(dayLabel(localDayOf(late, 'America/Los_Angeles')), '2013-09-19');
    assert.equal(localDayOf(late, 'Not/AZone'), dayOf(late), 'an unknown zone counts as UTC');
    const day = localDayOf(late, 'Asia/Shanghai');
    const d = mergeDay(undefined, 'jd', day, 'Asia/Shanghai', [
      attempt(late, 'weibo', 'success'),
      attempt(Date.parse('2013-09-19T15:59:00Z'), 'weibo', 'success'),
      attempt(Date.parse('2013-09-20T15:59:00Z'), 'qq', 'success'),
    ]);
    assert.deepEqual(d.counts, { 'weibo|success': 1, 'qq|success': 1 }, '15:59Z on the 19th is 23:59 on the 19th in Beijing; on the 20th it is still the 20th');
    assert.equal(d.zone, 'Asia/Shanghai');
  });

  it('another shop’s days are not counted', () => {
    const other = { ...mergeDay(undefined, 'jd', TODAY, 'UTC', history()), partner: 'taobao' };
    const r = analyticsReport('jd', 'UTC', [other], TODAY, 30, ['weibo']);
    assert.equal(r.providers[0]!.signIns.total, 0);
  });
});

for (const backend of ['embedded', 'postgres'] as const) {
  describe(`analytics: recorded and read back (${backend} store)`, function () {
    this.timeout(30_000);
    const clock = new ManualClock(T0);
    let dir: string;
    let db: TestDatabase | undefined;
    let store: Store;
    before(async function () {
      if (backend === 'postgres' && !(await postgresAvailable())) {
        console.log('      SKIPPED: PostgreSQL is not reachable (CI runs it)');
        this.skip();
      }
      dir = await mkdtemp(join(tmpdir(), 'denglu-analytics-'));
      db = backend === 'postgres' ? await freshDatabase('analytics') : undefined;
      store = await createStore({ dataDir: dir, clock, ...(db ? { databaseUrl: db.url } : {}) });
    });
    after(async () => {
      await store?.close();
      await db?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('flushes attempts and notes into day summaries the report reads, in two batches as in two flushes', async () => {
      const recorder = new LoginEventRecorder({ store, clock, log: quiet });
      const events = history();
      for (const e of events.slice(0, 6)) 'kind' in e ? recorder.note(e) : recorder.record(e);
      await recorder.flush();
      for (const e of events.slice(6)) 'kind' in e ? recorder.note(e) : recorder.record(e);
      await recorder.close();
      const r = await buildAnalytics(store, JD, T0, 30);
      const weibo = r.providers.find((p) => p.method === 'weibo')!;
      assert.deepEqual(weibo.signIns, { success: 2, denied: 1, upstream_failure: 1, refused: 1, total: 5 });
      assert.deepEqual(weibo.upstream, { timed: 3, medianMs: 88, p95Ms: 2850 });
      assert.equal(weibo.unlinks, 1);
      const qq = r.providers.find((p) => p.method === 'qq')!;
      assert.equal(qq.signIns.success, 2);
      assert.equal(qq.links, 1);
      assert.deepEqual(
        r.providers.map((p) => p.method),
        ['weibo', 'qq', 'sohu'],
      );
      assert.equal(recorder.dropped, 0);
      const csv = (await buildAnalyticsCsv(store, JD, T0, 30)).split('\r\n');
      assert.ok(csv[0]!.startsWith('day,method,success,denied,upstream_failure,refused,new_accounts,'), csv[0]);
      assert.ok(csv.includes('2013-09-20,weibo,2,1,1,1,1,0,1,0.25,3,88,2850'), csv.slice(-4).join(' | '));
      assert.ok(csv.includes('2013-09-19,qq,1,0,0,0,0,0,0,0,1,25,48'), csv.slice(-7).join(' | '));
      assert.equal(csv.length, 30 * 3 + 2, 'a row per day and method, and the final line end');
    });

    it('counts a sign-in toward its date at the shop; after a change of zone, counted days stay and new ones use the new zone', async () => {
      const stored = (timeZone: string) => ({ ...JD, id: 'sh', timeZone, clients: [], integrations: [{ provider: 'weibo' }] }) as unknown as Partner;
      await store.put<Partner>('partners', 'sh', stored('Asia/Shanghai'));
      const recorder = new LoginEventRecorder({ store, clock, log: quiet });
      const evening = Date.parse('2013-09-20T17:00:00Z'); // 01:00 on the 21st in Beijing
      recorder.record({ ...attempt(evening, 'weibo', 'success'), partner: 'sh' });
      await recorder.flush();
      const beijing = await buildAnalytics(store, stored('Asia/Shanghai'), evening + 30 * 60_000, 2);
      assert.equal(beijing.timeZone, 'Asia/Shanghai');
      assert.equal(beijing.to, '2013-09-21', 'today is the 21st in Beijing');
      assert.deepEqual(
        beijing.perDay.map((d) => [d.day, d.methods.weibo?.success ?? 0]),
        [
          ['2013-09-20', 0],
          ['2013-09-21', 1],
        ],
      );
      await store.put<Partner>('partners', 'sh', stored('America/New_York'));
      const night = Date.parse('2013-09-21T02:00:00Z'); // 22:00 on the 20th in New York, 10:00 on the 21st in Beijing
      recorder.record({ ...attempt(night, 'weibo', 'success'), partner: 'sh' });
      await recorder.close();
      const days = await store.find<LoginDay>(LOGIN_DAYS_COLLECTION, 'partner', 'sh');
      assert.deepEqual(
        days.map((d) => [dayLabel(d.day), d.zone, d.counts['weibo|success']]).sort(),
        [
          ['2013-09-20', 'America/New_York', 1],
          ['2013-09-21', 'Asia/Shanghai', 1],
        ],
        'the Beijing day is left as counted; the new sign-in counts on its New York date',
      );
      const newYork = await buildAnalytics(store, stored('America/New_York'), night + 30 * 60_000, 2);
      assert.equal(newYork.to, '2013-09-20');
      assert.equal(newYork.providers[0]!.signIns.success, 1, "Beijing's 21st is not yet a day in New York");
    });

    it('expires the summaries with the login events: the sweep after the retention leaves nothing', async () => {
      clock.set(T0 + 402 * DAY_MS);
      await store.sweepExpired();
      const r = await buildAnalytics(store, JD, T0, 30);
      assert.equal(
        r.providers.reduce((n, p) => n + p.signIns.total + p.links + p.unlinks + p.upstream.timed, 0),
        0,
      );
    });
  });
}
