// The password outlives a provider (the JD case): a shopper signs in to the shop with Weibo, sets a
// password, Weibo ends there, and the password signs them in as the same shop account (`sub`) — through
// grace, after grace, and after unlinking Weibo. The password has a lifecycle of its own too: in its
// notice period the interstitial is shown after a password sign-in, and after its cutoff (revoke) a
// password session must sign in again, told why.

import assert from 'node:assert/strict';
import { TestBrowser } from '../support/browser.ts';
import { atShop, authRequest, loginWith, redeem, startGateway, type Gateway } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import type { PartnerSeed } from '../../src/partners/partners.ts';
import { accountOf, accountPage, openConsole, passwordAtShop, passwordLogin, setFirstPassword, verifyEmail } from './native-support.ts';

const at = (iso: string) => Date.parse(iso);
const EMAIL = 'jd-fan@example.com';
const PASSWORD = 'shopping all year';

/** alpha plays JD (Weibo notice 10 Sep, cutoff 25 Sep, grace to 25 Oct); beta ends its password on 1 Oct (revoke). */
function schedules(partners: PartnerSeed[]): PartnerSeed[] {
  return partners.map((p) => ({
    ...p,
    integrations: p.integrations.map((i) => {
      if (p.id === 'alpha' && i.provider === 'weibo') {
        return { ...i, noticeAt: at('2013-09-10T00:00:00+08:00'), cutoffAt: at('2013-09-25T00:00:00+08:00'), graceEndsAt: at('2013-10-25T00:00:00+08:00') };
      }
      if (p.id === 'beta' && i.provider === 'password') {
        return { ...i, noticeAt: at('2013-09-10T00:00:00+08:00'), cutoffAt: at('2013-10-01T00:00:00+08:00'), atCutoff: 'revoke' as const };
      }
      return i;
    }),
  }));
}

function english(): TestBrowser {
  const browser = new TestBrowser();
  browser.acceptLanguage = 'en';
  return browser;
}

describe('native sign-in: continuity through a provider cutoff (the JD case)', function () {
  let gw: Gateway;
  let clock: ManualClock;
  let shopper: TestBrowser;
  let sub: string;

  before(async () => {
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    gw = await startGateway({ clock, partners: schedules });
  });
  after(async () => {
    await gw.close();
  });

  /** The first step: jd-fan signs in to JD with Weibo on 1 September and sets an email and a password. */
  async function signUp(): Promise<void> {
    shopper = english();
    sub = String((await loginWith(gw, shopper, 'alpha-basic', 'weibo', 'jd-fan')).claims.sub);
    await openConsole(gw, shopper, 'weibo', 'jd-fan');
    await verifyEmail(gw, shopper, EMAIL);
    assert.equal((await setFirstPassword(gw, shopper, PASSWORD)).url.search, '?notice=passwordSet');
  }

  /** The later steps start from the first one; when one runs alone (mocha --grep) it is made here. */
  async function ensureSignedUp(): Promise<void> {
    if (sub !== undefined) return;
    const now = clock.now();
    clock.set('2013-09-01T10:00:00+08:00');
    try {
      await signUp();
    } finally {
      clock.set(now);
    }
  }

  it('signs in to JD with Weibo and sets a password on the account page', async () => {
    await signUp();
  });

  it('after the Weibo cutoff: no Weibo button, and the password signs in as the same shop account', async () => {
    await ensureSignedUp();
    clock.set('2013-09-26T09:00:00+08:00');
    const { chooser } = await passwordAtShop(gw, english(), 'alpha-basic', 'nobody@example.com', 'x');
    assert.doesNotMatch(chooser.html, /data-provider="weibo"/);
    assert.match(chooser.html, /data-migrate="weibo"/);
    const { claims } = await passwordLogin(gw, english(), 'alpha-basic', EMAIL, PASSWORD);
    assert.equal(claims.sub, sub);
    assert.equal(claims.idp, 'password');
  });

  it('"used Weibo before?" in grace: the migration page sends a shopper with a password to the password form', async () => {
    await ensureSignedUp();
    clock.set('2013-09-26T09:00:00+08:00');
    const browser = english();
    const shop = gw.shops['alpha-basic']!;
    const request = await authRequest(shop);
    const chooser = await browser.go(request.url, { stopAt: atShop(shop) });
    const atWeibo = await browser.click(chooser, '/migrate/weibo', atShop(shop));
    const migrate = await browser.submit(atWeibo, { login: 'jd-fan', decision: 'approve' }, undefined, atShop(shop));
    assert.equal(migrate.status, 200);
    assert.match(migrate.html, /Your account already has email and password/);
    const form = await browser.click(migrate, '/start/password', atShop(shop));
    assert.match(form.html, /data-password-form="1"/);
    const back = await browser.submit(form, { email: EMAIL, password: PASSWORD }, '/password', atShop(shop));
    assert.equal(back.status, 0);
    assert.equal((await redeem(shop, back.url, request)).claims()!.sub, sub);
  });

  it('after grace, the shopper unlinks Weibo (the password remains) and still signs in to JD as the same account', async () => {
    await ensureSignedUp();
    clock.set('2013-10-26T09:00:00+08:00');
    // The console (Denglu's own partner) still offers Weibo: a fresh sign-in allows the unlink.
    await openConsole(gw, shopper, 'weibo', 'jd-fan', true);
    const page = await accountPage(gw, shopper);
    assert.match(page.html, /data-identity="weibo"/);
    const confirm = await shopper.click(page, '/account/unlink/weibo');
    const done = await shopper.submit(confirm, {}, '/account/unlink');
    // This console session signed in with Weibo: unlinking it signed the shopper out, and the page says so.
    assert.equal(done.url.pathname + done.url.search, '/account/signed-out?provider=weibo', done.html.slice(0, 300));
    assert.deepEqual(await accountOf(gw, 'weibo', 'jd-fan').catch(() => undefined), undefined, 'no account holds that Weibo identity now');
    const { claims } = await passwordLogin(gw, english(), 'alpha-basic', EMAIL, PASSWORD);
    assert.equal(claims.sub, sub, 'the same shop account with no social identity left');
  });

  it("the password's own notice: after a password sign-in the interstitial is shown, then the shop", async () => {
    await ensureSignedUp();
    clock.set('2013-09-20T09:00:00+08:00');
    const browser = english();
    const shop = gw.shops['beta-basic']!;
    const request = await authRequest(shop);
    const chooser = await browser.go(request.url, { stopAt: atShop(shop) });
    assert.match(chooser.html, /data-notice="password"/);
    const notice = await browser.submit(chooser, { email: EMAIL, password: PASSWORD }, '/password', atShop(shop));
    assert.equal(notice.status, 200);
    assert.match(notice.url.pathname, /\/notice$/);
    assert.match(notice.html, /Signing in with email and password is ending/);
    const back = await browser.submit(notice, {}, '/continue', atShop(shop));
    assert.equal(back.status, 0);
    const claims = (await redeem(shop, back.url, request)).claims()!;
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.idp, 'password');
  });

  it("after the password's cutoff (revoke) a password session must sign in again, told why; the form only migrates", async () => {
    await ensureSignedUp();
    clock.set('2013-09-20T10:00:00+08:00');
    const browser = english();
    // A password session at Beta from before its cutoff ("later" on the password's notice if it is due today).
    const first = await passwordAtShop(gw, browser, 'beta-basic', EMAIL, PASSWORD);
    let landed = first.page;
    if (landed.status === 200 && landed.url.pathname.endsWith('/notice')) landed = await browser.submit(landed, {}, '/continue', atShop(first.shop));
    assert.equal(landed.status, 0, `signed in at Beta: ${landed.url.href}`);
    const betaSub = (await redeem(first.shop, landed.url, first.request)).claims()!.sub;
    clock.set('2013-10-02T10:00:00+08:00');
    const shop = gw.shops['beta-basic']!;
    const request = await authRequest(shop);
    const page = await browser.go(request.url, { stopAt: atShop(shop) });
    assert.notEqual(page.status, 0, 'no single sign-on into the shop');
    assert.match(page.html, /Signing in with email and password, as you did before, no longer works at Beta Shop/);
    // In grace (no end set) the form proves who the shopper is and leads to linking a replacement.
    assert.match(page.html, /Used a password before\?/);
    const migrate = await browser.submit(page, { email: EMAIL, password: PASSWORD }, '/password', atShop(shop));
    assert.equal(migrate.status, 200, 'not into the shop with the password');
    assert.match(migrate.html, /Keep your Beta Shop account/);
    const atQq = await browser.click(migrate, '/link/qq', atShop(shop));
    const back = await browser.submit(atQq, { login: 'jd-fan-qq', decision: 'approve' }, undefined, atShop(shop));
    assert.equal(back.status, 0);
    const claims = (await redeem(shop, back.url, request)).claims()!;
    assert.equal(claims.sub, betaSub, 'the same Beta Shop account, now with QQ');
    assert.equal(claims.idp, 'qq');
  });
});
