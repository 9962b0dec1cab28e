// The shopper's journeys in a real browser (Debian's headless Chromium, driven by playwright-core) through
// the real pages: the JD demo shop, Denglu's chooser, account console and outbox, and the emulated
// providers — sign in with Weibo, link QQ (re-authenticating), verify an email, set a password, sign in
// with it, unlink Weibo, sign in with QQ, and the JD cutoff. Any console error, page error, failed
// request or CSP violation, and any inline script or style on a Denglu page, fails the step.

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { ManualClock } from '../../src/clock.ts';
import type { DengluPages } from './denglu-pages.ts';
import type { PageGuard } from './page-guard.ts';
import { clickTo } from './navigation.ts';
import { approveAtProvider, type ShopPage } from './shop-pages.ts';
import { useJourney } from './journey.ts';
import type { World } from './world.ts';

const WEIBO_USER = 'browser-shopper';
const QQ_USER = 'browser-shopper-qq';
const EMAIL = 'browser-shopper@example.com';
const PASSWORD = 'a long sandbox password';

describe('browser: a shopper at the JD demo shop, in headless Chromium', function () {
  this.timeout(60_000);
  let world: World;
  let clock: ManualClock;
  let page: Page;
  let guard: PageGuard;
  let shop: ShopPage;
  let denglu: DengluPages;
  let sub: string;
  const timings: string[] = [];
  let stepStarted = 0;

  let started = 0;
  before(() => {
    started = Date.now();
  });
  // Starts before JD's Weibo notice (10 September).
  useJourney('2013-09-01T10:00:00+08:00', {}, (j) => {
    ({ world, clock, page, guard, shop, denglu } = j);
    timings.push(`start: ${Date.now() - started} ms`);
  });

  beforeEach(() => {
    stepStarted = Date.now();
  });

  afterEach(function () {
    timings.push(`${this.currentTest!.title.slice(0, 40)}: ${Date.now() - stepStarted} ms`);
  });

  after(() => {
    if (guard) {
      const paths = [
        ...new Set(
          guard.dengluPages.map(
            (p) => `${new URL(p.url).pathname.replace(/\/interaction\/[^/]+/, '/interaction/:uid')}${p.status === 200 ? '' : ` (${p.status})`}`,
          ),
        ),
      ];
      console.log(`    Denglu pages checked (CSP header, no inline script/style): ${paths.join(', ')}`);
      console.log(`    timings: ${timings.join('; ')}`);
      if (guard.warnings.length) console.log(`    browser warnings (not failures):\n      ${guard.warnings.join('\n      ')}`);
    }
  });

  it('1. signs in at the demo shop with Weibo and sees its sub', async () => {
    await shop.open();
    await shop.logInWith('Weibo');
    await approveAtProvider(page, world, 'weibo', WEIBO_USER);
    const signedIn = await shop.signedIn();
    assert.equal(signedIn.idp, 'weibo');
    sub = signedIn.sub;
    await guard.assertClean('sign in with Weibo');
  });

  it("2. links QQ on /account after re-authenticating, and sees each identity's status at JD", async () => {
    clock.advance(6 * 60_000); // the sign-in is now older than ACCOUNT_REAUTH_SECONDS (5 minutes)
    await denglu.openAccount('header');
    assert.deepEqual(await denglu.identities(), ['weibo']);
    const reauthed = await denglu.link('qq', QQ_USER, { provider: 'weibo', login: WEIBO_USER });
    assert.equal(reauthed, true, 'linking asked for a recent sign-in first');
    assert.match(await denglu.notice(), /QQ/);
    assert.deepEqual((await denglu.identities()).sort(), ['qq', 'weibo']);
    assert.deepEqual(await denglu.statusesOf('weibo'), ['stops at JD.com (demo) on 25 September 2013 at 00:00 (Beijing time)']);
    assert.deepEqual(await denglu.statusesOf('qq'), ['works at JD.com (demo)']);
    await guard.assertClean('link QQ');
  });

  it('3. sets an email, verifies it through the sandbox outbox, and sets a password', async () => {
    await denglu.setEmail(EMAIL);
    await denglu.verifyFromOutbox(EMAIL);
    await denglu.setPassword(PASSWORD);
    await guard.assertClean('email and password');
  });

  it("4. signs out of the shop and back in with email + password from Denglu's chooser: same sub", async () => {
    await shop.open();
    await shop.logOut();
    await shop.moreWays();
    const offers = await denglu.chooserOffers();
    assert.deepEqual(offers.providers, ['weibo', 'qq', 'sohu', 'wechat', 'alipay']);
    assert.equal(offers.password, true, 'JD offers the password form');
    await denglu.signInWithPassword(EMAIL, PASSWORD);
    const signedIn = await shop.signedIn();
    assert.equal(signedIn.idp, 'password');
    assert.equal(signedIn.sub, sub, 'the same JD account');
    await guard.assertClean('password sign-in');
  });

  it('5. unlinks Weibo on /account and signs in to the shop with QQ: same sub', async () => {
    await denglu.openAccount('url');
    await denglu.unlink('weibo');
    assert.deepEqual(await denglu.identities(), ['qq']);
    await shop.open();
    await shop.logOut();
    await shop.logInWith('QQ');
    await approveAtProvider(page, world, 'qq', QQ_USER);
    const signedIn = await shop.signedIn();
    assert.equal(signedIn.idp, 'qq');
    assert.equal(signedIn.sub, sub, 'the same JD account');
    await guard.assertClean('unlink Weibo, sign in with QQ');
  });

  it('6. the JD case: Weibo in notice shows the interstitial; after the cutoff Weibo is not offered, QQ keeps the account', async () => {
    clock.set('2013-09-20T10:00:00+08:00');
    await shop.logOut();
    await shop.logInWith('Weibo');
    const notice = await approveAtProvider(page, world, 'weibo', 'weibo-only-shopper');
    assert.match(notice.pathname, /^\/interaction\/[^/]+\/notice$/);
    assert.match((await page.locator('h1').textContent()) ?? '', /Signing in with Weibo is ending/);
    assert.match((await page.locator('.notice-text').textContent()) ?? '', /25 September 2013/);
    await clickTo(page, page.getByRole('button', { name: /Later/ }), shop.home);
    assert.equal((await shop.signedIn()).idp, 'weibo');
    await guard.assertClean('Weibo in notice');

    clock.set('2013-09-26T09:00:00+08:00');
    await shop.logOut();
    // The shop draws its buttons from Denglu's description: in grace no Weibo button, a recovery entry instead,
    // which leads to Denglu's recovery page with the recovery as the main action.
    assert.equal(await page.getByRole('link', { name: /Log in with Weibo/ }).count(), 0);
    assert.equal(await page.locator('[data-recover="weibo"]').count(), 1);
    await clickTo(page, page.locator('[data-recover="weibo"] a'), (u) => u.origin === new URL(world.gw.issuer).origin);
    assert.equal(await page.locator('h1[data-ended="weibo"][data-phase="grace"]').count(), 1);
    assert.match(
      (await page.locator('a.primary[data-migrate="weibo"]').textContent()) ?? '',
      /Recover your JD\.com \(demo\) account with Weibo \(until 25 October 2013\)/,
    );
    await shop.open();
    await shop.moreWays();
    const offers = await denglu.chooserOffers();
    assert.deepEqual(offers.providers, ['qq', 'sohu', 'wechat', 'alipay'], 'no Weibo button after the cutoff');
    assert.deepEqual(offers.migrate, ['weibo'], 'only "used Weibo before?"');
    await denglu.choose('qq');
    await approveAtProvider(page, world, 'qq', QQ_USER);
    const signedIn = await shop.signedIn();
    assert.equal(signedIn.sub, sub, 'the same JD account after Weibo ended');
    await guard.assertClean('after the Weibo cutoff');
  });
});
