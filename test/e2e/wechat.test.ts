// End to end, over real HTTP: a shop (openid-client) signs a shopper in through Denglu with WeChat — on
// a computer through the emulated QR page, and inside WeChat's own browser through the official
// account — and gets one account and one pairwise `sub` for both (the unionid), the account holding
// both apps' openids. Denglu's chooser shows WeChat with its own label in zh-CN and en.

import assert from 'node:assert/strict';
import type { Account } from '../../src/accounts/account.ts';
import { TestBrowser } from '../support/browser.ts';
import {
  approveAtProvider,
  atShop,
  authRequest,
  e2eClientId,
  type Gateway,
  loginWith,
  offeringEveryProvider,
  redeem,
  startGateway,
} from '../support/gateway.ts';

const IPHONE_WECHAT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN';

describe('e2e: WeChat sign-in through the broker', function () {
  let gw: Gateway;
  before(async () => {
    // Alpha offers WeChat too (the shared test partners do not, so other tests' lists stay as they are).
    gw = await startGateway({ partners: offeringEveryProvider('alpha') });
  });
  after(() => gw.close());

  it('signs a shopper in with WeChat on the QR page; the shop validates the ID token', async () => {
    const emulator = gw.emulators.wechat!.emulator;
    const browser = new TestBrowser();
    const { claims } = await loginWith(gw, browser, 'alpha-basic', 'wechat', 'chenhao');
    assert.ok(
      browser.history.some((h) => new URL(h.url).pathname === '/connect/qrconnect'),
      'through the QR page',
    );
    assert.equal(claims.iss, gw.issuer);
    assert.equal(claims.idp, 'wechat');
    assert.deepEqual(claims.amr, ['fed', 'wechat']);
    assert.equal(claims.name, '陈浩');
    const keys = emulator.identityKeysFor('chenhao', e2eClientId('wechat'));
    assert.match(keys[0]!, /^wechat:unionid:/);
    const account = (await gw.store.findOne<Account>('accounts', 'identity', keys[0]!))!.value;
    assert.deepEqual(account.identities[0]!.keys, keys);
  });

  it("inside WeChat's browser: the official account's page, and the same account and sub as on the QR page", async () => {
    const onComputer = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'wechat', 'linxue');
    const phone = new TestBrowser();
    phone.userAgent = IPHONE_WECHAT;
    const inApp = await loginWith(gw, phone, 'alpha-basic', 'wechat', 'linxue');
    const authorize = phone.history
      .filter((h) => h.method === 'GET')
      .map((h) => new URL(h.url))
      .find((u) => u.pathname === '/connect/oauth2/authorize');
    assert.ok(authorize, 'through the in-WeChat authorize page');
    assert.equal(authorize.searchParams.get('scope'), 'snsapi_userinfo');
    assert.equal(inApp.claims.sub, onComputer.claims.sub, 'one person: the unionid found the account');
    const unionKey = gw.emulators.wechat!.emulator.identityKeysFor('linxue', e2eClientId('wechat'))[0]!;
    const account = (await gw.store.findOne<Account>('accounts', 'identity', unionKey))!.value;
    assert.equal(account.identities.length, 1);
    const mpAppId = authorize.searchParams.get('appid')!;
    assert.ok(
      account.identities[0]!.keys.some((k) => k.startsWith(`wechat:openid:${mpAppId}:`)),
      "the official account's openid was added",
    );
  });

  it("a refusal on WeChat's page comes back to the shop as access_denied", async () => {
    const browser = new TestBrowser();
    const shop = gw.shops['alpha-basic']!;
    const request = await authRequest(shop, { provider: 'wechat' });
    const page = await browser.go(request.url, { stopAt: atShop(shop) });
    const failure = await approveAtProvider(browser, page, 'chenhao', shop, 'deny');
    assert.equal(failure.status, 502, 'the failure page');
    assert.match(failure.html, /取消|cancel/i);
    assert.ok(failure.html.includes('/abort?error=access_denied"'), 'a back-to-shop action with access_denied');
    const back = await browser.submit(failure, {}, '/abort', atShop(shop));
    assert.equal(back.url.searchParams.get('error'), 'access_denied');
  });

  it("Denglu's chooser shows WeChat with its own label in zh-CN and en, and signs in from there", async () => {
    const shop = gw.shops['alpha-basic']!;
    const zh = new TestBrowser();
    const zhChooser = await zh.go((await authRequest(shop, { ui_locales: 'zh-CN' })).url, { stopAt: atShop(shop) });
    assert.match(zhChooser.html, /class="[^"]*provider-wechat[^"]*"[^>]*>[\s\S]*?微信/);
    const en = new TestBrowser();
    en.acceptLanguage = 'en-GB,en;q=0.9';
    const request = await authRequest(shop);
    const chooser = await en.go(request.url, { stopAt: atShop(shop) });
    assert.match(chooser.html, /class="[^"]*provider-wechat[^"]*"[^>]*>[\s\S]*?WeChat/);
    const atWechat = await en.click(chooser, '/start/wechat', atShop(shop));
    const back = await approveAtProvider(en, atWechat, 'tom', shop);
    const tokens = await redeem(shop, back.url, request);
    assert.equal(tokens.claims()!.idp, 'wechat');
    assert.equal(tokens.claims()!.name, 'Tom');
  });
});
