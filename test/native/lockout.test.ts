// Brute-force protection of the password form, over HTTP from one address: five wrong passwords for an
// email lock it for a minute, the lock doubles with each new one, and while locked even the right
// password gets exactly the wrong-password answer (same page, same status), without any hashing. Another email
// from the same address is not affected; a password reset lifts the lock. Per-IP and per-email limits
// across addresses are unit-tested (test/native/brute-force.test.ts): Denglu trusts no proxy header, so
// every request here comes from 127.0.0.1.

import assert from 'node:assert/strict';
import { TestBrowser } from '../support/browser.ts';
import { loginWith, startGateway, type Gateway } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import { accountOf, actions, comparable, mailedLink, openConsole, passwordAtShop, passwordLogin, setFirstPassword, verifyEmail } from './native-support.ts';

const EMAIL = 'dave@example.com';
const RIGHT = 'dave the right one';

function english(): TestBrowser {
  const browser = new TestBrowser();
  browser.acceptLanguage = 'en';
  return browser;
}

describe('native sign-in: lockout after repeated wrong passwords', function () {
  let gw: Gateway;
  let clock: ManualClock;
  let daveId: string;
  let daveSub: string;

  before(async () => {
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    // The per-email lockout is under test, not the per-address request limit: PASSWORD_RATE_LIMIT raised for this gateway.
    gw = await startGateway({ clock, env: { PASSWORD_RATE_LIMIT: '1000' } });
    const dave = english();
    daveSub = String((await loginWith(gw, dave, 'alpha-basic', 'qq', 'dave')).claims.sub);
    daveId = (await accountOf(gw, 'qq', 'dave')).id;
    await openConsole(gw, dave, 'qq', 'dave');
    await verifyEmail(gw, dave, EMAIL);
    await setFirstPassword(gw, dave, RIGHT);
    const erin = english();
    await loginWith(gw, erin, 'alpha-basic', 'qq', 'erin');
    await openConsole(gw, erin, 'qq', 'erin');
    await verifyEmail(gw, erin, 'erin@example.com');
    await setFirstPassword(gw, erin, 'erin the right one');
  });
  after(async () => {
    await gw.close();
  });

  /** Five wrong passwords; returns their pages. */
  async function fiveWrong() {
    const out = [];
    for (let i = 1; i <= 5; i++) {
      const r = await passwordAtShop(gw, english(), 'alpha-basic', EMAIL, `wrong password ${i}`);
      assert.equal(r.page.status, 401, `attempt ${i}`);
      out.push(r);
    }
    return out;
  }

  it('after five failures the right password is refused exactly like a wrong one, until the lock ends', async () => {
    const wrong = await fiveWrong();
    const hashed = gw.denglu.hashes.counts.started;
    const locked = await passwordAtShop(gw, english(), 'alpha-basic', EMAIL, RIGHT);
    assert.equal(locked.page.status, 401);
    assert.equal(comparable(locked.page.html), comparable(wrong[0]!.page.html), 'the same page');
    assert.deepEqual(locked.page.headers.get('content-type'), wrong[0]!.page.headers.get('content-type'));
    // Locks are per email (known or not) and address: refusing before hashing tells nothing about the account.
    assert.equal(gw.denglu.hashes.counts.started, hashed, 'a locked attempt is refused before any hashing');
    assert.deepEqual((await actions(gw, daveId)).filter((a) => a.startsWith('signin.')).sort(), [...Array(5).fill('signin.failed'), 'signin.locked']);

    clock.advance(59_000);
    assert.equal((await passwordAtShop(gw, english(), 'alpha-basic', EMAIL, RIGHT)).page.status, 401, 'still locked after 59 s');
    clock.advance(2_000);
    const { claims } = await passwordLogin(gw, english(), 'alpha-basic', EMAIL, RIGHT);
    assert.equal(claims.sub, daveSub, 'the same shop account');
  });

  it('attempts during a lock are not counted, and the next lock lasts twice as long', async () => {
    await fiveWrong();
    assert.equal((await passwordAtShop(gw, english(), 'alpha-basic', EMAIL, 'wrong again')).page.status, 401); // locks (1 min)
    clock.advance(61_000);
    await fiveWrong();
    assert.equal((await passwordAtShop(gw, english(), 'alpha-basic', EMAIL, RIGHT)).page.status, 401); // locks again: 2 min
    for (let i = 0; i < 10; i++) await passwordAtShop(gw, english(), 'alpha-basic', EMAIL, `while locked ${i}`);
    clock.advance(61_000);
    assert.equal((await passwordAtShop(gw, english(), 'alpha-basic', EMAIL, RIGHT)).page.status, 401, 'the second lock is longer than a minute');
    clock.advance(60_000);
    await passwordLogin(gw, english(), 'alpha-basic', EMAIL, RIGHT);
  });

  it('another email from the same address still signs in while one is locked', async () => {
    await fiveWrong();
    await passwordAtShop(gw, english(), 'alpha-basic', EMAIL, RIGHT);
    assert.equal((await passwordAtShop(gw, english(), 'alpha-basic', EMAIL, RIGHT)).page.status, 401, 'locked');
    await passwordLogin(gw, english(), 'alpha-basic', 'erin@example.com', 'erin the right one');
  });

  it('a password reset through the verified email lifts the lock', async () => {
    const browser = english();
    const form = await browser.go(`${gw.issuer}/account/password/reset`);
    await browser.submit(form, { email: EMAIL }, '/account/password/reset');
    const link = (await mailedLink(gw, browser, EMAIL, '/reset/confirm?token='))!;
    const done = await browser.submit(await browser.go(link), { password: 'dave after the reset' }, '/reset/confirm');
    assert.equal(done.status, 200);
    const { claims } = await passwordLogin(gw, english(), 'alpha-basic', EMAIL, 'dave after the reset');
    assert.equal(claims.sub, daveSub);
  });
});
