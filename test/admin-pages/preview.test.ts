// The preview is the shoppers' page: at the JD case's instants (notice on 20 September, grace on 26
// September, after grace on 26 October 2013), in zh-CN and en, the page inside the admin preview's
// frame is the chooser a shopper opening alpha's login at that instant gets — the same title, lead,
// buttons, notice notes, "used Weibo before?" link, password form and cancel button — apart from the
// interaction's own id, CSRF token and request id.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { TestBrowser, type Page } from '../support/browser.ts';
import { atShop, authRequest, startGateway, type Gateway } from '../support/gateway.ts';
import { adminBrowser, jd, OPERATOR, previewFrame, signIn } from './admin-browser.ts';

/** The page's `<main>`, without what belongs to one interaction (its id, CSRF token). */
function mainOf(html: string): string {
  const main = /<main[\s\S]*?<\/main>/.exec(html)?.[0];
  if (!main) throw new Error(`no <main> in ${html.slice(0, 200)}`);
  return (
    main
      .replace(/\/interaction\/[^/"]+\//g, '/interaction/UID/')
      // "Forgot password?" carries the sign-in's path, URL-encoded.
      .replace(/%2Finteraction%2F[^"&]+/g, '%2Finteraction%2FUID')
      .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""')
  );
}

/** The visible words of a page part, one line per text run. */
const words = (html: string): string[] =>
  html
    .replace(/<[^>]+>/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

describe('admin pages: the preview is the page shoppers see', () => {
  let gw: Gateway;
  const clock = new ManualClock('2013-09-20T10:00:00+08:00');

  before(async () => {
    gw = await startGateway({ clock, partners: jd });
  });
  after(async () => {
    await gw.close();
  });

  /** The operator signed in now (admin sessions last 8 hours of the gateway clock, which jumps here). */
  async function admin(locale: 'zh-CN' | 'en'): Promise<TestBrowser> {
    const browser = adminBrowser(locale);
    await signIn(gw, browser, 'operator', OPERATOR);
    return browser;
  }

  async function shopperChooser(locale: 'zh-CN' | 'en'): Promise<Page> {
    const shopper = new TestBrowser();
    shopper.acceptLanguage = locale === 'en' ? 'en-GB,en;q=0.9' : 'zh-CN,zh;q=0.9';
    const shop = gw.shops['alpha-basic']!;
    const chooser = await shopper.go((await authRequest(shop)).url, { stopAt: atShop(shop) });
    assert.equal(chooser.status, 200);
    assert.match(chooser.url.pathname, /^\/interaction\//);
    return chooser;
  }

  const instants = [
    { at: '2013-09-20T10:00+08:00', what: 'notice', expect: /data-notice="weibo"/ },
    { at: '2013-09-26T10:00+08:00', what: 'grace', expect: /data-migrate="weibo"/ },
    { at: '2013-10-26T10:00+08:00', what: 'after grace', expect: /data-provider="qq"/ },
  ];
  for (const { at, what, expect } of instants) {
    for (const locale of ['zh-CN', 'en'] as const) {
      it(`${what} (${at}), ${locale}: the preview frame holds the shopper's chooser`, async () => {
        clock.set(at);
        const chooser = await shopperChooser(locale);
        const preview = await (await admin(locale)).go(`${gw.issuer}/admin/partners/alpha/preview?at=${encodeURIComponent(at)}&locale=${locale}`);
        assert.equal(preview.status, 200);
        const frame = previewFrame(preview);
        assert.match(frame, expect);
        assert.equal(mainOf(frame), mainOf(chooser.html), 'the same markup, provider by provider');
        assert.deepEqual(words(mainOf(frame)), words(mainOf(chooser.html)));
        assert.match(frame, new RegExp(`<html lang="${locale}">`));
      });
    }
  }

  it('previews another instant than now: the frame follows the date asked, not the clock', async () => {
    clock.set('2013-09-20T10:00+08:00');
    const grace = await (await admin('en')).go(`${gw.issuer}/admin/partners/alpha/preview?at=${encodeURIComponent('2013-09-26T10:00+08:00')}&locale=en`);
    const frame = previewFrame(grace);
    assert.match(frame, /data-migrate="weibo"/);
    assert.doesNotMatch(frame, /data-provider="weibo"/);
    const now = await shopperChooser('en');
    assert.match(now.html, /data-provider="weibo"/, 'shoppers still see the Weibo button today');
  });
});
