// POST at the authorization and end-session endpoints in a real browser: a shop on another site
// (`localhost`, while Denglu is `127.0.0.1`) submits a form to Denglu. Chromium sends no SameSite=Lax
// cookie with that cross-site POST, so this proves what the scripted browser only imitates: single
// sign-on (`prompt=none`) still sees the shopper's Denglu session, and RP-initiated logout by POST signs it out.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { escapeHtml } from '../../providers/shared/emulator/authorize-page.ts';
import { authRequest, redeem, startGateway, type Gateway, type TestShop } from '../support/gateway.ts';
import type { PartnerSeed } from '../../src/partners/partners.ts';
import { chromiumAvailable, launchChromium, type LaunchedBrowser } from './chromium.ts';
import { at, clickTo, visit } from './navigation.ts';

/** A page of the shop: one form posting `fields` to `action`, submitted by the shopper's click. */
function formPage(action: string, fields: URLSearchParams): string {
  const inputs = [...fields].map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
  return `<!DOCTYPE html><html><body><form method="post" action="${escapeHtml(action)}">${inputs}<button type="submit">Continue</button></form></body></html>`;
}

describe('browser: a shop posts its authorization and logout requests (cross-site form POST)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let browser: LaunchedBrowser | undefined;
  let page: Page;
  let shopSite: Server;
  let shopSiteUrl: string;
  let shop: TestShop;
  /** The form the shop site serves next. */
  let nextForm = '';
  let landing: (url: URL) => boolean;

  before(async function () {
    if (!chromiumAvailable()) return this.skip();
    // The shop site: `/` serves the next form, `/cb` and `/bye` are its redirect and logout URIs.
    shopSite = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(req.url === '/' ? nextForm : '<p>shop</p>'));
    await new Promise<void>((resolve) => shopSite.listen(0, '127.0.0.1', resolve));
    shopSiteUrl = `http://localhost:${(shopSite.address() as AddressInfo).port}/`;
    landing = at(new URL(shopSiteUrl).origin, /^\/(cb|bye)$/);
    const site: PartnerSeed['clients'][number] = {
      client_id: 'alpha-site',
      client_secret: 'alpha-site-secret-0123456789abcdef',
      redirect_uris: [`${shopSiteUrl}cb`],
      post_logout_redirect_uris: [`${shopSiteUrl}bye`],
      token_endpoint_auth_method: 'client_secret_basic',
    };
    gw = await startGateway({ partners: (seeds) => seeds.map((p) => (p.id === 'alpha' ? { ...p, clients: [...p.clients, site] } : p)) });
    shop = gw.shops['alpha-site']!;
    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  });
  after(async () => {
    await browser?.close();
    if (shopSite) await new Promise<void>((resolve) => shopSite.close(() => resolve()));
    await gw?.close();
  });

  /** The shopper clicks the shop's button; the form goes cross-site to Denglu. */
  async function postFromShop(action: string, fields: URLSearchParams, accept: (url: URL) => boolean): Promise<URL> {
    nextForm = formPage(action, fields);
    await visit(page, shopSiteUrl);
    return clickTo(page, page.getByRole('button', { name: 'Continue' }), accept);
  }

  /** Signs the browser in at Denglu with Weibo (an ordinary GET request; single sign-on when already signed in). */
  async function signIn(): Promise<{ sub: string; idToken: string }> {
    const request = await authRequest(shop, { provider: 'weibo' });
    let back = await visit(page, request.url.href);
    if (at(gw.emulators.weibo!.url)(back)) back = await clickTo(page, page.locator('button[name=decision][value=approve]'), landing);
    assert.ok(landing(back), `back at the shop, not ${back.href}`);
    const tokens = await redeem(shop, back, request);
    return { sub: tokens.claims()!.sub, idToken: tokens.id_token! };
  }

  it('POST /auth with prompt=none from the shop site: single sign-on, the same shopper', async () => {
    const { sub } = await signIn();
    const request = await authRequest(shop, { prompt: 'none' });
    const back = await postFromShop(`${gw.issuer}/auth`, request.url.searchParams, landing);
    assert.equal(back.searchParams.get('error'), null, `no error (${back.searchParams.get('error_description')})`);
    assert.equal((await redeem(shop, back, request)).claims()!.sub, sub);
  });

  it('POST /session/end from the shop site: Denglu asks, signs out, and returns to the shop with state', async () => {
    const { idToken } = await signIn();
    const fields = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: `${shopSiteUrl}bye`, state: 'bye-browser' });
    const question = await postFromShop(`${gw.issuer}/session/end`, fields, at(new URL(gw.issuer).origin));
    assert.match(await page.content(), /Sign out\?/, `the logout question at ${question.href}`);
    const back = await clickTo(page, page.getByRole('button', { name: 'Sign out', exact: true }), landing);
    assert.equal(back.searchParams.get('state'), 'bye-browser');
    const request = await authRequest(shop, { prompt: 'none' });
    const after = await postFromShop(`${gw.issuer}/auth`, request.url.searchParams, landing);
    assert.equal(after.searchParams.get('error'), 'login_required', 'signed out');
  });
});
