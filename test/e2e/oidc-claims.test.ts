// End to end: what shop developers' libraries read from Denglu. Discovery names the scopes, claims and UI
// locales; the `email` scope gives the account's verified native email (`email`, `email_verified`) —
// after consent at a third-party shop — and never a pending, unverified address; `login_hint` pre-fills
// the chooser's email field when it is an email address.

import assert from 'node:assert/strict';
import { TestBrowser } from '../support/browser.ts';
import { atShop, authRequest, redeem, gatewayPerSuite } from '../support/gateway.ts';
import { accountPage, openConsole, verifyEmail } from '../native/native-support.ts';

describe("e2e: claims, discovery and login_hint for shops' libraries", function () {
  const suite = gatewayPerSuite();
  let n = 0;

  it('discovery lists the email scope, the claims Denglu gives and the UI locales', async () => {
    const d = await (await fetch(`${suite.gw.issuer}/.well-known/openid-configuration`)).json();
    assert.ok(d.scopes_supported.includes('email'), JSON.stringify(d.scopes_supported));
    for (const claim of ['sub', 'name', 'picture', 'locale', 'email', 'email_verified', 'auth_time', 'amr']) {
      assert.ok(d.claims_supported.includes(claim), `claims_supported has ${claim}: ${JSON.stringify(d.claims_supported)}`);
    }
    assert.deepEqual(d.ui_locales_supported, ['zh-CN', 'en']);
    assert.deepEqual(d.response_types_supported, ['code']);
  });

  /** A shopper signed in on the account console whose native email is `state`. */
  async function shopperWithEmail(state: 'verified' | 'pending' | 'none') {
    const browser = new TestBrowser();
    browser.acceptLanguage = 'en';
    const login = `claims-${++n}`;
    const email = `${login}@shopper.example`;
    await openConsole(suite.gw, browser, 'weibo', login);
    if (state === 'verified') await verifyEmail(suite.gw, browser, email);
    if (state === 'pending') {
      const sent = await browser.submit(await accountPage(suite.gw, browser), { email }, '/account/email');
      assert.equal(sent.url.search, '?notice=emailSent');
    }
    return { browser, email };
  }

  /** An authorization by single sign-on, consenting where asked; returns the consent page's text, tokens and userinfo. */
  async function authorize(browser: TestBrowser, clientId: string, scope: string) {
    const shop = suite.gw.shops[clientId]!;
    const request = await authRequest(shop, { scope, provider: 'weibo' });
    let page = await browser.go(request.url, { stopAt: atShop(shop) });
    const consentHtml = page.status === 200 ? page.html : undefined;
    if (consentHtml !== undefined) {
      assert.match(consentHtml, /\/consent"/, 'the consent page');
      page = await browser.submit(page, {}, '/consent', atShop(shop));
    }
    assert.equal(page.status, 0, `back at the shop (got ${page.status} ${page.url.href})`);
    const tokens = await redeem(shop, page.url, request);
    const userinfo = await (await fetch(`${suite.gw.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json();
    return { consentHtml, claims: tokens.claims()!, userinfo };
  }

  it('third-party shop, verified email: the consent page names it, and the ID token and userinfo carry email + email_verified', async () => {
    const { browser, email } = await shopperWithEmail('verified');
    const { consentHtml, claims, userinfo } = await authorize(browser, 'gamma-basic', 'openid email');
    assert.ok(consentHtml?.includes('your verified email address'), 'consent asked for the email');
    assert.equal(claims.email, email);
    assert.equal(claims.email_verified, true);
    assert.equal(userinfo.email, email);
    assert.equal(userinfo.email_verified, true);
  });

  it('first-party shop, verified email: the email without a consent page', async () => {
    const { browser, email } = await shopperWithEmail('verified');
    const { consentHtml, claims } = await authorize(browser, 'alpha-basic', 'openid email');
    assert.equal(consentHtml, undefined);
    assert.equal(claims.email, email);
    assert.equal(claims.email_verified, true);
  });

  for (const state of ['pending', 'none'] as const) {
    it(`an email that is ${state === 'pending' ? 'not verified yet' : 'not set'} never becomes a claim`, async () => {
      const { browser } = await shopperWithEmail(state);
      const { claims, userinfo } = await authorize(browser, 'gamma-basic', 'openid email');
      for (const c of [claims, userinfo]) {
        assert.equal(c.email, undefined, JSON.stringify(c));
        assert.equal(c.email_verified, undefined);
      }
    });
  }

  it('without the email scope, no email claim even when verified', async () => {
    const { browser } = await shopperWithEmail('verified');
    const { claims, userinfo } = await authorize(browser, 'alpha-basic', 'openid profile');
    assert.equal(claims.email, undefined);
    assert.equal(userinfo.email, undefined);
  });

  describe('login_hint', () => {
    const chooserFor = async (login_hint: string) => {
      const shop = suite.gw.shops['beta-basic']!;
      const page = await new TestBrowser().go((await authRequest(shop, { login_hint })).url, { stopAt: atShop(shop) });
      assert.match(page.html, /data-password-form="1"/, 'the chooser with its password form');
      return /<input type="email" name="email" value="([^"]*)"/.exec(page.html)?.[1];
    };

    it('an email address pre-fills the email field (normalised)', async () => {
      assert.equal(await chooserFor(' Shopper@Example.COM '), 'shopper@example.com');
    });

    it('anything else (a phone number, markup) leaves it empty', async () => {
      assert.equal(await chooserFor('+8613800000000'), '');
      assert.equal(await chooserFor('"><script>alert(1)</script>@x.example'), '');
    });
  });
});
