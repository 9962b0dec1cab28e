// When the store is unavailable (ERR_STORE_UNAVAILABLE: database down, pool exhausted, statement
// timeout), every part of the gateway answers a clear 503 with Retry-After and the request id, never a
// crash or a hang: a page in Chinese and English for shoppers' browsers, `temporarily_unavailable` at the
// OIDC protocol endpoints, JSON at the admin API, the bilingual page at the admin pages; /readyz says 503
// while /healthz stays 200; service resumes when the store answers again.

import assert from 'node:assert/strict';
import request from 'supertest';
import { GatewayError } from '../../src/errors.ts';
import { TestBrowser, type Page } from '../support/browser.ts';
import { atShop, authRequest, startGateway, type Gateway } from '../support/gateway.ts';
import { wrapStore } from '../support/store-wrapper.ts';
import { OPERATOR } from '../admin/admin-client.ts';

const BASIC = `Basic ${Buffer.from('alpha-basic:alpha-basic-secret-0123456789abcdef').toString('base64')}`;

describe('the store unavailable: 503 everywhere, with the request id', function () {
  let gw: Gateway;
  let down = false;
  before(async () => {
    gw = await startGateway({
      wrapStore: (store) =>
        wrapStore(store, () => {
          if (down) throw new GatewayError('ERR_STORE_UNAVAILABLE', 'the database does not answer', { status: 503 });
        }),
    });
  });
  afterEach(() => {
    down = false;
  });
  after(async () => {
    await gw.close();
  });

  function assertUnavailable(res: { status: number; headers: Record<string, string> | Headers }, what: string): string {
    const header = (name: string) => (res.headers instanceof Headers ? res.headers.get(name) : res.headers[name]) ?? '';
    assert.equal(res.status, 503, what);
    assert.equal(header('retry-after'), '60', `${what}: Retry-After`);
    const id = header('x-request-id');
    assert.ok(id, `${what}: a request id`);
    return id;
  }

  function assertBilingualPage(html: string, requestId: string, what: string): void {
    assert.match(html, /登录服务暂时不可用/, what);
    assert.match(html, /Sign-in is temporarily unavailable/, what);
    assert.match(html, /try again in a minute/, what);
    assert.ok(html.includes(requestId), `${what}: the page shows the request id`);
  }

  it('/readyz: 200 with the backend while the store answers, 503 with a JSON body when not; /healthz stays 200', async () => {
    const up = await request(gw.denglu.app).get('/readyz');
    assert.equal(up.status, 200);
    assert.deepEqual(up.body, { status: 'ready', store: { backend: gw.store.info.backend } });
    assert.equal(up.headers['cache-control'], 'no-store');
    down = true;
    const unready = await request(gw.denglu.app).get('/readyz');
    assert.equal(unready.status, 503);
    assert.equal(unready.body.status, 'unavailable');
    assert.equal(unready.body.error, 'ERR_STORE_UNAVAILABLE');
    assert.equal(unready.headers['cache-control'], 'no-store');
    // The operator's log says why, not only "failed with status code 503".
    const logged = gw.logs.find((line) => line.includes(unready.body.requestId));
    assert.match(logged ?? '', /the database does not answer/, logged);
    assert.equal((await request(gw.denglu.app).get('/healthz')).status, 200);
  });

  it('a shopper mid sign-in gets the bilingual page; the sign-in continues once the store answers', async () => {
    const shop = gw.shops['alpha-basic']!;
    const browser = new TestBrowser();
    const chooser: Page = await browser.go((await authRequest(shop)).url, { stopAt: atShop(shop) });
    assert.equal(chooser.status, 200);
    down = true;
    const page = await browser.go(chooser.url);
    const id = assertUnavailable(page, 'the sign-in page');
    assertBilingualPage(page.html, id, 'the sign-in page');
    down = false;
    assert.equal((await browser.go(chooser.url)).status, 200, 'the same page once the store is back');
  });

  it('OIDC endpoints: /auth in a browser gets the page, /token gets temporarily_unavailable', async () => {
    const shop = gw.shops['alpha-basic']!;
    const auth = await authRequest(shop);
    down = true;
    const page = await new TestBrowser().go(auth.url, { stopAt: atShop(shop) });
    assertBilingualPage(page.html, assertUnavailable(page, '/auth'), '/auth');
    const token = await request(gw.denglu.app)
      .post('/token')
      .set('authorization', BASIC)
      .type('form')
      .send(`grant_type=authorization_code&code=some-code&redirect_uri=${encodeURIComponent(shop.redirectUri)}`);
    const id = assertUnavailable(token, '/token');
    assert.equal(token.body.error, 'temporarily_unavailable');
    assert.equal(token.body.request_id, id);
    // Inside oidc-provider (no Denglu middleware touches the store first).
    const me = await request(gw.denglu.app).get('/me').set('authorization', 'Bearer some-access-token');
    assert.deepEqual([me.body.error, me.body.request_id], ['temporarily_unavailable', assertUnavailable(me, '/me')]);
  });

  it('the admin API answers its JSON error, the admin pages the bilingual page', async () => {
    down = true;
    const api = await request(gw.denglu.app).get('/api/admin/partners').set('authorization', `Bearer ${OPERATOR}`).set('accept', 'application/json');
    const id = assertUnavailable(api, 'admin API');
    assert.equal(api.body.error, 'ERR_STORE_UNAVAILABLE');
    assert.equal(api.body.requestId, id);
    const pages = await request(gw.denglu.app).get('/admin/login').set('accept', 'text/html');
    assertBilingualPage(pages.text, assertUnavailable(pages, 'admin pages'), 'admin pages');
  });

  it('a JSON client of a shopper route gets JSON, not a page', async () => {
    down = true;
    const res = await request(gw.denglu.app).get('/clients/alpha-basic/sign-in-methods').set('accept', 'application/json');
    const id = assertUnavailable(res, 'sign-in methods');
    assert.deepEqual([res.body.error, res.body.requestId], ['ERR_STORE_UNAVAILABLE', id]);
  });
});
