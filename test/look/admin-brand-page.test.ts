// The admin page for a shop's brand (/admin/partners/:id/brand): a manager uploads a logo file and sets
// the colour and names through the multipart form; the shopper's logo route then serves it. An unsafe SVG
// is refused with the problem on the page and nothing changed; a form without its CSRF token is refused.

import assert from 'node:assert/strict';
import type { TestBrowser } from '../support/browser.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { snapshot } from '../admin/admin-client.ts';
import { adminBrowser, createManager, signIn } from '../admin-pages/admin-browser.ts';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082',
  'hex',
);

async function postBrand(gw: Gateway, browser: TestBrowser, fields: Record<string, string>, logo?: { bytes: Buffer; type: string }): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (logo) form.append('logo', new Blob([new Uint8Array(logo.bytes)], { type: logo.type }), 'logo');
  const url = `${gw.issuer}/admin/partners/alpha/brand`;
  return fetch(url, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: await browser.jar.getCookieString(url), 'accept-language': 'en' } });
}

describe('look: the admin brand page', () => {
  let gw: Gateway;
  let browser: TestBrowser;
  let csrf: string;
  before(async () => {
    gw = await startGateway();
    const manager = await createManager(gw, 'Alpha brand team', ['alpha']);
    browser = adminBrowser();
    await signIn(gw, browser, manager.id, manager.secret);
    const partner = await browser.go(`${gw.issuer}/admin/partners/alpha`);
    assert.match(partner.html, /href="\/admin\/partners\/alpha\/brand" data-brand-link="1"/, 'the timeline links to the brand page');
    const page = await browser.go(`${gw.issuer}/admin/partners/alpha/brand`);
    assert.match(page.html, /enctype="multipart\/form-data"/);
    csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
  });
  after(() => gw.close());

  it('saves names, colour and an uploaded PNG; the logo is served to shoppers', async () => {
    const res = await postBrand(gw, browser, { _csrf: csrf, 'name.zh-CN': '阿尔法', 'name.en': 'Alpha', colour: '#0a7f3f' }, { bytes: PNG, type: 'image/png' });
    assert.equal(res.status, 303, await res.text());
    assert.equal(res.headers.get('location'), '/admin/partners/alpha/brand?saved=1');
    const logo = await fetch(`${gw.issuer}/brand/alpha/logo`);
    assert.equal(logo.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await logo.arrayBuffer()), PNG);
    const saved = await browser.go(`${gw.issuer}/admin/partners/alpha/brand?saved=1`);
    assert.match(saved.html, /data-saved="1"/);
    assert.match(saved.html, /value="#0a7f3f"/);
  });

  it('refuses an SVG with a script, naming the problem, and changes nothing', async () => {
    const before = await snapshot(gw, 'alpha');
    const evil = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const res = await postBrand(
      gw,
      browser,
      { _csrf: csrf, 'name.zh-CN': '阿尔法', 'name.en': 'Alpha', colour: '#0a7f3f' },
      { bytes: evil, type: 'image/svg+xml' },
    );
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /data-problem-field="logo"><strong>Logo \(PNG or SVG, at most 20 KiB\)<\/strong>: is an SVG with a &lt;script&gt; element/);
    assert.deepEqual(await snapshot(gw, 'alpha'), before);
  });

  it('words a refusal in Chinese on the Chinese page', async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ _csrf: csrf, 'name.zh-CN': '阿尔法', 'name.en': 'Alpha', colour: 'red' })) form.append(k, v);
    const url = `${gw.issuer}/admin/partners/alpha/brand`;
    const res = await fetch(url, { method: 'POST', body: form, headers: { cookie: await browser.jar.getCookieString(url), 'accept-language': 'zh-CN' } });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /<strong>主题色（#rrggbb，留空则用 Denglu 的颜色）<\/strong>：请填写 #rrggbb 格式的颜色/);
  });

  it('refuses a form without its CSRF token', async () => {
    const res = await postBrand(gw, browser, { 'name.zh-CN': '阿尔法', 'name.en': 'Alpha' });
    assert.equal(res.status, 403);
  });
});
