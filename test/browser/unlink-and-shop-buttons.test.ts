// On a phone (390×844, touch) in headless Chromium: the JD demo shop draws its buttons from Denglu's
// description of its sign-in methods, so they follow Weibo's lifecycle at the JD dates (a button before
// the notice, a button and the notice sentence from 10 September 2013, a recovery entry in grace from the
// 25th, nothing once the grace ended on 25 October); a shopper who goes back to the shop from Denglu's
// chooser reads "You cancelled signing in"; unlinking asks first in a bottom sheet, warns that unlinking
// the way they signed in with signs them out and then says they are signed out; the only way to sign in
// has no "Unlink". Every Denglu page is checked for CSP problems and inline script or style.

import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import type { ManualClock } from '../../src/clock.ts';
import { PHONE } from './chromium.ts';
import type { DengluPages } from './denglu-pages.ts';
import { at, clickTo, here } from './navigation.ts';
import type { PageGuard } from './page-guard.ts';
import { approveAtProvider, type ShopPage } from './shop-pages.ts';
import { useJourney } from './journey.ts';
import type { World } from './world.ts';

const WEIBO_USER = 'phone-shopper';
const QQ_USER = 'phone-shopper-qq';

describe('browser, on a phone: the shop draws its buttons from Denglu, a cancel is a cancel, unlinking asks first', function () {
  this.timeout(60_000);
  let world: World;
  let clock: ManualClock;
  let page: Page;
  let guard: PageGuard;
  let shop: ShopPage;
  let denglu: DengluPages;
  let sub: string;

  // Starts before JD's Weibo notice (10 September).
  useJourney('2013-09-01T10:00:00+08:00', { phone: true }, (j) => {
    ({ world, clock, page, guard, shop, denglu } = j);
  });

  /** The methods the shop draws as buttons, and as recovery entries. */
  async function shopEntries(): Promise<{ buttons: string[]; recover: string[] }> {
    const ids = (selector: string, name: string) => page.locator(selector).evaluateAll((els, n) => els.map((e) => e.getAttribute(n) ?? ''), name);
    return { buttons: await ids('a[data-method]', 'data-method'), recover: await ids('[data-recover]', 'data-recover') };
  }

  /** Whether `locator` is shown whole inside the phone's width. */
  async function fitsThePhone(locator: Locator): Promise<boolean> {
    const box = await locator.boundingBox();
    return box !== null && box.x >= 0 && box.x + box.width <= PHONE.viewport.width && box.height > 0;
  }

  it('going back to the shop from the chooser shows "You cancelled signing in", not an error', async () => {
    await shop.open();
    await shop.moreWays();
    await clickTo(page, page.getByRole('button', { name: /Back to JD\.com/ }), shop.home);
    const cancelled = page.locator('#shop-cancelled');
    assert.equal((await cancelled.textContent())?.trim(), '您已取消登录。 · You cancelled signing in.');
    assert.ok(await cancelled.isVisible());
    assert.equal(await page.locator('#shop-error').count(), 0, 'no error line');
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /access_denied|did not sign in/);
    await guard.assertClean('cancel');
  });

  it('the only way to sign in has no "Unlink"; with a second one, Unlink asks in a bottom sheet and Cancel keeps both', async () => {
    await shop.logInWith('Weibo');
    await approveAtProvider(page, world, 'weibo', WEIBO_USER);
    sub = (await shop.signedIn()).sub;
    await denglu.openAccount('url');
    assert.equal(await page.locator('a[data-unlink]').count(), 0, 'no Unlink on the only way to sign in');
    assert.ok(await page.locator('[data-only-method="weibo"]').isVisible());

    await denglu.link('qq', QQ_USER, { provider: 'weibo', login: WEIBO_USER });
    assert.deepEqual(await denglu.identities(), ['weibo', 'qq']);
    const unlink = page.locator('a[data-unlink="weibo"]');
    assert.ok(await unlink.isVisible());
    await clickTo(page, unlink, at(denglu.origin, '/account/unlink/weibo'));

    // A bottom sheet: fixed to the bottom edge over a dimmed page, full width, with a grab handle.
    const sheet = page.locator('.confirm-sheet');
    const box = await sheet.boundingBox();
    assert.ok(box, 'the sheet is shown');
    assert.equal(await sheet.evaluate((el) => getComputedStyle(el).position), 'fixed');
    assert.equal(Math.round(box.y + box.height), PHONE.viewport.height, 'it sits on the bottom edge');
    assert.equal(Math.round(box.width), PHONE.viewport.width);
    assert.ok(await page.locator('.sheet-backdrop').isVisible(), 'the page behind is dimmed');
    assert.equal((await page.locator('h1').textContent())?.trim(), 'Unlink Weibo?');

    // Signed in with Weibo: it warns that this signs out; the action is red and a full 44 px tap target.
    const warning = page.locator('[data-signs-out]');
    assert.ok(await fitsThePhone(warning), 'the whole warning is on screen');
    assert.match((await warning.textContent()) ?? '', /You signed in with Weibo this time: unlinking it signs you out/);
    const yes = page.locator('button[data-confirm-unlink]');
    assert.equal((await yes.textContent())?.trim(), 'Unlink and sign out');
    assert.equal(await yes.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(179, 38, 30)');
    for (const target of [yes, page.locator('a[data-cancel]')]) {
      const b = await target.boundingBox();
      assert.ok(b && b.height >= 44 && b.width >= 44, `a 44×44 tap target, not ${JSON.stringify(b)}`);
    }
    await clickTo(page, page.locator('a[data-cancel]'), at(denglu.origin, '/account'));
    assert.deepEqual(await denglu.identities(), ['weibo', 'qq'], 'Cancel changed nothing');
    await guard.assertClean('unlink asks');
  });

  it('confirming signs out and says so (not a success); back at the shop QQ keeps the account, now with no Unlink', async () => {
    const warned = await denglu.unlink('weibo');
    assert.equal(warned, true, 'the confirmation warned of signing out');
    assert.ok(at(denglu.origin, '/account/signed-out')(here(page)));
    assert.equal((await page.locator('h1').textContent())?.trim(), 'You are signed out');
    assert.match(
      (await page.locator('[data-signed-out]').textContent()) ?? '',
      /Weibo is unlinked\. You had signed in with Weibo, so you are now signed out\./,
    );
    assert.equal(await page.locator('.notice-ok').count(), 0, 'no green success banner');

    await shop.open();
    await shop.logOut();
    await shop.logInWith('QQ');
    await approveAtProvider(page, world, 'qq', QQ_USER);
    assert.equal((await shop.signedIn()).sub, sub, 'the same JD account');
    await denglu.openAccount('url');
    assert.deepEqual(await denglu.identities(), ['qq']);
    assert.equal(await page.locator('a[data-unlink]').count(), 0, 'QQ is now the only way: no Unlink');
    await guard.assertClean('unlink signs out');
  });

  it("the shop's buttons follow Weibo's lifecycle at the JD dates", async () => {
    await shop.open();
    await shop.logOut();

    // Before the notice: a button per method, each with Denglu's mark (loaded across origins).
    assert.deepEqual(await shopEntries(), { buttons: ['weibo', 'qq', 'sohu', 'wechat', 'alipay', 'password', 'phone'], recover: [] });
    assert.ok(await page.getByRole('link', { name: /Log in with Weibo/ }).isVisible());
    const marks = await page.locator('img.mark').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
    assert.ok(marks.length === 7 && marks.every((w) => w > 0), `every mark loaded: ${marks}`);
    assert.equal(await page.locator('[data-notice]').count(), 0);

    // Notice (10 September 2013): the button and the whole notice sentence, visible on the phone.
    clock.set('2013-09-10T10:00:00+08:00');
    await shop.open();
    assert.deepEqual(await shopEntries(), { buttons: ['weibo', 'qq', 'sohu', 'wechat', 'alipay', 'password', 'phone'], recover: [] });
    const notice = page.locator('[data-notice="weibo"]');
    assert.ok(await fitsThePhone(notice), 'the notice is on screen, not in a tooltip');
    assert.match((await notice.textContent()) ?? '', /Weibo.*25 September 2013/);

    // Grace (26 September 2013): no Weibo button; "Recover your account with Weibo — until …".
    clock.set('2013-09-26T09:00:00+08:00');
    await shop.open();
    assert.deepEqual(await shopEntries(), { buttons: ['qq', 'sohu', 'wechat', 'alipay', 'password', 'phone'], recover: ['weibo'] });
    assert.equal(await page.getByRole('link', { name: /Log in with Weibo/ }).count(), 0);
    const recover = page.locator('[data-recover="weibo"] a');
    assert.match((await recover.textContent()) ?? '', /Recover your account with Weibo — until 25 October 2013 /);
    assert.equal(await recover.getAttribute('href'), '/login?provider=weibo');
    assert.ok(await fitsThePhone(recover));

    // Ended (26 October 2013): nothing of Weibo.
    clock.set('2013-10-26T09:00:00+08:00');
    await shop.open();
    assert.deepEqual(await shopEntries(), { buttons: ['qq', 'sohu', 'wechat', 'alipay', 'password', 'phone'], recover: [] });
    assert.doesNotMatch((await page.locator('section.login').textContent()) ?? '', /Weibo|微博/);
    await guard.assertClean('lifecycle buttons');
  });
});
