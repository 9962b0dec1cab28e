// Everything a browser journey starts with: the world (gateway, emulators, JD demo shop) on a ManualClock,
// one headless Chromium (desktop, or a phone with `phone: true`) whose pages the guard watches, and the page
// objects for the shop and for Denglu's pages.

import type { Page } from 'playwright-core';
import type { ManualClock } from '../../src/clock.ts';
import { launchChromium, type LaunchedBrowser } from './chromium.ts';
import { DengluPages } from './denglu-pages.ts';
import { PageGuard } from './page-guard.ts';
import { ShopPage } from './shop-pages.ts';
import { startWorld, type World } from './world.ts';

export interface Journey {
  world: World;
  browser: LaunchedBrowser;
  page: Page;
  guard: PageGuard;
  shop: ShopPage;
  denglu: DengluPages;
}

export async function startJourney(clock: ManualClock, options: { phone?: boolean } = {}): Promise<Journey> {
  const world = await startWorld(clock);
  const browser = await launchChromium(options);
  const guard = new PageGuard(new URL(world.gw.issuer).origin);
  await guard.attach(browser.context);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  guard.watch(page);
  return { world, browser, page, guard, shop: new ShopPage(page, world), denglu: new DengluPages(page, world, guard) };
}
