// A walk through every page a shopper can see at Denglu, in the JD case's order of dates, by real clicks
// in whatever language the browser asks for: home, a 404, a refused shop request, the account page signed out and in (and its
// email + password section after a refusal), the outbox, email verification, password reset and its
// confirmation, the unlink and account deletion confirmations, a third-party shop's consent page, the chooser and the notice during JD's Weibo notice,
// sign-out (question and signed out, signed out by unlinking, and the account deleted), then after the cutoff the ended page, the chooser in grace and the
// migration page, and on the held sign-in its native replacements: email + password, and a phone number
// (its number and code steps), and "have you signed in before?" for a QQ never seen at JD. `seen(name)` runs on each Denglu page once it has loaded: the accessibility test checks
// it, the screenshots script photographs it. Selectors never depend on the page's language.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import * as oidc from 'openid-client';
import { at, clickTo, here, visit } from './navigation.ts';
import { approveAtProvider } from './shop-pages.ts';
import type { World } from './world.ts';

export const TOUR_PAGES = [
  'home',
  'not-found',
  'protocol-error',
  'account-signed-out',
  'password-reset',
  'account',
  'outbox',
  'email-verify',
  'account-native',
  'unlink-confirm',
  'account-delete',
  'password-reset-confirm',
  'consent',
  'chooser-notice',
  'notice',
  'logout',
  'logged-out',
  'unlink-signed-out',
  'account-deleted',
  'ended',
  'chooser-grace',
  'migrate',
  'add-password',
  'add-phone',
  'phone-code',
  'first-login',
] as const;
export type TourPage = (typeof TOUR_PAGES)[number];

/** Walks every page once; `tag` keeps this walk's test users apart from another walk's in the same world. */
export async function tourShopperPages(page: Page, world: World, tag: string, seen: (name: TourPage) => Promise<void>): Promise<void> {
  const denglu = new URL(world.gw.issuer).origin;
  const shop = world.shopUrl;
  const weibo = `tour-${tag.toLowerCase()}`;
  const weiboOnly = `${weibo}-weibo-only`;
  const email = `tour-${tag.toLowerCase()}@example.com`;
  const atShop = at(shop);
  const atDenglu = (path?: string | RegExp) => at(denglu, path);
  const submit = (form: string) => page.locator(`${form} button[type=submit]`).first();

  world.clock.set('2013-09-01T10:00:00+08:00'); // before JD's Weibo notice
  await visit(page, `${denglu}/`);
  await seen('home');
  await visit(page, `${denglu}/no-such-page`);
  await seen('not-found');
  // A shop's request Denglu refuses (a redirect URI the shop never registered): the shop's page, in words.
  await visit(page, `${denglu}/auth?client_id=gamma-basic&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://evil.test/cb')}`);
  await seen('protocol-error');
  await visit(page, `${denglu}/account`);
  await seen('account-signed-out');
  await visit(page, `${denglu}/account/password/reset`);
  await seen('password-reset');

  // Signs in at JD with Weibo (JD is first-party: straight back to the shop): first a shopper who will have
  // nothing but Weibo (the migration in grace is theirs), then the one whose account page the tour shows.
  for (const login of [weiboOnly, weibo]) {
    await visit(page, `${shop}/`);
    await logOutAtShop(page, world);
    await clickTo(page, page.getByRole('link', { name: /Log in with Weibo/ }), at(world.emulatorUrl('weibo')));
    assert.ok(atShop(await approveAtProvider(page, world, 'weibo', login)), `back at the shop, not ${page.url()}`);
  }

  await visit(page, `${denglu}/account`);
  await seen('account');
  await page.locator('#native form[action="/account/email"] input[name=email]').fill(email);
  await clickTo(page, submit('#native form[action="/account/email"]'), atDenglu('/account'));
  await visit(page, `${denglu}/sandbox/outbox`);
  await seen('outbox');
  const mail = page.locator(`ul.outbox li[data-to="${email}"]`).first();
  await clickTo(page, mail.locator('a[data-mail-link][href*="/account/email/verify"]'), atDenglu('/account/email/verify'));
  await seen('email-verify');
  await clickTo(page, submit('form[action="/account/email/verify"]'), atDenglu('/account'));
  // The same email again is refused: the email + password section on its own, with the refusal.
  await page.locator('#native form[action="/account/email"] input[name=email]').fill(email);
  await clickTo(page, submit('#native form[action="/account/email"]'), atDenglu('/account/email'));
  await seen('account-native');
  await visit(page, `${denglu}/account`);
  await page.locator('#native form[action="/account/password"] input[name=password]').fill('a long tour password');
  await clickTo(page, submit('#native form[action="/account/password"]'), atDenglu('/account'));
  // Two ways to sign in now: "Unlink" on Weibo asks first (a bottom sheet on a phone); Cancel keeps it.
  await clickTo(page, page.locator('a[data-unlink="weibo"]'), atDenglu('/account/unlink/weibo'));
  await seen('unlink-confirm');
  await clickTo(page, page.locator('a[data-cancel]'), atDenglu('/account'));
  // "Delete my account" asks first too (what goes, which shops are told); Cancel keeps it.
  await clickTo(page, page.locator('a[data-delete-account]'), atDenglu('/account/delete'));
  await seen('account-delete');
  await clickTo(page, page.locator('a[data-cancel]'), atDenglu('/account'));
  await visit(page, `${denglu}/account/password/reset`);
  await page.locator('form[action="/account/password/reset"] input[name=email]').fill(email);
  await clickTo(page, submit('form[action="/account/password/reset"]'), atDenglu('/account/password/reset'));
  await visit(page, `${denglu}/sandbox/outbox`);
  await clickTo(page, mail.locator('a[data-mail-link][href*="/account/password/reset/confirm"]'), atDenglu('/account/password/reset/confirm'));
  await seen('password-reset-confirm');

  // A third-party shop (Gamma) asks for consent; the Denglu session from JD's Weibo sign-in is reused.
  await visit(page, await thirdPartyAuthorization(world));
  assert.ok(atDenglu(/^\/interaction\/[^/]+$/)(here(page)), `the consent page, not ${page.url()}`);
  await seen('consent');

  // During the notice: the chooser names the date; after Weibo, the notice page.
  world.clock.set('2013-09-20T10:00:00+08:00');
  await visit(page, `${shop}/`);
  await logOutAtShop(page, world);
  await clickTo(page, page.getByRole('link', { name: /More ways to log in/ }), atDenglu(/^\/interaction\/[^/]+$/));
  await seen('chooser-notice');
  await clickTo(page, page.locator('a[data-provider="weibo"]'), at(world.emulatorUrl('weibo')));
  assert.ok(atDenglu(/\/notice$/)(await approveAtProvider(page, world, 'weibo', weibo)), `the notice page, not ${page.url()}`);
  await seen('notice');
  await clickTo(page, page.locator('form[action$="/continue"] button'), atShop);

  // Sign-out from Denglu's own end-session endpoint: the question, then "signed out".
  await visit(page, `${denglu}/session/end`);
  await seen('logout');
  await clickTo(page, page.locator('button[name=logout][value=yes]'), atDenglu());
  await seen('logged-out');
  // What unlinking the way one signed in with ends on (shown to someone signed out).
  await visit(page, `${denglu}/account/signed-out?provider=weibo`);
  await seen('unlink-signed-out');
  // What deleting the account ends on (shown to someone signed out).
  await visit(page, `${denglu}/account/deleted`);
  await seen('account-deleted');

  // After the cutoff: the shop's Weibo recovery entry (provider=weibo) leads to Denglu's page for it; the chooser offers the migration.
  world.clock.set('2013-09-26T10:00:00+08:00');
  await visit(page, `${shop}/`);
  await logOutAtShop(page, world);
  await clickTo(page, page.locator('[data-recover="weibo"] a'), atDenglu());
  await seen('ended');
  await visit(page, `${shop}/`);
  await clickTo(page, page.getByRole('link', { name: /More ways to log in/ }), atDenglu(/^\/interaction\/[^/]+$/));
  await seen('chooser-grace');
  await clickTo(page, page.locator('a[data-migrate="weibo"]'), at(world.emulatorUrl('weibo')));
  assert.ok(atDenglu(/\/migrate$/)(await approveAtProvider(page, world, 'weibo', weiboOnly)), `the migration page, not ${page.url()}`);
  await seen('migrate');

  // The Weibo-only shopper's held sign-in offers its native replacements: email + password, and a phone number with a texted code.
  const uid = /^\/interaction\/([^/]+)\/migrate$/.exec(here(page).pathname)![1]!;
  await clickTo(page, page.locator('a[data-add="password"]'), atDenglu(`/interaction/${uid}/add/password`));
  await seen('add-password');
  await clickTo(page, page.locator('a[data-back]'), atDenglu(`/interaction/${uid}/migrate`));
  await clickTo(page, page.locator('a[data-add="phone"]'), atDenglu(`/interaction/${uid}/add/phone`));
  await seen('add-phone');
  const phone = `139${String(parseInt(randomBytes(4).toString('hex'), 16) % 1e8).padStart(8, '0')}`;
  await page.locator('form[data-phone-step="number"] input[name=phone]').fill(phone);
  await clickTo(page, submit('form[data-phone-step="number"]'), atDenglu(`/interaction/${uid}/add/phone`));
  await seen('phone-code');

  // A QQ never seen at JD, while JD's Weibo is in grace: "have you signed in to JD before with Weibo?"
  await visit(page, `${shop}/login?provider=qq`);
  assert.ok(atDenglu(/\/first-login$/)(await approveAtProvider(page, world, 'qq', `${weibo}-qq`)), `the first-login question, not ${page.url()}`);
  await seen('first-login');
}

/** The shop's "Log out" when someone is signed in there, answering Denglu's question with yes. */
async function logOutAtShop(page: Page, world: World): Promise<void> {
  const logOut = page.getByRole('link', { name: /Log out/ });
  if (!(await logOut.count())) return;
  const question = at(new URL(world.gw.issuer).origin, '/session/end');
  await clickTo(page, logOut, (url) => at(world.shopUrl)(url) || question(url));
  if (question(here(page))) await clickTo(page, page.locator('button[name=logout][value=yes]'), at(world.shopUrl));
}

/** An authorization request of the third-party test shop Gamma (profile scope: a consent page). */
async function thirdPartyAuthorization(world: World): Promise<string> {
  const gamma = world.gw.shops['gamma-basic'];
  assert.ok(gamma, 'the test gateway registers the third-party shop gamma-basic');
  const verifier = oidc.randomPKCECodeVerifier();
  return oidc
    .buildAuthorizationUrl(gamma.config, {
      redirect_uri: gamma.redirectUri,
      scope: 'openid profile',
      state: randomBytes(8).toString('hex'),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    })
    .toString();
}
