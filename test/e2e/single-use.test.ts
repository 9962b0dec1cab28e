// Single use under concurrency (issue 14 §2): oidc-provider checks `consumed` and marks it in two steps,
// so concurrent redemptions of one authorization code, or of one refresh token (rotated on every use),
// could all get tokens. The store adapter's atomic `consume` lets exactly one win; the others get
// `invalid_grant`. The store answers after a macrotask, as PostgreSQL does: the in-memory store alone
// runs a whole token request between two I/O turns and would hide the race.

import assert from 'node:assert/strict';
import request from 'supertest';
import { TestBrowser, type Page } from '../support/browser.ts';
import { withLatency } from '../support/store-wrapper.ts';
import { SignJWT } from 'jose';
import { approveAtProvider, atShop, authRequest, shopJwtKey, startGateway, redeem, type Gateway } from '../support/gateway.ts';

const N = 10;
const SECRET = 'alpha-basic-secret-0123456789abcdef';
const basic = `Basic ${Buffer.from(`alpha-basic:${SECRET}`).toString('base64')}`;

describe('single use of codes and refresh tokens under concurrent redemption', function () {
  let gw: Gateway;
  before(async () => {
    gw = await startGateway({ wrapStore: withLatency });
  });
  after(async () => {
    await gw.close();
  });

  /** A login up to the shop's callback: the code and the PKCE verifier to redeem it. */
  async function codeAtShop(login: string, scope: string) {
    const shop = gw.shops['alpha-basic']!;
    const browser = new TestBrowser();
    const auth = await authRequest(shop, { provider: 'weibo', scope, ...(scope.includes('offline_access') ? { prompt: 'consent' } : {}) });
    let page: Page = await browser.go(auth.url, { stopAt: atShop(shop) });
    page = await approveAtProvider(browser, page, login, shop);
    if (page.status === 200 && /\/continue/.test(page.html)) page = await browser.submit(page, {}, '/continue', atShop(shop));
    assert.equal(page.status, 0, `back at the shop: ${page.html.slice(0, 300)}`);
    return { shop, auth, callback: page.url, code: page.url.searchParams.get('code')! };
  }

  /** N token requests sent together. */
  function together(form: Record<string, string>) {
    return Promise.all(
      Array.from({ length: N }, () =>
        request(gw.denglu.app).post('/token').set('authorization', basic).type('form').send(new URLSearchParams(form).toString()),
      ),
    );
  }

  it(`${N} concurrent redemptions of one authorization code: exactly one gets tokens, the rest invalid_grant`, async () => {
    const { shop, auth, code } = await codeAtShop('alice', 'openid profile');
    const answers = await together({ grant_type: 'authorization_code', code, redirect_uri: shop.redirectUri, code_verifier: auth.verifier });
    const won = answers.filter((r) => r.status === 200);
    assert.equal(won.length, 1, `statuses: ${answers.map((r) => r.status).join(' ')}`);
    assert.ok(won[0]!.body.access_token && won[0]!.body.id_token, 'the winner gets tokens');
    for (const r of answers.filter((a) => a.status !== 200)) assert.deepEqual([r.status, r.body.error], [400, 'invalid_grant']);
  });

  it(`${N} concurrent refreshes with one rotating refresh token: exactly one gets a new token set, the rest invalid_grant`, async () => {
    const { shop, auth, callback } = await codeAtShop('bob', 'openid profile offline_access');
    const tokens = await redeem(shop, callback, auth);
    assert.ok(tokens.refresh_token, 'a refresh token was issued');
    const answers = await together({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    const won = answers.filter((r) => r.status === 200);
    assert.equal(won.length, 1, `statuses: ${answers.map((r) => r.status).join(' ')}`);
    assert.ok(won[0]!.body.refresh_token && won[0]!.body.refresh_token !== tokens.refresh_token, 'the winner gets a rotated refresh token');
    for (const r of answers.filter((a) => a.status !== 200)) assert.deepEqual([r.status, r.body.error], [400, 'invalid_grant']);
  });

  it(`one client assertion sent ${N} times at once: exactly one authenticates, the rest are replays (invalid_client)`, async () => {
    const { privateKey } = await shopJwtKey();
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'alpha-jwt-key' })
      .setIssuer('alpha-jwt')
      .setSubject('alpha-jwt')
      .setAudience(gw.issuer)
      .setJti(`jti-${Date.now()}`)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(privateKey);
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code: 'no-such-code',
      redirect_uri: gw.shops['alpha-jwt']!.redirectUri,
      client_id: 'alpha-jwt',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }).toString();
    const answers = await Promise.all(Array.from({ length: N }, () => request(gw.denglu.app).post('/token').type('form').send(form)));
    const errors = answers.map((r) => r.body.error).sort();
    // Authenticated: the made-up code is then refused (invalid_grant); a replayed assertion never gets that far.
    assert.deepEqual(errors, [...Array(N - 1).fill('invalid_client'), 'invalid_grant'], `statuses: ${answers.map((r) => r.status).join(' ')}`);
  });

  it('a code redeemed twice in a row: the second is refused and the first tokens are revoked (as before)', async () => {
    const { shop, auth, code } = await codeAtShop('carol', 'openid profile');
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: shop.redirectUri, code_verifier: auth.verifier }).toString();
    const first = await request(gw.denglu.app).post('/token').set('authorization', basic).type('form').send(form);
    assert.equal(first.status, 200);
    const second = await request(gw.denglu.app).post('/token').set('authorization', basic).type('form').send(form);
    assert.deepEqual([second.status, second.body.error], [400, 'invalid_grant']);
    const me = await request(gw.denglu.app).get('/me').set('authorization', `Bearer ${first.body.access_token}`);
    assert.equal(me.status, 401, 'the access token from the reused code no longer works');
  });
});
