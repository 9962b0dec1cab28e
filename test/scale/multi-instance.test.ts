// Issue 14 §4: two gateway processes on one fresh PostgreSQL database behind a round-robin proxy, as an
// operator runs them. Whatever one instance did, the other must know at its next request: a login whose
// steps alternate between them, link on one and unlink on the other, a password lockout counted over both
// (two instances must not allow twice the limit), an emergency cutoff refused by the other within a
// second, a signing key rotated on one used by the other, and one authorization code redeemed ten times
// at once over both yielding exactly one token set. The proxy records which instance served each request.

import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { decodeProtectedHeader, createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { RULES } from '../../src/accounts/brute-force.ts';
import { accountPage, browserIn, identitiesOn, linkWith, openConsole } from '../account/account-support.ts';
import { TestBrowser, type Page } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, loginWith, redeem, type TestShop } from '../support/gateway.ts';
import { startCluster, type GatewayCluster } from '../support/gateway-cluster.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';

const A = 0;
const B = 1;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('several instances on one PostgreSQL database, behind a round-robin proxy', function () {
  this.timeout(30_000);
  let db: TestDatabase | undefined;
  let cluster: GatewayCluster;
  let shop: TestShop;

  before(async function () {
    this.timeout(60_000);
    if (!(await postgresAvailable())) return this.skip();
    db = await freshDatabase('multi-instance');
    // The per-email lockout is under test, not the per-address request limit (every request comes from the proxy).
    cluster = await startCluster({ databaseUrl: db.url, env: { PASSWORD_RATE_LIMIT: '1000', PASSWORD_ATTEMPTS_PER_SIGNIN: '100' } });
    shop = await cluster.addShop('alpha', ['weibo', 'qq', 'sohu', 'password']);
  });
  afterEach(() => {
    if (cluster) cluster.proxy.route = undefined;
  });
  after(async () => {
    await cluster?.close();
    await db?.drop();
  });

  /** Requests whose path starts with `prefix` since `mark`: [instance, status] of each. */
  const servedSince = (mark: number, prefix: string, method?: string) =>
    cluster.proxy.served
      .slice(mark)
      .filter((s) => s.path.startsWith(prefix) && (!method || s.method === method))
      .map((s) => [s.instance, s.status]);

  /** Routes by path: `rules` maps a path prefix to the instance; other requests go round robin. */
  const routeBy = (rules: [string, () => number][]) => (req: IncomingMessage) => rules.find(([prefix]) => req.url!.startsWith(prefix))?.[1]();

  it('answers /healthz (the process) and /readyz (the database reachable and migrated) on every instance', async () => {
    for (const instance of cluster.instances) {
      for (const path of ['/healthz', '/readyz']) {
        const res = await fetch(`${instance.url}${path}`, { signal: AbortSignal.timeout(5000) });
        assert.equal(res.status, 200, `${path} on instance ${instance.index}: ${res.status} ${(await res.text()).slice(0, 200)}`);
      }
    }
  });

  it('serves one login whose steps alternate: authorization on A, provider callback on B, token on A, refresh on B', async () => {
    let tokenAt = A;
    cluster.proxy.route = routeBy([
      ['/auth?', () => A],
      ['/cb/', () => B],
      ['/token', () => tokenAt],
    ]);
    const mark = cluster.proxy.served.length;
    const browser = new TestBrowser();
    const request = await authRequest(shop, { provider: 'weibo', scope: 'openid profile offline_access', prompt: 'consent' });
    let page = await browser.go(request.url, { stopAt: atShop(shop) });
    page = await approveAtProvider(browser, page, 'alternating-alice', shop);
    if (page.status === 200 && /\/consent/.test(page.html)) page = await browser.submit(page, {}, '/consent', atShop(shop));
    assert.equal(page.status, 0, `back at the shop, not ${page.status} ${page.url.href}: ${page.html.slice(0, 300)}`);
    const tokens = await redeem(shop, page.url, request);
    assert.ok(tokens.refresh_token, 'a refresh token (offline_access)');
    tokenAt = B;
    const refreshed = await oidc.refreshTokenGrant(shop.config, tokens.refresh_token);
    assert.equal(refreshed.claims()!.sub, tokens.claims()!.sub, 'the refreshed ID token names the same shopper');
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'the refresh token rotated');

    assert.deepEqual(servedSince(mark, '/auth?'), [[A, 303]], 'authorization request on A');
    assert.deepEqual(servedSince(mark, '/cb/'), [[B, 303]], 'provider callback on B');
    assert.deepEqual(servedSince(mark, '/token'), [
      [A, 200],
      [B, 200],
    ]);
    // The rotated-away refresh token is spent on both instances.
    for (const instance of [A, B]) {
      tokenAt = instance;
      await assert.rejects(oidc.refreshTokenGrant(shop.config, tokens.refresh_token), (err: { error?: string }) => err.error === 'invalid_grant');
    }
  });

  it('links a method on A and unlinks it on B; both then show the same account', async () => {
    const browser = browserIn('en');
    cluster.proxy.route = () => A;
    await openConsole(cluster, browser, 'qq', 'linking-lin');
    const linked = await linkWith(cluster, browser, 'weibo', 'linking-lin');
    assert.deepEqual(identitiesOn(linked).sort(), ['qq', 'weibo'], `linked on A: ${linked.url.href}`);

    cluster.proxy.route = () => B;
    const mark = cluster.proxy.served.length;
    const confirm = await browser.click(await accountPage(cluster, browser), '/account/unlink/weibo');
    assert.equal(confirm.status, 200, `the confirmation on B, not ${confirm.status} ${confirm.url.href}`);
    const done = await browser.submit(confirm, {}, '/account/unlink');
    assert.equal(done.status, 200, `${done.url.href}: ${done.html.slice(0, 300)}`);
    assert.deepEqual(
      servedSince(mark, '/account/unlink', 'POST').map(([instance]) => instance),
      [B],
      'the unlink was posted to B',
    );
    for (const instance of [B, A]) {
      cluster.proxy.route = () => instance;
      assert.deepEqual(identitiesOn(await accountPage(cluster, browser)), ['qq'], `instance ${instance} shows the unlink`);
    }
  });

  it('locks an email after the failures of one limit spread over both instances, not one limit per instance', async () => {
    const email = 'spread-over-both@example.com';
    let postTo = A;
    cluster.proxy.route = (req) => (req.method === 'POST' && /\/password/.test(req.url!) ? postTo : undefined);
    const mark = cluster.proxy.served.length;
    const attempt = async (instance: number): Promise<Page> => {
      postTo = instance;
      const browser = browserIn('en');
      const request = await authRequest(shop, { provider: 'password' });
      const chooser = await browser.go(request.url, { stopAt: atShop(shop) });
      assert.match(chooser.html, /data-password-form="1"/, 'the password form');
      return browser.submit(chooser, { email, password: `wrong on ${instance}` }, '/password', atShop(shop));
    };
    const threshold = RULES.pair.threshold;
    for (let i = 0; i < threshold; i++) assert.equal((await attempt([A, B][i % 2]!)).status, 401, `failure ${i + 1} counted`);
    // Each instance has seen fewer than the threshold: only a shared count locks here.
    for (const instance of [A, B]) {
      const locked = await attempt(instance);
      assert.equal(locked.status, 429, `instance ${instance} refuses the locked email`);
      assert.match(locked.html, /paused/);
    }
    const posts = servedSince(mark, '/', 'POST').map(([instance]) => instance);
    assert.deepEqual(posts, [...Array.from({ length: threshold }, (_, i) => [A, B][i % 2]), A, B]);
  });

  it('refuses at B, within one second, a provider cut off through the admin API at A', async () => {
    const reachesSohu = async (instance: number): Promise<boolean> => {
      cluster.proxy.route = () => instance;
      const request = await authRequest(shop, { provider: 'sohu' });
      const sohu = cluster.emulators.sohu!.url;
      const page = await new TestBrowser().go(request.url, { stopAt: (url) => url.origin === sohu || atShop(shop)(url) });
      return page.status === 0 && page.url.origin === sohu;
    };
    assert.ok(await reachesSohu(B), 'B sends shoppers to Sohu before the cutoff (and holds the partner)');
    const cut = await cluster.admin(A, 'PUT', '/partners/alpha/integrations/sohu', { effectiveImmediately: true });
    assert.equal(cut.status, 200, JSON.stringify(cut.json));
    assert.equal(cut.json.immediate, true);
    const cutAt = Date.now();
    let refusedAfter: number | undefined;
    while (Date.now() - cutAt < 3000) {
      if (!(await reachesSohu(B))) {
        refusedAfter = Date.now() - cutAt;
        break;
      }
      await sleep(25);
    }
    assert.ok(refusedAfter !== undefined, 'B still sends shoppers to Sohu 3 s after the cutoff');
    assert.ok(refusedAfter <= 1000, `B refused Sohu only ${refusedAfter} ms after the cutoff (goal: within 1 s)`);
    assert.equal(await reachesSohu(A), false, 'A refuses it too');
  });

  it('signs ID tokens at B with a key rotated through the admin API at A, and B publishes it', async () => {
    cluster.proxy.route = () => B;
    const first = await loginWith(cluster, new TestBrowser(), shop.clientId, 'weibo', 'rotating-rui');
    const oldKid = decodeProtectedHeader(first.tokens.id_token!).kid;
    const rotated = await cluster.admin(A, 'POST', '/keys/rotate', { force: true });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.json));
    const newKid = rotated.json.keys.find((k: { stage: string }) => k.stage === 'current')?.kid;
    assert.ok(newKid && newKid !== oldKid, `a new current key (was ${oldKid}, now ${newKid})`);

    const jwksAtB = async () => ((await (await fetch(`${cluster.instances[B]!.url}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const deadline = Date.now() + 2000;
    while (!(await jwksAtB()).includes(newKid) && Date.now() < deadline) await sleep(50);
    assert.ok((await jwksAtB()).includes(newKid), 'B publishes the new key in its JWKS');
    let kid: string | undefined;
    let idToken = '';
    while (Date.now() < deadline + 1000) {
      idToken = (await loginWith(cluster, new TestBrowser(), shop.clientId, 'weibo', 'rotating-rui')).tokens.id_token!;
      kid = decodeProtectedHeader(idToken).kid;
      if (kid === newKid) break;
    }
    assert.equal(kid, newKid, 'B signs with the key rotated at A');
    await jwtVerify(idToken, createRemoteJWKSet(new URL(`${cluster.instances[B]!.url}/jwks`)), { issuer: cluster.issuer, audience: shop.clientId });
  });

  it('redeems one authorization code exactly once when ten redemptions arrive at once over both instances', async () => {
    const browser = new TestBrowser();
    const request = await authRequest(shop, { provider: 'qq' });
    let page = await browser.go(request.url, { stopAt: atShop(shop) });
    page = await approveAtProvider(browser, page, 'racing-rong', shop);
    // Sohu was cut off above: a shopper new to the shop is asked whether they used it before; this one did not.
    if (page.status === 200 && page.url.pathname.endsWith('/first-login')) page = await browser.submit(page, {}, '/first-login/new', atShop(shop));
    assert.equal(page.status, 0, `back at the shop, not ${page.status} ${page.url.href}`);
    let n = 0;
    cluster.proxy.route = (req) => (req.url!.startsWith('/token') ? [A, B][n++ % 2] : undefined);
    const mark = cluster.proxy.served.length;
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => redeem(shop, page.url, request)));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1, `exactly one token set (got ${won.length}): ${lost.map((r) => r.reason?.error ?? r.reason?.message).join(', ')}`);
    for (const r of lost) assert.equal(r.reason?.error, 'invalid_grant', String(r.reason?.message));
    const instances = servedSince(mark, '/token').map(([instance]) => instance);
    assert.equal(instances.length, 10);
    assert.deepEqual([...new Set(instances)].sort(), [A, B], 'redemptions reached both instances');
  });
});
