// The account page in both languages: a sign-in prompt when signed out; signed in, the linked identities
// (provider, display name, avatar, when linked, last used), the shops used, and each identity's status
// at each of those shops on the domain clock — "stops at Alpha Shop on 25 September 2013 at 00:00 (Beijing time)" where a cutoff
// is scheduled, "works at …" otherwise.

import assert from 'node:assert/strict';
import { decode, type TestBrowser } from '../support/browser.ts';
import { loginWith, startGateway, type Gateway } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import type { PartnerSeed } from '../../src/partners/partners.ts';
import { accountOf, accountPage, browserIn, eventsOn, identitiesOn, linkWith, mustAccountOf, openConsole } from './account-support.ts';

const at = (iso: string) => Date.parse(iso);

/** Alpha ends Weibo on 25 September 2013 (notice from the 10th); Beta keeps everything. */
function weiboEndsAtAlpha(partners: PartnerSeed[]): PartnerSeed[] {
  return partners.map((p) =>
    p.id !== 'alpha'
      ? p
      : {
          ...p,
          integrations: p.integrations.map((i) =>
            i.provider === 'weibo' ? { ...i, noticeAt: at('2013-09-10T00:00:00+08:00'), cutoffAt: at('2013-09-25T00:00:00+08:00') } : i,
          ),
        },
  );
}

/** The text of the `<li>` of one identity on the account page. */
function identityBlock(html: string, provider: string): string {
  const m = new RegExp(`<li class="identity" data-identity="${provider}">([\\s\\S]*?)</form>`).exec(html);
  assert.ok(m, `an identity entry for ${provider}`);
  return decode(m[1]!);
}

function statuses(block: string): string[] {
  return [...block.matchAll(/<li class="status-[\w-]+">([^<]*)<\/li>/g)].map((m) => m[1]!);
}

function shopLines(html: string): string[] {
  const list = /<ul class="shops">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...list.matchAll(/<li><strong>([^<]*)<\/strong> — ([^<]*)<\/li>/g)].map((m) => `${m[1]} — ${decode(m[2]!)}`);
}

describe('account console: the account page', function () {
  let gw: Gateway;
  let clock: ManualClock;

  before(async () => {
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    gw = await startGateway({ clock, partners: weiboEndsAtAlpha });
  });
  after(async () => {
    await gw.close();
  });

  /**
   * page-fan's history, made once (the later tests read it, and each also runs alone): 1 Sep, Alpha with
   * Weibo (the account is created); 3 Sep, a fresh console sign-in, QQ linked; 4 Sep, Beta with QQ from
   * another browser. Leaves the clock on 4 September.
   */
  async function ensurePageFan(shopper: TestBrowser = browserIn('en')): Promise<void> {
    if (await accountOf(gw, 'weibo', 'page-fan')) return;
    clock.set('2013-09-01T10:00:00+08:00');
    await loginWith(gw, shopper, 'alpha-basic', 'weibo', 'page-fan');
    clock.set('2013-09-03T10:00:00+08:00');
    await openConsole(gw, shopper, 'weibo', 'page-fan', true);
    const linked = await linkWith(gw, shopper, 'qq', 'page-fan-qq');
    assert.equal(linked.url.search, '?notice=linked&provider=qq');
    clock.set('2013-09-04T10:00:00+08:00');
    await loginWith(gw, browserIn('en'), 'beta-basic', 'qq', 'page-fan-qq');
  }

  it('signed out, in English and in Chinese: a sign-in prompt leading to the console sign-in', async () => {
    const en = await browserIn('en').go(`${gw.issuer}/account`);
    assert.equal(en.status, 200);
    assert.match(en.html, /<html lang="en">/);
    assert.match(en.html, /Sign in to see and manage the ways you sign in\./);
    assert.match(en.html, /href="\/account\/login"/);
    assert.doesNotMatch(en.html, /data-identity=/);
    const zh = await browserIn('zh-CN').go(`${gw.issuer}/account`);
    assert.equal(zh.status, 200);
    assert.match(zh.html, /<html lang="zh-CN">/);
    assert.match(zh.html, /登录后可以查看和管理您的登录方式。/);
    // The sign-in is an authorization for Denglu's own client.
    const login = await browserIn('en').request('GET', `${gw.issuer}/account/login`);
    const auth = new URL(login.headers.get('location')!);
    assert.equal(auth.pathname, '/auth');
    assert.equal(auth.searchParams.get('client_id'), 'denglu-account');
    assert.equal(auth.searchParams.get('prompt'), null, 'an ordinary sign-in may use single sign-on');
  });

  it("signed in: identities with name, avatar and dates, the shops used, and each identity's status there (en)", async () => {
    const shopper = browserIn('en');
    await ensurePageFan(shopper);

    const page = await accountPage(gw, shopper);
    const account = await mustAccountOf(gw, 'weibo', 'page-fan');
    assert.deepEqual(identitiesOn(page), ['weibo', 'qq']);
    const weibo = account.identities.find((i) => i.provider === 'weibo')!;
    const qq = account.identities.find((i) => i.provider === 'qq')!;
    assert.ok(weibo.avatar && qq.avatar, 'the emulators hand out avatars');

    const w = identityBlock(page.html, 'weibo');
    assert.ok(w.includes(`<strong>Weibo</strong> · ${weibo.displayName}`), w);
    assert.ok(w.includes(`<img class="avatar" src="${weibo.avatar}"`), 'the Weibo avatar');
    assert.ok(w.includes('linked 1 September 2013 · last used 3 September 2013'), w);
    assert.deepEqual(statuses(w), ['stops at Alpha Shop on 25 September 2013 at 00:00 (Beijing time)', 'works at Beta Shop']);

    const q = identityBlock(page.html, 'qq');
    assert.ok(q.includes(`<strong>QQ</strong> · ${qq.displayName}`), q);
    assert.ok(q.includes(`<img class="avatar" src="${qq.avatar}"`), 'the QQ avatar');
    assert.ok(q.includes('linked 3 September 2013 · last used 4 September 2013'), q);
    assert.deepEqual(statuses(q), ['works at Alpha Shop', 'works at Beta Shop']);

    // Only the shops used, never Denglu's own console partner.
    assert.deepEqual(shopLines(page.html), ['Alpha Shop — last 1 September 2013 (Weibo)', 'Beta Shop — last 4 September 2013 (QQ)']);
    assert.deepEqual(eventsOn(page), ['linked QQ']);
    assert.match(page.html, /href="\/session\/end\?client_id=denglu-account&amp;/, 'a way to sign out');
  });

  it('the same page in Chinese, with dates and shop names in Chinese', async () => {
    await ensurePageFan();
    clock.set('2013-09-04T10:00:00+08:00');
    const shopper = browserIn('zh-CN');
    await openConsole(gw, shopper, 'weibo', 'page-fan'); // on 4 September: Weibo's "last used" moves
    const page = await accountPage(gw, shopper);
    assert.match(page.html, /<html lang="zh-CN">/);
    const w = identityBlock(page.html, 'weibo');
    assert.ok(w.includes('<strong>微博</strong>'), w);
    assert.ok(w.includes('绑定于2013年9月1日 · 最近使用2013年9月4日'), w);
    assert.deepEqual(statuses(w), ['9月25日 0:00（北京时间）起在阿尔法商店停止', '可以登录贝塔商店']);
    assert.deepEqual(statuses(identityBlock(page.html, 'qq')), ['可以登录阿尔法商店', '可以登录贝塔商店']);
    assert.deepEqual(shopLines(page.html), ['阿尔法商店 — 最近登录2013年9月1日（微博）', '贝塔商店 — 最近登录2013年9月4日（QQ）']);
    assert.deepEqual(eventsOn(page), ['绑定了QQ']);
  });

  it('statuses follow the domain clock: after the cutoff Weibo has ended at Alpha Shop', async () => {
    await ensurePageFan();
    clock.set('2013-09-26T10:00:00+08:00');
    const shopper = browserIn('en');
    await openConsole(gw, shopper, 'qq', 'page-fan-qq');
    const page = await accountPage(gw, shopper);
    assert.deepEqual(statuses(identityBlock(page.html, 'weibo')), ['stopped at Alpha Shop on 25 September 2013 at 00:00 (Beijing time)', 'works at Beta Shop']);
  });

  it('is reachable from other Denglu pages (the header links to it)', async () => {
    const home = await browserIn('en').go(`${gw.issuer}/`);
    assert.match(home.html, /<a class="account-link" href="\/account">Sign-in settings<\/a>/);
  });
});
