// End to end, over real HTTP: a shop (openid-client) signs a shopper in through Denglu with each provider
// via its emulator, validates the ID token, and gets the same pairwise `sub` for the same shopper —
// and a different one at another shop.

import assert from 'node:assert/strict';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { TestBrowser } from '../support/browser.ts';
import { loginWith, startGateway, authRequest, atShop, approveAtProvider, redeem, type Gateway, e2eClientId } from '../support/gateway.ts';
import type { Account } from '../../src/accounts/account.ts';
import type { ManualClock } from '../../src/clock.ts';
import { wiretap } from './e2e-checks.ts';

describe('e2e: brokered login', function () {
  let gw: Gateway;
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await gw.close();
  });

  for (const provider of ['weibo', 'qq', 'sohu', 'alipay']) {
    it(`signs a shopper in with ${provider} and the shop validates the ID token`, async () => {
      const login = gw.emulators[provider]!.emulator.users[0]!.login;
      const { claims, tokens } = await loginWith(gw, new TestBrowser(), 'alpha-basic', provider, login);
      assert.equal(claims.iss, gw.issuer);
      assert.equal(claims.aud, 'alpha-basic');
      assert.equal(claims.idp, provider);
      assert.deepEqual(claims.amr, ['fed', provider]);
      assert.equal(claims.name, gw.emulators[provider]!.emulator.users[0]!.name);
      assert.match(String(claims.sub), /^[\w-]{43}$/);
      // The signature checks out against the published JWKS, independently of openid-client.
      const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${gw.issuer}/jwks`)), {
        issuer: gw.issuer,
        audience: 'alpha-basic',
      });
      assert.equal(protectedHeader.alg, 'RS256');
      assert.equal(payload.sub, claims.sub);
      // The account holds exactly this identity, keyed by the emulator's id for the user.
      const keys = gw.emulators[provider]!.emulator.identityKeysFor(login, e2eClientId(provider));
      const account = (await gw.store.findOne<Account>('accounts', 'identity', keys[0]!))!.value;
      assert.equal(account.identities.length, 1);
      assert.deepEqual([...account.identities[0]!.keys].sort(), [...keys].sort());
    });
  }

  it('gives the same shopper the same sub at one shop, on every client and every later login', async () => {
    const first = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'alice');
    const again = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'alice');
    const otherClient = await loginWith(gw, new TestBrowser(), 'alpha-post', 'weibo', 'alice');
    assert.equal(again.claims.sub, first.claims.sub);
    assert.equal(otherClient.claims.sub, first.claims.sub);
    const accounts = await gw.store.find<Account>('accounts', 'identity', gw.emulators.weibo!.emulator.identityKeysFor('alice', e2eClientId('weibo'))[0]!);
    assert.equal(accounts.length, 1, 'one account, found again rather than created twice');
  });

  it('gives the same shopper different subs at two shops', async () => {
    const a = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'qq', 'bob');
    const b = await loginWith(gw, new TestBrowser(), 'beta-basic', 'qq', 'bob');
    assert.notEqual(a.claims.sub, b.claims.sub);
  });

  it('gives two shoppers different subs at one shop', async () => {
    const a = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'sohu', 'carol');
    const b = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'sohu', 'dave');
    assert.notEqual(a.claims.sub, b.claims.sub);
  });

  it('authenticates shops with client_secret_post and private_key_jwt too', async () => {
    const post = await loginWith(gw, new TestBrowser(), 'alpha-post', 'qq', 'erin');
    const jwt = await loginWith(gw, new TestBrowser(), 'alpha-jwt', 'qq', 'erin');
    assert.equal(post.claims.sub, jwt.claims.sub, 'same partner, same sub');
  });

  it('shows the chooser without a hint, in the shopper language, and signs in from a button', async () => {
    const browser = new TestBrowser();
    browser.acceptLanguage = 'en-GB,en;q=0.9';
    const shop = gw.shops['alpha-basic']!;
    const request = await authRequest(shop);
    const chooser = await browser.go(request.url, { stopAt: atShop(shop) });
    assert.equal(chooser.status, 200);
    assert.match(chooser.html, /Sign in to Alpha Shop/);
    for (const provider of ['weibo', 'qq', 'sohu', 'alipay']) assert.match(chooser.html, new RegExp(`provider-${provider}`));
    const zh = new TestBrowser();
    const zhPage = await zh.go((await authRequest(shop, { ui_locales: 'zh-CN' })).url, { stopAt: atShop(shop) });
    assert.match(zhPage.html, /登录阿尔法商店/);
    const atProvider = await browser.click(chooser, '/start/qq', atShop(shop));
    const back = await approveAtProvider(browser, atProvider, 'frank', shop);
    const tokens = await redeem(shop, back.url, request);
    assert.equal(tokens.claims()!.idp, 'qq');
  });

  it("shows Alipay on Denglu's chooser with its own label in zh-CN and en, its own colours and mark", async () => {
    const shop = gw.shops['alpha-basic']!;
    for (const [locale, label] of [
      ['zh-CN', '使用支付宝登录'],
      ['en', 'Continue with Alipay'],
    ] as const) {
      const page = await new TestBrowser().go((await authRequest(shop, { ui_locales: locale })).url, { stopAt: atShop(shop) });
      const button = /<a class="provider-button provider-alipay"[^>]*>([^<]*)<\/a>/.exec(page.html);
      assert.ok(button, `an Alipay button on the ${locale} chooser`);
      assert.equal(button[1]!.trim(), label);
    }
    const css = await (await fetch(`${gw.issuer}/static/providers.css`)).text();
    assert.match(css, /\.provider-alipay\{background:#1570F0;color:#FFFFFF\}/i);
    assert.match(css, /\.provider-alipay::before\{background-image:url\("data:image\/svg\+xml;base64,/);
  });

  it('skips the chooser with a provider hint: the /auth answer already points at the provider', async () => {
    const browser = new TestBrowser();
    const shop = gw.shops['alpha-basic']!;
    const request = await authRequest(shop, { provider: 'weibo' });
    const res = await browser.request('GET', request.url);
    assert.equal(res.status, 303);
    assert.ok(res.headers.get('location')!.startsWith(gw.emulators.weibo!.url), 'straight to Weibo');
  });

  it('answers the provider callback with the code: no hop through /auth/<uid>', async () => {
    const shop = gw.shops['alpha-basic']!;
    const { hops, callback } = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'alice');
    const cb = hops.findIndex((h) => new URL(h.url).pathname === '/cb/weibo');
    assert.ok(cb >= 0, `the login went through /cb/weibo: ${hops.map((h) => h.url).join(' → ')}`);
    assert.equal(hops[cb]!.status, 303);
    assert.ok(hops[cb]!.location!.startsWith(shop.redirectUri + '?'), `straight to the shop, got ${hops[cb]!.location}`);
    assert.equal(hops.filter((h) => new URL(h.url).pathname.startsWith('/auth/')).length, 0, 'no resume hop');
    assert.ok(callback.searchParams.get('code'));
  });

  it('issues one code per callback: replaying the callback URL in the same browser gets a failure page', async () => {
    const browser = new TestBrowser();
    const shop = gw.shops['alpha-basic']!;
    const request = await authRequest(shop, { provider: 'weibo' });
    let page = await browser.go(request.url, { stopAt: atShop(shop) });
    page = await approveAtProvider(browser, page, 'alice', shop);
    const cbHop = page.hops.find((h) => new URL(h.url).pathname === '/cb/weibo')!;
    assert.ok(page.url.href.startsWith(shop.redirectUri), 'the first callback reached the shop');
    const replay = await browser.request('GET', cbHop.url);
    assert.ok(replay.status >= 400 && replay.status < 500, `the flow was used up: a failure page, got ${replay.status}`);
    assert.match(await replay.text(), /<html/i);
    assert.equal(replay.headers.get('location'), null, 'no second code');
  });

  it('asks a third-party shop consent once, then remembers it', async () => {
    const browser = new TestBrowser();
    browser.acceptLanguage = 'en';
    const shop = gw.shops['gamma-basic']!;
    const request = await authRequest(shop, { provider: 'weibo' });
    let page = await browser.go(request.url, { stopAt: atShop(shop) });
    page = await approveAtProvider(browser, page, 'grace', shop);
    assert.equal(page.status, 200);
    assert.match(page.html, /Authorize Gamma Shop/);
    page = await browser.submit(page, {}, '/consent', atShop(shop));
    const tokens = await redeem(shop, page.url, request);
    assert.equal(tokens.claims()!.name, 'grace');
    // Same browser, new authorization request: session and grant exist, no page at all.
    const second = await authRequest(shop);
    const direct = await browser.go(second.url, { stopAt: atShop(shop) });
    assert.equal(direct.status, 0, 'went straight back to the shop');
    assert.equal((await redeem(shop, direct.url, second)).claims()!.sub, tokens.claims()!.sub);
  });

  it('skips the profile call for a returning shopper whose profile is fresh, and refreshes it after a day', async () => {
    const tap = wiretap(gw.emulators.weibo!);
    const first = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'profile-reuser');
    assert.equal(tap.count('/2/users/show.json'), 1);
    const again = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'profile-reuser');
    assert.equal(tap.count('/2/users/show.json'), 1, 'no second users/show within a day');
    assert.equal(tap.count('/oauth2/get_token_info'), 2, 'the uid is verified every time');
    assert.equal(again.claims.sub, first.claims.sub);
    assert.equal(again.claims.name, first.claims.name);
    (gw.clock as ManualClock).advance(24 * 3600_000 + 1);
    await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'profile-reuser');
    assert.equal(tap.count('/2/users/show.json'), 2, 'refreshed after a day');
  });

  it('serves discovery with a stable issuer and a JWKS of RS256 signing keys', async () => {
    const discovery = await (await fetch(`${gw.issuer}/.well-known/openid-configuration`)).json();
    assert.equal(discovery.issuer, gw.issuer);
    assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(discovery.subject_types_supported, ['pairwise']);
    assert.equal(discovery.authorization_response_iss_parameter_supported, true);
    for (const m of ['client_secret_basic', 'client_secret_post', 'private_key_jwt']) assert.ok(discovery.token_endpoint_auth_methods_supported.includes(m));
    const jwks = await (await fetch(discovery.jwks_uri)).json();
    assert.ok(jwks.keys.length >= 1);
    for (const key of jwks.keys) {
      assert.equal(key.kty, 'RSA');
      assert.equal(key.d, undefined, 'no private parts published');
    }
  });
});
