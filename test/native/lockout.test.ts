// Brute-force protection of the password form, over HTTP from one address: five wrong passwords for an
// email lock it for a minute, the lock doubles with each new one, and while locked even the right
// password is refused without any hashing, with a page saying that password sign-in is paused and for how
// long (429) — not "wrong password" — the same page for a known and an unknown email. Another email
// from the same address is not affected; a password reset lifts the lock. Per-IP and per-email limits
// across addresses are unit-tested (test/native/brute-force.test.ts): Denglu trusts no proxy header, so
// every request here comes from 127.0.0.1.

import assert from 'node:assert/strict';
import { loginWith, startGateway, type Gateway } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import {
  accountOf,
  actions,
  comparable,
  hashesDuring,
  mailedLink,
  openConsole,
  passwordAtShop,
  passwordLogin,
  setFirstPassword,
  verifyEmail,
  english,
} from './native-support.ts';

describe('native sign-in: lockout after repeated wrong passwords', function () {
  // Each test locks its own shopper's email, so none depends on another's lock or on running order.
  this.timeout(60_000); // dozens of password hashes (about 100 ms each, more on a contended host)
  let gw: Gateway;
  let clock: ManualClock;

  before(async () => {
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    // The per-email lockout is under test, not the per-address request limit: PASSWORD_RATE_LIMIT raised for this gateway.
    gw = await startGateway({ clock, env: { PASSWORD_RATE_LIMIT: '1000' } });
  });
  after(async () => {
    await gw.close();
  });

  /** A shopper with a QQ-made account, a verified email and a password; returns their email, password and sub. */
  async function shopper(name: string) {
    const browser = english();
    const sub = String((await loginWith(gw, browser, 'alpha-basic', 'qq', name)).claims.sub);
    const id = (await accountOf(gw, 'qq', name)).id;
    await openConsole(gw, browser, 'qq', name);
    const email = `${name}@example.com`;
    const password = `${name} the right one`;
    await verifyEmail(gw, browser, email);
    await setFirstPassword(gw, browser, password);
    return { id, sub, email, password };
  }

  /** Five wrong passwords for `email`; returns their answers. */
  async function fiveWrong(email: string) {
    const out = [];
    for (let i = 1; i <= 5; i++) {
      const r = await passwordAtShop(gw, english(), 'alpha-basic', email, `wrong password ${i}`);
      assert.equal(r.page.status, 401, `attempt ${i}`);
      out.push(r);
    }
    return out;
  }

  const attempt = (email: string, password: string) => passwordAtShop(gw, english(), 'alpha-basic', email, password);

  it('after five failures the right password is refused exactly like a wrong one, until the lock ends', async () => {
    const dave = await shopper('dave');
    const { result: wrong } = await hashesDuring(() => fiveWrong(dave.email));
    const { result: locked, hashes } = await hashesDuring(() => attempt(dave.email, dave.password));
    assert.equal(locked.page.status, 429);
    assert.match(locked.page.html, /password sign-in for this email is paused for 1 min/);
    assert.doesNotMatch(locked.page.html, /not correct/, 'not "wrong password": it may be right');
    assert.match(wrong[0]!.page.html, /not correct/);
    // An unknown email locks the same way and gets the same page: the pause tells nothing about accounts.
    await fiveWrong('nobody-dave@example.com');
    const unknown = await attempt('nobody-dave@example.com', dave.password);
    assert.equal(unknown.page.status, 429);
    assert.equal(comparable(unknown.page.html), comparable(locked.page.html), 'the same page for a known and an unknown email');
    // Locks are per email (known or not) and address: refusing before hashing tells nothing about the account.
    assert.equal(hashes, 0, 'a locked attempt is refused before any hashing');
    assert.deepEqual((await actions(gw, dave.id)).filter((a) => a.startsWith('signin.')).sort(), [...Array(5).fill('signin.failed'), 'signin.locked']);

    clock.advance(59_000);
    const still = await attempt(dave.email, dave.password);
    assert.equal(still.page.status, 429, 'still locked after 59 s');
    assert.match(still.page.html, /paused for 1 min/, 'a second left rounds up to a minute');
    clock.advance(2_000);
    const { claims } = await passwordLogin(gw, english(), 'alpha-basic', dave.email, dave.password);
    assert.equal(claims.sub, dave.sub, 'the same shop account');
  });

  it('attempts during a lock are not counted, and the next lock lasts twice as long', async () => {
    const frank = await shopper('frank');
    await fiveWrong(frank.email);
    assert.equal((await attempt(frank.email, 'wrong again')).page.status, 429); // locked (1 min)
    clock.advance(61_000);
    await fiveWrong(frank.email);
    const again = await attempt(frank.email, frank.password);
    assert.equal(again.page.status, 429); // locked again: 2 min
    assert.match(again.page.html, /paused for 2 min/);
    for (let i = 0; i < 5; i++) await attempt(frank.email, `while locked ${i}`);
    clock.advance(61_000);
    assert.equal((await attempt(frank.email, frank.password)).page.status, 429, 'the second lock is longer than a minute');
    clock.advance(60_000);
    await passwordLogin(gw, english(), 'alpha-basic', frank.email, frank.password);
  });

  it('another email from the same address still signs in while one is locked', async () => {
    const [grace, erin] = [await shopper('grace'), await shopper('erin')];
    await fiveWrong(grace.email);
    assert.equal((await attempt(grace.email, grace.password)).page.status, 429, 'locked');
    await passwordLogin(gw, english(), 'alpha-basic', erin.email, erin.password);
  });

  it('a password reset through the verified email lifts the lock', async () => {
    const heidi = await shopper('heidi');
    await fiveWrong(heidi.email);
    assert.equal((await attempt(heidi.email, heidi.password)).page.status, 429, 'locked before the reset');
    const browser = english();
    const form = await browser.go(`${gw.issuer}/account/password/reset`);
    await browser.submit(form, { email: heidi.email }, '/account/password/reset');
    const link = (await mailedLink(gw, browser, heidi.email, '/reset/confirm?token='))!;
    const done = await browser.submit(await browser.go(link), { password: 'heidi after the reset' }, '/reset/confirm');
    assert.equal(done.status, 200);
    // No time has passed: only the reset can have lifted the lock.
    const { claims } = await passwordLogin(gw, english(), 'alpha-basic', heidi.email, 'heidi after the reset');
    assert.equal(claims.sub, heidi.sub);
  });

  it('on the account page a locked email says password checks are paused, not that the current password is wrong', async () => {
    const browser = english();
    await loginWith(gw, browser, 'alpha-basic', 'qq', 'ivy');
    await openConsole(gw, browser, 'qq', 'ivy');
    await verifyEmail(gw, browser, 'ivy@example.com');
    await setFirstPassword(gw, browser, 'ivy the right one');
    const change = (current: string) =>
      browser.go(`${gw.issuer}/account`).then((page) => browser.submit(page, { current, password: 'ivy a brand new one' }, '/account/password'));
    for (let i = 1; i <= 5; i++) assert.equal((await change(`wrong ${i}`)).status, 401, `attempt ${i}`);
    const paused = await change('ivy the right one');
    assert.equal(paused.status, 429);
    assert.match(paused.html, /password checks are paused for 1 min/);
    assert.doesNotMatch(paused.html, /not correct/);
  });
});
