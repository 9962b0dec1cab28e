// `npm run screenshots`: photographs the JD case's shopper pages on a 390×844 phone in Simplified Chinese
// and writes them to docs/screenshots/ for the README — the chooser during the notice, the notice page,
// the ended page and the chooser after the cutoff, the migration page in grace, the account page, the
// unlink confirmation, the held sign-in's replacements (email + password, a phone number and its code) and
// "have you signed in before?" for a QQ never seen at JD.
// It starts the same world as the browser tests (gateway, emulators, JD demo shop on a manual clock) and
// walks the page tour (test/browser/page-tour.ts). Needs Chromium and a CJK font (fonts-wqy-microhei).

import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ManualClock } from '../src/clock.ts';
import { CHROMIUM_PATH } from '../test/browser/chromium.ts';
import { tourShopperPages, type TourPage } from '../test/browser/page-tour.ts';
import { startWorld } from '../test/browser/world.ts';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const SHOTS: Partial<Record<TourPage, string>> = {
  'chooser-notice': '1-chooser-notice',
  notice: '2-notice',
  ended: '3-ended',
  'chooser-grace': '4-chooser-grace',
  migrate: '5-migrate',
  account: '6-account',
  'unlink-confirm': '7-unlink-confirm',
  'add-password': '8-add-password',
  'add-phone': '9-add-phone',
  'phone-code': '10-phone-code',
  'first-login': '11-first-login',
};

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const world = await startWorld(new ManualClock('2013-09-01T10:00:00+08:00'));
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await tourShopperPages(page, world, 'screenshots', async (name) => {
      const file = SHOTS[name];
      if (!file) return;
      await page.screenshot({ path: `${OUT}${file}.png`, fullPage: true });
      console.log(`docs/screenshots/${file}.png  ${page.url().replace(/\/interaction\/[^/]+/, '/interaction/…')}`);
    });
  } finally {
    await browser.close();
    await world.close();
  }
}

await main();
