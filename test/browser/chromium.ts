// Which Chromium the browser tests drive and how: Debian's /usr/bin/chromium (or CHROMIUM_PATH) through
// playwright-core, headless, with a fresh profile in a temp dir. A missing browser fails under CI=true and
// is a loud warning plus a skip on a developer machine (never a silent pass).

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/**
 * Whether the browser suite can run here. Missing Chromium: an error under CI (the caller fails), else a
 * warning on the console and `false` (the caller skips).
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const message = `chromium not found at "${CHROMIUM_PATH}": install it with \`apt-get update && apt-get install -y chromium\` (or set CHROMIUM_PATH)`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI must run the browser tests`);
  const bar = '!'.repeat(100);
  console.warn(`\n${bar}\n!!! BROWSER TESTS SKIPPED — ${message}\n${bar}\n`);
  return false;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  profileDir: string;
  close(): Promise<void>;
}

/** A phone's screen: 390×844 CSS pixels, touch, mobile viewport (an iPhone 12-class phone). */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 } as const;

/** One headless Chromium with a fresh profile (English, so pages render in `en`); `phone: true` at phone size. */
export async function launchChromium(options: { phone?: boolean } = {}): Promise<LaunchedBrowser> {
  const profileDir = await mkdtemp(join(tmpdir(), 'denglu-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    locale: 'en-US',
    ...(options.phone ? PHONE : { viewport: { width: 1000, height: 900 } }),
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(10_000);
  return {
    context,
    profileDir,
    async close() {
      await context.close().catch(() => undefined);
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}
