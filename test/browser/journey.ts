// Everything a browser journey starts with: the world (gateway, emulators, JD demo shop) on a ManualClock,
// one headless Chromium (desktop, or a phone with `phone: true`) whose pages the guard watches, and the page
// objects for the shop and for Denglu's pages.

import type { Page } from 'playwright-core';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.ts';
import { chromiumAvailable, launchChromium, type LaunchedBrowser } from './chromium.ts';
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

export async function startJourney(clock: ManualClock, options: { phone?: boolean; shops?: string[] } = {}): Promise<Journey> {
  const world = await startWorld(clock, options.shops ? { shops: options.shops } : {});
  const browser = await launchChromium(options);
  const guard = new PageGuard(new URL(world.gw.issuer).origin);
  await guard.attach(browser.context);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  guard.watch(page);
  return { world, browser, page, guard, shop: new ShopPage(page, world), denglu: new DengluPages(page, world, guard) };
}

/**
 * A describe block's journey scaffolding: `before` skips without Chromium, else starts a journey on a
 * ManualClock at `clockStart` and hands it (with the clock) to `started`; `afterEach` screenshots the page
 * of a failed step; `after` closes the browser and the world. Call it inside `describe`, before the block's
 * own hooks.
 */
export function useJourney(
  clockStart: string,
  options: { phone?: boolean; shops?: string[] },
  started: (journey: Journey & { clock: ManualClock }) => void | Promise<void>,
): void {
  let journey: Journey | undefined;
  before(async function () {
    if (!chromiumAvailable()) return this.skip();
    const clock = new ManualClock(clockStart);
    journey = await startJourney(clock, options);
    await started({ ...journey, clock });
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed' || !journey) return;
    const { page } = journey;
    const kind = options.phone ? 'phone' : 'browser';
    const file = join(await mkdtemp(join(tmpdir(), `denglu-${kind}-failure-`)), 'page.png');
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    console.error(`\n  ${options.phone ? 'phone journey' : 'browser test'} failed at ${page.url()}\n  screenshot: ${file}\n`);
  });

  after(async () => {
    await journey?.browser.close();
    await journey?.world.close();
  });
}
