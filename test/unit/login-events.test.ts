// Login events are buffered off the request path and written in batches: `record` never touches the
// store; a flush writes the raw events in one bulk write (when kept), per-day counts and per-shop method
// use; a store that fails loses that batch (counted) without throwing; close() flushes what is left; and
// every document expires after the retention so the expiry sweep removes it. An account's raw events have
// ids that lead with it, and a sign-in written after its account was deleted leaves no summary or raw event.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Account } from '../../src/accounts/account.ts';
import { ManualClock } from '../../src/clock.ts';
import { failedOutcome } from '../../src/events/attempt-outcome.ts';
import { LOGIN_DAYS_COLLECTION, type LoginDay, loginDayId, mergeDay } from '../../src/events/login-days.ts';
import { DAY_MS, dayOf, type LoginEvent } from '../../src/events/login-event.ts';
import { LOGIN_EVENTS_COLLECTION, rawEventPrefix } from '../../src/events/forget-account.ts';
import { LoginEventRecorder } from '../../src/events/recorder.ts';
import { mergeUsage, SHOP_USAGE_COLLECTION, type ShopUsage, shopUsageId, signInsSince } from '../../src/events/shop-usage.ts';
import { GatewayError, UpstreamError } from '../../src/errors.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { wrapStore } from '../support/store-wrapper.ts';

const T0 = Date.parse('2013-09-20T10:00:00+08:00');
const quiet = { warn: () => undefined };

function success(at: number, method: string, account = 'acc-1', partner = 'jd'): LoginEvent {
  return { at, partner, method, outcome: 'success', account };
}

describe('login events: shop usage and day counts (pure)', () => {
  it('keeps first and last use per method and per-day counts of the last 35 days only', () => {
    const old = T0 - 60 * DAY_MS;
    let u = mergeUsage(undefined, 'jd', 'acc-1', [success(old, 'weibo')]);
    assert.deepEqual(u.methods.weibo!.days, [[dayOf(old), 1]]);
    u = mergeUsage(u, 'jd', 'acc-1', [success(T0 - DAY_MS, 'weibo'), success(T0, 'weibo'), success(T0 + 1000, 'weibo'), success(T0, 'qq')]);
    assert.equal(u.methods.weibo!.firstAt, old);
    assert.equal(u.methods.weibo!.lastAt, T0 + 1000);
    assert.deepEqual(u.methods.weibo!.days, [
      [dayOf(T0 - DAY_MS), 1],
      [dayOf(T0), 2],
    ]);
    assert.equal(u.lastAt, T0 + 1000);
    assert.equal(signInsSince(u.methods.weibo, T0 - 30 * DAY_MS), 3);
    assert.equal(signInsSince(u.methods.weibo, T0), 2);
    assert.equal(signInsSince(u.methods.sohu, T0), 0);
  });

  it('counts attempts per method and outcome, and accounts created', () => {
    const day = dayOf(T0);
    const events: LoginEvent[] = [
      success(T0, 'weibo'),
      { ...success(T0, 'weibo'), created: true },
      { at: T0, partner: 'jd', method: 'weibo', outcome: 'upstream_failure', step: 'token_exchange' },
      { at: T0 + DAY_MS, partner: 'jd', method: 'weibo', outcome: 'denied' },
    ];
    const d = mergeDay(undefined, 'jd', day, 'UTC', events);
    assert.deepEqual(d.counts, { 'weibo|success': 2, 'weibo|upstream_failure': 1 });
    assert.deepEqual(d.created, { weibo: 1 });
  });

  it('classes failures: denied at the provider, an upstream step, a lifecycle refusal, anything else not at all', () => {
    assert.deepEqual(failedOutcome(new UpstreamError('weibo', 'provider_denied', 'no')), { outcome: 'denied', step: 'provider_denied' });
    assert.deepEqual(failedOutcome(new UpstreamError('weibo', 'timeout', 'slow')), { outcome: 'upstream_failure', step: 'timeout' });
    assert.deepEqual(failedOutcome(new GatewayError('ERR_NEW_ACCOUNTS_CLOSED', 'closed', { status: 403 })), {
      outcome: 'refused',
      step: 'ERR_NEW_ACCOUNTS_CLOSED',
    });
    assert.equal(failedOutcome(new GatewayError('ERR_INTERACTION_LOST', 'gone', { status: 400 })), undefined);
  });
});

describe('login events: the buffered recorder', () => {
  const clock = new ManualClock('2013-09-20T10:00:00+08:00');
  let dir: string;
  let opened: Store;
  let store: Store;
  const calls: string[] = [];
  let failing = false;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'denglu-events-'));
    opened = await createStore({ dataDir: dir, clock });
    for (const id of ['acc-0', 'acc-1', 'acc-2', 'acc-retained', 'acc-x', 'acc-y', 'acc-timer']) {
      await opened.create<Account>('accounts', id, { id, createdAt: 0, identities: [], profile: { name: id }, shops: {} });
    }
    store = wrapStore(opened, (method, args) => {
      calls.push(`${method} ${String(args[0])}`);
      if (failing && method === 'load') throw new Error('database went away');
    });
  });
  after(async () => {
    await opened.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    calls.length = 0;
    failing = false;
  });

  it('records without a store call, then writes a batch: raw events in one bulk write, days and shop use', async () => {
    const recorder = new LoginEventRecorder({ store, clock, log: quiet, keepRaw: true, retentionDays: 400 });
    for (let i = 0; i < 10; i++) recorder.record(success(T0 + i, i % 2 ? 'weibo' : 'qq', `acc-${i % 3}`));
    recorder.record({ at: T0, partner: 'jd', method: 'weibo', outcome: 'upstream_failure', step: 'userinfo' });
    assert.deepEqual(calls, [], 'record() asks nothing of the store');
    await recorder.flush();
    assert.equal(calls.filter((c) => c === `load ${LOGIN_EVENTS_COLLECTION}`).length, 1, 'one bulk write of raw events');
    assert.equal((await opened.list(LOGIN_EVENTS_COLLECTION)).length, 11);
    const day = await opened.get<LoginDay>(LOGIN_DAYS_COLLECTION, loginDayId('jd', dayOf(T0)));
    assert.deepEqual(day?.counts, { 'qq|success': 5, 'weibo|success': 5, 'weibo|upstream_failure': 1 });
    const usage = await opened.get<ShopUsage>(SHOP_USAGE_COLLECTION, shopUsageId('jd', 'acc-0'));
    assert.deepEqual(Object.keys(usage!.methods).sort(), ['qq', 'weibo']);
    const byPartner = await opened.find<ShopUsage>(SHOP_USAGE_COLLECTION, 'partner', 'jd');
    assert.equal(byPartner.length, 3);
    const ids = (await opened.list(LOGIN_EVENTS_COLLECTION)).map((d) => d.id);
    assert.equal(ids.filter((id) => id.startsWith(rawEventPrefix('acc-0'))).length, 4, "an account's raw events lead with it");
    assert.equal(ids.filter((id) => !id.includes('/')).length, 1, 'an event without an account has a time id');
    await recorder.close();
  });

  it('forgets a sign-in written after its account was deleted: no summary, no raw event; the day still counts it', async () => {
    const recorder = new LoginEventRecorder({ store, clock, log: quiet, keepRaw: true });
    recorder.record(success(T0, 'weibo', 'acc-deleted', 'taobao'));
    recorder.record({ at: T0, partner: 'taobao', method: 'weibo', outcome: 'upstream_failure', step: 'userinfo' });
    await recorder.close();
    assert.equal(await opened.get(SHOP_USAGE_COLLECTION, shopUsageId('taobao', 'acc-deleted')), undefined);
    const raw = (await opened.list(LOGIN_EVENTS_COLLECTION)).map((d) => d.id);
    assert.ok(!raw.some((id) => id.startsWith(rawEventPrefix('acc-deleted'))), raw.join());
    assert.ok(
      raw.some((id) => !id.includes('/')),
      'the accountless event of the same batch is kept',
    );
    const day = await opened.get<LoginDay>(LOGIN_DAYS_COLLECTION, loginDayId('taobao', dayOf(T0)));
    assert.equal(day?.counts['weibo|success'], 1);
  });

  it('expires raw events, day counts and shop use after the retention (the sweep removes them)', async () => {
    const recorder = new LoginEventRecorder({ store, clock, log: quiet, keepRaw: true, retentionDays: 31 });
    recorder.record(success(T0, 'sohu', 'acc-retained', 'taobao'));
    await recorder.close();
    assert.ok(await opened.get(SHOP_USAGE_COLLECTION, shopUsageId('taobao', 'acc-retained')));
    clock.advance(32 * DAY_MS);
    assert.equal(await opened.get(SHOP_USAGE_COLLECTION, shopUsageId('taobao', 'acc-retained')), undefined);
    assert.equal(await opened.get(LOGIN_DAYS_COLLECTION, loginDayId('taobao', dayOf(T0))), undefined);
    assert.ok((await opened.sweepExpired()) >= 3, 'the sweep forgets them');
    clock.advance(-32 * DAY_MS);
  });

  it('keeps no raw events unless asked on the embedded store, and never throws when the store fails', async () => {
    const embedded = new LoginEventRecorder({ store, clock, log: quiet });
    assert.equal(embedded.keepRaw, false);
    const before = (await opened.list(LOGIN_EVENTS_COLLECTION)).length;
    embedded.record(success(T0, 'weibo', 'acc-x'));
    await embedded.close();
    assert.equal((await opened.list(LOGIN_EVENTS_COLLECTION)).length, before, 'no raw event kept');
    assert.ok(await opened.get(SHOP_USAGE_COLLECTION, shopUsageId('jd', 'acc-x')), 'its shop use is');

    failing = true;
    const warned: unknown[] = [];
    const raw = new LoginEventRecorder({ store, clock, log: { warn: (o: unknown) => warned.push(o) }, keepRaw: true });
    raw.record(success(T0, 'weibo', 'acc-y'));
    raw.record(success(T0, 'weibo', 'acc-y'));
    await raw.close();
    assert.equal(raw.dropped, 2, 'the failed batch is counted as lost');
    assert.equal(warned.length, 1);
    assert.ok(await opened.get(SHOP_USAGE_COLLECTION, shopUsageId('jd', 'acc-y')), 'the summaries still written');
  });

  it('flushes on its own every half second once started', async () => {
    const recorder = new LoginEventRecorder({ store, clock, log: quiet });
    recorder.start();
    recorder.record(success(T0, 'wechat', 'acc-timer'));
    const deadline = Date.now() + 5000;
    while (!(await opened.get(SHOP_USAGE_COLLECTION, shopUsageId('jd', 'acc-timer'))) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(await opened.get(SHOP_USAGE_COLLECTION, shopUsageId('jd', 'acc-timer')), 'written without an explicit flush');
    await recorder.close();
  });
});
