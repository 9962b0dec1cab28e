// The admin pages in Chromium for the layout tests: a browser whose every page is checked by the page
// guard (CSP and console problems), one page signed in as the operator through the login form, and a
// way to make each request of that page ask for a language (the browser profile itself is English).

import type { Page } from 'playwright-core';
import { launchChromium, type LaunchedBrowser } from '../browser/chromium.ts';
import { PageGuard } from '../browser/page-guard.ts';
import type { Gateway } from '../support/gateway.ts';
import { OPERATOR } from './admin-browser.ts';

export interface AdminChromium {
  browser: LaunchedBrowser;
  guard: PageGuard;
  page: Page;
}

/** Chromium with a guarded page signed in to `gw`'s admin pages as the operator. */
export async function operatorInChromium(gw: Gateway): Promise<AdminChromium> {
  const browser = await launchChromium();
  const guard = new PageGuard(new URL(gw.issuer).origin);
  await guard.attach(browser.context);
  const page = await browser.context.newPage();
  guard.watch(page);
  await page.goto(`${gw.issuer}/admin/login`);
  await page.fill('#user', 'operator');
  await page.fill('#secret', OPERATOR);
  await Promise.all([page.waitForURL(`${gw.issuer}/admin`), page.click('form.stack button[type=submit]')]);
  await guard.assertClean('sign in');
  return { browser, guard, page };
}

/** Every request of `page` asks for `locale`. */
export async function inLocale(page: Page, locale: string): Promise<void> {
  await page.unrouteAll();
  await page.route('**/*', (route) => route.continue({ headers: { ...route.request().headers(), 'accept-language': locale } }));
}
