// End to end: every prompt / max_age combination at a first-party and a third-party shop, from a
// browser without a Denglu session and from one already signed in. Each completes with exactly one
// upstream sign-in where one is needed (never two, never a loop), shows the consent page only where the
// shop is third-party and consent is missing or requested, and gives a fresh `auth_time` exactly when
// re-authentication was forced — which then reaches the provider where it can be asked for (Weibo's
// `forcelogin=true`, honoured by its emulator even for a shopper already signed in there).

import assert from 'node:assert/strict';
import { TestBrowser, type Page } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, redeem, gatewayPerSuite, type TestShop } from '../support/gateway.ts';
import { FORCED_LOGIN_NOTICE } from '../../providers/weibo/emulator-authorize.ts';
import { ManualClock } from '../../src/clock.ts';
import type { PartnerSeed } from '../../src/partners/partners.ts';

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

/**
 * Whether a sign-in this request leads to must be a new one at the provider: the shop forced it, or gave a
 * max_age (Denglu cannot tell how old the shopper's session at the provider is).
 */
const asksProviderAgain = (v: Variant) => v.forced || 'max_age' in v.params;

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
  const suite = gatewayPerSuite();
  let n = 0;

  const weiboAuthorize = () => `${suite.gw.emulators.weibo!.url}/oauth2/authorize`;

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
            const shop = suite.gw.shops[clientId]!;
            const browser = new TestBrowser();
            const before = Math.floor(Date.now() / 1000);
            const { callback, upstream, consentPages, request } = await authorize(browser, shop, `reauth-${++n}`, v.params);
            if (v.name === 'prompt=none') {
              assert.equal(callback.searchParams.get('error'), 'login_required');
              assert.equal(upstream.length, 0);
              return;
            }
            assert.equal(upstream.length, 1, 'exactly one upstream sign-in');
            assert.equal(upstream[0]!.searchParams.get('forcelogin'), asksProviderAgain(v) ? 'true' : null, 'Weibo forcelogin');
            assert.equal(consentPages, thirdParty ? 1 : 0, 'consent page only at the third-party shop');
            const claims = (await redeem(shop, callback, request)).claims()!;
            assert.ok(Number(claims.auth_time) >= before, 'auth_time is this sign-in');
          });
        }
      });

      describe('signed in already', () => {
        const signedIn = new Map<string, { browser: TestBrowser; login: string; authTime: number }>();

        before(async () => {
          const shop = suite.gw.shops[clientId]!;
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
            const shop = suite.gw.shops[clientId]!;
            const { browser, login, authTime } = signedIn.get(v.name)!;
            const { callback, upstream, consentPages, request } = await authorize(browser, shop, login, v.params);
            assert.equal(callback.searchParams.get('error'), null, `no error (${callback.searchParams.get('error_description')})`);
            assert.equal(upstream.length, expectUpstream, 'upstream sign-ins');
            for (const u of upstream) assert.equal(u.searchParams.get('forcelogin'), 'true', 'Weibo is asked to sign the shopper in again');
            assert.equal(consentPages, thirdParty && v.consentPrompt ? 1 : 0, 'consent pages');
            const claims = (await redeem(shop, callback, request)).claims()!;
            if (v.forced) assert.ok(Number(claims.auth_time) > authTime, `a fresh auth_time (${claims.auth_time} after ${authTime})`);
            else assert.equal(Number(claims.auth_time), authTime, "the session's auth_time");
          });
        }
      });
    });
  }

  it('auth_time is the moment of the sign-in, not of the consent given after it', async () => {
    const shop = suite.gw.shops['gamma-basic']!;
    const browser = new TestBrowser();
    const login = `reauth-${++n}`;
    const request = await authRequest(shop, { provider: 'weibo', prompt: 'login consent' });
    let page = await browser.go(request.url, { stopAt: atShop(shop) });
    page = await approveAtProvider(browser, page, login, shop);
    assert.match(page.html, /\/consent"/, 'the consent page');
    const signedInBy = Math.floor(Date.now() / 1000);
    // The shopper reads the consent page into the next second.
    await new Promise((resolve) => setTimeout(resolve, 1050 - (Date.now() % 1000)));
    const back = await browser.submit(page, {}, '/consent', atShop(shop));
    assert.equal(back.status, 0);
    const claims = (await redeem(shop, back.url, request)).claims()!;
    assert.ok(Number(claims.auth_time) <= signedInBy, `auth_time ${claims.auth_time} is the sign-in (by ${signedInBy}), not the consent`);
  });

  describe('forced re-authentication reaches the provider (Weibo forcelogin)', () => {
    it('a shopper signed in at Weibo passes straight through until the shop forces a new sign-in; then Weibo asks again', async () => {
      const weibo = suite.gw.emulators.weibo!.emulator;
      const login = `reauth-${++n}`;
      const shop = suite.gw.shops['alpha-basic']!;
      const browser = new TestBrowser();
      // Auto-approve: the emulator's stand-in for a shopper already signed in at Weibo.
      weibo.setAutoApprove(login);
      try {
        const first = await authorize(browser, shop, login, {});
        assert.equal(first.upstream.length, 1);
        assert.equal(first.upstream[0]!.searchParams.get('forcelogin'), null, 'no forcelogin on an ordinary sign-in');
        const firstAuthTime = Number((await redeem(shop, first.callback, first.request)).claims()!.auth_time);
        await new Promise((resolve) => setTimeout(resolve, 1050 - (Date.now() % 1000)));

        const request = await authRequest(shop, { provider: 'weibo', prompt: 'login' });
        const page = await browser.go(request.url, { stopAt: atShop(shop) });
        assert.equal(page.status, 200, 'Weibo shows its sign-in page despite the Weibo session');
        assert.ok(page.url.href.startsWith(weiboAuthorize()));
        assert.equal(page.url.searchParams.get('forcelogin'), 'true');
        assert.ok(page.html.includes(FORCED_LOGIN_NOTICE), 'the emulator honoured forcelogin');
        const back = await approveAtProvider(browser, page, login, shop);
        assert.equal(back.status, 0, 'back at the shop');
        const claims = (await redeem(shop, back.url, request)).claims()!;
        assert.ok(Number(claims.auth_time) > firstAuthTime, 'a fresh auth_time for a fresh upstream sign-in');
      } finally {
        weibo.setAutoApprove(undefined);
      }
    });

    it('from the chooser too (no provider hint): prompt=login sends forcelogin, an ordinary sign-in does not', async () => {
      const shop = suite.gw.shops['alpha-basic']!;
      const browser = new TestBrowser();
      const login = `reauth-${++n}`;
      for (const [params, expected] of [
        [{}, null],
        [{ prompt: 'login' }, 'true'],
      ] as const) {
        const request = await authRequest(shop, params);
        const chooser = await browser.go(request.url, { stopAt: atShop(shop) });
        assert.equal(chooser.status, 200, 'the chooser');
        const atWeibo = await browser.click(chooser, '/start/weibo', atShop(shop));
        assert.ok(atWeibo.url.href.startsWith(weiboAuthorize()), atWeibo.url.href);
        assert.equal(atWeibo.url.searchParams.get('forcelogin'), expected);
        const back = await approveAtProvider(browser, atWeibo, login, shop);
        assert.equal(back.status, 0);
        await redeem(shop, back.url, request);
      }
    });
  });
});

describe('e2e: forced re-authentication during a migration (QQ in grace at alpha)', function () {
  const clock = new ManualClock('2013-09-01T10:00:00+08:00');
  const qqEnding = (seeds: PartnerSeed[]) =>
    seeds.map((p) =>
      p.id !== 'alpha'
        ? p
        : {
            ...p,
            integrations: p.integrations.map((i) =>
              i.provider === 'qq' ? { ...i, cutoffAt: Date.parse('2013-09-25T00:00+08:00'), graceEndsAt: Date.parse('2013-10-25T00:00+08:00') } : i,
            ),
          },
    );
  const suite = gatewayPerSuite({ clock, partners: qqEnding });

  it('prompt=login: the replacement linked while migrating (Weibo) is asked to sign the shopper in again', async () => {
    const shop = suite.gw.shops['alpha-basic']!;
    clock.set('2013-09-10T10:00:00+08:00');
    const first = await authRequest(shop, { provider: 'qq' });
    const qqBrowser = new TestBrowser();
    const signedIn = await approveAtProvider(qqBrowser, await qqBrowser.go(first.url, { stopAt: atShop(shop) }), 'reauth-qq-only', shop);
    const before = (await redeem(shop, signedIn.url, first)).claims()!;

    clock.set('2013-10-01T10:00:00+08:00');
    const browser = new TestBrowser();
    browser.acceptLanguage = 'en';
    const request = await authRequest(shop, { prompt: 'login' });
    const chooser = await browser.go(request.url, { stopAt: atShop(shop) });
    const migrate = await approveAtProvider(browser, await browser.click(chooser, '/migrate/qq', atShop(shop)), 'reauth-qq-only', shop);
    assert.match(migrate.html, /data-link="weibo"/, 'the migration page offers Weibo');
    const atWeibo = await browser.click(migrate, '/link/weibo', atShop(shop));
    assert.ok(atWeibo.url.href.startsWith(`${suite.gw.emulators.weibo!.url}/oauth2/authorize`), atWeibo.url.href);
    assert.equal(atWeibo.url.searchParams.get('forcelogin'), 'true');
    const back = await approveAtProvider(browser, atWeibo, 'reauth-qq-only-weibo', shop);
    assert.equal(back.status, 0, 'back at the shop');
    assert.equal((await redeem(shop, back.url, request)).claims()!.sub, before.sub, 'the same shop account');
  });
});
