// The pure decisions behind the shopper pages' look: contrast (WCAG), which logos are accepted, the
// notice's natural dates with the zone in words, and the language choice (switch cookie, zh-TW choice).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DESCRIPTORS } from '../../providers/index.ts';
import { PASSWORD_DESCRIPTOR } from '../../src/accounts/password-method.ts';
import { AA, contrastRatio, readableBackground, readableText } from '../../src/partners/contrast.ts';
import { providerRules } from '../../src/http/provider-styles.ts';
import { shopHeader } from '../../src/http/shop-header.ts';
import { chosenLocale, needsLanguageChoice, pickLocale } from '../../src/i18n/locale.ts';
import { accentOf, LOGO_MAX_BYTES, parseLogo } from '../../src/partners/brand.ts';
import { noticeShort, noticeText } from '../../src/partners/notice-text.ts';
import type { Partner } from '../../src/partners/partner.ts';
import { naturalInstant } from '../../src/time/natural-date.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const svg = (body: string) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8">${body}</svg>`).toString('base64');

describe('look: contrast', () => {
  it('computes WCAG ratios (white on black 21:1, on white 1:1)', () => {
    assert.equal(Math.round(contrastRatio('#000000', '#ffffff')), 21);
    assert.equal(contrastRatio('#fff', '#ffffff'), 1);
  });

  it("QQ's #12B7F5 under white text (2.3:1) is deepened until it reaches 4.5:1; colours that read stay", () => {
    assert.ok(contrastRatio('#12B7F5', '#FFFFFF') < 2.5);
    const qq = readableBackground('#12B7F5', '#FFFFFF');
    assert.notEqual(qq.toLowerCase(), '#12b7f5');
    assert.ok(contrastRatio(qq, '#FFFFFF') >= AA);
    assert.equal(readableBackground('#1d2330', '#ffffff'), '#1d2330');
  });

  it('every provider button in the stylesheet reaches AA and has a mark', () => {
    for (const d of [...DESCRIPTORS, PASSWORD_DESCRIPTOR]) {
      const css = providerRules(d);
      const [, bg, fg] = /background:(#[0-9a-f]+);color:(#[0-9a-fA-F]+)/i.exec(css) ?? [];
      assert.ok(bg && fg, `${d.id}: ${css}`);
      assert.ok(contrastRatio(bg, fg) >= AA, `${d.id}: ${bg} on ${fg} is ${contrastRatio(bg, fg).toFixed(2)}:1`);
      const mark = readFileSync(new URL(`../../views/static/marks/${d.id}.svg`, import.meta.url));
      assert.ok(css.includes(`url("data:image/svg+xml;base64,${mark.toString('base64')}")`), `${d.id} has its own mark`);
    }
  });

  it("every provider's own colours (which shops drawing their own buttons use) reach AA", () => {
    for (const d of [...DESCRIPTORS, PASSWORD_DESCRIPTOR]) {
      assert.ok(contrastRatio(d.colors.background, d.colors.foreground) >= AA, `${d.id}: ${d.colors.foreground} on ${d.colors.background}`);
    }
  });

  it('text on a shop colour is white or near-black, whichever reads (and the accent is deepened if neither reaches 4.5:1)', () => {
    assert.equal(readableText('#ffd100'), '#1d2330');
    assert.equal(readableText('#e1251b'), '#ffffff');
    const orange = accentOf({ brand: { colour: '#ff5000' } } as Partner)!;
    assert.ok(contrastRatio(orange.accent, orange.text) >= AA, JSON.stringify(orange));
    assert.equal(accentOf({ brand: { colour: 'red' } } as unknown as Partner), undefined);
  });
});

describe('look: the shop header', () => {
  const shop = {
    id: 'jd',
    name: { 'zh-CN': '京东', en: 'JD.com' },
    clients: [{ redirect_uris: ['https://www.jd.test/cb'] }, { redirect_uris: ['https://m.jd.test/oauth/cb'] }],
    brand: { colour: '#e1251b' },
  } as unknown as Partner;

  it('leads back to the site the shop sent the shopper from, when that redirect URI is registered; else its first registered one', () => {
    assert.equal(shopHeader(shop, 'zh-CN', 'https://m.jd.test/oauth/cb').home, 'https://m.jd.test/');
    assert.equal(shopHeader(shop, 'zh-CN', 'https://evil.test/cb').home, 'https://www.jd.test/');
    assert.equal(shopHeader(shop, 'en').home, 'https://www.jd.test/');
  });

  it('names the shop in the page language, with its accent stylesheet and no logo it does not have', () => {
    const h = shopHeader(shop, 'en');
    assert.equal(h.name, 'JD.com');
    assert.equal(h.initial, 'J');
    assert.equal(h.style, '/brand/jd/style.css');
    assert.equal(h.logo, undefined);
  });
});

describe('look: logos', () => {
  it('accepts a PNG or a drawing SVG as a data URL or bare base64, typed by content', () => {
    const png = parseLogo(`data:image/png;base64,${PNG.toString('base64')}`);
    assert.ok(png.ok && png.type === 'image/png');
    const bare = parseLogo(svg('<rect width="8" height="8" fill="#e1251b"/><use href="#a"/>'));
    assert.ok(bare.ok && bare.type === 'image/svg+xml', JSON.stringify(bare));
    assert.ok(bare.ok && bare.dataUrl.startsWith('data:image/svg+xml;base64,'));
  });

  const refused: [string, string, RegExp][] = [
    ['script', `data:image/svg+xml;base64,${svg('<script>alert(1)</script>')}`, /<script>/],
    ['script with a namespace prefix', svg('<svg:script>alert(1)</svg:script>'), /<script>/],
    ['event handler', svg('<rect onload="alert(1)"/>'), /event handler/],
    ['foreignObject', svg('<foreignObject><p>x</p></foreignObject>'), /foreignObject/],
    ['external image', svg('<image href="https://evil.test/x.png"/>'), /link to another document/],
    ['css url', svg('<style>rect{fill:url(https://evil.test/x)}</style>'), /url\(\)/],
    ['a GIF', `data:image/gif;base64,${Buffer.from('GIF89a....').toString('base64')}`, /PNG or an SVG/],
    ['a lie about the type', `data:image/svg+xml;base64,${PNG.toString('base64')}`, /says image\/svg\+xml but its content is image\/png/],
    ['too large', Buffer.concat([PNG, Buffer.alloc(LOGO_MAX_BYTES)]).toString('base64'), /at most 20 KiB/],
    ['not base64', 'hello world!', /data URL/],
  ];
  for (const [what, input, message] of refused) {
    it(`refuses ${what}`, () => {
      const r = parseLogo(input);
      assert.equal(r.ok, false);
      assert.match((r as { message: string }).message, message);
    });
  }
});

describe('look: notice dates', () => {
  const cutoff = Date.parse('2013-09-25T00:00:00+08:00');
  const now = Date.parse('2013-09-20T10:00:00+08:00');
  const jd = { id: 'jd', name: { 'zh-CN': '京东', en: 'JD.com' }, timeZone: 'Asia/Shanghai' } as Partner;
  const weibo = { provider: 'weibo', cutoffAt: cutoff, newAccountsDuringNotice: true, atCutoff: 'keep' as const };
  const label = { 'zh-CN': '微博', en: 'Weibo' };

  it('says from when sign-in stops, in natural Chinese and English, with the zone in words', () => {
    assert.equal(naturalInstant(cutoff, 'Asia/Shanghai', 'zh-CN', now), '9月25日 0:00（北京时间）');
    assert.equal(naturalInstant(cutoff, 'Asia/Shanghai', 'zh-CN', Date.parse('2014-01-01T00:00:00Z')), '2013年9月25日 0:00（北京时间）');
    assert.equal(naturalInstant(cutoff, 'Asia/Shanghai', 'en', now), '25 September 2013 at 00:00 (Beijing time)');
    assert.equal(
      noticeText(jd, weibo, label, 'zh-CN', now),
      '京东将于9月25日 0:00（北京时间）起停止支持微博登录。请现在绑定另一种登录方式，以后仍可用同一个京东账号登录。',
    );
    assert.match(noticeText(jd, weibo, label, 'en', now)!, /^Weibo sign-in stops at JD\.com on 25 September 2013 at 00:00 \(Beijing time\)\./);
    assert.match(noticeText(jd, weibo, label, 'en', cutoff + 1)!, /^Weibo sign-in stopped at JD\.com on 25 September/);
    assert.equal(noticeShort(jd, weibo, 'zh-CN', now), '9月25日 0:00（北京时间）起停止');
  });

  it('names other zones by their own localized name, never as a bare UTC offset', () => {
    const berlin = naturalInstant(cutoff, 'Europe/Berlin', 'en', now);
    assert.equal(berlin, '24 September 2013 at 18:00 (Central European Summer Time)');
    assert.doesNotMatch(naturalInstant(cutoff, 'Europe/Berlin', 'zh-CN', now), /UTC|GMT/);
  });
});

describe('look: language choice', () => {
  it("the shopper's switch wins over the shop's ui_locales and the browser", () => {
    assert.equal(pickLocale({ uiLocales: 'zh-CN', acceptLanguage: 'zh-CN', chosen: 'en' }), 'en');
    assert.equal(chosenLocale('a=1; denglu_locale=en; b=2'), 'en');
    assert.equal(chosenLocale('denglu_locale=fr'), undefined);
    assert.equal(chosenLocale('denglu_locale=%E0'), undefined, 'a malformed value is no choice, not an error');
    assert.equal(pickLocale({ uiLocales: 'en', acceptLanguage: 'zh-CN' }), 'en');
  });

  it('a Traditional Chinese browser gets a visible choice until it makes one; Simplified Chinese and English do not', () => {
    for (const header of ['zh-TW,zh;q=0.9', 'zh-HK', 'zh-Hant-TW,en;q=0.5', 'en;q=0.1, zh-MO'])
      assert.equal(needsLanguageChoice(header, undefined), true, header);
    for (const header of ['zh-CN', 'en-US,zh-TW;q=0.5', 'zh', 'fr']) assert.equal(needsLanguageChoice(header, undefined), false, header);
    assert.equal(needsLanguageChoice('zh-TW', 'denglu_locale=zh-CN'), false);
    assert.equal(pickLocale({ acceptLanguage: 'zh-TW' }), 'zh-CN');
  });
});
