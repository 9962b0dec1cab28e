// The wrong-account traps around a cutoff (issue 13 §1), end to end at the JD case's instants: alpha
// plays JD (Weibo in notice from 10 September 2013, cut off 25 September, grace until 25 October; QQ,
// Sohu and the password stay). No visible action leads into a different or new shop account without
// saying so: a link conflict keeps the sign-in in progress; a new identity at a shop where Weibo is
// ending is asked "have you signed in before?" (held server-side) and a new account is made only after
// "No, create a new account"; "used Weibo before?" without an account says what happens instead; the
// notice and migration pages offer Denglu's own methods too; after grace the account page still recovers
// the account; the consent page at a third-party shop says who is signed in and lets them switch.

import assert from 'node:assert/strict';
import { TestBrowser, type Page } from '../support/browser.ts';
import {
  approveAtProvider,
  atShop,
  authRequest,
  loginWith,
  redeem,
  startGateway,
  type AuthRequest,
  type Gateway,
  type TestShop,
  e2eClientId,
} from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Account } from '../../src/accounts/account.ts';
import type { PartnerSeed } from '../../src/partners/partners.ts';
import { linkWith, openConsole } from '../account/account-support.ts';

const at = (iso: string) => Date.parse(iso);
const BEFORE = '2013-09-01T10:00:00+08:00';
const IN_NOTICE = '2013-09-20T10:00:00+08:00';
const IN_GRACE = '2013-10-01T10:00:00+08:00';
const AFTER_GRACE = '2013-10-26T10:00:00+08:00';

function jd(seeds: PartnerSeed[]): PartnerSeed[] {
  return seeds.map((p) => ({
    ...p,
    integrations: p.integrations.map((i) =>
      i.provider === 'weibo' && p.id === 'alpha'
        ? { ...i, noticeAt: at('2013-09-10T00:00:00+08:00'), cutoffAt: at('2013-09-25T00:00:00+08:00'), graceEndsAt: at('2013-10-25T00:00:00+08:00') }
        : i,
    ),
  }));
}

describe('e2e: no wrong-account traps around the JD cutoff', function () {
  let gw: Gateway;
  let clock: ManualClock;
  let shop: TestShop;
  before(async () => {
    clock = new ManualClock(BEFORE);
    gw = await startGateway({ clock, partners: jd });
    shop = gw.shops['alpha-basic']!;
  });
  after(async () => {
    await gw.close();
  });

  function browser(lang: 'en' | 'zh-CN' = 'en'): TestBrowser {
    const b = new TestBrowser();
    b.acceptLanguage = lang === 'en' ? 'en' : 'zh-CN,zh;q=0.9';
    return b;
  }

  async function accountOf(provider: string, login: string): Promise<Account | undefined> {
    const key = gw.emulators[provider]!.emulator.identityKeysFor(login, e2eClientId(provider))[0]!;
    return (await gw.store.findOne<Account>('accounts', 'identity', key))?.value;
  }

  /** A shopper made before the notice (the story's Weibo shopper); returns their sub at alpha. */
  async function madeBefore(provider: string, login: string): Promise<string> {
    const now = clock.now();
    clock.set(BEFORE);
    try {
      return String((await loginWith(gw, new TestBrowser(), 'alpha-basic', provider, login)).claims.sub);
    } finally {
      clock.set(now);
    }
  }

  async function open(b: TestBrowser, params: Record<string, string> = {}): Promise<{ request: AuthRequest; page: Page }> {
    const request = await authRequest(shop, params);
    return { request, page: await b.go(request.url, { stopAt: atShop(shop) }) };
  }

  const subOf = async (page: Page, request: AuthRequest) => {
    assert.equal(page.status, 0, `back at the shop, not ${page.status} ${page.url.href}\n${page.html.slice(0, 400)}`);
    return (await redeem(shop, page.url, request)).claims()!;
  };

  describe('link conflict', () => {
    it('in notice: linking a QQ that is another account’s keeps the Weibo sign-in as the main action; "link a different QQ" keeps the same sub', async () => {
      const sub = await madeBefore('weibo', 'lc-weibo');
      await madeBefore('qq', 'lc-someone-elses-qq');
      clock.set(IN_NOTICE);
      const b = browser();
      const { request, page } = await open(b, { provider: 'weibo' });
      const notice = await approveAtProvider(b, page, 'lc-weibo', shop);
      assert.match(notice.url.pathname, /\/notice$/);
      const conflict = await approveAtProvider(b, await b.click(notice, '/link/qq', atShop(shop)), 'lc-someone-elses-qq', shop);
      assert.equal(conflict.status, 409);
      assert.match(conflict.html, /<h1 data-link-conflict="qq">This QQ account belongs to another account<\/h1>/);
      assert.doesNotMatch(conflict.html, /Sign-in did not complete|Try QQ again/);
      assert.match(conflict.html, /<button type="submit" class="primary" data-action="continue">Continue to Alpha Shop with Weibo \(same account\)<\/button>/);
      assert.match(conflict.html, /data-leads-elsewhere="1">Careful: signing in with this QQ account leads into a different Alpha Shop account/);
      assert.deepEqual(
        (await accountOf('weibo', 'lc-weibo'))!.identities.map((i) => i.provider),
        ['weibo'],
        'nothing linked',
      );
      // "Link a different QQ account": QQ asked to sign in again; the new QQ joins the same account.
      const again = await b.click(conflict, '/link/qq?another=1', atShop(shop));
      assert.ok(again.url.href.startsWith(gw.emulators.qq!.url));
      const back = await approveAtProvider(b, again, 'lc-my-own-qq', shop);
      const claims = await subOf(back, request);
      assert.equal(claims.sub, sub, 'the same shop account');
      assert.equal((await accountOf('qq', 'lc-my-own-qq'))!.id, (await accountOf('weibo', 'lc-weibo'))!.id);
    });

    it('in notice: "continue" from the conflict page finishes the held sign-in as the same account (zh-CN copy)', async () => {
      const sub = await madeBefore('weibo', 'lc2-weibo');
      await madeBefore('qq', 'lc2-other-qq');
      clock.set('2013-09-21T10:00:00+08:00');
      const b = browser('zh-CN');
      const { request, page } = await open(b, { provider: 'weibo' });
      const notice = await approveAtProvider(b, page, 'lc2-weibo', shop);
      const conflict = await approveAtProvider(b, await b.click(notice, '/link/qq', atShop(shop)), 'lc2-other-qq', shop);
      assert.match(conflict.html, /<h1 data-link-conflict="qq">这个QQ账号已经属于另一个账号<\/h1>/);
      assert.match(conflict.html, /继续用微博登录阿尔法商店（账号不变）/);
      const back = await b.submit(conflict, {}, '/continue', atShop(shop));
      assert.equal((await subOf(back, request)).sub, sub);
    });
  });

  describe('failures inside a held sign-in', () => {
    it('Sohu refused while linking to the held Weibo sign-in: "try again" repeats the link, "another way" goes back to the notice, never a Sohu sign-in', async () => {
      await madeBefore('weibo', 'hf-weibo');
      clock.set('2013-09-23T10:00:00+08:00');
      const b = browser();
      const { page } = await open(b, { provider: 'weibo' });
      const notice = await approveAtProvider(b, page, 'hf-weibo', shop);
      const refused = await approveAtProvider(b, await b.click(notice, '/link/sohu', atShop(shop)), 'hf-sohu', shop, 'deny');
      assert.ok(refused.status >= 400, `a failure page, got ${refused.status}`);
      const actions = [...(/<div class="actions">([\s\S]*?)<\/div>/.exec(refused.html)?.[1] ?? '').matchAll(/(?:href|action)="([^"]*)"/g)].map((m) => m[1]!);
      assert.match(actions[0]!, /^\/interaction\/[^/]+\/link\/sohu$/, `try again links Sohu again: ${actions.join(' ')}`);
      assert.ok(
        actions.some((a) => /\/notice$/.test(a)),
        'another way: back to the notice',
      );
      assert.ok(!actions.some((a) => a.includes('/start/')), 'no plain sign-in');
      assert.doesNotMatch(refused.html, /data-provider="/, 'no sign-in buttons');
    });
  });

  describe('first broker login: "have you signed in before?"', () => {
    it('in notice: a QQ never seen is held, asked, and "yes — sign in with Weibo" links it to the Weibo account (same sub)', async () => {
      const sub = await madeBefore('weibo', 'fbl-weibo');
      clock.set(IN_NOTICE);
      const b = browser();
      const { request, page } = await open(b, { provider: 'qq' });
      const accounts = await gw.store.count('accounts');
      const asked = await approveAtProvider(b, page, 'fbl-new-qq', shop);
      assert.equal(asked.status, 200);
      assert.match(asked.url.pathname, /\/first-login$/);
      assert.match(asked.html, /<h1 data-first-login="1">Have you signed in to Alpha Shop before with Weibo\?<\/h1>/);
      assert.match(asked.html, /data-signed-in-before="weibo">Yes — sign in with Weibo to keep your account</);
      assert.match(asked.html, /data-create-new="1">No, create a new Alpha Shop account with QQ</);
      assert.equal(await gw.store.count('accounts'), accounts, 'nothing created while asking');
      assert.equal(await accountOf('qq', 'fbl-new-qq'), undefined);
      assert.ok(!b.jar.getCookiesSync(gw.issuer).some((c) => c.value.includes('fbl-new-qq')), 'the identity is held server-side, not in a cookie');
      const atWeibo = await b.click(asked, '/start/weibo', atShop(shop));
      const back = await approveAtProvider(b, atWeibo, 'fbl-weibo', shop);
      const claims = await subOf(back, request);
      assert.equal(claims.sub, sub, 'the old shop account');
      assert.equal(claims.idp, 'qq', 'finished with the new way, which is now linked');
      assert.equal((await accountOf('qq', 'fbl-new-qq'))!.id, (await accountOf('weibo', 'fbl-weibo'))!.id);
      assert.equal((await loginWith(gw, new TestBrowser(), 'alpha-basic', 'qq', 'fbl-new-qq')).claims.sub, sub, 'QQ alone now');
    });

    it('in grace: "yes — recover your account with Weibo (until …)" is the migration round trip, then straight to the shop as the same account', async () => {
      const sub = await madeBefore('weibo', 'fbl-grace-weibo');
      clock.set(IN_GRACE);
      const b = browser();
      const { request, page } = await open(b, { provider: 'qq' });
      const asked = await approveAtProvider(b, page, 'fbl-grace-qq', shop);
      assert.match(asked.html, /href="[^"]*\/migrate\/weibo" data-signed-in-before="weibo">Yes — recover your account with Weibo \(until 25 October 2013\)</);
      const back = await approveAtProvider(b, await b.click(asked, '/migrate/weibo', atShop(shop)), 'fbl-grace-weibo', shop);
      assert.equal((await subOf(back, request)).sub, sub);
    });

    it('"No, create a new account" makes a new account only then (a new sub)', async () => {
      const weiboSub = await madeBefore('weibo', 'fbl-no-weibo');
      clock.set(IN_GRACE);
      const b = browser();
      const { request, page } = await open(b, { provider: 'qq' });
      const asked = await approveAtProvider(b, page, 'fbl-no-qq', shop);
      assert.equal(await accountOf('qq', 'fbl-no-qq'), undefined);
      const back = await b.submit(asked, {}, '/first-login/new', atShop(shop));
      const claims = await subOf(back, request);
      assert.notEqual(claims.sub, weiboSub);
      assert.ok(await accountOf('qq', 'fbl-no-qq'), 'created after the choice');
    });

    it('"yes" with a Weibo that has no account says so and offers creating the account plainly; nothing else changes', async () => {
      clock.set(IN_GRACE);
      const b = browser();
      const { request, page } = await open(b, { provider: 'qq' });
      const asked = await approveAtProvider(b, page, 'fbl-lost-qq', shop);
      const none = await approveAtProvider(b, await b.click(asked, '/migrate/weibo', atShop(shop)), 'fbl-never-weibo', shop);
      assert.equal(none.status, 200);
      assert.match(none.html, /<h1 data-no-account="weibo">No Alpha Shop account uses this Weibo account<\/h1>/);
      assert.doesNotMatch(none.html, /keep your/i);
      assert.equal(await accountOf('weibo', 'fbl-never-weibo'), undefined);
      assert.equal(await accountOf('qq', 'fbl-lost-qq'), undefined);
      const back = await b.submit(none, {}, '/first-login/new', atShop(shop));
      await subOf(back, request);
      assert.ok(await accountOf('qq', 'fbl-lost-qq'));
    });

    it('in Chinese: 您以前用微博登录过阿尔法商店吗？ with 关联 / 注册新账号 choices', async () => {
      clock.set(IN_GRACE);
      const b = browser('zh-CN');
      const { page } = await open(b, { provider: 'sohu' });
      const asked = await approveAtProvider(b, page, 'fbl-zh-sohu', shop);
      assert.match(asked.html, /<h1 data-first-login="1">您以前用微博登录过阿尔法商店吗？<\/h1>/);
      assert.match(asked.html, /是的，用微博找回原账号（2013年10月25日前）/);
      assert.match(asked.html, /没有，用搜狐注册新的阿尔法商店账号/);
      const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(asked.html)![1]!;
      assert.doesNotMatch(main, /帐号|你/, '账号 and 您, never 帐号 or 你');
    });

    it('asked about a QQ, the shopper goes back and uses a new Sohu instead: asked again about the Sohu, nothing created', async () => {
      clock.set(IN_GRACE);
      const b = browser();
      const { page } = await open(b, { provider: 'qq' });
      const asked = await approveAtProvider(b, page, 'fbl-back-qq', shop);
      const chooser = await b.go(new URL(asked.url.pathname.replace(/\/first-login$/, '?chooser'), asked.url));
      const again = await approveAtProvider(b, await b.click(chooser, '/start/sohu', atShop(shop)), 'fbl-back-sohu', shop);
      assert.match(again.url.pathname, /\/first-login$/);
      assert.match(again.html, /No, create a new Alpha Shop account with Sohu/);
      assert.equal(await accountOf('qq', 'fbl-back-qq'), undefined);
      assert.equal(await accountOf('sohu', 'fbl-back-sohu'), undefined);
    });

    it('a shopper already known is never asked', async () => {
      const sub = await madeBefore('qq', 'fbl-known-qq');
      clock.set(IN_GRACE);
      assert.equal((await loginWith(gw, new TestBrowser(), 'alpha-basic', 'qq', 'fbl-known-qq')).claims.sub, sub);
    });
  });

  describe('"used Weibo before?" and the migration page', () => {
    it('without an account: says what happens instead (a new account with another way), no "keep your account"', async () => {
      clock.set(IN_GRACE);
      const b = browser();
      const { page } = await open(b);
      const none = await approveAtProvider(b, await b.click(page, '/migrate/weibo', atShop(shop)), 'used-never-weibo', shop);
      assert.equal(none.status, 200);
      assert.match(none.html, /data-error-code="ERR_MIGRATE_NO_ACCOUNT">This Weibo account has no Alpha Shop account, so nothing changed\./);
      assert.match(none.html, /A way you have never used at Alpha Shop creates a new Alpha Shop account/);
      assert.match(none.html, /data-provider="qq"/);
      assert.doesNotMatch(none.html, /keep your/i);
    });

    it('a Weibo account that never signed in to this shop: the page says it continues as a first sign-in here', async () => {
      const now = clock.now();
      clock.set(BEFORE);
      await loginWith(gw, new TestBrowser(), 'beta-basic', 'weibo', 'beta-only-weibo');
      clock.set(IN_GRACE);
      const b = browser();
      const { page } = await open(b);
      const migrate = await approveAtProvider(b, await b.click(page, '/migrate/weibo', atShop(shop)), 'beta-only-weibo', shop);
      assert.match(migrate.html, /<h1 data-used-here="0">Continue to Alpha Shop with a new way to sign in<\/h1>/);
      assert.match(migrate.html, /Alpha Shop sees a new account/);
      clock.set(now);
    });

    it('notice and migration pages offer every replacement: QQ, Sohu and the email and password (/add/password)', async () => {
      await madeBefore('weibo', 'repl-weibo');
      clock.set('2013-09-22T10:00:00+08:00');
      const b = browser();
      const { page } = await open(b, { provider: 'weibo' });
      const notice = await approveAtProvider(b, page, 'repl-weibo', shop);
      for (const id of ['qq', 'sohu']) assert.match(notice.html, new RegExp(`data-link="${id}"`));
      assert.match(notice.html, /href="\/interaction\/[^/"]+\/add\/password" data-add="password">Set up email and password</);
      clock.set(IN_GRACE);
      const g = browser();
      const { page: chooser } = await open(g);
      const migrate = await approveAtProvider(g, await g.click(chooser, '/migrate/weibo', atShop(shop)), 'repl-weibo', shop);
      assert.match(migrate.html, /data-link="qq"/);
      assert.match(migrate.html, /\/add\/password" data-add="password"/);
    });
  });

  describe('after grace: the ended page and the account page agree', () => {
    it('the ended page says how to keep the account; a Weibo-only shopper recovers it through /account and reaches the shop with the old sub', async () => {
      const sub = await madeBefore('weibo', 'ended-weibo-only');
      clock.set(AFTER_GRACE);
      const b = browser();
      const { page } = await open(b, { provider: 'weibo' });
      assert.equal(page.status, 200);
      assert.match(
        page.html,
        /<h1 data-ended="weibo" data-phase="ended">Signing in with Weibo ended at Alpha Shop on 25 September 2013 at 00:00 \(Beijing time\)<\/h1>/,
      );
      assert.match(page.html, /Open your sign-in settings, sign in there with Weibo, add a new way to sign in/);
      assert.match(page.html, /href="\/account" data-recover-account="1"/);
      await openConsole(gw, b, 'weibo', 'ended-weibo-only');
      const linked = await linkWith(gw, b, 'qq', 'ended-weibo-only-qq');
      assert.equal(linked.url.search, '?notice=linked&provider=qq');
      assert.equal((await loginWith(gw, new TestBrowser(), 'alpha-basic', 'qq', 'ended-weibo-only-qq')).claims.sub, sub, 'the same shop account');
    });

    it('an old "used Weibo before?" link after grace lands on the same ended page, not a failure', async () => {
      clock.set(AFTER_GRACE);
      const b = browser();
      const { page } = await open(b);
      const uid = /\/interaction\/([\w-]+)/.exec(page.url.pathname)![1]!;
      const old = await b.go(`${gw.issuer}/interaction/${uid}/migrate/weibo`, { stopAt: atShop(shop) });
      assert.equal(old.status, 200);
      assert.match(old.html, /data-ended="weibo" data-phase="ended"/);
      assert.match(old.html, /href="\/account" data-recover-account="1"/);
    });
  });

  describe('consent at a third-party shop', () => {
    it('shows who is signed in and "Not you? Switch account", which restarts the sign-in for this request', async () => {
      clock.set(BEFORE);
      const gamma = gw.shops['gamma-basic']!;
      const b = browser();
      const first = await authRequest(gamma, { provider: 'weibo' });
      const consent = await approveAtProvider(b, await b.go(first.url, { stopAt: atShop(gamma) }), 'consent-weibo', gamma);
      assert.equal(consent.status, 200);
      const name = (await accountOf('weibo', 'consent-weibo'))!.profile.name;
      assert.ok(name);
      assert.ok(consent.html.includes(`Signed in as ${name}`), 'who is signed in');
      assert.match(consent.html, /with Weibo/);
      assert.match(consent.html, /data-switch-account="1">Not you\? Switch account</);
      // Switch: the same request starts again with a fresh sign-in (the hint sends the shopper to Weibo).
      const atWeibo = await b.submit(consent, {}, '/switch-account', atShop(gamma));
      assert.ok(atWeibo.url.href.startsWith(gw.emulators.weibo!.url), `asked to sign in again: ${atWeibo.url.href}`);
      let second = await approveAtProvider(b, atWeibo, 'consent-other-weibo', gamma);
      // oidc-provider ends the previous shopper's session first (its self-submitting form; a browser runs it).
      if (second.html.includes('/session/end/confirm')) second = await b.submit(second, {}, '/session/end/confirm', atShop(gamma));
      const otherName = (await accountOf('weibo', 'consent-other-weibo'))!.profile.name;
      assert.ok(second.html.includes(`Signed in as ${otherName}`), `the consent now names the other shopper: ${second.url.href}`);
      const back = await b.submit(second, {}, '/consent', atShop(gamma));
      assert.equal(back.status, 0);
      const url = new URL(back.url);
      assert.equal(url.searchParams.get('state'), first.state, 'the original request completes');
      const claims = (await redeem(gamma, back.url, first)).claims()!;
      assert.equal(claims.idp, 'weibo');
    });
  });
});
