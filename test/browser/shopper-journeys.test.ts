// The shopper's journeys in a real browser (Debian's headless Chromium, driven by playwright-core) through
// the real pages: the JD demo shop, Denglu's chooser, account console and outbox, and the emulated
// providers — sign in with Weibo, link QQ (re-authenticating), verify an email, set a password, sign in
// with it, unlink Weibo, sign in with QQ, and the JD cutoff. Any console error, page error, failed
// request or CSP violation, and any inline script or style on a Denglu page, fails the step.

import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ManualClock } from '../../src/clock.ts';
import { chromiumAvailable, launchChromium, type LaunchedBrowser } from './chromium.ts';
import { DengluPages } from './denglu-pages.ts';
import { PageGuard } from './page-guard.ts';
import { clickTo } from './navigation.ts';
import { approveAtProvider, ShopPage } from './shop-pages.ts';
import { startWorld, type World } from './world.ts';

const WEIBO_USER = 'browser-shopper';
const QQ_USER = 'browser-shopper-qq';
const EMAIL = 'browser-shopper@example.com';
const PASSWORD = 'a long sandbox password';

describe('browser: a shopper at the JD demo shop, in headless Chromium', function () {
  this.timeout(60_000);
  let world: World;
  let clock: ManualClock;
  let browser: LaunchedBrowser | undefined;
  let page: Page;
  let guard: PageGuard;
  let shop: ShopPage;
  let denglu: DengluPages;
  let sub: string;
  const timings: string[] = [];
  let stepStarted = 0;

  before(async function () {
    if (!chromiumAvailable()) return this.skip();
    const started = Date.now();
    clock = new ManualClock('2013-09-01T10:00:00+08:00'); // before JD's Weibo notice (10 September)
    world = await startWorld(clock);
    browser = await launchChromium();
    guard = new PageGuard(new URL(world.gw.issuer).origin);
    await guard.attach(browser.context);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    guard.watch(page);
    shop = new ShopPage(page, world);
    denglu = new DengluPages(page, world, guard);
    timings.push(`start: ${Date.now() - started} ms`);
  });

  beforeEach(() => {
    stepStarted = Date.now();
  });

  afterEach(async function () {
    const test = this.currentTest!;
    timings.push(`${test.title.slice(0, 40)}: ${Date.now() - stepStarted} ms`);
    if (test.state !== 'failed' || !browser) return;
    const dir = await mkdtemp(join(tmpdir(), 'denglu-browser-failure-'));
    const file = join(dir, 'page.png');
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    console.error(`\n  browser test failed at ${page.url()}\n  screenshot: ${file}\n`);
  });

  after(async () => {
    await browser?.close();
    await world?.close();
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
    assert.deepEqual(offers.providers, ['weibo', 'qq', 'sohu']);
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
    guard.expect(403, world.gw.issuer);
    await shop.logInWith('Weibo'); // the shop's own button still asks for Weibo: Denglu explains
    assert.equal(await page.locator('[data-error-code="ERR_INTEGRATION_ENDED"]').count(), 1);
    await shop.open();
    await shop.moreWays();
    const offers = await denglu.chooserOffers();
    assert.deepEqual(offers.providers, ['qq', 'sohu'], 'no Weibo button after the cutoff');
    assert.deepEqual(offers.migrate, ['weibo'], 'only "used Weibo before?"');
    await denglu.choose('qq');
    await approveAtProvider(page, world, 'qq', QQ_USER);
    const signedIn = await shop.signedIn();
    assert.equal(signedIn.sub, sub, 'the same JD account after Weibo ended');
    await guard.assertClean('after the Weibo cutoff');
  });
});
