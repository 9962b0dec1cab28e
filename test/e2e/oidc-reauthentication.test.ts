// End to end: every prompt / max_age combination at a first-party and a third-party shop, from a
// browser without a Denglu session and from one already signed in. Each completes with exactly one
// upstream sign-in where one is needed (never two, never a loop), shows the consent page only where the
// shop is third-party and consent is missing or requested, and gives a fresh `auth_time` exactly when
// re-authentication was forced — which then reaches the provider where it can be asked for (Weibo's
// `forcelogin=true`, honoured by its emulator even for a shopper already signed in there).

import assert from 'node:assert/strict';
import { TestBrowser, type Page } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, redeem, startGateway, type Gateway, type TestShop } from '../support/gateway.ts';

interface Variant {
  name: string;
  params: Record<string, string>;
  /** Re-authentication is forced (prompt=login, max_age). */
  forced: boolean;
  /** The shop asks for the consent page again. */
  consentPrompt: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'no prompt', params: {}, forced: false, consentPrompt: false },
  { name: 'prompt=none', params: { prompt: 'none' }, forced: false, consentPrompt: false },
  { name: 'prompt=login', params: { prompt: 'login' }, forced: true, consentPrompt: false },
  { name: 'prompt=consent', params: { prompt: 'consent' }, forced: false, consentPrompt: true },
  { name: 'prompt="login consent"', params: { prompt: 'login consent' }, forced: true, consentPrompt: true },
  { name: 'max_age=0', params: { max_age: '0' }, forced: true, consentPrompt: false },
  { name: 'max_age=86400', params: { max_age: '86400' }, forced: false, consentPrompt: false },
];

const SHOPS = [
  { clientId: 'alpha-basic', thirdParty: false },
  { clientId: 'gamma-basic', thirdParty: true },
];

interface Outcome {
  callback: URL;
  upstream: URL[];
  consentPages: number;
}

describe('e2e: prompt and max_age at first- and third-party shops', function () {
  let gw: Gateway;
  let n = 0;

  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await gw.close();
  });

  const weiboAuthorize = () => `${gw.emulators.weibo!.url}/oauth2/authorize`;

  /** Plays the shopper until the browser is back at the shop: approves at Weibo, consents at Denglu. */
  async function drive(browser: TestBrowser, shop: TestShop, url: URL, login: string): Promise<Outcome> {
    const start = browser.history.length;
    let page: Page = await browser.go(url, { stopAt: atShop(shop) });
    let consentPages = 0;
    for (let step = 0; page.status !== 0; step++) {
      // Three upstream sign-ins or consent pages in one authorization is already a loop.
      assert.ok(step < 6, `the authorization loops (at ${page.url.href})`);
      if (page.url.href.startsWith(weiboAuthorize())) page = await approveAtProvider(browser, page, login, shop);
      else if (page.status === 200 && page.html.includes('/consent"')) {
        consentPages++;
        page = await browser.submit(page, {}, '/consent', atShop(shop));
      } else assert.fail(`unexpected page ${page.status} ${page.url.href}: ${page.html.slice(0, 300)}`);
    }
    const upstream = browser.history
      .slice(start)
      .filter((h) => h.method === 'GET' && h.url.startsWith(weiboAuthorize()))
      .map((h) => new URL(h.url));
    return { callback: page.url, upstream, consentPages };
  }

  async function authorize(browser: TestBrowser, shop: TestShop, login: string, params: Record<string, string>) {
    const request = await authRequest(shop, { provider: 'weibo', ...params });
    const outcome = await drive(browser, shop, request.url, login);
    return { ...outcome, request };
  }

  for (const { clientId, thirdParty } of SHOPS) {
    describe(`${clientId} (${thirdParty ? 'third-party' : 'first-party'})`, () => {
      describe('without a Denglu session', () => {
        for (const v of VARIANTS) {
          it(`${v.name}: ${v.name === 'prompt=none' ? 'login_required' : 'one upstream sign-in'}`, async () => {
            const shop = gw.shops[clientId]!;
            const browser = new TestBrowser();
            const before = Math.floor(Date.now() / 1000);
            const { callback, upstream, consentPages, request } = await authorize(browser, shop, `reauth-${++n}`, v.params);
            if (v.name === 'prompt=none') {
              assert.equal(callback.searchParams.get('error'), 'login_required');
              assert.equal(upstream.length, 0);
              return;
            }
            assert.equal(upstream.length, 1, 'exactly one upstream sign-in');
            assert.equal(consentPages, thirdParty ? 1 : 0, 'consent page only at the third-party shop');
            const claims = (await redeem(shop, callback, request)).claims()!;
            assert.ok(Number(claims.auth_time) >= before, 'auth_time is this sign-in');
          });
        }
      });

      describe('signed in already', () => {
        const signedIn = new Map<string, { browser: TestBrowser; login: string; authTime: number }>();

        before(async () => {
          const shop = gw.shops[clientId]!;
          for (const v of VARIANTS) {
            const browser = new TestBrowser();
            const login = `reauth-${++n}`;
            const { callback, request } = await authorize(browser, shop, login, {});
            signedIn.set(v.name, { browser, login, authTime: Number((await redeem(shop, callback, request)).claims()!.auth_time) });
          }
          // The next second: a fresh auth_time is then told apart from the first sign-in's.
          await new Promise((resolve) => setTimeout(resolve, 1050 - (Date.now() % 1000)));
        });

        for (const v of VARIANTS) {
          const expectUpstream = v.forced ? 1 : 0;
          it(`${v.name}: ${expectUpstream} upstream sign-in${v.forced ? ', a fresh auth_time' : ', the same auth_time'}`, async () => {
            const shop = gw.shops[clientId]!;
            const { browser, login, authTime } = signedIn.get(v.name)!;
            const { callback, upstream, consentPages, request } = await authorize(browser, shop, login, v.params);
            assert.equal(callback.searchParams.get('error'), null, `no error (${callback.searchParams.get('error_description')})`);
            assert.equal(upstream.length, expectUpstream, 'upstream sign-ins');
            assert.equal(consentPages, thirdParty && v.consentPrompt ? 1 : 0, 'consent pages');
            const claims = (await redeem(shop, callback, request)).claims()!;
            if (v.forced) assert.ok(Number(claims.auth_time) > authTime, `a fresh auth_time (${claims.auth_time} after ${authTime})`);
            else assert.equal(Number(claims.auth_time), authTime, 'the session\'s auth_time');
          });
        }
      });
    });
  }
});
