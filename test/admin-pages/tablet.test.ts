// The admin pages at tablet and phone width (820×1180, 1024×768, 390×844) in Chromium, zh-CN and en, at
// the JD case's dates: no phase pill, button or width choice wraps its text (one character per line
// is the failure this guards), the integrations table is one card per provider below 900 px and a
// table above, the audit log's before → after cells are not clipped, the timeline's labels sit inside
// their box and render at a legible size, the page never scrolls sideways, and the preview frame shows
// the shoppers' page with its own stylesheet, inert. Every page is checked by the page guard (CSP).

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ManualClock } from '../../src/clock.ts';
import { LOGIN_DAYS_COLLECTION, loginDayId, mergeDay } from '../../src/events/login-days.ts';
import { DAY_MS } from '../../src/events/login-event.ts';
import { chromiumAvailable, type LaunchedBrowser } from '../browser/chromium.ts';
import type { PageGuard } from '../browser/page-guard.ts';
import { inLocale, operatorInChromium } from './admin-chromium.ts';
import { client } from '../admin/admin-client.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { jd, OPERATOR } from './admin-browser.ts';

const VIEWPORTS = [
  { width: 820, height: 1180 },
  { width: 1024, height: 768 },
  { width: 390, height: 844 },
] as const;
const LOCALES = ['zh-CN', 'en'] as const;
/** Rendered size below which the timeline's text is no longer comfortably legible. */
const MIN_TIMELINE_FONT_PX = 10;

/** For each element matching `selector`: its text and how many lines that text takes. */
async function textLines(page: Page, selector: string): Promise<{ text: string; lines: number }[]> {
  return page.$$eval(selector, (elements) =>
    elements
      .filter((el) => (el as HTMLElement).offsetParent !== null)
      .map((el) => {
        const range = document.createRange();
        range.selectNodeContents(el);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        return { text: (el.textContent ?? '').trim(), lines: tops.size };
      }),
  );
}

async function assertNoWrappedControls(page: Page, where: string): Promise<void> {
  const controls = await textLines(page, '.phase, button, a.button, .width-choice');
  assert.ok(controls.length > 0, `${where}: controls to measure`);
  const wrapped = controls.filter((c) => c.lines > 1);
  assert.deepEqual(wrapped, [], `${where}: pills and buttons keep their text on one line`);
}

async function assertNoSidewaysScroll(page: Page, where: string): Promise<void> {
  const { scroll, viewport } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  assert.ok(scroll <= viewport, `${where}: the page is ${scroll} px wide in a ${viewport} px viewport`);
}

describe('admin pages at tablet and phone width (Chromium)', function () {
  this.timeout(120_000);
  let gw: Gateway;
  let browser: LaunchedBrowser | undefined;
  let guard: PageGuard;
  let page: Page;
  const clock = new ManualClock('2013-09-20T10:00:00+08:00');

  before(async function () {
    if (!chromiumAvailable()) return this.skip();
    gw = await startGateway({ clock, partners: jd });
    // An audit entry with dates, a policy, a flag and notice texts to show before → after.
    const put = await client(gw, OPERATOR).put('/partners/alpha/integrations/qq', {
      noticeAt: '2013-10-01T00:00+08:00',
      cutoffAt: '2013-11-01T00:00+08:00',
      atCutoff: 'revoke',
      newAccountsDuringNotice: false,
      notice: { 'zh-CN': 'QQ 登录将于 11 月 1 日停止，请改用其他方式登录您的账号，以免影响购物。', en: 'QQ sign-in ends on 1 November.' },
    });
    assert.equal(put.status, 200);
    // Sign-ins on the days before, so the partner page draws its analytics line chart.
    const partnerDay = (daysAgo: number) => Math.floor((clock.now() - daysAgo * DAY_MS) / DAY_MS);
    for (const daysAgo of [1, 5, 12]) {
      const day = partnerDay(daysAgo);
      const at = day * DAY_MS + 3_600_000;
      const events = [
        { at, partner: 'alpha', method: 'weibo', outcome: 'success' as const },
        { at, partner: 'alpha', method: 'qq', outcome: 'success' as const },
      ];
      await gw.store.put(LOGIN_DAYS_COLLECTION, loginDayId('alpha', day), mergeDay(undefined, 'alpha', day, 'UTC', events));
    }
    ({ browser, guard, page } = await operatorInChromium(gw));
  });
  after(async () => {
    await browser?.close();
    await gw?.close();
  });

  for (const viewport of VIEWPORTS) {
    for (const locale of LOCALES) {
      const where = `${viewport.width}×${viewport.height} ${locale}`;

      it(`the partner page at ${where}: pills and buttons on one line, integrations as ${viewport.width < 900 ? 'cards' : 'a table'}, timeline labels inside and legible`, async () => {
        await page.setViewportSize(viewport);
        await inLocale(page, locale);
        await page.goto(`${gw.issuer}/admin/partners/alpha`);
        assert.equal(await page.getAttribute('html', 'lang'), locale);
        assert.ok(await page.$('svg.analytics-line path[data-line]'), `${where}: the analytics line chart is drawn`);
        await assertNoWrappedControls(page, where);
        await assertNoSidewaysScroll(page, where);

        const rows = await page.$$eval('table.integrations tbody tr', (trs) =>
          trs.map((tr) => ({
            display: getComputedStyle(tr).display,
            width: tr.getBoundingClientRect().width,
            container: tr.parentElement!.getBoundingClientRect().width,
          })),
        );
        assert.equal(rows.length, 5, 'weibo, qq, sohu, alipay, password');
        const headVisible = await page.$eval('table.integrations thead', (t) => t.getBoundingClientRect().height > 2);
        if (viewport.width < 900) {
          assert.ok(
            rows.every((r) => r.display === 'grid' && r.width <= r.container + 1),
            `${where}: each provider is a card: ${JSON.stringify(rows)}`,
          );
          assert.equal(headVisible, false, `${where}: the column heads give way to each card's labels`);
          const labelled = await page.$$eval('table.integrations td[data-field="cutoffAt"]', (tds) =>
            tds.map((td) => getComputedStyle(td, '::before').content),
          );
          assert.ok(
            labelled.every((c) => c.length > 2 && c !== 'none'),
            `${where}: each value carries its label: ${labelled.join(', ')}`,
          );
        } else {
          assert.ok(
            rows.every((r) => r.display === 'table-row'),
            `${where}: a table at desktop width`,
          );
          assert.equal(headVisible, true);
        }

        const svg = await page.$eval('svg.timeline-svg', (el) => {
          const s = el as SVGSVGElement;
          const scale = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
          const x0 = Number(s.querySelector('.timeline-row rect')?.getAttribute('x') ?? 0);
          const labels = [...s.querySelectorAll('.timeline-row')].flatMap((row) => {
            const texts = [...row.querySelectorAll('text')];
            const name = texts[0]!.getBBox();
            const inside = texts.slice(1).map((t) => {
              const box = t.getBBox();
              const rect = [...row.querySelectorAll('rect')].find((r) => {
                const x = Number(r.getAttribute('x'));
                return x <= box.x + box.width / 2 && box.x + box.width / 2 <= x + Number(r.getAttribute('width'));
              })!;
              const rx = Number(rect.getAttribute('x'));
              return { text: t.textContent, fits: box.x >= rx - 0.5 && box.x + box.width <= rx + Number(rect.getAttribute('width')) + 0.5 };
            });
            return [{ text: texts[0]!.textContent, fits: name.x + name.width <= x0 - 2 }, ...inside];
          });
          const ticks = [...s.querySelectorAll('.timeline-axis text')].map((t) => (t as SVGTextElement).getBBox());
          const overlapping = ticks.some((b, i) => i > 0 && ticks[i - 1]!.x + ticks[i - 1]!.width > b.x);
          // The legend's entries side by side without touching; the "now" label inside the drawing.
          const legend = [...s.querySelectorAll('.timeline-legend > *')].map((el) => (el as SVGGraphicsElement).getBBox());
          const legendOverlaps = legend.some((b, i) => i > 0 && legend[i - 1]!.x + legend[i - 1]!.width > b.x + 0.5);
          const now = (s.querySelector('.timeline-now text') as SVGTextElement).getBBox();
          const nowInside = now.x >= 0 && now.x + now.width <= s.viewBox.baseVal.width && now.y >= 0;
          const figure = s.closest('figure')!;
          return {
            scale,
            legendOverlaps,
            nowInside,
            fontSize: Number(s.getAttribute('font-size')),
            labels,
            overlapping,
            clipped: figure.scrollWidth > figure.clientWidth && getComputedStyle(figure).overflowX !== 'auto',
          };
        });
        assert.ok(svg.scale * svg.fontSize >= MIN_TIMELINE_FONT_PX, `${where}: timeline text renders at ${(svg.scale * svg.fontSize).toFixed(1)} px`);
        assert.deepEqual(
          svg.labels.filter((l) => !l.fits),
          [],
          `${where}: every provider name sits left of the bars and every phase name inside its bar`,
        );
        assert.equal(svg.overlapping, false, `${where}: date ticks do not overlap`);
        assert.equal(svg.legendOverlaps, false, `${where}: the legend's entries do not overlap`);
        assert.equal(svg.nowInside, true, `${where}: the "now" label is inside the drawing`);
        assert.equal(svg.clipped, false, `${where}: a timeline wider than the screen scrolls inside its frame`);
        await guard.assertClean(`partner page ${where}`);
      });

      it(`the partners list and the schedule form at ${where}: pills and buttons on one line, nothing sideways`, async () => {
        await page.setViewportSize(viewport);
        await inLocale(page, locale);
        for (const path of ['/admin', '/admin/partners/alpha/integrations/weibo']) {
          await page.goto(`${gw.issuer}${path}`);
          await assertNoWrappedControls(page, `${path} ${where}`);
          await assertNoSidewaysScroll(page, `${path} ${where}`);
        }
        await guard.assertClean(`partners and schedule ${where}`);
      });

      it(`the audit log at ${where}: before → after readable, not clipped`, async () => {
        await page.setViewportSize(viewport);
        await inLocale(page, locale);
        await page.goto(`${gw.issuer}/admin/audit?partner=alpha`);
        await assertNoWrappedControls(page, where);
        await assertNoSidewaysScroll(page, where);
        const cells = await page.$$eval('td.changes', (tds) =>
          tds.map((td) => ({ scroll: td.scrollWidth, client: td.clientWidth, right: td.getBoundingClientRect().right, text: td.textContent ?? '' })),
        );
        assert.ok(cells.length >= 1);
        const width = viewport.width;
        for (const c of cells) {
          assert.ok(c.scroll <= c.client + 1, `${where}: a changes cell is clipped (${c.scroll} > ${c.client})`);
          assert.ok(c.right <= width + 1, `${where}: a changes cell runs off the screen (${c.right} > ${width})`);
          assert.doesNotMatch(c.text, /\btrue\b|\bfalse\b|[{}[\]"]/, `${where}: no JSON and no true/false in ${c.text}`);
        }
        const wrap = await page.$eval('.table-wrap', (w) => ({ scroll: w.scrollWidth, client: w.clientWidth }));
        assert.ok(wrap.scroll <= wrap.client + 1, `${where}: the audit table fits its frame (${wrap.scroll} > ${wrap.client})`);
        await guard.assertClean(`audit ${where}`);
      });

      it(`the preview at ${where}: the shoppers' page in an inert frame with its own styles`, async () => {
        await page.setViewportSize(viewport);
        await inLocale(page, locale);
        await page.goto(`${gw.issuer}/admin/partners/alpha/preview?at=${encodeURIComponent('2013-09-20T10:00+08:00')}&locale=${locale}`);
        await assertNoWrappedControls(page, where);
        await assertNoSidewaysScroll(page, where);
        const frameElement = await page.$('iframe.preview-frame');
        const frame = await frameElement!.contentFrame();
        assert.ok(frame);
        await frame.waitForLoadState('load');
        const inFrame = await frame.$eval('a[data-provider="qq"]', (a) => ({
          display: getComputedStyle(a).display,
          lang: document.documentElement.lang,
          text: a.textContent ?? '',
        }));
        assert.equal(inFrame.lang, locale);
        assert.notEqual(inFrame.display, 'inline', "the frame loads the shoppers' stylesheet");
        assert.match(inFrame.text, /QQ/);
        const phoneWidth = await frameElement!.evaluate((f) => f.getBoundingClientRect().width);
        assert.ok(Math.abs(phoneWidth - 390) <= 2, `the phone frame is 390 px wide, not ${phoneWidth}`);
        await page.click('label[for="preview-width-desktop"]');
        const desktopWidth = await frameElement!.evaluate((f) => f.getBoundingClientRect().width);
        assert.ok(Math.abs(desktopWidth - 1024) <= 2, `the desktop frame is 1024 px wide, not ${desktopWidth}`);
        assert.equal(await frameElement!.evaluate((f) => (f as HTMLIFrameElement).inert && f.getAttribute('sandbox') === 'allow-same-origin'), true);
        // The page guard's own script is refused in the frame: the sandbox runs no script.
        const blocked = guard.problems.filter((p) => p.url === 'about:srcdoc' && /Blocked script execution/.test(p.text));
        assert.ok(blocked.length >= 1, 'the frame runs no script');
        guard.problems.splice(0, guard.problems.length, ...guard.problems.filter((p) => !blocked.includes(p)));
        await guard.assertClean(`preview ${where}`);
      });
    }
  }
});
