// End to end: the authorization and end-session endpoints accept POST (OpenID Connect Core 3.1.2.1,
// RP-Initiated Logout §2), the way a shop's cross-site form POST arrives — without the browser's
// SameSite=Lax cookies — and still see the shopper's Denglu session: single sign-on works, logout
// signs the session out. Malformed POSTs get Denglu's page and change nothing.

import assert from 'node:assert/strict';
import { TestBrowser, type Page } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, loginWith, redeem, gatewayPerSuite } from '../support/gateway.ts';

describe('e2e: POST at the authorization and end-session endpoints', function () {
  const suite = gatewayPerSuite();
  let n = 0;

  /**
   * A shop's auto-submitted form: a cross-site POST, so only SameSite=None cookies go with it; then the
   * browser follows redirects as top-level navigations (which carry Lax cookies).
   */
  async function crossSitePost(
    browser: TestBrowser,
    url: string,
    form: URLSearchParams,
    stopAt: (u: URL) => boolean,
  ): Promise<{ first: Response; page: Page }> {
    const cookie = await browser.jar.getCookieString(url, { sameSiteContext: 'none' });
    const first = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en', ...(cookie ? { cookie } : {}) },
      body: form,
    });
    const location = first.headers.get('location');
    if (first.status !== 303 || !location)
      return { first, page: { url: new URL(url), status: first.status, html: await first.text(), headers: first.headers, hops: [] } };
    return { first, page: await browser.go(new URL(location, url), { stopAt }) };
  }

  it('POST /auth without a session: the shopper signs in and the shop gets a code', async () => {
    const shop = suite.gw.shops['alpha-basic']!;
    const browser = new TestBrowser();
    const request = await authRequest(shop, { provider: 'weibo' });
    const { first, page } = await crossSitePost(browser, `${suite.gw.issuer}/auth`, request.url.searchParams, atShop(shop));
    assert.equal(first.status, 303, 'a 303, never a 307 that would re-post the form');
    const back = await approveAtProvider(browser, page, `post-${++n}`, shop);
    assert.equal(back.status, 0, 'back at the shop');
    const tokens = await redeem(shop, back.url, request);
    assert.ok(tokens.claims()!.sub);
  });

  it('POST /auth with a session (cross-site, no Lax cookie on the POST): single sign-on, no sign-in again', async () => {
    const shop = suite.gw.shops['alpha-basic']!;
    const browser = new TestBrowser();
    const { claims } = await loginWith(suite.gw, browser, 'alpha-basic', 'weibo', `post-${++n}`);
    const request = await authRequest(shop, { prompt: 'none' });
    const { page } = await crossSitePost(browser, `${suite.gw.issuer}/auth`, request.url.searchParams, atShop(shop));
    assert.equal(page.status, 0, `back at the shop at once (got ${page.status} ${page.url.href})`);
    assert.equal(page.url.searchParams.get('error'), null, `no error (${page.url.searchParams.get('error_description')})`);
    const tokens = await redeem(shop, page.url, request);
    assert.equal(tokens.claims()!.sub, claims.sub, 'the same shopper, from the session');
  });

  it('POST /session/end (cross-site): asks, signs the session out and lands on post_logout_redirect_uri with state', async () => {
    const shop = suite.gw.shops['alpha-basic']!;
    const browser = new TestBrowser();
    const { tokens } = await loginWith(suite.gw, browser, 'alpha-basic', 'weibo', `post-${++n}`);
    const form = new URLSearchParams({
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'https://alpha-basic.shop.test/',
      state: 'bye-post',
      ui_locales: 'en',
    });
    const atShopHost = (u: URL) => u.host === 'alpha-basic.shop.test';
    const { first, page } = await crossSitePost(browser, `${suite.gw.issuer}/session/end`, form, atShopHost);
    assert.equal(first.status, 303);
    assert.equal(page.status, 200, 'the logout question');
    assert.ok(page.html.includes('Sign out?'));
    const landed = await browser.submit(page, { logout: 'yes' }, undefined, atShopHost);
    assert.equal(landed.status, 0, `at the shop (got ${landed.status} ${landed.url.href})`);
    assert.equal(landed.url.searchParams.get('state'), 'bye-post');
    const next = await browser.go((await authRequest(shop)).url, { stopAt: atShop(shop) });
    assert.equal(next.status, 200, 'signed out: the chooser again');
    assert.match(next.html, /data-provider="weibo"/);
  });

  it("a POST that is not a form, or too large, gets Denglu's page and no redirect", async () => {
    const json = await fetch(`${suite.gw.issuer}/auth`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json', accept: 'text/html' },
      body: '{"client_id":"alpha-basic"}',
    });
    assert.equal(json.status, 400);
    assert.equal(json.headers.get('location'), null);
    assert.match(json.headers.get('content-type') ?? '', /^text\/html/);
    const big = new URLSearchParams({ client_id: 'alpha-basic', state: 'x'.repeat(10_000) });
    const large = await fetch(`${suite.gw.issuer}/session/end`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: big,
    });
    assert.equal(large.status, 413);
    assert.equal(large.headers.get('location'), null);
  });
});
