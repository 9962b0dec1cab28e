// The phone-number recovery at phone size (390×844, touch) in headless Chromium: a Weibo-only shopper at
// the JD demo shop, after JD's Weibo cutoff and in the month of grace (26 September 2013, Beijing time),
// proves the account through the chooser's main action "Recover your JD account with Weibo", adds a phone
// number on the held sign-in (the migration page's link; a texted code from the sandbox outbox, typed in
// the same tab) and is back at JD with the same `sub`; next time the number and a new code alone sign in. No page scrolls sideways, and the page guard (console errors, CSP, inline
// script or style) stays clean.

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { ManualClock } from '../../src/clock.ts';
import type { OutboxEntry } from '../../src/mail/outbox.ts';
import { useJourney } from './journey.ts';
import { at, clickTo, here } from './navigation.ts';
import type { PageGuard } from './page-guard.ts';
import { fitsThePhone, onFirstScreen } from './phone-screen.ts';
import { approveAtProvider, type ShopPage } from './shop-pages.ts';
import type { World } from './world.ts';

const WEIBO_ONLY = 'weibo-only-phone-shopper';
const PHONE = '139 1234 5678';

describe('browser: a Weibo-only shopper keeps their JD account with a phone number, on a phone', function () {
  this.timeout(60_000);
  let world: World;
  let clock: ManualClock;
  let page: Page;
  let guard: PageGuard;
  let shop: ShopPage;
  let sub: string;

  // Starts before JD's Weibo notice.
  useJourney('2013-09-01T10:00:00+08:00', { phone: true }, (j) => {
    ({ world, clock, page, guard, shop } = j);
  });

  /** The newest code texted to the number, as the sandbox outbox shows it. */
  async function textedCode(): Promise<string> {
    const texts = (await world.gw.store.list<OutboxEntry>('outbox', { order: 'desc' })).map((d) => d.value).filter((m) => m.kind === 'sms');
    assert.ok(texts.length > 0, 'a text in the outbox');
    assert.equal(texts[0]!.to, '+8613912345678');
    return /\b(\d{6})\b/.exec(texts[0]!.text)![1]!;
  }

  it('1. signs in at JD with Weibo before the cutoff', async () => {
    await shop.open();
    await shop.logInWith('Weibo');
    await approveAtProvider(page, world, 'weibo', WEIBO_ONLY);
    sub = (await shop.signedIn()).sub;
    await guard.assertClean('Weibo before the cutoff');
  });

  it('2. in grace, proves the account with the main action "Recover … with Weibo", adds a phone number with a texted code, and is back at JD with the same sub', async () => {
    clock.set('2013-09-26T10:00:00+08:00');
    await shop.logOut();
    await shop.moreWays();
    assert.equal(await page.locator('[data-phone-form] form').count(), 1, 'JD offers the phone form');
    await fitsThePhone(page, 'chooser');
    const uid = /^\/interaction\/([^/]+)$/.exec(here(page).pathname)![1]!;
    const recover = page.locator('a.primary[data-migrate="weibo"]');
    await onFirstScreen(recover, 'the recovery, the main action');
    await clickTo(page, recover, at(world.emulatorUrl('weibo')));
    const held = await approveAtProvider(page, world, 'weibo', WEIBO_ONLY);
    assert.equal(held.pathname, `/interaction/${uid}/migrate`);
    // The migration page offers every replacement JD accepts; the phone number is one of them.
    await clickTo(page, page.locator('a[data-add="phone"]'), at(new URL(world.gw.issuer).origin, `/interaction/${uid}/add/phone`));
    await fitsThePhone(page, 'add a phone number');
    await page.getByLabel('Phone number').fill(PHONE);
    await clickTo(page, page.getByRole('button', { name: 'Send code' }), at(new URL(world.gw.issuer).origin, `/interaction/${uid}/add/phone`));
    assert.match((await page.locator('[data-code-sent]').textContent()) ?? '', /139 1234 5678/);
    assert.equal(await page.locator('button[data-resend]').isDisabled(), true, 'the resend timer runs');
    await fitsThePhone(page, 'the code page');
    await page.getByLabel('6-digit code').fill(await textedCode());
    await clickTo(page, page.getByRole('button', { name: 'Finish and continue' }), shop.home);
    const signedIn = await shop.signedIn();
    assert.equal(signedIn.sub, sub, 'the same JD account');
    assert.equal(signedIn.idp, 'phone');
    await guard.assertClean('add a phone number in grace');
  });

  it('3. next time, the phone number and a new code alone sign in to JD: same sub', async () => {
    clock.advance(2 * 60_000); // past the number's resend timer
    await shop.logOut();
    await shop.moreWays();
    await page.locator('[data-phone-form]').getByLabel('Phone number').fill('+86 139-1234-5678');
    await clickTo(page, page.locator('[data-phone-form]').getByRole('button', { name: 'Send code' }), at(new URL(world.gw.issuer).origin, /\/phone$/));
    await page.getByLabel('6-digit code').fill(await textedCode());
    await clickTo(page, page.getByRole('button', { name: 'Sign in', exact: true }), shop.home);
    assert.equal((await shop.signedIn()).sub, sub, 'the same JD account');
    await guard.assertClean('phone sign-in');
  });
});
