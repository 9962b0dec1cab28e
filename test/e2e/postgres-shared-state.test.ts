// The shared-state guarantees on PostgreSQL, with two gateways (createApp twice, each with its own store
// and connection pool, as two processes have) on one fresh database: concurrent redemptions of one
// authorization code or one rotating refresh token spread over both yield one token set; failed client
// authentications on both add up to one limit; a key rotated through one is used by the other (heard
// through LISTEN/NOTIFY); the address's cap of sign-ins in progress holds across both.

import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { decodeProtectedHeader } from 'jose';
import { PROVIDERS } from '../../providers/index.ts';
import { createApp, type DengluApp } from '../../src/app.ts';
import { SignInsInProgress } from '../../src/broker/sign-ins-in-progress.ts';
import { ManualClock } from '../../src/clock.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { client, OPERATOR } from '../admin/admin-client.ts';
import { TestBrowser, type Page } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, redeem, startGateway, type Gateway } from '../support/gateway.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';
import { until } from '../support/until.ts';

const N = 10;
const LIMIT = 4;
const basic = (secret = 'alpha-basic-secret-0123456789abcdef') => `Basic ${Buffer.from(`alpha-basic:${secret}`).toString('base64')}`;

describe('shared state on PostgreSQL: two instances on one database', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let gw: Gateway;
  let secondStore: Store;
  let other: DengluApp;
  let apps: [Express, Express];
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));

  before(async function () {
    if (!(await postgresAvailable())) return this.skip();
    db = await freshDatabase('shared-state');
    gw = await startGateway({ clock, databaseUrl: db.url, env: { TOKEN_AUTH_FAILURE_LIMIT: String(LIMIT) } });
    secondStore = await createStore({ dataDir: gw.dataDir, databaseUrl: db.url, clock });
    other = await createApp({ config: gw.config, store: secondStore, clock, providers: PROVIDERS, log: gw.log });
    apps = [gw.denglu.app, other.app];
  });
  after(async () => {
    other?.signingKeys.close();
    await secondStore?.close();
    await gw?.close();
    await db?.drop();
  });

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

  /** N token requests sent together, alternating between the instances. */
  const together = (form: Record<string, string>) =>
    Promise.all(
      Array.from({ length: N }, (_, i) =>
        request(apps[i % 2]!)
          .post('/token')
          .set('authorization', basic())
          .type('form')
          .send(new URLSearchParams(form).toString()),
      ),
    );

  it(`${N} concurrent redemptions of one code over both instances: exactly one token set`, async () => {
    const { shop, auth, code } = await codeAtShop('pg-alice', 'openid profile');
    const answers = await together({ grant_type: 'authorization_code', code, redirect_uri: shop.redirectUri, code_verifier: auth.verifier });
    assert.equal(answers.filter((r) => r.status === 200).length, 1, `statuses: ${answers.map((r) => r.status).join(' ')}`);
    for (const r of answers.filter((a) => a.status !== 200)) assert.deepEqual([r.status, r.body.error], [400, 'invalid_grant']);
  });

  it(`${N} concurrent refreshes with one rotating refresh token over both instances: exactly one new token set`, async () => {
    const { shop, auth, callback } = await codeAtShop('pg-bob', 'openid profile offline_access');
    const tokens = await redeem(shop, callback, auth);
    const answers = await together({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    assert.equal(answers.filter((r) => r.status === 200).length, 1, `statuses: ${answers.map((r) => r.status).join(' ')}`);
    for (const r of answers.filter((a) => a.status !== 200)) assert.deepEqual([r.status, r.body.error], [400, 'invalid_grant']);
  });

  it('failed client authentications on both instances add up to one limit', async () => {
    const form = 'grant_type=authorization_code&code=no-such-code&redirect_uri=https%3A%2F%2Falpha-basic.shop.test%2Fcb';
    for (let i = 0; i < LIMIT; i++)
      assert.equal(
        (
          await request(apps[i % 2]!)
            .post('/token')
            .set('authorization', basic('wrong'))
            .type('form')
            .send(form)
        ).status,
        401,
      );
    for (const app of apps) assert.equal((await request(app).post('/token').set('authorization', basic('wrong')).type('form').send(form)).status, 429);
  });

  it('a key rotated through instance A signs at instance B within a second or so', async () => {
    const next = ((await client(gw, OPERATOR).get('/keys')).body.keys as { kid: string; stage: string }[]).find((k) => k.stage === 'next')!.kid;
    clock.advance(gw.config.keys.publishLeadSeconds * 1000);
    assert.equal((await client(gw, OPERATOR).post('/keys/rotate', {})).status, 200);
    await until(() => other.signingKeys.views().find((k) => k.stage === 'current')?.kid === next, 'instance B adopts the rotated keys', 5000);
    assert.equal(((await request(other.app).get('/jwks')).body.keys as { kid: string }[])[0]!.kid, next);
    const { shop, auth, code } = await codeAtShop('pg-carol', 'openid profile');
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: shop.redirectUri, code_verifier: auth.verifier });
    const tokens = await request(other.app).post('/token').set('authorization', basic()).type('form').send(form.toString());
    assert.equal(decodeProtectedHeader(tokens.body.id_token).kid, next);
  });

  it("concurrent sign-ins from one address through both instances never pass the address's cap", async () => {
    const limits = { perBrowser: 5, perIp: 3, flowsPerSignIn: 2 };
    const mine = [new SignInsInProgress({ store: gw.store, clock }, limits), new SignInsInProgress({ store: secondStore, clock }, limits)];
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => mine[i % 2]!.admit(`pg-s${i}`, `browser-${i}`, '198.51.100.7', clock.now() + 60_000)),
    );
    assert.equal(answers.filter((a) => a.admitted).length, limits.perIp);
  });

  it('an instance whose store is gone answers 503 (readyz, temporarily_unavailable at /token, the page in a browser); the other serves on', async () => {
    await secondStore.close();
    const ready = await request(other.app).get('/readyz');
    assert.deepEqual([ready.status, ready.body.status, ready.body.store], [503, 'unavailable', { backend: 'postgres' }]);
    const form = 'grant_type=authorization_code&code=no-such-code&redirect_uri=https%3A%2F%2Falpha-basic.shop.test%2Fcb';
    const token = await request(other.app).post('/token').set('authorization', basic()).type('form').send(form);
    assert.deepEqual([token.status, token.body.error, token.headers['retry-after']], [503, 'temporarily_unavailable', '60']);
    assert.equal(token.body.request_id, token.headers['x-request-id']);
    const page = await request(other.app).get('/auth?client_id=alpha-basic').set('accept', 'text/html');
    assert.equal(page.status, 503);
    assert.match(page.text, /登录服务暂时不可用/);
    assert.equal((await request(gw.denglu.app).get('/readyz')).status, 200, 'the other instance is unaffected');
  });
});
