// The native sign-in over real HTTP: a shopper who signed in with Weibo sets an email (verified through
// the sandbox outbox), sets a password on the account page, and signs in to a shop with it from the
// chooser — the same account and `sub`, `idp: password`, `amr: ["pwd"]`. Also every refusal (CSRF,
// stale sign-in, missing or duplicate email, rules, wrong current password) changing nothing, and the
// audit entries on the account page.

import assert from 'node:assert/strict';
import { TestBrowser } from '../support/browser.ts';
import { atShop, authRequest, loginWith, startGateway, type Gateway } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import { dummyHash } from '../../src/accounts/password-hash.ts';
import {
  accountById,
  accountOf,
  accountPage,
  actions,
  comparable,
  hashesDuring,
  mailCount,
  mailedLink,
  openConsole,
  passwordAtShop,
  passwordLogin,
  setFirstPassword,
  storeFiles,
  verifyEmail,
  english,
} from './native-support.ts';

const PASSWORD = 'correct horse battery';

describe('native sign-in: email, password and the chooser form', function () {
  let gw: Gateway;
  let clock: ManualClock;
  let alice: TestBrowser;
  let aliceId: string;
  let aliceSub: string;

  before(async () => {
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    // Many wrong passwords from one address within a minute: PASSWORD_RATE_LIMIT raised for this gateway.
    gw = await startGateway({ clock, env: { PASSWORD_RATE_LIMIT: '1000' } });
    alice = english();
    const { claims } = await loginWith(gw, alice, 'alpha-basic', 'weibo', 'alice');
    aliceSub = String(claims.sub);
    aliceId = (await accountOf(gw, 'weibo', 'alice')).id;
    await openConsole(gw, alice, 'weibo', 'alice');
  });
  after(async () => {
    await gw.close();
  });

  // Alice's verified email and password, as the story's earlier steps set them; made here when a later
  // test runs alone (mocha --grep), each only if missing.
  async function ensureAliceEmail(): Promise<void> {
    if ((await accountById(gw, aliceId)).native?.emailVerifiedAt !== undefined) return;
    await openConsole(gw, alice, 'weibo', 'alice', true);
    await verifyEmail(gw, alice, 'alice@example.com');
  }
  async function ensureAlicePassword(): Promise<void> {
    await ensureAliceEmail();
    if ((await accountById(gw, aliceId)).native?.passwordHash !== undefined) return;
    await openConsole(gw, alice, 'weibo', 'alice', true);
    assert.equal((await setFirstPassword(gw, alice, PASSWORD)).url.search, '?notice=passwordSet');
  }

  it('the account page offers an email and says a password needs a verified one first', async () => {
    const page = await accountPage(gw, alice);
    assert.match(page.html, /data-native="1"/);
    assert.match(page.html, /action="\/account\/email"/);
    assert.match(page.html, /data-password="none"/);
    assert.match(page.html, /Verify an email address before setting a password/);
    assert.doesNotMatch(page.html, /data-link="password"/, 'the password is not a provider to link');
  });

  it('refuses a POST without the CSRF token (403) and changes nothing', async () => {
    const res = await alice.request('POST', `${gw.issuer}/account/email`, new URLSearchParams({ email: 'alice@example.com' }));
    assert.equal(res.status, 403);
    assert.equal((await accountById(gw, aliceId)).native, undefined);
    assert.equal(await mailCount(gw, 'alice@example.com'), 0);
  });

  it("refuses an invalid address with the form again, in the shopper's language", async () => {
    const page = await alice.submit(await accountPage(gw, alice), { email: 'not an address' }, '/account/email');
    assert.equal(page.status, 400);
    assert.match(page.html, /This email address is not valid/);
    assert.match(page.html, /value="not an address"/, 'what was typed is kept');
    assert.equal((await accountById(gw, aliceId)).native, undefined);
  });

  it('sets an email: a single-use link in the sandbox outbox verifies it', async () => {
    const sent = await alice.submit(await accountPage(gw, alice), { email: ' Alice@Example.com ' }, '/account/email');
    assert.equal(sent.url.search, '?notice=emailSent');
    assert.match(sent.html, /data-pending-email="alice@example.com"/);
    const link = await mailedLink(gw, alice, 'alice@example.com', '/account/email/verify?token=');
    assert.ok(link);
    const [mail] = (await gw.store.list<{ to: string; subject: string; text: string }>('outbox')).map((m) => m.value);
    assert.equal(mail!.subject, 'Verify your Denglu email address', "in the shopper's language");
    assert.match(mail!.text, /works once, for 60 minutes/);
    // Opening the link only shows a confirmation (mail scanners fetching links use nothing up).
    const confirm = await alice.go(link);
    assert.match(confirm.html, /Make alice@example.com the email address/);
    assert.equal((await accountById(gw, aliceId)).native?.emailVerifiedAt, undefined);
    const done = await alice.submit(confirm, {}, '/account/email/verify');
    assert.equal(done.url.search, '?notice=emailVerified');
    assert.match(done.html, /data-email="alice@example.com"/);
    const native = (await accountById(gw, aliceId)).native!;
    assert.equal(native.email, 'alice@example.com');
    assert.equal(native.emailVerifiedAt, clock.now());
    assert.equal(native.pendingEmail, undefined);
    // The same link again: used up.
    const again = await alice.submit(confirm, {}, '/account/email/verify');
    assert.equal(again.status, 400);
    assert.match(again.html, /not valid, has expired or was used already/);
  });

  it('a verified email belongs to one account: another account verifying it is refused and nothing changes', async () => {
    await ensureAliceEmail();
    const bob = english();
    await loginWith(gw, bob, 'alpha-basic', 'qq', 'bob');
    await openConsole(gw, bob, 'qq', 'bob');
    // Bob can ask (nothing tells him the address is taken before he proves he reads its mail) …
    const sent = await bob.submit(await accountPage(gw, bob), { email: 'alice@example.com' }, '/account/email');
    assert.equal(sent.url.search, '?notice=emailSent');
    const link = await mailedLink(gw, bob, 'alice@example.com', '/account/email/verify');
    // Alice, signed in as herself, opens the link Bob asked for: it is not for her account.
    const notHers = await alice.go(link!);
    assert.equal(notHers.status, 403);
    assert.match(notHers.html, /sent for another Denglu account/);
    const refused = await bob.submit(await bob.go(link!), {}, '/account/email/verify');
    assert.equal(refused.status, 409);
    assert.match(refused.html, /already the verified email of another Denglu account/);
    const bobAccount = await accountOf(gw, 'qq', 'bob');
    assert.equal(bobAccount.native?.emailVerifiedAt, undefined);
    assert.equal((await accountById(gw, aliceId)).native?.email, 'alice@example.com');
    // … and without a verified email Bob cannot set a password.
    const noEmail = await bob.request('POST', `${gw.issuer}/account/password`, new URLSearchParams({ password: PASSWORD }));
    assert.equal(noEmail.status, 403, 'no CSRF token');
    const page = await accountPage(gw, bob);
    assert.equal(page.status, 200);
    assert.match(page.html, /data-password="none"/);
    assert.doesNotMatch(page.html, /action="\/account\/password"/, 'the page has no password form without a verified email');
    assert.equal((await accountOf(gw, 'qq', 'bob')).native?.passwordHash, undefined);
  });

  it('setting the first password needs a recent sign-in: a stale session is sent to sign in again, nothing set', async () => {
    const page = await accountPage(gw, alice);
    clock.advance(301_000);
    const stale = await alice.submit(page, { password: PASSWORD }, '/account/password', (u) => u.pathname === '/account/login');
    assert.equal(stale.status, 0);
    assert.equal(stale.url.search, '?reauth=1');
    assert.equal((await accountById(gw, aliceId)).native?.passwordHash, undefined);
    await openConsole(gw, alice, 'weibo', 'alice', true);
  });

  it('refuses passwords the rules do not accept, with the reason, and sets nothing', async () => {
    for (const [password, reason] of [
      ['short1', /at least 10 characters/],
      ['alice@example.com', /cannot be your email address/],
      ['1234567890', /too common/],
      ['aaaaaaaaaaaa', /one character repeated/],
    ] as const) {
      const page = await setFirstPassword(gw, alice, password);
      assert.equal(page.status, 400, password);
      assert.match(page.html, reason);
      assert.doesNotMatch(page.html, new RegExp(`value="${password}"`), 'a password is never echoed');
    }
    assert.equal((await accountById(gw, aliceId)).native?.passwordHash, undefined);
  });

  it('sets the password; the store keeps a versioned scrypt hash, never the password', async () => {
    const page = await setFirstPassword(gw, alice, PASSWORD);
    assert.equal(page.url.search, '?notice=passwordSet');
    assert.match(page.html, /data-password="set"/);
    const native = (await accountById(gw, aliceId)).native!;
    assert.match(native.passwordHash!, /^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    assert.equal(native.passwordSetAt, clock.now());
    assert.ok(!(await storeFiles(gw.dataDir)).includes(PASSWORD), 'the password is nowhere on disk');
  });

  it('the account console offers the password too: a new browser signs in to /account with it', async () => {
    await ensureAlicePassword();
    const browser = english();
    const chooser = await browser.go(`${gw.issuer}/account/login`);
    assert.match(chooser.html, /data-password-form="1"/);
    const page = await browser.submit(chooser, { email: 'alice@example.com', password: PASSWORD }, '/password');
    assert.equal(page.url.pathname, '/account');
    assert.match(page.html, /data-email="alice@example.com"/);
  });

  it('signs in at a shop from the chooser form: same account and sub as Weibo, idp password, amr pwd', async () => {
    await ensureAlicePassword();
    const browser = english();
    const { claims } = await passwordLogin(gw, browser, 'alpha-basic', 'ALICE@example.com', PASSWORD);
    assert.equal(claims.sub, aliceSub);
    assert.equal(claims.idp, 'password');
    assert.deepEqual(claims.amr, ['pwd']);
    const account = await accountById(gw, aliceId);
    assert.equal(account.shops.alpha!.lastProvider, 'password');
    // The same browser at beta: single sign-on with the password session.
    const other = await loginWith(gw, browser, 'beta-basic', 'password', 'unused');
    assert.equal(other.claims.idp, 'password');
    assert.deepEqual(other.claims.amr, ['pwd']);
  });

  it('a shop without `password` shows no form, and a password hint there explains it', async () => {
    const browser = english();
    const shop = gw.shops['gamma-basic']!;
    const chooser = await browser.go((await authRequest(shop)).url, { stopAt: atShop(shop) });
    assert.doesNotMatch(chooser.html, /data-password-form/);
    const res = await browser.request(
      'POST',
      new URL(chooser.url.pathname + '/password', gw.issuer),
      new URLSearchParams({ email: 'alice@example.com', password: PASSWORD }),
    );
    assert.equal(res.status, 403);
    const hinted = await browser.go((await authRequest(shop, { provider: 'password' })).url, { stopAt: atShop(shop) });
    assert.equal(hinted.status, 403);
    assert.match(hinted.html, /Signing in with email and password is not available at Gamma Shop/);
    // Where it is offered, a password hint is the chooser with the form.
    const alpha = gw.shops['alpha-basic']!;
    const form = await browser.go((await authRequest(alpha, { provider: 'password' })).url, { stopAt: atShop(alpha) });
    assert.equal(form.status, 200);
    assert.match(form.html, /data-password-form="1"/);
  });

  it('a wrong password and an unknown email get the same page and status; nothing signs in', async () => {
    await ensureAlicePassword();
    await dummyHash(); // made once per process, on first use: not part of any one attempt's work
    const { result: wrong, hashes: wrongHashes } = await hashesDuring(() =>
      passwordAtShop(gw, english(), 'alpha-basic', 'alice@example.com', 'wrong horse battery'),
    );
    const { result: unknown, hashes } = await hashesDuring(() => passwordAtShop(gw, english(), 'alpha-basic', 'nobody@example.com', 'wrong horse battery'));
    const noPassword = await passwordAtShop(gw, english(), 'alpha-basic', '', '');
    for (const r of [wrong, unknown, noPassword]) {
      assert.equal(r.page.status, 401);
      assert.match(r.page.html, /email address or password is not correct/);
    }
    assert.equal(comparable(wrong.page.html), comparable(unknown.page.html));
    const zh = await passwordAtShop(gw, new TestBrowser(), 'alpha-basic', 'nobody@example.com', 'wrong horse battery');
    assert.match(zh.page.html, /邮箱或密码不正确/, "in the shopper's language");
    assert.match(wrong.page.html, /value="alice@example.com"/, 'the email typed stays in the form');
    assert.equal(wrongHashes, 1);
    assert.equal(hashes, wrongHashes, 'an unknown email costs a hash too');
    assert.deepEqual(
      (await actions(gw, aliceId)).filter((a) => a.startsWith('signin.')),
      ['signin.failed'],
    );
  });

  it('the password form is bound to the interaction: a POST from a browser without it changes nothing', async () => {
    const alpha = gw.shops['alpha-basic']!;
    const chooser = await english().go((await authRequest(alpha)).url, { stopAt: atShop(alpha) });
    assert.equal(chooser.status, 200);
    assert.match(chooser.html, /data-password-form="1"/, 'the chooser with the password form');
    const stranger = english();
    const res = await stranger.request(
      'POST',
      new URL(`${chooser.url.pathname}/password`, gw.issuer),
      new URLSearchParams({ email: 'alice@example.com', password: PASSWORD }),
    );
    assert.equal(res.status, 403, 'no CSRF token from this browser');
    assert.equal(res.headers.get('location'), null);
  });

  it('changing the password: a wrong current one is refused (nothing changes), the right one works', async () => {
    clock.advance(301_000); // no longer a fresh social sign-in
    const before = (await accountById(gw, aliceId)).native!.passwordHash;
    const none = await alice.submit(await accountPage(gw, alice), { password: 'a brand new secret' }, '/account/password');
    assert.equal(none.status, 403);
    assert.match(none.html, /Enter your current password/);
    const wrong = await alice.submit(await accountPage(gw, alice), { current: 'not the password', password: 'a brand new secret' }, '/account/password');
    assert.equal(wrong.status, 401);
    assert.match(wrong.html, /current password is not correct/);
    assert.equal((await accountById(gw, aliceId)).native!.passwordHash, before);
    const ok = await alice.submit(await accountPage(gw, alice), { current: PASSWORD, password: 'a brand new secret' }, '/account/password');
    assert.equal(ok.url.search, '?notice=passwordChanged');
    assert.notEqual((await accountById(gw, aliceId)).native!.passwordHash, before);
    await passwordLogin(gw, english(), 'alpha-basic', 'alice@example.com', 'a brand new secret');
    const old = await passwordAtShop(gw, english(), 'alpha-basic', 'alice@example.com', PASSWORD);
    assert.equal(old.page.status, 401);
  });

  it('changing the password without the current one after a fresh social sign-in; password sessions end', async () => {
    const pwdBrowser = english();
    await passwordLogin(gw, pwdBrowser, 'alpha-basic', 'alice@example.com', 'a brand new secret');
    await openConsole(gw, alice, 'weibo', 'alice', true);
    const ok = await alice.submit(await accountPage(gw, alice), { password: 'third time lucky' }, '/account/password');
    assert.equal(ok.url.search, '?notice=passwordChanged');
    // The browser signed in with the old password must sign in again; Alice's own session stays.
    const signIn = await pwdBrowser.go(`${gw.issuer}/account`);
    assert.match(signIn.html, /Sign in to see and manage/);
    assert.match((await accountPage(gw, alice)).html, /data-native="1"/);
    await passwordLogin(gw, english(), 'alpha-basic', 'alice@example.com', 'third time lucky');
  });

  it('lists the security events on the account page, newest first', async () => {
    const page = await accountPage(gw, alice);
    const events = [...page.html.matchAll(/<li><span class="when">[^<]*<\/span> ([^<]*)<\/li>/g)].map((m) => m[1]);
    assert.ok(events.includes('verified the email address'), events.join(' | '));
    assert.ok(events.includes('set a password'));
    assert.ok(events.includes('changed the password'));
    assert.ok(events.includes('failed password sign-in'));
    // Entries at one (simulated) instant have no order among themselves: compare as a multiset.
    assert.deepEqual((await actions(gw, aliceId)).sort(), [
      'email.verify',
      'password.change',
      'password.change',
      'password.set',
      'signin.failed',
      'signin.failed',
      'signin.failed',
    ]);
  });
});
