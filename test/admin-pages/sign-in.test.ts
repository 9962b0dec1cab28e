// Signing in to the admin pages: managers with id and secret (or the whole token), the operator with its
// token; wrong credentials get one message whatever was wrong; the session cookie's attributes; only a
// hash of the session id is stored; pages without a session lead to the sign-in form and back; sessions
// end after 8 hours and on sign-out (a CSRF-checked POST); failed sign-ins are throttled.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { adminBannerLines } from '../../src/admin/sandbox.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { adminBrowser, createManager, OPERATOR, signIn, submitForm } from './admin-browser.ts';

describe('admin pages: sign-in and sessions', () => {
  let gw: Gateway;
  let manager: { id: string; secret: string; token: string };
  const clock = new ManualClock('2013-09-01T10:00:00+08:00');

  before(async () => {
    gw = await startGateway({ clock });
    manager = await createManager(gw, 'Alpha manager', ['alpha']);
  });
  after(async () => {
    await gw.close();
  });

  it('signs a manager in with id and secret and shows their partners', async () => {
    const browser = adminBrowser();
    const page = await signIn(gw, browser, manager.id, manager.secret);
    assert.equal(page.status, 200);
    assert.equal(page.url.pathname, '/admin');
    assert.match(page.html, new RegExp(`Signed in as partner manager ${manager.id}`));
    assert.match(page.html, /data-partner="alpha"/);
    assert.doesNotMatch(page.html, /data-partner="beta"/);
    const login = page.hops.find((h) => h.method === 'POST')!;
    assert.equal(login.status, 303);
  });

  it('accepts the whole `<id>.<secret>` token in the secret field, and the operator with its token', async () => {
    const asManager = await signIn(gw, adminBrowser(), manager.id, manager.token);
    assert.equal(asManager.url.pathname, '/admin');
    const asOperator = await signIn(gw, adminBrowser(), 'operator', OPERATOR);
    assert.equal(asOperator.url.pathname, '/admin');
    assert.match(asOperator.html, /Signed in as the operator/);
    for (const id of ['alpha', 'beta', 'gamma']) assert.match(asOperator.html, new RegExp(`data-partner="${id}"`));
    assert.doesNotMatch(asOperator.html, /data-partner="denglu"/, 'the internal partner is not listed');
  });

  it('refuses wrong credentials with one message whatever was wrong, and signs nobody in', async () => {
    const attempts: [string, string][] = [
      [manager.id, 'wrong-secret'],
      ['no-such-manager', manager.secret],
      ['operator', 'not-the-operator-token-0123456789abcdef'],
      ['operator', manager.token],
      [manager.id, OPERATOR],
      ['', ''],
    ];
    const bodies = new Set<string>();
    for (const [user, secret] of attempts) {
      const browser = adminBrowser();
      const page = await signIn(gw, browser, user, secret);
      assert.equal(page.status, 401, `${user}: ${page.status}`);
      assert.equal(page.url.pathname, '/admin/login');
      const message = /data-error="login">([^<]*)</.exec(page.html)?.[1];
      assert.equal(message, 'The manager id or the secret is wrong.');
      bodies.add(message!);
      if (secret) assert.ok(!page.html.includes(secret), 'the secret is not echoed');
      const after = await browser.go(`${gw.issuer}/admin`);
      assert.equal(after.url.pathname, '/admin/login', 'still signed out');
    }
    assert.equal(bodies.size, 1);
  });

  it('is announced in the sandbox banner of `npm start`', () => {
    assert.ok(adminBannerLines(gw.config).some((line) => line.includes(`${gw.issuer}/admin `)));
  });

  it('speaks Chinese to a Chinese browser', async () => {
    const page = await signIn(gw, adminBrowser('zh-CN'), manager.id, 'wrong');
    assert.match(page.html, /<html lang="zh-CN">/);
    assert.match(page.html, /管理员 ID 或密钥不正确。/);
  });

  it('sets an HttpOnly, SameSite=Lax session cookie scoped to /admin and stores only its hash', async () => {
    const browser = adminBrowser();
    const form = await browser.go(`${gw.issuer}/admin/login`);
    const res = await browser.request(
      'POST',
      `${gw.issuer}/admin/login`,
      new URLSearchParams({ _csrf: /name="_csrf" value="([^"]+)"/.exec(form.html)![1]!, user: manager.id, secret: manager.secret, next: '' }),
    );
    assert.equal(res.status, 303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('dl_admin='))!;
    assert.ok(cookie, 'session cookie set');
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Path=\/admin/);
    assert.doesNotMatch(cookie, /Secure/i, 'plain http in tests');
    const id = /^dl_admin=([^;]+)/.exec(cookie)![1]!;
    const sessions = JSON.stringify(await gw.store.list('admin_sessions'));
    assert.ok(!sessions.includes(id), 'the session id itself is not stored');
    assert.ok(!sessions.includes(manager.secret));
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  it('sends a visitor without a session to the sign-in form and back to the page asked for', async () => {
    const browser = adminBrowser();
    const page = await browser.go(`${gw.issuer}/admin/audit?partner=alpha`);
    assert.equal(page.url.pathname, '/admin/login');
    assert.match(page.html, /Please sign in to continue/);
    const signedIn = await browser.submit(page, { user: manager.id, secret: manager.secret }, '/admin/login');
    assert.equal(signedIn.url.pathname + signedIn.url.search, '/admin/audit?partner=alpha');

    const evil = adminBrowser();
    const other = await signIn(gw, evil, manager.id, manager.secret, 'https://evil.example/admin');
    assert.equal(other.url.href, `${gw.issuer}/admin`, 'no redirect off the admin pages');
  });

  it('refuses a sign-in form posted without its CSRF token', async () => {
    const browser = adminBrowser();
    const form = await browser.go(`${gw.issuer}/admin/login`);
    const page = await submitForm(browser, form, '/admin/login', { _csrf: null, user: manager.id, secret: manager.secret });
    assert.equal(page.status, 403);
    assert.match(page.html, /data-error-code="ERR_CSRF"/);
    assert.equal((await browser.go(`${gw.issuer}/admin`)).url.pathname, '/admin/login');
  });

  it('ends the session after 8 hours on the gateway clock', async () => {
    const browser = adminBrowser();
    await signIn(gw, browser, manager.id, manager.secret);
    clock.advance(8 * 60 * 60 * 1000 - 1);
    assert.equal((await browser.go(`${gw.issuer}/admin`)).url.pathname, '/admin');
    clock.advance(1);
    assert.equal((await browser.go(`${gw.issuer}/admin`)).url.pathname, '/admin/login');
  });

  it('signs out with a CSRF-checked POST; without the token it is refused and the session stays', async () => {
    const browser = adminBrowser();
    const home = await signIn(gw, browser, manager.id, manager.secret);
    const refused = await submitForm(browser, home, '/admin/logout', { _csrf: 'forged' });
    assert.equal(refused.status, 403);
    assert.match(refused.html, /data-error-code="ERR_CSRF"/);
    assert.equal((await browser.go(`${gw.issuer}/admin`)).url.pathname, '/admin', 'still signed in');

    const sessions = await gw.store.count('admin_sessions');
    const out = await submitForm(browser, home, '/admin/logout');
    assert.equal(out.url.pathname, '/admin/login');
    assert.match(out.html, /You are signed out/);
    assert.equal(await gw.store.count('admin_sessions'), sessions - 1);
    assert.equal((await browser.go(`${gw.issuer}/admin`)).url.pathname, '/admin/login');
  });

  it('ends the sessions of a manager whose secret changed', async () => {
    const browser = adminBrowser();
    await signIn(gw, browser, manager.id, manager.secret);
    const record = (await gw.store.get<Record<string, unknown>>('managers', manager.id))!;
    await gw.store.put('managers', manager.id, { ...record, secretHash: { ...(record.secretHash as object), hash: 'AAAA' } });
    assert.equal((await browser.go(`${gw.issuer}/admin`)).url.pathname, '/admin/login');
    await gw.store.put('managers', manager.id, record);
  });

  it('throttles failed sign-ins per address and id with the same message, then lets them in again', async () => {
    const target = await createManager(gw, 'Throttled', ['gamma']);
    for (let i = 0; i < 10; i++) assert.equal((await signIn(gw, adminBrowser(), target.id, `wrong-${i}`)).status, 401);
    const blocked = await signIn(gw, adminBrowser(), target.id, target.secret);
    assert.equal(blocked.status, 429, 'even the right secret is refused while blocked');
    assert.equal(/data-error="login">([^<]*)</.exec(blocked.html)?.[1], 'The manager id or the secret is wrong.');
    assert.equal((await signIn(gw, adminBrowser(), manager.id, manager.secret)).url.pathname, '/admin', 'another id still signs in');
    clock.advance(15 * 60 * 1000);
    assert.equal((await signIn(gw, adminBrowser(), target.id, target.secret)).url.pathname, '/admin');
  });
});
