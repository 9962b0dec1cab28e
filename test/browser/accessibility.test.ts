// Every shopper page passes axe-core (WCAG 2 A/AA rules and best practices) with no serious or critical
// violation, on a 390×844 phone, in Simplified Chinese and in English: the page tour
// (test/browser/page-tour.ts) visits each page by real clicks and axe runs on it. axe is injected as a
// script, which the pages' CSP rightly forbids, so this context alone bypasses the CSP (the journey tests
// keep checking the CSP itself). Also checks what axe does not: 44×44 px tap targets for buttons and
// links that stand alone, visible input borders, the 中文/EN switch on every page, and no English
// phrase (developer text such as `redirect_uri did not match`) on a Chinese page.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ManualClock } from '../../src/clock.ts';
import { CHROMIUM_PATH, chromiumAvailable } from './chromium.ts';
import { TOUR_PAGES, tourShopperPages, type TourPage } from './page-tour.ts';
import { startWorld, type World } from './world.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PHONE = { width: 390, height: 844 };

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function axeViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate("'axe' in window"))) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(`axe
    .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`);
}

// The checks below run in the page as plain script text: the TypeScript loader would otherwise wrap their
// named functions in a helper that does not exist in the browser.

/** Buttons, inputs and stand-alone links smaller than 44×44 px (links inside running text are exempt, as in WCAG 2.5.8). */
const SMALL_TARGETS = `(() => {
  const small = [];
  for (const el of document.querySelectorAll('main a, main button, header a, main input:not([type=hidden])')) {
    const block = el.closest('p, li');
    if (el.tagName === 'A' && block && block.textContent.trim() !== el.textContent.trim()) continue;
    if (el.hidden || el.closest('[hidden]')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.height < 43.5 || r.width < 43.5) small.push(el.tagName.toLowerCase() + ' "' + el.textContent.trim().slice(0, 30) + '" ' + Math.round(r.width) + '×' + Math.round(r.height));
  }
  return small;
})()`;

/** Inputs whose border is missing or too faint (under 3:1 against white). */
const FAINT_INPUTS = `(() => {
  const channel = (c) => { const s = Number(c) / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
  const faint = [];
  for (const el of document.querySelectorAll('input:not([type=hidden])')) {
    if (el.hidden) continue;
    const s = getComputedStyle(el);
    const [r, g, b] = (s.borderBottomColor.match(/\\d+(\\.\\d+)?/g) || ['255', '255', '255']).slice(0, 3).map(channel);
    const ratio = 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
    if (parseFloat(s.borderBottomWidth) < 1 || ratio < 3) faint.push(el.name + ': ' + s.borderBottomWidth + ' ' + s.borderBottomColor + ' (' + ratio.toFixed(2) + ':1)');
  }
  return faint;
})()`;

/** English phrases (three Latin words in a row) in the visible text of a Chinese page, but the language switch. */
const ENGLISH_ON_CHINESE_PAGE = `(() => {
  const text = [...document.body.querySelectorAll('main, header.site .shop-home, footer.site')].map((e) => e.innerText).join('\\n');
  return [...text.matchAll(/[A-Za-z_]+(?:[ .,:;'()]+[A-Za-z_]+){2,}/g)].map((m) => m[0]);
})()`;

async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(SMALL_TARGETS);
}

async function faintInputs(page: Page): Promise<string[]> {
  return page.evaluate(FAINT_INPUTS);
}

describe('browser: every shopper page is accessible on a phone (axe-core, zh-CN and en)', function () {
  this.timeout(180_000);
  let world: World;
  let browser: Browser | undefined;

  before(async function () {
    if (!chromiumAvailable()) return this.skip();
    world = await startWorld(new ManualClock('2013-09-01T10:00:00+08:00'));
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  });

  after(async () => {
    await browser?.close();
    await world?.close();
  });

  for (const locale of ['zh-CN', 'en'] as const) {
    it(`${locale}: no serious or critical axe violation, 44×44 targets, visible input borders, a language switch — on every page`, async () => {
      const context = await browser!.newContext({ bypassCSP: true, viewport: PHONE, locale, isMobile: true, hasTouch: true });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      const problems: string[] = [];
      const visited: TourPage[] = [];
      try {
        await tourShopperPages(page, world, `a11y-${locale}`, async (name) => {
          visited.push(name);
          assert.equal(await page.getAttribute('html', 'lang'), locale, `${name}: the page is in ${locale}`);
          for (const v of await axeViolations(page)) {
            if (v.impact === 'serious' || v.impact === 'critical') {
              problems.push(`${name}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
            }
          }
          for (const s of await smallTargets(page)) problems.push(`${name}: tap target under 44×44 px: ${s}`);
          for (const f of await faintInputs(page)) problems.push(`${name}: input border not visible: ${f}`);
          if ((await page.locator('[data-locale-switch]').count()) !== 1) problems.push(`${name}: no 中文/EN switch`);
          if (locale === 'zh-CN')
            for (const phrase of await page.evaluate<string[]>(ENGLISH_ON_CHINESE_PAGE)) problems.push(`${name}: English on a Chinese page: "${phrase}"`);
        });
      } finally {
        await context.close();
      }
      assert.deepEqual(visited, [...TOUR_PAGES], 'the tour reached every shopper page');
      assert.deepEqual(problems, []);
    });
  }
});
