// What a page must do on a phone's screen (chromium.ts PHONE, 390×844): never scroll sideways, and show
// its main action on the first screen at a tappable size (at least 44 px tall).

import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { PHONE } from './chromium.ts';

/** The page is no wider than the phone's screen. */
export async function fitsThePhone(page: Page, what: string): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.viewport.width, `${what}: the page is ${width} px wide on a ${PHONE.viewport.width} px screen`);
}

/** The element is visible without scrolling on the phone's first screen, and at least 44 px tall. */
export async function onFirstScreen(target: Locator, what: string): Promise<void> {
  const box = await target.boundingBox();
  assert.ok(box, `${what} is shown`);
  assert.ok(box.y + box.height <= PHONE.viewport.height, `${what} is on the first screen (bottom at ${box.y + box.height} px)`);
  assert.ok(box.height >= 44, `${what} is at least 44 px tall (${box.height} px)`);
}
