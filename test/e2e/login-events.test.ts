// Sign-ins through the gateway leave login events: a first Weibo sign-in (account created), a sign-in
// through the notice interstitial, a denial at the provider; nothing of it is written on the login's
// request path (only the recorder's flush writes the event collections), and the summaries the impact
// report reads say which methods the account used at which shop.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { LOGIN_DAYS_COLLECTION, type LoginDay, loginDayId } from '../../src/events/login-days.ts';
import { type LoginEvent, localDayOf } from '../../src/events/login-event.ts';
import { LOGIN_EVENTS_COLLECTION } from '../../src/events/forget-account.ts';
import { SHOP_USAGE_COLLECTION, type ShopUsage, shopUsageId } from '../../src/events/shop-usage.ts';
import { TestBrowser } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, loginWith, startGateway, type Gateway } from '../support/gateway.ts';
import { wrapStore } from '../support/store-wrapper.ts';

const EVENT_COLLECTIONS = new Set([LOGIN_EVENTS_COLLECTION, LOGIN_DAYS_COLLECTION, SHOP_USAGE_COLLECTION]);

describe('login events of real sign-ins', function () {
  this.timeout(60_000);
  let gw: Gateway;
  const clock = new ManualClock('2013-09-20T10:00:00+08:00');
  const outsideRecorder: string[] = [];

  before(async () => {
    gw = await startGateway({
      clock,
      env: { LOGIN_EVENTS_RAW: 'true' },
      // beta's Weibo is in notice: its sign-ins pass the interstitial.
      partners: (seeds) =>
        seeds.map((p) =>
          p.id !== 'beta'
            ? p
            : {
                ...p,
                integrations: p.integrations.map((i) =>
                  i.provider === 'weibo' ? { ...i, noticeAt: Date.parse('2013-09-10T00:00+08:00'), cutoffAt: Date.parse('2013-09-25T00:00+08:00') } : i,
                ),
              },
        ),
      wrapStore: (store) =>
        wrapStore(store, (method, args) => {
          const collections = method === 'batch' ? (args[0] as { collection: string }[]).map((o) => o.collection) : [String(args[0])];
          const write = !['get', 'find', 'findOne', 'list', 'count', 'dump'].includes(method);
          if (write && collections.some((c) => EVENT_COLLECTIONS.has(c)) && !(new Error().stack ?? '').includes('recorder.ts')) outsideRecorder.push(method);
        }),
    });
  });
  after(async () => {
    await gw.close();
  });

  const rawEvents = async () => (await gw.store.list<LoginEvent>(LOGIN_EVENTS_COLLECTION)).map((r) => r.value);

  it('records a first sign-in (account created) and one through the notice, written only by the recorder', async () => {
    const first = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'events-alice');
    const atBeta = await loginWith(gw, new TestBrowser(), 'beta-basic', 'weibo', 'events-alice');
    await gw.denglu.loginEvents.flush();
    const events = await rawEvents();
    const created = events.find((e) => e.partner === 'alpha' && e.outcome === 'success');
    assert.ok(created, JSON.stringify(events));
    assert.equal(created.method, 'weibo');
    assert.equal(created.created, true);
    assert.equal(created.at, clock.now());
    const notice = events.find((e) => e.partner === 'beta' && e.outcome === 'success');
    assert.equal(notice?.via, 'notice');
    assert.equal(notice?.account, created.account);
    assert.notEqual(first.claims.sub, atBeta.claims.sub, 'pairwise per shop');
    const usage = await gw.store.get<ShopUsage>(SHOP_USAGE_COLLECTION, shopUsageId('alpha', created.account!));
    assert.deepEqual(Object.keys(usage!.methods), ['weibo']);
    const day = await gw.store.get<LoginDay>(LOGIN_DAYS_COLLECTION, loginDayId('alpha', localDayOf(clock.now(), 'Asia/Shanghai')));
    assert.equal(day?.counts['weibo|success'], 1);
    assert.equal(day?.created.weibo, 1);
    assert.deepEqual(outsideRecorder, [], 'no event collection touched on a request path');
  });

  it('says a sign-in held on the notice interstitial created the account, so new accounts during notice are counted', async () => {
    await loginWith(gw, new TestBrowser(), 'beta-basic', 'weibo', 'events-carol');
    await gw.denglu.loginEvents.flush();
    const carol = (await rawEvents()).filter((e) => e.partner === 'beta' && e.outcome === 'success' && e.created);
    assert.equal(carol.length, 1, JSON.stringify(await rawEvents()));
    assert.equal(carol[0]!.via, 'notice');
    assert.equal(carol[0]!.method, 'weibo');
    const day = await gw.store.get<LoginDay>(LOGIN_DAYS_COLLECTION, loginDayId('beta', localDayOf(clock.now(), 'Asia/Shanghai')));
    assert.equal(day?.created.weibo, 1);
  });

  it('records a denial at the provider', async () => {
    const browser = new TestBrowser();
    const shop = gw.shops['alpha-basic']!;
    const request = await authRequest(shop, { provider: 'sohu' });
    const page = await browser.go(request.url, { stopAt: atShop(shop) });
    const failed = await approveAtProvider(browser, page, 'events-bob', shop, 'deny');
    assert.equal(failed.status, 502, 'the failure page');
    await gw.denglu.loginEvents.flush();
    const denied = (await rawEvents()).find((e) => e.method === 'sohu');
    assert.deepEqual(denied && { outcome: denied.outcome, step: denied.step, partner: denied.partner }, {
      outcome: 'denied',
      step: 'provider_denied',
      partner: 'alpha',
    });
    assert.equal(denied?.account, undefined);
  });
});
