// Page objects for the pages that are not Denglu's: the demo shop (its own "Log in with …" buttons, the
// "more ways" link to Denglu's chooser, what it shows once signed in, its log-out) and an emulated
// provider's authorize page (pick or type a test user, approve).

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { at, clickTo, here, visit, type UrlCheck } from './navigation.ts';
import type { World } from './world.ts';

export class ShopPage {
  readonly page: Page;
  readonly world: World;
  readonly home: UrlCheck;
  readonly dengluOrigin: string;
  /** This shop's base URL (the world's first shop unless given). */
  readonly url: string;

  constructor(page: Page, world: World, url = world.shopUrl) {
    this.page = page;
    this.world = world;
    this.url = url;
    this.home = at(url, '/');
    this.dengluOrigin = new URL(world.gw.issuer).origin;
  }

  async open(): Promise<void> {
    await visit(this.page, `${this.url}/`);
  }

  /** Clicks the shop's own button (Denglu's provider hint); returns where the browser landed. */
  async logInWith(provider: 'Weibo' | 'QQ' | 'Sohu' | 'WeChat'): Promise<URL> {
    return clickTo(this.page, this.page.getByRole('link', { name: `Log in with ${provider}` }), (url) => url.origin !== this.url);
  }

  /** Clicks "More ways to log in" and lands on Denglu's chooser. */
  async moreWays(): Promise<void> {
    await clickTo(this.page, this.page.getByRole('link', { name: /More ways to log in/ }), at(this.dengluOrigin, /^\/interaction\/[^/]+$/));
  }

  /** The shop's page after a sign-in: the `sub` and `idp` it validated. */
  async signedIn(): Promise<{ sub: string; idp: string }> {
    assert.ok(this.home(here(this.page)), `at the shop, not ${this.page.url()}`);
    const error = this.page.locator('#shop-error');
    if (await error.count()) assert.fail(`the shop reports: ${await error.textContent()}`);
    const sub = (await this.page.locator('#sub').textContent({ timeout: 2000 }))?.trim() ?? '';
    const idp = (await this.page.locator('#idp').textContent())?.trim() ?? '';
    assert.ok(sub, 'the shop shows a sub');
    return { sub, idp };
  }

  /**
   * The shop's "Log out": Denglu asks whether to sign out of Denglu too and the shopper says yes. With no
   * Denglu session left (expired), Denglu's self-submitting form sends the browser straight back.
   */
  async logOut(): Promise<void> {
    const question = at(this.dengluOrigin, '/session/end');
    await clickTo(this.page, this.page.getByRole('link', { name: /Log out/ }), (url) => this.home(url) || question(url));
    if (question(here(this.page))) {
      const yes = this.page.getByRole('button', { name: 'Sign out', exact: true });
      if (await yes.count()) await clickTo(this.page, yes, this.home);
      else await this.page.waitForURL(this.home);
    }
    assert.equal(await this.page.locator('#sub').count(), 0, 'the shop shows nobody signed in');
  }
}

/**
 * On an emulated provider's authorize page: picks the listed test user `login` (or types it) and approves;
 * returns where the browser landed (the shop, a Denglu page).
 */
export async function approveAtProvider(page: Page, world: World, provider: string, login: string): Promise<URL> {
  const emulator = world.emulatorUrl(provider);
  assert.ok(at(emulator)(here(page)), `at the ${provider} emulator, not ${page.url()}`);
  const listed = page.locator(`input[type=radio][name=login][value="${login}"]`);
  if (await listed.count()) await listed.check();
  else await page.getByLabel(/or type a login/).fill(login);
  return clickTo(page, page.locator('button[name=decision][value=approve]'), (url) => url.origin !== emulator);
}
