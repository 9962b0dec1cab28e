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
import { withinRequest } from '../../src/store/request-reads.ts';
import { freshDatabase, postgresAvailable, type TestDatabase, watchStatements } from '../support/postgres.ts';

/**
 * At most this many statements a login of a known shopper sends to PostgreSQL (42 before the sign-ins
 * bookkeeping became capped lists and a request started reading through what it already knows; 22 after;
 * 18 once the interaction resumed in place is no longer saved just before its deletion, a session saved
 * under a fresh id is not first read, and a new sign-in is counted at its address, in its browser and with
 * its first flow in one statement).
 */
const MAX_STATEMENTS = 18;

/**
 * At most this many store calls outside the admission's and `partners` for a login of a known shopper (26
 * before perf-reads; 20 after, bounded at 22; 17 once the interaction resumed in place is neither saved
 * nor read back before its deletion and a session saved under a fresh id is not first read).
 */
const MAX_ROUND_TRIPS = 17;
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
  /** The counted login's writes of interactions, as `method id`. */
  const interactionWrites: string[] = [];
  before(async () => {
    gw = await startGateway({
      partners: (seeds) => [...seeds, benchPartner('weibo')],
      wrapStore: (store) =>
        wrapStore(store, (method, args) => {
          if (!counting) return;
          if (['put', 'create', 'update', 'delete'].includes(method) && String(args[1]).startsWith('Interaction:'))
            interactionWrites.push(`${method} ${String(args[1])}`);
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

  it('the interaction is saved once, when it begins; the callback resumed in place deletes it without saving its result first', async () => {
    const [saved, deleted, ...more] = interactionWrites;
    assert.match(saved ?? '', /^put Interaction:/);
    assert.equal(deleted, `delete ${saved!.slice('put '.length)}`);
    assert.deepEqual(more, []);
    assert.equal(await gw.store.get('oidc_volatile', saved!.slice('put '.length)), undefined, 'gone once resumed');
  });
});

describe('statements per brokered login on PostgreSQL', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let db: TestDatabase;
  let unwatch = () => {};
  let counting = false;
  let background = 0;
  const sent: string[] = [];

  before(async function () {
    if (!(await postgresAvailable())) {
      console.log('      SKIPPED: PostgreSQL is not reachable (CI runs it)');
      this.skip();
    }
    db = await freshDatabase('statements_per_login');
    gw = await startGateway({ partners: (seeds) => [...seeds, benchPartner('weibo')], databaseUrl: db.url });
    unwatch = watchStatements((text) => {
      // Only what the login's requests send: background work (the login-event flush every 500 ms, sweeps)
      // runs outside any request and is counted apart.
      if (counting && !withinRequest()) background++;
      else if (counting) sent.push(text.replaceAll(/\s+/g, ' ').slice(0, 90));
    });
  });
  after(async () => {
    unwatch();
    await gw?.close();
    await db?.drop();
  });

  it(`a known shopper signs in with at most ${MAX_STATEMENTS} statements`, async () => {
    const shop = gw.shops[BENCH_CLIENT.clientId]!;
    const login = async () => {
      const browser = new TestBrowser();
      const request = await authRequest(shop, { provider: 'weibo' });
      let page = await browser.go(request.url, { stopAt: atShop(shop) });
      page = await approveAtProvider(browser, page, 'weibo-user-1', shop);
      assert.equal(page.status, 0, `back at the shop: ${page.html.slice(0, 300)}`);
      return (await redeem(shop, page.url, request)).claims()?.sub;
    };
    const first = await login(); // creates the account (and stamps its use: a later login within the hour writes nothing)
    counting = true;
    const second = await login();
    counting = false;
    assert.equal(second, first);
    // The copy of the cached collections (partners …) is refreshed at most once a second, not per login.
    const perLogin = sent.filter((text) => !text.includes('doc::text AS json'));
    console.log(
      `      statements for one login: ${perLogin.length} (and ${sent.length - perLogin.length} refresh of the cached collections; ${background} of background work meanwhile)`,
    );
    assert.ok(perLogin.length > 0, 'the counter saw the login');
    assert.ok(perLogin.length <= MAX_STATEMENTS, `${perLogin.length} statements, at most ${MAX_STATEMENTS}:\n${perLogin.join('\n')}`);
  });
});
