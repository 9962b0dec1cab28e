// The cutoff traps of issue 13 walked on a phone (390×844, touch, mobile viewport) in headless Chromium,
// at the JD demo shop at the JD case's dates (Weibo notice 10 September 2013, cutoff 25 September, grace
// until 25 October), and at a third-party shop's consent page: a link conflict keeps the sign-in in progress; a QQ never seen at JD is asked "have
// you signed in before?" in notice and in grace; the shop's Weibo hint in grace leads to "Recover your
// account with Weibo" as the main action; after grace the ended page leads to the account page, where
// Weibo still recovers the account; the consent page says who is signed in and switches. Every journey ends at the shop with the same `sub` — or a new one
// only after the shopper chose "create a new account". The shop is reached through its own login URL
// (`/login?provider=…`, what its buttons do), whichever buttons it draws.

import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import type { ManualClock } from '../../src/clock.ts';
import type { LaunchedBrowser } from './chromium.ts';
import type { DengluPages } from './denglu-pages.ts';
import { useJourney } from './journey.ts';
import { at, here, type UrlCheck } from './navigation.ts';
import type { PageGuard } from './page-guard.ts';
import { onFirstScreen } from './phone-screen.ts';
import { approveAtProvider, type ShopPage } from './shop-pages.ts';
import type { World } from './world.ts';
import { authRequest, e2eClientId } from '../support/gateway.ts';
import type { Account } from '../../src/accounts/account.ts';

/** Taps `target` (a touch, as on a phone) and waits for a new document whose URL passes `accept`. */
async function tapTo(page: Page, target: Locator, accept: UrlCheck): Promise<URL> {
  const loaded = page.waitForEvent('load', { predicate: (p) => accept(here(p)) });
  await target.tap();
  await loaded;
  return here(page);
}

describe('browser: the cutoff traps on a phone at the JD demo shop', function () {
  this.timeout(90_000);
  let world: World;
  let clock: ManualClock;
  let browser: LaunchedBrowser | undefined;
  let page: Page;
  let guard: PageGuard;
  let shop: ShopPage;
  let denglu: DengluPages;
  const subs = new Map<string, string>();

  /** Opens the shop's own login with Denglu's provider hint, as its "Log in with …" button does. */
  async function hint(provider: string): Promise<URL> {
    const landed = page.waitForEvent('load', { predicate: (p) => !here(p).href.startsWith(world.shopUrl) });
    await page.goto(`${world.shopUrl}/login?provider=${provider}`);
    await landed;
    return here(page);
  }

  /** A fresh visit: no shop or Denglu session left from the previous journey. */
  async function signedOut(): Promise<void> {
    await browser!.context.clearCookies();
  }

  // Starts before JD's Weibo notice.
  useJourney('2013-09-01T10:00:00+08:00', { phone: true }, async (j) => {
    ({ world, clock, browser, page, guard, shop, denglu } = j);
    // The story's shoppers, all made before the notice: Weibo shoppers and someone else's QQ.
    for (const [provider, login] of [
      ['weibo', 'ph-a'],
      ['qq', 'ph-b-qq'],
      ['weibo', 'ph-c'],
      ['weibo', 'ph-d'],
      ['weibo', 'ph-e'],
      ['weibo', 'ph-f'],
    ] as const) {
      await signedOut();
      await hint(provider);
      await approveAtProvider(page, world, provider, login);
      subs.set(login, (await shop.signedIn()).sub);
    }
    await guard.assertClean('the shoppers before the notice');
  });

  it('link conflict in notice: the main action continues the Weibo sign-in, the other QQ account is only a warned-about link; same sub', async () => {
    clock.set('2013-09-20T10:00:00+08:00');
    await signedOut();
    await hint('weibo');
    const notice = await approveAtProvider(page, world, 'weibo', 'ph-a');
    assert.match(notice.pathname, /\/notice$/);
    guard.expect(409, '/cb/qq');
    await tapTo(page, page.locator('a[data-link="qq"]'), at(world.emulatorUrl('qq')));
    await approveAtProvider(page, world, 'qq', 'ph-b-qq');
    assert.equal(((await page.locator('h1').textContent()) ?? '').trim(), 'This QQ account belongs to another account');
    const main = page.locator('.actions .primary');
    assert.equal(((await main.textContent()) ?? '').trim(), 'Continue to JD.com (demo) with Weibo (same account)');
    await onFirstScreen(main, 'the main action');
    assert.match((await page.locator('[data-leads-elsewhere]').textContent()) ?? '', /leads into a different JD\.com \(demo\) account/);
    await tapTo(page, main, shop.home);
    assert.equal((await shop.signedIn()).sub, subs.get('ph-a'), 'the same JD account');
    await guard.assertClean('link conflict');
  });

  it('first broker login in notice: a QQ never seen at JD is asked "signed in before with Weibo?"; yes keeps the Weibo account', async () => {
    clock.set('2013-09-21T10:00:00+08:00');
    await signedOut();
    await hint('qq');
    const asked = await approveAtProvider(page, world, 'qq', 'ph-new-qq-1');
    assert.match(asked.pathname, /\/first-login$/);
    assert.equal(((await page.locator('h1').textContent()) ?? '').trim(), 'Have you signed in to JD.com (demo) before with Weibo?');
    const yes = page.locator('[data-signed-in-before="weibo"]');
    await onFirstScreen(yes, '"yes"');
    await tapTo(page, yes, at(world.emulatorUrl('weibo')));
    await approveAtProvider(page, world, 'weibo', 'ph-c');
    const signedIn = await shop.signedIn();
    assert.equal(signedIn.sub, subs.get('ph-c'), 'the Weibo shopper’s JD account');
    assert.equal(signedIn.idp, 'qq');
    await guard.assertClean('first broker login in notice');
  });

  it('first broker login in grace: "yes — recover with Weibo (until 25 October)" keeps the account; "no" creates a new one only when chosen', async () => {
    clock.set('2013-10-01T10:00:00+08:00');
    await signedOut();
    await hint('qq');
    await approveAtProvider(page, world, 'qq', 'ph-new-qq-2');
    const yes = page.locator('[data-signed-in-before="weibo"]');
    assert.equal(((await yes.textContent()) ?? '').trim(), 'Yes — recover your account with Weibo (until 25 October 2013)');
    await tapTo(page, yes, at(world.emulatorUrl('weibo')));
    await approveAtProvider(page, world, 'weibo', 'ph-d');
    assert.equal((await shop.signedIn()).sub, subs.get('ph-d'));

    await signedOut();
    await hint('qq');
    await approveAtProvider(page, world, 'qq', 'ph-new-qq-3');
    await tapTo(page, page.locator('button[data-create-new]'), shop.home);
    const created = await shop.signedIn();
    assert.ok(![...subs.values()].includes(created.sub), 'a new JD account, after choosing "create a new account"');
    await guard.assertClean('first broker login in grace');
  });

  it('grace: the shop\'s Weibo hint leads to "Recover your JD account with Weibo" as the main action; linking QQ keeps the sub', async () => {
    clock.set('2013-10-02T10:00:00+08:00');
    await signedOut();
    const landed = await hint('weibo');
    assert.ok(at(new URL(world.gw.issuer).origin, /^\/interaction\/[^/]+$/)(landed), `Denglu's page, not ${landed.href}`);
    assert.equal(await page.locator('h1[data-phase="grace"]').count(), 1, 'not an error page');
    const recover = page.locator('a.primary[data-migrate="weibo"]');
    assert.equal(((await recover.textContent()) ?? '').trim(), 'Recover your JD.com (demo) account with Weibo (until 25 October 2013)');
    await onFirstScreen(recover, 'the recovery');
    await tapTo(page, recover, at(world.emulatorUrl('weibo')));
    const migrate = await approveAtProvider(page, world, 'weibo', 'ph-e');
    assert.match(migrate.pathname, /\/migrate$/);
    await tapTo(page, page.locator('a[data-link="qq"]'), at(world.emulatorUrl('qq')));
    await approveAtProvider(page, world, 'qq', 'ph-e-qq');
    const signedIn = await shop.signedIn();
    assert.equal(signedIn.sub, subs.get('ph-e'), 'the same JD account through the main action with QQ');
    assert.equal(signedIn.idp, 'qq');
    await guard.assertClean('grace recovery with QQ');
  });

  it('after grace: the ended page leads to the account page, where Weibo still proves it is them; QQ linked there reaches JD with the old sub', async () => {
    clock.set('2013-10-26T10:00:00+08:00');
    await signedOut();
    await hint('weibo');
    assert.equal(
      ((await page.locator('h1').textContent()) ?? '').trim(),
      'Signing in with Weibo ended at JD.com (demo) on 25 September 2013 at 00:00 (Beijing time)',
    );
    const origin = new URL(world.gw.issuer).origin;
    await tapTo(page, page.locator('a[data-recover-account]'), at(origin, '/account'));
    await tapTo(page, page.locator('a[href^="/account/login"]'), denglu.chooser);
    await denglu.choose('weibo');
    await approveAtProvider(page, world, 'weibo', 'ph-f');
    assert.ok(at(origin, '/account')(here(page)), `at /account, not ${page.url()}`);
    await denglu.link('qq', 'ph-f-qq', { provider: 'weibo', login: 'ph-f' });
    await hint('qq');
    await approveAtProvider(page, world, 'qq', 'ph-f-qq');
    assert.equal((await shop.signedIn()).sub, subs.get('ph-f'), 'the same JD account after grace');
    await guard.assertClean('after grace through the account page');
  });

  it('consent at a third-party shop: who is signed in, and "Not you? Switch account" signs the other shopper in for the same request', async () => {
    clock.set('2013-10-27T10:00:00+08:00');
    await signedOut();
    const gamma = world.gw.shops['gamma-basic']!;
    const back = new URL(gamma.redirectUri);
    // The test shop exists only as its redirect URI: the browser's arrival there fails to load, by design.
    guard.unreachableOrigin(back.origin);
    const request = await authRequest(gamma, { provider: 'qq' });
    const origin = new URL(world.gw.issuer).origin;
    await page.goto(request.url.href);
    await approveAtProvider(page, world, 'qq', 'ph-g-first');
    const who = page.locator('[data-signed-in-as]');
    const qqShopperName = async (login: string) =>
      (await world.gw.store.findOne<Account>('accounts', 'identity', world.gw.emulators.qq!.emulator.identityKeysFor(login, e2eClientId('qq'))[0]!))!.value
        .profile.name;
    const firstName = await qqShopperName('ph-g-first');
    assert.match((await who.textContent()) ?? '', new RegExp(`Signed in as ${firstName}`));
    const notYou = page.locator('button[data-switch-account]');
    assert.equal(((await notYou.textContent()) ?? '').trim(), 'Not you? Switch account');
    await tapTo(page, notYou, at(world.emulatorUrl('qq')));
    // oidc-provider ends the first shopper's session with its own self-submitting form, then asks again.
    const consent = page.waitForEvent('load', { predicate: (p) => at(origin, /^\/interaction\/[^/]+$/)(here(p)) });
    await approveAtProvider(page, world, 'qq', 'ph-g-second');
    await consent;
    const secondName = await qqShopperName('ph-g-second');
    assert.match((await who.textContent()) ?? '', new RegExp(`Signed in as ${secondName}`));
    const arrived = page.waitForRequest((r) => r.url().startsWith(back.origin));
    await page.getByRole('button', { name: 'Allow' }).tap();
    const atShopUrl = new URL((await arrived).url());
    assert.equal(atShopUrl.searchParams.get('state'), request.state, 'the same request completes');
    assert.ok(atShopUrl.searchParams.get('code'), 'with a code');
    await guard.assertClean('consent: switch account');
  });
});
