// End to end, over real HTTP: every way an upstream sign-in can fail (denial, hangs, 500s, garbage at
// the token and profile endpoints, state tampering, replay, another browser, expiry, mix-up, bad
// hints) ends on a clear page in the shopper's language with the request id and a way forward; going
// back to the shop hands it a protocol error with its `state` and `iss`; and nothing leaks or breaks.

import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { DESCRIPTORS } from '../../providers/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { translator, type MessageKey } from '../../src/i18n/messages.ts';
import type { Locale } from '../../providers/contract.ts';
import { TestBrowser, type Page } from '../support/browser.ts';
import { atShop, authRequest, loginWith, redeem, startGateway, type AuthRequest, type Gateway, type TestShop } from '../support/gateway.ts';
import { actionsOf, assertFailurePage, assertLogsClean, rejectionGuard, wiretap, type Wiretap } from './e2e-checks.ts';

type ProviderId = 'weibo' | 'qq' | 'sohu' | 'alipay';
const PROVIDER_IDS: ProviderId[] = ['weibo', 'qq', 'sohu', 'alipay'];

/** Fault-switch endpoint names and request paths of each emulator (providers/<id>/README.md). */
const WIRE: Record<ProviderId, { token: string; tokenPath: string; profile: string[]; extraModes: [string, string][] }> = {
  weibo: {
    token: 'access_token',
    tokenPath: '/oauth2/access_token',
    profile: ['get_token_info', 'users/show'],
    extraModes: [
      ['get_token_info', 'foreign_appkey'],
      ['users/show', 'other_uid'],
    ],
  },
  qq: {
    token: 'token',
    tokenPath: '/oauth2.0/token',
    profile: ['me', 'get_user_info'],
    extraModes: [
      ['me', 'foreign_client_id'],
      ['me', 'extra_js'],
      ['token', 'jsonp_error'],
    ],
  },
  sohu: { token: 'access_token', tokenPath: '/oauth2/access_token', profile: ['users/show'], extraModes: [['users/show', 'missing_id']] },
  // One gateway path for every Alipay method: the token calls are those naming alipay.system.oauth.token.
  alipay: {
    token: 'alipay.system.oauth.token',
    tokenPath: '/gateway.do?method=alipay.system.oauth.token',
    profile: ['alipay.user.info.share'],
    extraModes: [
      ['alipay.system.oauth.token', 'unsigned'],
      ['alipay.system.oauth.token', 'tampered'],
      ['alipay.user.info.share', 'other_key'],
      ['alipay.user.info.share', 'invalid_token'],
    ],
  },
};

/** How the shopper's language is chosen, rotated over the cases so both languages and both sources are covered. */
interface LocaleCase {
  accept: string;
  ui?: string;
  expect: Locale;
}
const LOCALE_CASES: LocaleCase[] = [
  { accept: 'en-US,en;q=0.9', expect: 'en' },
  { accept: 'zh-CN,zh;q=0.9', expect: 'zh-CN' },
  { accept: 'zh-CN,zh;q=0.9', ui: 'en', expect: 'en' },
  { accept: 'en-GB,en;q=0.8', ui: 'zh-CN', expect: 'zh-CN' },
];
let rotation = 0;
const nextLocale = (): LocaleCase => LOCALE_CASES[rotation++ % LOCALE_CASES.length]!;
/** Cases where the gateway cannot know the flow (so only Accept-Language can count). */
const acceptOnly = (): LocaleCase => [LOCALE_CASES[0]!, LOCALE_CASES[1]!][rotation++ % 2]!;

const label = (provider: string, locale: Locale) => DESCRIPTORS.find((d) => d.id === provider)!.label[locale];
const message = (key: MessageKey, locale: Locale, params: Record<string, string> = {}) => translator(locale)(key, params);
const FLOW_TTL_MS = 600 * 1000;
const SCRIPT = '<script>alert("pwned")</script>';

describe('e2e: failures at every step of the upstream round trip', function () {
  let gw: Gateway;
  let clock: ManualClock;
  const taps: Partial<Record<ProviderId, Wiretap>> = {};
  const guard = rejectionGuard();
  let logins = 0;
  const freshLogin = (provider: string) => `fail-${provider}-${++logins}`;

  before(async () => {
    guard.install();
    clock = new ManualClock(Date.now());
    gw = await startGateway({ clock });
    for (const id of PROVIDER_IDS) taps[id] = wiretap(gw.emulators[id]!);
  });
  after(async () => {
    guard.uninstall();
    await gw.close();
  });
  afterEach(() => {
    guard.check();
    for (const id of PROVIDER_IDS) assertLogsClean(gw, taps[id]!.secrets());
    for (const id of PROVIDER_IDS) gw.emulators[id]!.emulator.faults.clear();
  });

  const tap = (provider: ProviderId) => taps[provider]!;
  const accounts = () => gw.store.count('accounts');
  const atCallback = (url: URL) => url.href.startsWith(`${gw.issuer}/cb/`);

  interface Started {
    browser: TestBrowser;
    shop: TestShop;
    request: AuthRequest;
    page: Page;
    locale: LocaleCase;
  }

  /** A shop sends a shopper with a provider hint; the shopper lands on the emulator's authorize page. */
  async function begin(provider: string, locale: LocaleCase, clientId = 'alpha-basic'): Promise<Started> {
    const browser = new TestBrowser();
    browser.acceptLanguage = locale.accept;
    const shop = gw.shops[clientId]!;
    const request = await authRequest(shop, { provider, ...(locale.ui ? { ui_locales: locale.ui } : {}) });
    const page = await browser.go(request.url, { stopAt: atShop(shop) });
    assert.equal(page.status, 200);
    assert.ok(page.url.href.startsWith(gw.emulators[provider]!.url), `at ${provider}'s authorize page, got ${page.url.href}`);
    return { browser, shop, request, page, locale };
  }

  /** The shopper decides at the provider; returns the callback URL the provider sent the browser to (not yet delivered). */
  async function decide(s: Started, login: string, decision: 'approve' | 'deny' = 'approve', page = s.page): Promise<URL> {
    const next = await s.browser.submit(page, { login, decision }, undefined, atCallback);
    assert.equal(next.status, 0, `the provider redirected to the callback (got ${next.status} at ${next.url.href})`);
    return next.url;
  }

  const deliver = (s: Started, callback: URL, browser = s.browser) => browser.go(callback, { stopAt: atShop(s.shop) });

  /** "Back to shop": the shop receives `error` with its own state and Denglu's iss, and openid-client says so. */
  async function backToShop(s: Started, page: Page, error: 'access_denied' | 'temporarily_unavailable'): Promise<void> {
    assert.ok(page.html.includes(`/abort?error=${error}"`), `a back-to-shop action with ${error}`);
    const back = await s.browser.submit(page, {}, '/abort', atShop(s.shop));
    assert.equal(back.status, 0, `back at the shop (got ${back.status} ${back.url.href}\n${back.html.slice(0, 400)})`);
    assert.ok(
      back.hops.every((h) => h.status !== 307 && h.status !== 308),
      'no method-preserving redirect',
    );
    assert.equal(back.hops[0]!.status, 303);
    const q = back.url.searchParams;
    assert.equal(q.get('error'), error);
    assert.equal(q.get('state'), s.request.state);
    assert.equal(q.get('iss'), gw.issuer);
    assert.equal(q.get('code'), null);
    await assert.rejects(redeem(s.shop, back.url, s.request), (err: unknown) => {
      assert.ok(err instanceof oidc.AuthorizationResponseError, `AuthorizationResponseError, got ${String(err)}`);
      assert.equal(err.error, error);
      return true;
    });
  }

  /** "Try again": the same provider restarts for the same interaction, and approving completes the original request. */
  async function retrySucceeds(s: Started, page: Page, provider: string, login: string): Promise<void> {
    const again = await s.browser.click(page, `/start/${provider}`, atShop(s.shop));
    assert.equal(again.status, 200);
    assert.ok(again.url.href.startsWith(gw.emulators[provider]!.url), `try again went to ${provider}, got ${again.url.href}`);
    const before = await accounts();
    const back = await s.browser.submit(again, { login, decision: 'approve' }, undefined, atShop(s.shop));
    assert.equal(back.status, 0, `the retry came back to the shop (got ${back.status}\n${back.html.slice(0, 400)})`);
    const tokens = await redeem(s.shop, back.url, s.request);
    assert.equal(tokens.claims()!.idp, provider);
    assert.equal(tokens.claims()!.name, login);
    assert.equal(await accounts(), before + 1, 'the retry created the account');
  }

  /** The gateway still signs a new shopper in normally. */
  async function stillWorks(provider: string): Promise<void> {
    const { claims } = await loginWith(gw, new TestBrowser(), 'beta-basic', provider, freshLogin(provider));
    assert.equal(claims.idp, provider);
  }

  function failureLogged(requestId: string): void {
    const line = gw.logs.find((l) => l.includes(requestId) && l.includes('upstream sign-in failed'));
    assert.ok(line, `the failure is logged under its request id ${requestId}`);
  }

  for (const provider of PROVIDER_IDS) {
    const wire = WIRE[provider];

    describe(provider, () => {
      const faults = () => gw.emulators[provider]!.emulator.faults;

      // ---- faults at the token and profile endpoints -------------------------------------------
      const cases: { endpoint: string; mode: string }[] = [
        ...['hang', 'status500', 'html', 'malformed'].map((mode) => ({ endpoint: wire.token, mode })),
        ...wire.profile.flatMap((endpoint) => ['status500', 'html', 'malformed'].map((mode) => ({ endpoint, mode }))),
        ...wire.extraModes.map(([endpoint, mode]) => ({ endpoint, mode })),
      ];
      cases.forEach(({ endpoint, mode }, i) => {
        const thenAction = mode === 'hang' || i % 2 === 1 ? 'back to shop' : 'try again';
        it(`${endpoint} ${mode}: a clear page, one code exchange, and ${thenAction} works`, async () => {
          const s = await begin(provider, nextLocale());
          const lang = s.locale.expect;
          const callback = await decide(s, freshLogin(provider));
          const tokenCalls = tap(provider).count(wire.tokenPath);
          const before = await accounts();
          faults().set(endpoint, mode, 1);
          const started = Date.now();
          const page = await deliver(s, callback);
          const elapsed = Date.now() - started;

          const key: MessageKey = mode === 'hang' ? 'error.ERR_UPSTREAM.timeout' : 'error.ERR_UPSTREAM.default';
          const requestId = assertFailurePage(page, {
            locale: lang,
            status: 502,
            code: 'ERR_UPSTREAM',
            message: message(key, lang, { provider: label(provider, lang) }),
          });
          failureLogged(requestId);
          assert.equal(tap(provider).count(wire.tokenPath), tokenCalls + 1, 'exactly one code exchange, never retried');
          assert.equal(faults().list()[endpoint], undefined, `the ${endpoint} fault was hit`);
          assert.equal(await accounts(), before, 'no account created');
          // The hanging endpoint never answers, so this page came from the upstream timeout (1,500 ms): not
          // earlier. (No upper bound in milliseconds: a busy host stretches it; a missing timeout hangs the test.)
          if (mode === 'hang') assert.ok(elapsed >= 1400, `waited for the upstream timeout (${elapsed} ms)`);
          if (mode === 'extra_js') assert.equal((globalThis as Record<string, unknown>).__qqEmulatorInjected, undefined, 'the JSONP body never ran');
          const actions = actionsOf(page);
          assert.ok(
            actions.some((a) => a.endsWith(`/start/${provider}`)),
            `a try-again action: ${actions.join(', ')}`,
          );
          assert.ok(
            actions.some((a) => /^\/interaction\/[\w-]+\?chooser$/.test(a)),
            `a choose-another action: ${actions.join(', ')}`,
          );

          if (thenAction === 'back to shop') await backToShop(s, page, 'temporarily_unavailable');
          else await retrySucceeds(s, page, provider, freshLogin(provider));
          await stillWorks(provider);
        });
      });

      it(`${wire.token} status500, then "choose another": the chooser, and another provider completes the original request`, async () => {
        const other = PROVIDER_IDS[(PROVIDER_IDS.indexOf(provider) + 1) % PROVIDER_IDS.length]!;
        const s = await begin(provider, nextLocale());
        const callback = await decide(s, freshLogin(provider));
        faults().set(wire.token, 'status500', 1);
        const page = await deliver(s, callback);
        assertFailurePage(page, { locale: s.locale.expect, status: 502, code: 'ERR_UPSTREAM' });
        const chooser = await s.browser.click(page, '?chooser', atShop(s.shop));
        assert.equal(chooser.status, 200, 'the chooser, not the hinted provider again');
        assert.ok(chooser.url.href.startsWith(gw.issuer));
        for (const id of PROVIDER_IDS) assert.match(chooser.html, new RegExp(`data-provider="${id}"`));
        const atOther = await s.browser.click(chooser, `/start/${other}`, atShop(s.shop));
        assert.ok(atOther.url.href.startsWith(gw.emulators[other]!.url));
        const back = await s.browser.submit(atOther, { login: freshLogin(other), decision: 'approve' }, undefined, atShop(s.shop));
        assert.equal(back.status, 0);
        assert.equal((await redeem(s.shop, back.url, s.request)).claims()!.idp, other);
      });

      // ---- denial at the provider -----------------------------------------------------------
      if (provider === 'qq') {
        it('denial: QQ never redirects, the flow stays pending, and nothing reaches the gateway', async () => {
          const s = await begin(provider, nextLocale());
          const state = new URL(s.page.url).searchParams.get('state')!;
          const cancelled = await s.browser.submit(s.page, { login: freshLogin(provider), decision: 'deny' }, undefined, atShop(s.shop));
          assert.equal(cancelled.status, 200);
          assert.ok(cancelled.url.href.startsWith(gw.emulators.qq!.url), 'still at QQ');
          assert.equal(cancelled.hops.at(-1)!.location, undefined, 'no Location');
          assert.match(cancelled.html, /已取消登录/);
          assert.ok(!s.browser.history.some((h) => h.url.startsWith(`${gw.issuer}/cb/`)), 'no callback request');
          assert.ok(await gw.store.get('flows', state), 'the flow is still pending');
        });

        it('denial in the older QQ form (code=<digits>&msg=…) or a bare state: a clear page, escaped, then try again works', async () => {
          const s = await begin(provider, nextLocale());
          const lang = s.locale.expect;
          const state = new URL(s.page.url).searchParams.get('state')!;
          const before = await accounts();
          const tokenCalls = tap(provider).count(wire.tokenPath);
          const callback = new URL(`${gw.issuer}/cb/qq`);
          callback.search = new URLSearchParams({ code: '100010', msg: SCRIPT, state }).toString();
          const page = await deliver(s, callback);
          assertFailurePage(page, {
            locale: lang,
            code: 'ERR_UPSTREAM',
            message: message('error.ERR_UPSTREAM.provider_denied', lang, { provider: label(provider, lang) }),
          });
          assert.equal(tap(provider).count(wire.tokenPath), tokenCalls, 'no code exchange for a denial');
          assert.equal(await accounts(), before);
          await retrySucceeds(s, page, provider, freshLogin(provider));

          const bare = await begin(provider, nextLocale());
          const bareState = new URL(bare.page.url).searchParams.get('state')!;
          const barePage = await deliver(bare, new URL(`${gw.issuer}/cb/qq?state=${encodeURIComponent(bareState)}`));
          assertFailurePage(barePage, {
            locale: bare.locale.expect,
            code: 'ERR_UPSTREAM',
            message: message('error.ERR_UPSTREAM.provider_denied', bare.locale.expect, { provider: label(provider, bare.locale.expect) }),
          });
          await backToShop(bare, barePage, 'access_denied');
        });
      } else {
        it('denial: the provider redirects with error (Alipay: without auth_code); a clear page with its text never echoed; try again, deny, back to shop', async () => {
          const s = await begin(provider, nextLocale());
          const lang = s.locale.expect;
          const before = await accounts();
          const tokenCalls = tap(provider).count(wire.tokenPath);
          const callback = await decide(s, freshLogin(provider), 'deny');
          // Alipay's emulated refusal is a callback without auth_code (its real behaviour is undocumented).
          if (provider === 'alipay') assert.equal(callback.searchParams.get('auth_code'), null);
          else assert.equal(callback.searchParams.get('error'), 'access_denied');
          callback.searchParams.set('error_description', SCRIPT);
          callback.searchParams.set('error_uri', 'javascript:alert(1)');
          const page = await deliver(s, callback);
          const expected = message('error.ERR_UPSTREAM.provider_denied', lang, { provider: label(provider, lang) });
          const requestId = assertFailurePage(page, { locale: lang, code: 'ERR_UPSTREAM', message: expected });
          failureLogged(requestId);
          assert.ok(!page.html.includes('pwned') && !page.html.includes('javascript:'), 'upstream text is not on the page');
          assert.equal(tap(provider).count(wire.tokenPath), tokenCalls, 'no code exchange for a denial');
          assert.equal(await accounts(), before);

          // Try again restarts the same provider; the shopper cancels again and goes back to the shop.
          const again = await s.browser.click(page, `/start/${provider}`, atShop(s.shop));
          assert.ok(again.url.href.startsWith(gw.emulators[provider]!.url));
          const second = await deliver(s, await decide(s, freshLogin(provider), 'deny', again));
          assertFailurePage(second, { locale: lang, code: 'ERR_UPSTREAM', message: expected });
          await backToShop(s, second, 'access_denied');
          assert.equal(await accounts(), before);
          await stillWorks(provider);
        });

        it('denial, then try again and approve: the original shop request completes', async () => {
          const s = await begin(provider, nextLocale());
          const page = await deliver(s, await decide(s, freshLogin(provider), 'deny'));
          assertFailurePage(page, { locale: s.locale.expect, code: 'ERR_UPSTREAM' });
          await retrySucceeds(s, page, provider, freshLogin(provider));
        });
      }

      // ---- state -----------------------------------------------------------------------------
      it('tampered state: refused before any token request; the genuine callback still works', async () => {
        const s = await begin(provider, acceptOnly());
        const callback = await decide(s, freshLogin(provider));
        const tampered = new URL(callback);
        tampered.searchParams.set('state', 'A'.repeat(43));
        const tokenCalls = tap(provider).count(wire.tokenPath);
        const before = await accounts();
        const page = await deliver(s, tampered);
        const requestId = assertFailurePage(page, {
          locale: s.locale.expect,
          status: 403,
          code: 'ERR_FLOW_STATE_MISMATCH',
          message: message('error.ERR_FLOW_STATE_MISMATCH', s.locale.expect),
        });
        failureLogged(requestId);
        assert.equal(tap(provider).count(wire.tokenPath), tokenCalls, 'no token request');
        assert.equal(await accounts(), before);
        const back = await deliver(s, callback);
        assert.equal(back.status, 0, 'the genuine callback completes');
        assert.equal((await redeem(s.shop, back.url, s.request)).claims()!.idp, provider);
      });

      it('state replayed: the second delivery is refused, one code exchange, one account', async () => {
        const s = await begin(provider, acceptOnly());
        const callback = await decide(s, freshLogin(provider));
        const tokenCalls = tap(provider).count(wire.tokenPath);
        const before = await accounts();
        const first = await deliver(s, callback);
        assert.equal(first.status, 0);
        await redeem(s.shop, first.url, s.request);
        const replay = await deliver(s, callback);
        assertFailurePage(replay, { locale: s.locale.expect, status: 403, code: 'ERR_FLOW_STATE_MISMATCH' });
        assert.equal(tap(provider).count(wire.tokenPath), tokenCalls + 1, 'one code exchange in all');
        assert.equal(await accounts(), before + 1, 'one account in all');
      });

      it("callback in another browser (no binding cookie): refused, in that browser's language, revealing nothing of the flow", async () => {
        const s = await begin(provider, { accept: 'zh-CN', ui: 'zh-CN', expect: 'zh-CN' });
        const callback = await decide(s, freshLogin(provider));
        const attacker = new TestBrowser();
        attacker.acceptLanguage = 'en';
        const tokenCalls = tap(provider).count(wire.tokenPath);
        const before = await accounts();
        const page = await deliver(s, callback, attacker);
        assertFailurePage(page, { locale: 'en', status: 403, code: 'ERR_FLOW_STATE_MISMATCH', message: message('error.ERR_FLOW_STATE_MISMATCH', 'en') });
        assert.deepEqual(actionsOf(page), ['/'], 'only "home": no actions on an interaction this browser does not hold');
        assert.ok(!page.html.includes('/interaction/'), 'the victim interaction id is not revealed');
        assert.equal(tap(provider).count(wire.tokenPath), tokenCalls, 'no token request');
        assert.equal(await accounts(), before);
        // The flow was used up by the foreign delivery: the victim's own callback no longer signs anyone in.
        const victim = await deliver(s, callback);
        assertFailurePage(victim, { locale: 'zh-CN', status: 403, code: 'ERR_FLOW_STATE_MISMATCH' });
        assert.equal(tap(provider).count(wire.tokenPath), tokenCalls);
        await stillWorks(provider);
      });

      it('expired flow: refused before any token request, and try again completes the login', async () => {
        const s = await begin(provider, nextLocale());
        const lang = s.locale.expect;
        const callback = await decide(s, freshLogin(provider));
        clock.advance(FLOW_TTL_MS + 1000);
        const tokenCalls = tap(provider).count(wire.tokenPath);
        const before = await accounts();
        const page = await deliver(s, callback);
        assertFailurePage(page, { locale: lang, status: 400, code: 'ERR_FLOW_EXPIRED', message: message('error.ERR_FLOW_EXPIRED', lang) });
        assert.equal(tap(provider).count(wire.tokenPath), tokenCalls, 'no token request');
        assert.equal(await accounts(), before);
        await retrySucceeds(s, page, provider, freshLogin(provider));
      });

      it("mix-up: a flow for this provider delivered to another provider's callback never reaches either token endpoint", async () => {
        const other = PROVIDER_IDS[(PROVIDER_IDS.indexOf(provider) + 1) % PROVIDER_IDS.length]!;
        const s = await begin(provider, acceptOnly());
        const callback = await decide(s, freshLogin(provider));
        const mixed = new URL(callback);
        mixed.pathname = `/cb/${other}`;
        const calls = { mine: tap(provider).count(wire.tokenPath), theirs: tap(other).count(WIRE[other].tokenPath) };
        const before = await accounts();
        const page = await deliver(s, mixed);
        assertFailurePage(page, { locale: s.locale.expect, status: 403, code: 'ERR_FLOW_STATE_MISMATCH' });
        assert.equal(tap(other).count(WIRE[other].tokenPath), calls.theirs, `${other}'s token endpoint never called`);
        assert.equal(tap(provider).count(wire.tokenPath), calls.mine, `${provider}'s token endpoint never called`);
        assert.equal(await accounts(), before);
        await stillWorks(provider);
      });
    });
  }

  // ---- hints the gateway cannot honour ---------------------------------------------------------
  describe('provider hints', () => {
    it('an unknown hint (provider=nosuch) gets a clear page naming it, and "choose another" leads to a login', async () => {
      for (const locale of [LOCALE_CASES[0]!, LOCALE_CASES[3]!]) {
        const browser = new TestBrowser();
        browser.acceptLanguage = locale.accept;
        const shop = gw.shops['alpha-basic']!;
        const request = await authRequest(shop, { provider: 'nosuch', ...(locale.ui ? { ui_locales: locale.ui } : {}) });
        const before = await accounts();
        const page = await browser.go(request.url, { stopAt: atShop(shop) });
        assertFailurePage(page, {
          locale: locale.expect,
          status: 404,
          code: 'ERR_PROVIDER_UNKNOWN',
          message: message('error.ERR_PROVIDER_UNKNOWN', locale.expect, { hint: 'nosuch' }),
        });
        assert.ok(!actionsOf(page).some((a) => a.includes('/start/')), 'no try-again for a provider that does not exist');
        const chooser = await browser.click(page, '/interaction/', atShop(shop));
        assert.equal(chooser.status, 200);
        assert.match(chooser.html, /data-provider="weibo"/);
        const atWeibo = await browser.click(chooser, '/start/weibo', atShop(shop));
        const back = await browser.submit(atWeibo, { login: freshLogin('weibo'), decision: 'approve' }, undefined, atShop(shop));
        assert.equal(back.status, 0);
        assert.equal((await redeem(shop, back.url, request)).claims()!.idp, 'weibo');
        assert.equal(await accounts(), before + 1);
      }
    });

    it('a hint carrying markup is named escaped, and back to shop gives access_denied', async () => {
      const browser = new TestBrowser();
      browser.acceptLanguage = 'en';
      const shop = gw.shops['alpha-basic']!;
      const request = await authRequest(shop, { provider: SCRIPT });
      const page = await browser.go(request.url, { stopAt: atShop(shop) });
      assertFailurePage(page, {
        locale: 'en',
        status: 404,
        code: 'ERR_PROVIDER_UNKNOWN',
        message: message('error.ERR_PROVIDER_UNKNOWN', 'en', { hint: SCRIPT }),
      });
      assert.ok(page.html.includes('&lt;script&gt;'), 'the hint is shown escaped');
      await backToShop({ browser, shop, request, page, locale: LOCALE_CASES[0]! }, page, 'access_denied');
    });

    it('a callback for a provider this gateway lacks (an instance configured unlike the one that started the flow) names it', async () => {
      const browser = new TestBrowser();
      browser.acceptLanguage = 'en';
      const before = await accounts();
      const page = await browser.go(`${gw.issuer}/cb/nosuch?state=abc&code=def`);
      assertFailurePage(page, {
        locale: 'en',
        status: 404,
        code: 'ERR_PROVIDER_UNKNOWN',
        message: message('error.ERR_PROVIDER_UNKNOWN', 'en', { hint: 'nosuch' }),
      });
      assert.ok(!page.html.includes('called ""'), 'the provider is named, not left blank');
      assert.equal(await accounts(), before);
    });

    it('a hint for a provider the shop does not offer (gamma has no sohu): a clear page, other ways, back to shop', async () => {
      for (const locale of [LOCALE_CASES[1]!, LOCALE_CASES[2]!]) {
        const browser = new TestBrowser();
        browser.acceptLanguage = locale.accept;
        const shop = gw.shops['gamma-basic']!;
        const request = await authRequest(shop, { provider: 'sohu', ...(locale.ui ? { ui_locales: locale.ui } : {}) });
        const sohuAuthorize = tap('sohu').count('/oauth2/authorize');
        const page = await browser.go(request.url, { stopAt: atShop(shop) });
        const shopName = locale.expect === 'en' ? 'Gamma Shop' : '伽马商店';
        assertFailurePage(page, {
          locale: locale.expect,
          status: 403,
          code: 'ERR_PROVIDER_UNAVAILABLE',
          message: message('error.ERR_PROVIDER_UNAVAILABLE', locale.expect, { provider: label('sohu', locale.expect), shop: shopName }),
        });
        assert.equal(tap('sohu').count('/oauth2/authorize'), sohuAuthorize, 'never sent to Sohu');
        assert.ok(!actionsOf(page).some((a) => a.includes('/start/sohu')), 'no try-again for an unavailable provider');
        // The page names the ways that still work, as buttons that start them.
        assert.match(page.html, /href="\/interaction\/[^"]+\/start\/weibo"/);
        assert.match(page.html, /href="\/interaction\/[^"]+\/start\/qq"/);
        const chooser = await browser.click(page, '?chooser', atShop(shop));
        assert.doesNotMatch(chooser.html, /data-provider="sohu"/);
        assert.match(chooser.html, /data-provider="qq"/);
        await backToShop({ browser, shop, request, page: chooser, locale }, chooser, 'access_denied');
      }
    });
  });

  // Last (mocha runs a suite's own tests before its nested suites).
  describe('afterwards', () => {
    it('the wiretaps saw the codes and tokens that the logs were checked against', () => {
      for (const id of PROVIDER_IDS) {
        const secrets = tap(id).secrets();
        assert.ok(secrets.length >= 10, `${id}: ${secrets.length} secrets seen`);
        const tokenBodies = tap(id)
          .to(WIRE[id].tokenPath)
          .map((r) => r.body);
        assert.ok(
          secrets.some((s) => tokenBodies.some((b) => b.includes(s))),
          `${id}: access tokens are among them`,
        );
        assertLogsClean(gw, secrets);
      }
      assert.ok(gw.logs.length > 100, 'the gateway did log');
    });
  });
});
