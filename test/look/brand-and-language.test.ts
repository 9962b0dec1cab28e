// A shop's brand set through the admin API and worn by the shopper pages, and the language switch:
// PUT /partners/:id/brand (its managers and the operator; bad input refused with nothing changed; the
// audit keeps a logo summary, never the image), /brand/<id>/logo and style.css with safe headers, the
// chooser's header (logo, name, back to the shop, "provided by Denglu"), the 中文/EN switch that only
// leads back to Denglu's own pages, and the choice offered to a Traditional Chinese browser.

import assert from 'node:assert/strict';
import { LOGO_MAX_BYTES } from '../../src/partners/brand.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { client, OPERATOR, snapshot } from '../admin/admin-client.ts';

const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8" fill="#0a7"/></svg>';
const LOGO = `data:image/svg+xml;base64,${Buffer.from(LOGO_SVG).toString('base64')}`;

async function page(gw: Gateway, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.issuer}${path}`, { headers: { accept: 'text/html', ...headers }, redirect: 'manual' });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** A login at `clientId` as a browser starts it: the chooser's HTML (cookies followed by hand). */
async function chooser(gw: Gateway, clientId: string, language: string): Promise<string> {
  const shop = gw.shops[clientId]!;
  const auth = `/auth?client_id=${clientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(shop.redirectUri)}&code_challenge=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq&code_challenge_method=S256`;
  const start = await fetch(`${gw.issuer}${auth}`, { redirect: 'manual', headers: { 'accept-language': language } });
  const cookie = start.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const res = await fetch(new URL(start.headers.get('location')!, gw.issuer), { headers: { cookie, 'accept-language': language } });
  return res.text();
}

describe('look: a shop brand and the language switch', () => {
  let gw: Gateway;
  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.close());

  it("the operator sets alpha's name, colour and logo; the API answers the accent, its text colour and the logo's URL", async () => {
    const op = client(gw, OPERATOR);
    const res = await op.put('/partners/alpha/brand', { name: { 'zh-CN': '阿尔法', en: 'Alpha' }, colour: '#FF5000', logo: LOGO });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.name, { 'zh-CN': '阿尔法', en: 'Alpha' });
    assert.equal(res.body.brand.colour, '#ff5000');
    assert.match(res.body.brand.accent, /^#[0-9a-f]{6}$/);
    assert.equal(res.body.brand.logo.url, '/brand/alpha/logo');
    const audit = (await op.get('/audit?action=partner.brand')).body.entries[0];
    assert.match(audit.after.logo, /^image\/svg\+xml, \d+ bytes, sha256:[0-9a-f]{16}$/);
    assert.ok(!JSON.stringify(audit).includes('base64'), 'the audit log never holds the image');
    // Absent fields stay; null clears.
    const cleared = await op.put('/partners/alpha/brand', { colour: null });
    assert.equal(cleared.body.brand.colour, null);
    assert.equal(cleared.body.brand.logo.url, '/brand/alpha/logo');
    assert.equal((await op.put('/partners/alpha/brand', { colour: '#e1251b' })).status, 200);
  });

  it('refuses a bad colour, an unsafe or too large logo and unknown fields, changing nothing', async () => {
    const op = client(gw, OPERATOR);
    const before = await snapshot(gw, 'alpha');
    const bad = [
      { colour: 'red' },
      { logo: `data:image/svg+xml;base64,${Buffer.from('<svg onload="x()"/>').toString('base64')}` },
      { logo: Buffer.alloc(LOGO_MAX_BYTES + 1, 1).toString('base64') },
      { font: 'Comic Sans' },
    ];
    for (const body of bad) {
      const res = await op.put('/partners/alpha/brand', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error, 'ERR_VALIDATION');
      assert.ok(res.body.problems.length >= 1);
    }
    assert.deepEqual(await snapshot(gw, 'alpha'), before);
  });

  it('serves the logo with its type, nosniff and (SVG) a CSP that only draws; style.css carries the accent', async () => {
    const logo = await fetch(`${gw.issuer}/brand/alpha/logo`);
    assert.equal(logo.status, 200);
    assert.equal(logo.headers.get('content-type'), 'image/svg+xml');
    assert.equal(logo.headers.get('x-content-type-options'), 'nosniff');
    assert.match(logo.headers.get('content-security-policy') ?? '', /^default-src 'none'; style-src 'unsafe-inline'; sandbox$/);
    assert.equal(await logo.text(), LOGO_SVG);
    const css = await fetch(`${gw.issuer}/brand/alpha/style.css`);
    assert.match(await css.text(), /^:root\{--shop:#[0-9a-f]{6};--shop-ink:#(ffffff|1d2330)\}/);
    const missing = await page(gw, '/brand/beta/logo');
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-type') ?? '', /^text\/html/, 'a 404 is an HTML page, not plain text');
  });

  it("the chooser wears the shop's brand: logo, name leading to the shop's site, accent stylesheet, 'provided by Denglu'", async () => {
    const html = await chooser(gw, 'alpha-basic', 'zh-CN');
    const home = new URL(gw.shops['alpha-basic']!.redirectUri).origin;
    assert.match(html, new RegExp(`<a class="shop-home" href="${home}/" data-shop-home="alpha"`));
    assert.match(html, /<img class="shop-logo" src="\/brand\/alpha\/logo" alt=""/);
    assert.match(html, /<link rel="stylesheet" href="\/brand\/alpha\/style.css">/);
    assert.match(html, /<span>阿尔法<\/span>/);
    assert.match(html, /由 Denglu 提供登录服务/);
    assert.match(html, /<a class="account-link" href="\/account">登录方式<\/a>/);
  });

  it('the 中文/EN switch sets a cookie and goes back to the page; the chosen language then wins over the browser', async () => {
    const home = await page(gw, '/', { 'accept-language': 'zh-CN' });
    const href = /data-locale-switch="en"/.test(home.body)
      ? /<a href="([^"]+)" lang="en" hreflang="en" data-locale-switch="en">English<\/a>/.exec(home.body)?.[1]
      : undefined;
    assert.ok(href, 'the Chinese page offers English');
    const switched = await fetch(`${gw.issuer}${href!.replace(/&amp;/g, '&')}`, { redirect: 'manual' });
    assert.equal(switched.status, 303);
    assert.equal(switched.headers.get('location'), '/');
    const cookie = switched.headers.getSetCookie().find((c) => c.startsWith('denglu_locale=en'));
    assert.ok(cookie, 'the choice is remembered');
    assert.match(cookie!, /HttpOnly/i);
    const after = await page(gw, '/no-such-page', { 'accept-language': 'zh-CN', cookie: 'denglu_locale=en' });
    assert.equal(after.status, 404);
    assert.match(after.body, /<html lang="en">/);
    assert.match(after.body, /This page does not exist\./);
  });

  it("the switch never re-asks a provider's one-time answer, and after a form's POST returns to the form's page", async () => {
    const callback = await page(gw, '/cb/weibo?state=nope&code=secret-code', { 'accept-language': 'en' });
    assert.match(callback.body, /data-locale-switch="zh-CN"/);
    assert.match(callback.body, /href="\/locale\?to=zh-CN&amp;back=%2F"/);
    assert.doesNotMatch(callback.body, /secret-code/);
    const reset = await fetch(`${gw.issuer}/account/password/reset/confirm`, { method: 'POST', headers: { accept: 'text/html' }, redirect: 'manual' });
    const html = await reset.text();
    if (/data-locale-switch/.test(html)) assert.match(html, /back=%2Faccount%2Fpassword%2Freset"/);
  });

  it('the switch never leads off Denglu', async () => {
    for (const back of ['https://evil.test/', '//evil.test/', '/\\evil.test', 'javascript:alert(1)']) {
      const res = await fetch(`${gw.issuer}/locale?to=en&back=${encodeURIComponent(back)}`, { redirect: 'manual' });
      assert.equal(res.headers.get('location'), '/', back);
    }
  });

  it('a Traditional Chinese browser is offered 简体中文 or English until it chooses', async () => {
    const tw = await page(gw, '/', { 'accept-language': 'zh-TW,zh;q=0.9' });
    assert.match(tw.body, /data-locale-choice="1"/);
    assert.match(tw.body, /data-locale="zh-CN">简体中文<\/a>/);
    assert.match(tw.body, /data-locale="en">English<\/a>/);
    const chosen = await page(gw, '/', { 'accept-language': 'zh-TW', cookie: 'denglu_locale=zh-CN' });
    assert.doesNotMatch(chosen.body, /data-locale-choice/);
    const cn = await page(gw, '/', { 'accept-language': 'zh-CN' });
    assert.doesNotMatch(cn.body, /data-locale-choice/);
  });
});
