// The shop-facing description of a partner's sign-in methods (GET /clients/<client_id>/sign-in-methods) at
// the JD case's dates: buttons while Weibo is live and in notice (with its notice), a recovery entry in
// grace, nothing once ended; cache headers that never outlive a phase; ETag revalidation; locale; 404 for
// an unknown client and for Denglu's own console; nothing of another partner. And the JD demo shop
// (supertest against its app) drawing its buttons from it, and saying "You cancelled signing in".

import assert from 'node:assert/strict';
import request from 'supertest';
import { SANDBOX_SHOPS, sandboxPartners } from '../../config/sandbox-seed.ts';
import { ManualClock } from '../../src/clock.ts';
import { createDemoShop } from '../../src/sandbox/demo-shop.ts';
import { MAX_AGE_SECONDS } from '../../src/http/sign-in-methods-route.ts';
import type { ShopSignInMethod, ShopSignInMethods } from '../../src/partners/sign-in-methods.ts';
import { TestBrowser } from '../support/browser.ts';
import { authRequest, startGateway, type Gateway } from '../support/gateway.ts';

const JD = SANDBOX_SHOPS.find((s) => s.partnerId === 'jd')!;
const SHOP_URL = 'http://localhost:9';
const BEFORE_NOTICE = '2013-09-01T10:00:00+08:00';
const NOTICE = '2013-09-10T10:00:00+08:00';
const GRACE = '2013-09-26T09:00:00+08:00';
const ENDED = '2013-10-26T09:00:00+08:00';

interface Answer {
  status: number;
  headers: Headers;
  body: ShopSignInMethods;
}

describe('shops that draw their own buttons: GET /clients/<client_id>/sign-in-methods', function () {
  let gw: Gateway;
  let clock: ManualClock;

  before(async () => {
    clock = new ManualClock(BEFORE_NOTICE);
    const seed = sandboxPartners({ jd: SHOP_URL, taobao: SHOP_URL }).find((p) => p.id === 'jd')!;
    gw = await startGateway({ clock, partners: (defaults) => [...defaults, seed] });
  });
  after(() => gw.close());

  async function describeAt(query = '', headers: Record<string, string> = {}, clientId = JD.clientId): Promise<Answer> {
    const res = await fetch(`${gw.issuer}/clients/${clientId}/sign-in-methods${query}`, { headers });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }
  const method = (a: Answer, id: string): ShopSignInMethod => {
    const m = a.body.methods.find((x) => x.id === id);
    assert.ok(m, `${id} is described`);
    return m;
  };
  const maxAge = (a: Answer) => Number(/^public, max-age=(\d+)$/.exec(a.headers.get('cache-control') ?? '')?.[1] ?? NaN);

  it('before the notice: a button per method, in the partner order, with labels, marks, colours and the next phase', async () => {
    clock.set(BEFORE_NOTICE);
    const a = await describeAt();
    assert.equal(a.status, 200);
    assert.match(a.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(
      a.body.methods.map((m) => [m.id, m.phase, m.show]),
      [
        ['weibo', 'live', 'button'],
        ['qq', 'live', 'button'],
        ['sohu', 'live', 'button'],
        ['wechat', 'live', 'button'],
        ['alipay', 'live', 'button'],
        // The sandbox's demo OpenID Connect provider is JD's, but not configured in this gateway.
        ['example-oidc', 'live', 'none'],
        ['password', 'live', 'button'],
        ['phone', 'live', 'button'],
      ],
    );
    const weibo = method(a, 'weibo');
    assert.deepEqual(weibo.label, { 'zh-CN': '微博', en: 'Weibo' });
    assert.deepEqual(weibo.text, { 'zh-CN': '使用微博登录', en: 'Log in with Weibo' });
    assert.equal(weibo.logo, `${gw.issuer}/static/marks/weibo.svg`);
    assert.match(weibo.colors.background, /^#[0-9a-f]{6}$/i);
    assert.deepEqual(weibo.authorizationParams, { provider: 'weibo' });
    assert.deepEqual(weibo.next, { phase: 'notice', at: '2013-09-10T00:00:00.000+08:00', atMs: Date.parse('2013-09-10T00:00:00+08:00') });
    assert.equal(weibo.notice, undefined);
    const alipay = method(a, 'alipay');
    assert.deepEqual(alipay.label, { 'zh-CN': '支付宝', en: 'Alipay' });
    assert.deepEqual(alipay.text, { 'zh-CN': '使用支付宝登录', en: 'Log in with Alipay' });
    assert.equal(alipay.logo, `${gw.issuer}/static/marks/alipay.svg`);
    assert.deepEqual(a.body.shop, { 'zh-CN': '京东（演示）', en: 'JD.com (demo)' });
    assert.equal(a.body.at, '2013-09-01T10:00:00.000+08:00');
    assert.equal(a.body.clientId, JD.clientId);
  });

  it('in notice: still a button, with the short note, the notice sentence and when grace starts', async () => {
    clock.set(NOTICE);
    const weibo = method(await describeAt(), 'weibo');
    assert.equal(weibo.phase, 'notice');
    assert.equal(weibo.show, 'button');
    // The sentence itself is src/partners/notice-text.ts's: here only that it is there, in both languages.
    assert.match(weibo.notice?.en ?? '', /Weibo.*25 September/);
    assert.match(weibo.notice?.['zh-CN'] ?? '', /微博/);
    assert.ok(weibo.note?.en, 'a short note for the button');
    assert.deepEqual(weibo.next, { phase: 'grace', at: '2013-09-25T00:00:00.000+08:00', atMs: Date.parse('2013-09-25T00:00:00+08:00') });
  });

  it('in grace: no sign-in button but a recovery entry (provider=weibo) until the grace ends, with the notice', async () => {
    clock.set(GRACE);
    const a = await describeAt();
    const weibo = method(a, 'weibo');
    assert.equal(weibo.phase, 'grace');
    assert.equal(weibo.show, 'recovery');
    assert.deepEqual(weibo.authorizationParams, { provider: 'weibo' });
    assert.deepEqual(weibo.recoveryUntil, { at: '2013-10-25T00:00:00.000+08:00', atMs: Date.parse('2013-10-25T00:00:00+08:00') });
    assert.match(weibo.text?.en ?? '', /^Recover your account with Weibo — until 25 October 2013 .*00:00/);
    assert.match(weibo.text?.['zh-CN'] ?? '', /^用微博找回您的账号，.*10月25日.*前有效$/);
    assert.match(weibo.notice?.en ?? '', /Weibo/);
    assert.deepEqual(
      a.body.methods.filter((m) => m.show === 'button').map((m) => m.id),
      ['qq', 'sohu', 'wechat', 'alipay', 'password', 'phone'],
    );
  });

  it("in grace the recovery entry's documented request (provider=weibo) leads to recovering with Weibo", async () => {
    clock.set(GRACE);
    const weibo = method(await describeAt(), 'weibo');
    const shopper = new TestBrowser();
    shopper.acceptLanguage = 'en';
    const atWeibo = (url: URL) => url.origin === gw.emulators.weibo!.url;
    const auth = await authRequest(gw.shops[JD.clientId]!, weibo.authorizationParams);
    let landed = await shopper.go(auth.url, { stopAt: atWeibo });
    // Straight to Weibo, or to a Denglu page whose way forward is the Weibo recovery ("Used Weibo before?").
    if (landed.status !== 0) {
      assert.match(landed.html, /href="\/interaction\/[^"/]+\/migrate\/weibo"/, 'the page offers recovering with Weibo');
      landed = await shopper.click(landed, '/migrate/weibo', atWeibo);
    }
    assert.equal(landed.status, 0, `at Weibo, not ${landed.url.href}`);
  });

  it('ended: described, but nothing to draw and nothing to send', async () => {
    clock.set(ENDED);
    const a = await describeAt();
    const weibo = method(a, 'weibo');
    assert.equal(weibo.phase, 'ended');
    assert.equal(weibo.show, 'none');
    assert.equal(weibo.text, undefined);
    assert.equal(weibo.authorizationParams, undefined);
    assert.equal(weibo.next, undefined);
    assert.equal(maxAge(a), MAX_AGE_SECONDS);
    // `at` asks about another instant: before JD's Weibo started (it has no start) it is live.
    const upcoming = await describeAt(`?at=${encodeURIComponent('2013-09-05T00:00+08:00')}`);
    assert.equal(method(upcoming, 'weibo').phase, 'live');
    assert.equal(upcoming.body.at, '2013-09-05T00:00:00.000+08:00');
  });

  it('`at` answers for any instant (ISO with offset or epoch ms); a bare local time is a 400 saying why', async () => {
    clock.set(BEFORE_NOTICE);
    const iso = await describeAt(`?at=${encodeURIComponent('2013-09-26T09:00+08:00')}`);
    assert.equal(method(iso, 'weibo').show, 'recovery');
    assert.equal(maxAge(iso), MAX_AGE_SECONDS);
    const ms = await describeAt(`?at=${Date.parse(NOTICE)}`);
    assert.equal(method(ms, 'weibo').phase, 'notice');
    const bare = await describeAt('?at=2013-09-26T09:00');
    assert.equal(bare.status, 400);
    assert.equal((bare.body as unknown as { error: string }).error, 'invalid_request');
    assert.match((bare.body as unknown as { message: string }).message, /^at: .*no offset or time zone/);
    assert.match(bare.headers.get('cache-control') ?? '', /no-store/);
    const unencoded = await describeAt('?at=2013-09-26T09:00+08:00');
    assert.equal(unencoded.status, 400, 'a bare "+" reads as a space');
    assert.match((unencoded.body as unknown as { message: string }).message, /write the offset's "\+" as %2B/);
  });

  it('Cache-Control never reaches past the next phase change: max-age counts down to the notice instant', async () => {
    clock.set(BEFORE_NOTICE);
    assert.equal(maxAge(await describeAt()), MAX_AGE_SECONDS);
    clock.set(Date.parse('2013-09-10T00:00:00+08:00') - 25_500);
    const close = await describeAt();
    assert.equal(maxAge(close), 25);
    clock.set(Date.parse('2013-09-10T00:00:00+08:00') - 400);
    assert.equal(maxAge(await describeAt()), 0);
    clock.set(Date.parse('2013-09-10T00:00:00+08:00'));
    assert.equal(method(await describeAt(), 'weibo').phase, 'notice', 'at exactly the instant the new phase is described');
  });

  it('an ETag that changes with the phase; If-None-Match answers 304 while it holds', async () => {
    clock.set(NOTICE);
    const first = await describeAt();
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^"[\w-]+"$/);
    // supertest, not fetch: fetch marks a request carrying If-None-Match `Cache-Control: no-cache`.
    const path = `/clients/${JD.clientId}/sign-in-methods`;
    const again = await request(gw.issuer).get(path).set('if-none-match', etag!);
    assert.equal(again.status, 304);
    assert.equal(again.headers.etag, etag);
    clock.set(GRACE);
    const later = await request(gw.issuer).get(path).set('if-none-match', etag!);
    assert.equal(later.status, 200, 'a new phase is a new answer');
    assert.notEqual(later.headers.etag, etag);
  });

  it('locale=zh-CN or en answers in that language only; another locale is a 400', async () => {
    clock.set(GRACE);
    const zh = await describeAt('?locale=zh-CN');
    assert.deepEqual(zh.body.locales, ['zh-CN']);
    assert.deepEqual(Object.keys(method(zh, 'weibo').text!), ['zh-CN']);
    assert.deepEqual(zh.body.shop, { 'zh-CN': '京东（演示）' });
    const en = await describeAt('?locale=en');
    assert.deepEqual(method(en, 'qq').label, { en: 'QQ' });
    const fr = await describeAt('?locale=fr');
    assert.equal(fr.status, 400);
    assert.match((fr.body as unknown as { message: string }).message, /locale: must be one of zh-CN, en/);
  });

  it("an unknown client_id and Denglu's own console are 404; readable from any origin; nothing of another partner", async () => {
    for (const id of ['no-such-shop', 'denglu-account']) {
      const missing = await describeAt('', {}, id);
      assert.equal(missing.status, 404, id);
      assert.equal((missing.body as unknown as { error: string }).error, 'not_found');
    }
    const a = await describeAt('', { origin: 'https://shop.example' });
    assert.equal(a.headers.get('access-control-allow-origin'), '*');
    assert.equal(a.headers.get('cross-origin-resource-policy'), 'cross-origin');
    const text = JSON.stringify(a.body);
    for (const secret of ['secret', 'alpha', 'redirect', 'client_secret', JD.clientSecret]) assert.ok(!text.includes(secret), `no "${secret}"`);
    assert.deepEqual(Object.keys(a.body).sort(), ['at', 'atMs', 'clientId', 'locales', 'methods', 'shop', 'timeZone']);
  });

  it("the marks it names are served, and may be shown on a shop's own pages (cross-origin)", async () => {
    for (const m of (await describeAt()).body.methods) {
      const res = await fetch(m.logo!);
      assert.equal(res.status, 200, m.id);
      assert.match(res.headers.get('content-type') ?? '', /^image\/svg\+xml/);
      assert.equal(res.headers.get('cross-origin-resource-policy'), 'cross-origin');
      assert.match(await res.text(), /^<svg /);
    }
  });

  describe('the JD demo shop draws its buttons from it (supertest against the shop app)', () => {
    const shopApp = () =>
      createDemoShop({
        name: JD.name,
        issuer: gw.issuer,
        clientId: JD.clientId,
        clientSecret: JD.clientSecret,
        authMethod: JD.authMethod,
        url: SHOP_URL,
        cookiePrefix: 'jd',
      });
    const buttons = (html: string) => [...html.matchAll(/data-method="([^"]+)"/g)].map((m) => m[1]);
    const recoveries = (html: string) => [...html.matchAll(/data-recover="([^"]+)"/g)].map((m) => m[1]);

    it('before the notice: Weibo, QQ, Sohu, WeChat, email and phone buttons, with marks; no notice', async () => {
      clock.set(BEFORE_NOTICE);
      const page = await request(shopApp()).get('/').expect(200);
      assert.deepEqual(buttons(page.text), ['weibo', 'qq', 'sohu', 'wechat', 'alipay', 'password', 'phone']);
      assert.match(
        page.text,
        /<a class="btn method-weibo" data-method="weibo" href="\/login\?provider=weibo"><img class="mark" src="http:\/\/127\.0\.0\.1:\d+\/static\/marks\/weibo\.svg" alt="" width="22" height="22"> 使用微博登录 · Log in with Weibo<\/a>/,
      );
      assert.doesNotMatch(page.text, /data-notice=/);
      assert.deepEqual(recoveries(page.text), []);
    });

    it('in notice (10 September 2013): the Weibo button plus the visible notice sentence', async () => {
      clock.set(NOTICE);
      const page = await request(shopApp()).get('/').expect(200);
      assert.deepEqual(buttons(page.text), ['weibo', 'qq', 'sohu', 'wechat', 'alipay', 'password', 'phone']);
      assert.match(page.text, /<p class="method-notice" data-notice="weibo">[^<]*微博[^<]*<br>[^<]*Weibo[^<]*25 September[^<]*<\/p>/);
    });

    it('in grace (26 September 2013): no Weibo button, a "Recover your account with Weibo — until …" entry', async () => {
      clock.set(GRACE);
      const page = await request(shopApp()).get('/').expect(200);
      assert.deepEqual(buttons(page.text), ['qq', 'sohu', 'wechat', 'alipay', 'password', 'phone']);
      assert.deepEqual(recoveries(page.text), ['weibo']);
      assert.match(page.text, /href="\/login\?provider=weibo">[\s\S]*?Recover your account with Weibo — until 25 October 2013 /);
      assert.doesNotMatch(page.text, /Log in with Weibo/);
    });

    it('ended (26 October 2013): no Weibo at all', async () => {
      clock.set(ENDED);
      const page = await request(shopApp()).get('/').expect(200);
      assert.deepEqual(buttons(page.text), ['qq', 'sohu', 'wechat', 'alipay', 'password', 'phone']);
      assert.deepEqual(recoveries(page.text), []);
      assert.doesNotMatch(page.text, /Weibo|微博/);
    });

    it('a cancelled sign-in (error=access_denied) says "You cancelled signing in", once; other errors get a readable line', async () => {
      clock.set(NOTICE);
      const shop = request.agent(shopApp());
      const cancelled = async (error: string) => {
        const login = await shop.get('/login?provider=qq').expect(303);
        const state = new URL(login.headers.location!).searchParams.get('state')!;
        await shop
          .get(
            `/callback?error=${error}&error_description=${encodeURIComponent('the shopper did not sign in')}&state=${state}&iss=${encodeURIComponent(gw.issuer)}`,
          )
          .expect(303);
        return (await shop.get('/').expect(200)).text;
      };
      const page = await cancelled('access_denied');
      assert.match(page, /<p class="info" id="shop-cancelled" role="status">您已取消登录。 · You cancelled signing in\.<\/p>/);
      assert.doesNotMatch(page, /shop-error|access_denied|did not sign in/);
      assert.doesNotMatch((await shop.get('/').expect(200)).text, /shop-cancelled/, 'said once');
      const unavailable = await cancelled('temporarily_unavailable');
      assert.match(
        unavailable,
        /id="shop-error" role="alert">登录服务暂时不可用，请稍后再试。 · Signing in is temporarily unavailable; please try again later\. <small>\(temporarily_unavailable\)<\/small>/,
      );
      await shop.get('/callback?code=x&state=y').expect(303);
      assert.match((await shop.get('/').expect(200)).text, /This sign-in expired or began in another browser; please log in again\./);
    });

    it('when Denglu cannot be reached it says so and keeps the "more ways" link', async () => {
      const page = await request(
        createDemoShop({
          name: JD.name,
          issuer: 'http://127.0.0.1:9',
          clientId: JD.clientId,
          clientSecret: JD.clientSecret,
          authMethod: JD.authMethod,
          url: SHOP_URL,
          cookiePrefix: 'jd',
        }),
      )
        .get('/')
        .expect(200);
      assert.match(page.text, /id="methods-unavailable"/);
      assert.match(page.text, /More ways to log in/);
    });
  });
});
