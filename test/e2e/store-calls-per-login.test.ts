// What one brokered login asks of the store (issue 14: on PostgreSQL every store call is a round trip).
// The bench shop's settings (bench/bench-partner.ts): a first-party shop, Weibo hinted in the
// authorization request, an account that already exists; the login is the authorization request, the
// Weibo round trip with its callback (resumed in the same response) and the token request. The calls are
// counted by method and collection and printed. The bound is on the calls that are round trips to
// PostgreSQL, apart from the sign-in admission's own bookkeeping (`signins`, and whatever
// src/broker/sign-ins-in-progress.ts reads: counted apart, as `admission`): `partners` is a cached
// collection (every backend answers it from memory), so it is printed but not bounded.

import assert from 'node:assert/strict';
import { benchPartner, BENCH_CLIENT } from '../../bench/bench-partner.ts';
import { TestBrowser } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, redeem, startGateway, type Gateway } from '../support/gateway.ts';
import { wrapStore } from '../support/store-wrapper.ts';

/** At most this many store calls outside the admission's and `partners` for a login of a known shopper (26 before perf-reads). */
const MAX_ROUND_TRIPS = 22;
const NOT_BOUNDED = ['admission', 'signins', 'partners', 'background'];
const ADMISSION_MODULE = 'sign-ins-in-progress.ts';
/** The login-event recorder's timer flush may fire during the login: off the request path, counted apart as `background`. */
const BACKGROUND_MODULE = 'events/recorder.ts';

/** The collections one store call touches (a batch: each of its operations'). */
function collectionsOf(method: string, args: readonly unknown[]): string[] {
  if (method === 'batch') return (args[0] as { collection: string }[]).map((op) => op.collection);
  if (method === 'ready') return ['-'];
  return [String(args[0])];
}

/** STORE_CALLS_TRACE=1 prints each call with the frames of Denglu and oidc-provider that made it. */
function trace(key: string, args: readonly unknown[]): void {
  const frames = (new Error().stack ?? '')
    .split('\n')
    .slice(3, 10)
    .filter((line) => line.includes('/src/') || line.includes('oidc-provider'))
    .map((line) => line.trim().replace(/.*\/(src|lib)\//, ''));
  console.log(`        ${key} ${String(args[1])} < ${frames.join(' < ')}`);
}

describe('store calls per brokered login', function () {
  let gw: Gateway;
  let counting = false;
  const calls = new Map<string, number>();
  before(async () => {
    gw = await startGateway({
      partners: (seeds) => [...seeds, benchPartner('weibo')],
      wrapStore: (store) =>
        wrapStore(store, (method, args) => {
          if (!counting) return;
          const stack = new Error().stack ?? '';
          const admission = stack.includes(ADMISSION_MODULE);
          const background = stack.includes(BACKGROUND_MODULE);
          for (const collection of collectionsOf(method, args)) {
            const key = `${background ? 'background ' : admission && collection !== 'signins' ? 'admission ' : ''}${collection} ${method}`;
            calls.set(key, (calls.get(key) ?? 0) + 1);
            if (process.env.STORE_CALLS_TRACE) trace(key, args);
          }
        }),
    });
  });
  after(async () => {
    await gw.close();
  });

  async function login(user: string): Promise<void> {
    const shop = gw.shops[BENCH_CLIENT.clientId]!;
    const browser = new TestBrowser();
    const request = await authRequest(shop, { provider: 'weibo' });
    let page = await browser.go(request.url, { stopAt: atShop(shop) });
    page = await approveAtProvider(browser, page, user, shop);
    assert.equal(page.status, 0, `back at the shop: ${page.html.slice(0, 300)}`);
    const tokens = await redeem(shop, page.url, request);
    assert.ok(tokens.claims()?.sub);
  }

  it('a known shopper signs in with a bounded number of store calls, counted by collection', async () => {
    await login('weibo-user-1'); // creates the account; the bench's logins are of accounts that exist
    counting = true;
    await login('weibo-user-1');
    counting = false;
    const rows = [...calls].sort(([a], [b]) => a.localeCompare(b));
    const bounded = rows.filter(([key]) => !NOT_BOUNDED.includes(key.split(' ')[0]!)).reduce((n, [, c]) => n + c, 0);
    const total = rows.reduce((n, [, c]) => n + c, 0);
    console.log(`      store calls for one login: ${total} (${bounded} outside ${NOT_BOUNDED.join(' and ')})`);
    for (const [key, count] of rows) console.log(`        ${key.padEnd(28)} ${count}`);
    assert.ok(bounded > 0, 'the wrapper saw the login');
    const eventsOnPath = rows.filter(([key]) => /^(login_events|login_days|shop_usage) /.test(key));
    assert.deepEqual(eventsOnPath, [], 'login events are written by the recorder only, never on the request path');
    assert.ok(bounded <= MAX_ROUND_TRIPS, `${bounded} store calls outside ${NOT_BOUNDED.join(' and ')}, at most ${MAX_ROUND_TRIPS}`);
  });
});
