// The email + password recovery at phone size (390×844, touch) in headless Chromium: a Weibo-only shopper
// at the JD demo shop (signed in with Weibo before the notice, nothing else linked) comes back in the month
// of grace (26 September 2013, Beijing time), taps the shop's recovery entry and then the main action
// "Recover your JD account with Weibo (until …)", proves it with Weibo, and on the migration page sets an
// email (a six-digit code mailed to it, read from the sandbox outbox in a second tab of the same browser)
// and a password; back at JD with the same `sub`. Signed out, the email and password on the chooser sign
// in again: the same `sub`. The page guard (console errors, CSP, inline script or style) stays clean.

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { ManualClock } from '../../src/clock.ts';
import type { LaunchedBrowser } from './chromium.ts';
import type { DengluPages } from './denglu-pages.ts';
import { useJourney } from './journey.ts';
import { at, clickTo, here, visit } from './navigation.ts';
import type { PageGuard } from './page-guard.ts';
import { fitsThePhone, onFirstScreen } from './phone-screen.ts';
import { approveAtProvider, type ShopPage } from './shop-pages.ts';
import type { World } from './world.ts';

const WEIBO_ONLY = 'weibo-only-password-shopper';
const EMAIL = 'weibo-only-shopper@example.com';
const PASSWORD = 'a long password for JD';

describe('browser: a Weibo-only shopper keeps their JD account with email and password, on a phone', function () {
  this.timeout(60_000);
  let world: World;
  let clock: ManualClock;
  let browser: LaunchedBrowser | undefined;
  let page: Page;
  let guard: PageGuard;
  let shop: ShopPage;
  let denglu: DengluPages;
  let origin: string;
  let sub: string;

  // Starts before JD's Weibo notice.
  useJourney('2013-09-01T10:00:00+08:00', { phone: true }, (j) => {
    ({ world, clock, browser, page, guard, shop, denglu } = j);
    origin = new URL(world.gw.issuer).origin;
  });

  /** Opens the sandbox outbox in a second tab (the shopper's mailbox) and reads the newest code mailed to `email`. */
  async function mailedCode(email: string): Promise<string> {
    const mailbox = await browser!.context.newPage();
    guard.watch(mailbox);
    try {
      await visit(mailbox, `${origin}/sandbox/outbox`);
      const mail = mailbox.locator(`ul.outbox li[data-to="${email}"]`).first();
      const text = (await mail.locator('pre').textContent()) ?? '';
      const code = /\b(\d{6})\b/.exec(text)?.[1];
      assert.ok(code, `a six-digit code in the mail to ${email}`);
      return code;
    } finally {
      await mailbox.close();
    }
  }

  it('1. signs in at JD with Weibo before the notice', async () => {
    await shop.open();
    await shop.logInWith('Weibo');
    await approveAtProvider(page, world, 'weibo', WEIBO_ONLY);
    sub = (await shop.signedIn()).sub;
    await guard.assertClean('Weibo before the notice');
  });

  it('2. in grace, the main action recovers with Weibo; email (mailed code) and password on the migration page keep the same sub', async () => {
    clock.set('2013-09-26T10:00:00+08:00');
    await shop.logOut();
    // The shop's own recovery entry during grace leads to Denglu's page whose main action is the recovery.
    await clickTo(page, page.locator('[data-recover="weibo"] a'), at(origin, /^\/interaction\/[^/]+$/));
    const uid = /^\/interaction\/([^/]+)$/.exec(here(page).pathname)![1]!;
    const recover = page.locator('a.primary[data-migrate="weibo"]');
    assert.equal(((await recover.textContent()) ?? '').trim(), `Recover your ${world.shopName} account with Weibo (until 25 October 2013)`);
    await onFirstScreen(recover, 'the recovery');
    await clickTo(page, recover, at(world.emulatorUrl('weibo')));
    const held = await approveAtProvider(page, world, 'weibo', WEIBO_ONLY);
    assert.equal(held.pathname, `/interaction/${uid}/migrate`);

    const base = `/interaction/${uid}/add/password`;
    await clickTo(page, page.locator('a[data-add="password"]'), at(origin, base));
    await fitsThePhone(page, 'set an email and password');
    await page.locator('form[data-add-step="email"] input[name=email]').fill(EMAIL);
    await clickTo(page, page.locator('form[data-add-step="email"] button[type=submit]'), at(origin, base));
    assert.match((await page.locator('[data-code-sent]').textContent()) ?? '', new RegExp(EMAIL.replace('.', '\\.')));
    await page.locator('form[data-add-step="code"] input[name=code]').fill(await mailedCode(EMAIL));
    await clickTo(page, page.locator('form[data-add-step="code"] button[type=submit]'), at(origin, base));
    await fitsThePhone(page, 'choose a password');
    await page.locator('form[data-add-step="password"] input[name=password]').fill(PASSWORD);
    await clickTo(page, page.locator('form[data-add-step="password"] button[type=submit]'), shop.home);
    const signedIn = await shop.signedIn();
    assert.equal(signedIn.sub, sub, 'the same JD account');
    assert.equal(signedIn.idp, 'password');
    await guard.assertClean('email and password in grace');
  });

  it('3. signed out, the email and password on the chooser sign in to JD: same sub', async () => {
    clock.advance(10 * 60_000);
    await shop.logOut();
    await shop.moreWays();
    assert.ok(shop.home(await denglu.signInWithPassword(EMAIL, PASSWORD)), `back at the shop, not ${page.url()}`);
    assert.equal((await shop.signedIn()).sub, sub, 'the same JD account');
    await guard.assertClean('email and password sign-in');
  });
});
