// The new providers on every page that offers a way to sign in, as the sandbox seeds its shops
// (config/sandbox-seed.ts): the chooser (Taobao), the notice interstitial and the migration page (JD's
// Weibo notice and grace in September 2013), and the account page (link buttons and linked identities),
// in zh-CN and in English, each with the provider's own label and its `provider-<id>` class, whose colours
// the providers stylesheet draws from the descriptor.

import assert from 'node:assert/strict';
import { sandboxPartners } from '../../config/sandbox-seed.ts';
import { DESCRIPTORS } from '../../providers/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { accountPage, browserIn, linkWith, openConsole } from '../account/account-support.ts';
import type { Page } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, loginWith, startGateway, type Gateway } from '../support/gateway.ts';

/** The providers issue 15 adds, with the labels a shopper must read (not read back from the descriptors). */
const NEW_PROVIDERS: { id: string; label: { 'zh-CN': string; en: string } }[] = [
  { id: 'wechat', label: { 'zh-CN': '微信', en: 'WeChat' } },
  { id: 'alipay', label: { 'zh-CN': '支付宝', en: 'Alipay' } },
];
const LOCALES = ['zh-CN', 'en'] as const;

const JD = 'jd-demo-shop';
const TAOBAO = 'taobao-demo-shop';

/** A `provider-<id>` button or link on `page` whose text names the provider's label. */
function assertOffered(page: Page, id: string, label: string, where: string): void {
  const button = new RegExp(`class="provider-button provider-${id}"[^>]*>[^<]*${label}`);
  assert.match(page.html, button, `${where}: ${label} offered with its own class`);
}

describe('story: WeChat and Alipay on every page that offers a way in, in zh-CN and en', function () {
  let gw: Gateway;
  let clock: ManualClock;
  before(async () => {
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    gw = await startGateway({ clock, partners: () => sandboxPartners({ jd: 'https://jd.demo-shop.test', taobao: 'https://taobao.demo-shop.test' }) });
    // Weibo shoppers of JD from before its notice, one per locale and page.
    for (const locale of LOCALES) {
      for (const page of ['notice', 'migrate']) await loginWith(gw, browserIn(locale), JD, 'weibo', `${page}-${locale}`);
    }
  });
  after(() => gw.close());

  it("the providers stylesheet gives each its descriptor's colours", async () => {
    const css = await (await fetch(`${gw.issuer}/static/providers.css`)).text();
    for (const { id } of NEW_PROVIDERS) {
      const colors = DESCRIPTORS.find((d) => d.id === id)!.colors;
      assert.ok(css.toLowerCase().includes(`.provider-${id}{background:${colors.background};color:${colors.foreground}}`.toLowerCase()), `${id}'s rule`);
    }
  });

  for (const locale of LOCALES) {
    it(`${locale}: Taobao's chooser`, async () => {
      const shop = gw.shops[TAOBAO]!;
      const chooser = await browserIn(locale).go((await authRequest(shop)).url, { stopAt: atShop(shop) });
      for (const p of NEW_PROVIDERS) assertOffered(chooser, p.id, p.label[locale], 'chooser');
    });

    it(`${locale}: JD's notice interstitial (Weibo ending) offers to link them`, async () => {
      clock.set('2013-09-20T10:00:00+08:00');
      const shop = gw.shops[JD]!;
      const browser = browserIn(locale);
      const atWeibo = await browser.go((await authRequest(shop, { provider: 'weibo' })).url, { stopAt: atShop(shop) });
      const notice = await approveAtProvider(browser, atWeibo, `notice-${locale}`, shop);
      assert.ok(notice.url.pathname.endsWith('/notice'), `the notice page, not ${notice.url.href}`);
      for (const p of NEW_PROVIDERS) assertOffered(notice, p.id, p.label[locale], 'notice');
    });

    it(`${locale}: JD's migration page (Weibo in grace) offers them`, async () => {
      clock.set('2013-10-01T10:00:00+08:00');
      const shop = gw.shops[JD]!;
      const browser = browserIn(locale);
      const chooser = await browser.go((await authRequest(shop)).url, { stopAt: atShop(shop) });
      const atWeibo = await browser.click(chooser, '/migrate/weibo', atShop(shop));
      const migrate = await approveAtProvider(browser, atWeibo, `migrate-${locale}`, shop);
      assert.equal(migrate.status, 200);
      assert.match(migrate.html, locale === 'en' ? /Keep your JD\.com \(demo\) account/ : /京东（演示）/);
      for (const p of NEW_PROVIDERS) assertOffered(migrate, p.id, p.label[locale], 'migration');
    });

    it(`${locale}: the account page offers to link them, and lists them once linked`, async () => {
      clock.set('2013-09-01T10:00:00+08:00');
      const browser = browserIn(locale);
      const page = await openConsole(gw, browser, 'weibo', `account-${locale}`);
      for (const p of NEW_PROVIDERS) assertOffered(page, p.id, p.label[locale], 'account page');
      for (const p of NEW_PROVIDERS) await linkWith(gw, browser, p.id, `account-${locale}-${p.id}`);
      const linked = await accountPage(gw, browser);
      for (const p of NEW_PROVIDERS) {
        assert.match(linked.html, new RegExp(`data-identity="${p.id}"[\\s\\S]*?<strong>${p.label[locale]}</strong>`), `${p.id} listed by its label`);
      }
    });
  }
});
