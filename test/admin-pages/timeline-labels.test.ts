// The partner page's timeline with long provider names, in Chromium at desktop and phone width, zh-CN and
// en: every name is drawn whole (each character of it, no ellipsis) left of its bars, without running
// into them or into another row, at a legible size; the page never scrolls sideways. The providers are
// declared by configuration (DENGLU_OIDC_PROVIDERS): the sandbox demo's "Example OIDC (sandbox demo)",
// which the bars used to cover, and names as long as a label may be (40 characters) that take more lines.

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ManualClock } from '../../src/clock.ts';
import { chromiumAvailable, type LaunchedBrowser } from '../browser/chromium.ts';
import type { PageGuard } from '../browser/page-guard.ts';
import { inLocale, operatorInChromium } from './admin-chromium.ts';
import { client } from '../admin/admin-client.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { jd, OPERATOR } from './admin-browser.ts';

const DECLARED = [
  { id: 'example-oidc', label: { 'zh-CN': '示例 OIDC（沙盒演示）', en: 'Example OIDC (sandbox demo)' } },
  {
    id: 'corp-sso',
    label: { 'zh-CN': '示例集团统一身份认证平台（员工、合作伙伴、外包及供应商专用的企业单点登录入口）', en: 'Example Group sign-on (staff, partners)' },
  },
].map((d) => ({
  ...d,
  issuer: `https://${d.id}.example.com`,
  clientId: 'denglu',
  scopes: ['openid'],
  colors: { background: '#3b5bdb', foreground: '#ffffff' },
}));

const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
  { width: 390, height: 844 },
] as const;
const MIN_FONT_PX = 10;

interface Drawn {
  provider: string;
  label: string;
  /** The characters drawn, whitespace aside. */
  drawn: string;
  right: number;
  top: number;
  bottom: number;
  barsLeft: number;
}

async function drawnLabels(page: Page): Promise<{ rows: Drawn[]; fontPx: number }> {
  return page.$eval('svg.timeline-svg', (el) => {
    const s = el as SVGSVGElement;
    const rows = [...s.querySelectorAll('.timeline-row')].map((row) => {
      const text = row.querySelector('text') as SVGTextElement;
      const box = text.getBBox();
      const bars = [...row.querySelectorAll('rect')].map((r) => (r as SVGRectElement).getBBox());
      return {
        provider: row.getAttribute('data-provider') ?? '',
        label: text.getAttribute('data-label') ?? '',
        drawn: (text.textContent ?? '').replace(/\s+/g, ''),
        right: box.x + box.width,
        top: Math.min(box.y, ...bars.map((b) => b.y)),
        bottom: Math.max(box.y + box.height, ...bars.map((b) => b.y + b.height)),
        barsLeft: Math.min(...bars.map((b) => b.x)),
      };
    });
    return { rows, fontPx: (s.getBoundingClientRect().width / s.viewBox.baseVal.width) * Number(s.getAttribute('font-size')) };
  });
}

describe('admin pages: long provider names on the timeline (Chromium)', function () {
  this.timeout(120_000);
  let gw: Gateway;
  let browser: LaunchedBrowser | undefined;
  let guard: PageGuard;
  let page: Page;

  before(async function () {
    if (!chromiumAvailable()) return this.skip();
    gw = await startGateway({
      clock: new ManualClock('2013-09-20T10:00:00+08:00'),
      partners: jd,
      env: { DENGLU_OIDC_PROVIDERS: JSON.stringify(DECLARED), OIDC_EXAMPLE_OIDC_CLIENT_SECRET: 'example-secret', OIDC_CORP_SSO_CLIENT_SECRET: 'corp-secret' },
    });
    for (const { id } of DECLARED) assert.equal((await client(gw, OPERATOR).put(`/partners/alpha/integrations/${id}`, {})).status, 201);
    ({ browser, guard, page } = await operatorInChromium(gw));
  });
  after(async () => {
    await browser?.close();
    await gw?.close();
  });

  for (const viewport of VIEWPORTS) {
    for (const locale of ['en', 'zh-CN'] as const) {
      const where = `${viewport.width}×${viewport.height} ${locale}`;
      it(`draws every provider name whole, left of its bars and clear of the other rows, at ${where}`, async () => {
        await page.setViewportSize(viewport);
        await inLocale(page, locale);
        await page.goto(`${gw.issuer}/admin/partners/alpha`);
        const { rows, fontPx } = await drawnLabels(page);
        assert.equal(rows.length, 7, 'weibo, qq, sohu, alipay, password and the two declared providers');
        for (const d of DECLARED) {
          const row = rows.find((r) => r.provider === d.id);
          assert.equal(row?.label, d.label[locale], `${where}: ${d.id} is labelled in the page language`);
        }
        for (const r of rows) {
          assert.equal(r.drawn, r.label.replace(/\s+/g, ''), `${where}: ${r.provider} drawn whole`);
          assert.ok(r.right <= r.barsLeft - 2, `${where}: "${r.label}" ends at ${r.right.toFixed(1)}, into its bars at ${r.barsLeft}`);
        }
        rows.forEach((r, i) => {
          if (i > 0) assert.ok(r.top >= rows[i - 1]!.bottom, `${where}: "${r.label}" overlaps the row above`);
        });
        assert.ok(fontPx >= MIN_FONT_PX, `${where}: the names render at ${fontPx.toFixed(1)} px`);
        const scroll = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(scroll <= 0, `${where}: the page scrolls ${scroll} px sideways`);
        await guard.assertClean(`timeline ${where}`);
      });
    }
  }
});
