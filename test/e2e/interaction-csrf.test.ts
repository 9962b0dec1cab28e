// The sign-in's state-changing forms carry CSRF tokens, like every other form of Denglu: consent, "no
// thanks"/"back to the shop" (abort), the notice's "continue", "Not you? Switch account", "No, create a
// new account" and the chooser's password form. A POST
// without the token, with an empty one or with another browser's token is refused with Denglu's clear
// page (403 ERR_CSRF, in the shopper's language) and changes nothing: the same page still works after.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import type { Account } from '../../src/accounts/account.ts';
import { TestBrowser, decode, type Page } from '../support/browser.ts';
import { atShop, authRequest, startGateway, type Gateway, type TestShop } from '../support/gateway.ts';
import { openConsole, setFirstPassword, verifyEmail } from '../native/native-support.ts';

const at = (iso: string) => Date.parse(iso);
const MESSAGE = {
  en: 'The form has expired or did not come from this site. Reload the page and try again.',
  'zh-CN': '表单已过期或不是从本站提交的。请刷新页面后重试。',
};

function browserIn(language: 'en' | 'zh-CN'): TestBrowser {
  const b = new TestBrowser();
  b.acceptLanguage = language === 'en' ? 'en' : 'zh-CN,zh;q=0.9';
  return b;
}

/** The form whose action contains `part`: its action URL and hidden fields. */
function formOf(page: Page, part: string): { action: URL; fields: URLSearchParams } {
  const form = [...page.html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)].find((f) => decode(f[1]!).includes(part));
  assert.ok(form, `a form posting to ${part} on ${page.url.pathname}`);
  const fields = new URLSearchParams();
  for (const m of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*>/g)) fields.set(decode(m[1]!), decode(m[2]!));
  assert.ok(fields.get('_csrf'), `the ${part} form carries a CSRF token`);
  return { action: new URL(decode(form[1]!), page.url), fields };
}

/**
 * Posts `part`'s form from `browser` three forged ways (no token, empty token, `foreign`'s token) and
 * checks each is refused with the clear page while `unchanged` still holds.
 */
async function assertForgeriesRefused(
  browser: TestBrowser,
  page: Page,
  part: string,
  foreignToken: string,
  language: 'en' | 'zh-CN',
  unchanged: () => Promise<void>,
  extra: Record<string, string> = {},
) {
  const { action, fields } = formOf(page, part);
  for (const [what, token] of [
    ['no token', undefined],
    ['an empty token', ''],
    ["another browser's token", foreignToken],
  ] as const) {
    const body = new URLSearchParams({ ...Object.fromEntries(fields), ...extra });
    if (token === undefined) body.delete('_csrf');
    else body.set('_csrf', token);
    const res = await browser.request('POST', action, body);
    const html = await res.text();
    assert.equal(res.status, 403, `${part} with ${what}`);
    assert.equal(res.headers.get('location'), null, `${part} with ${what}: not sent on`);
    assert.match(html, /data-error-code="ERR_CSRF"/, `${part} with ${what}`);
    assert.ok(html.includes(MESSAGE[language]), `${part} with ${what}: the clear message in ${language}`);
    await unchanged();
  }
}

describe('e2e: CSRF tokens on the sign-in forms (consent, abort, continue, password)', () => {
  let gw: Gateway;
  const clock = new ManualClock('2013-09-20T10:00:00+08:00');

  before(async () => {
    gw = await startGateway({
      clock,
      // Sohu at alpha is in its notice period: signing in with it shows the "continue" interstitial.
      partners: (seeds) =>
        seeds.map((p) => ({
          ...p,
          integrations: p.integrations.map((i) =>
            p.id === 'alpha' && i.provider === 'sohu' ? { ...i, noticeAt: at('2013-09-10T00:00+08:00'), cutoffAt: at('2013-10-25T00:00+08:00') } : i,
          ),
        })),
    });
  });
  after(() => gw.close());

  /** A token another browser got on the same kind of page. */
  async function foreignToken(shop: TestShop): Promise<string> {
    const other = new TestBrowser();
    const chooser = await other.go((await authRequest(shop)).url, { stopAt: atShop(shop) });
    return formOf(chooser, '/abort').fields.get('_csrf')!;
  }

  /** A third-party shop's consent page, after signing in with Weibo as `login`. */
  async function consentPage(browser: TestBrowser, shop: TestShop, login: string): Promise<Page> {
    const chooser = await browser.go((await authRequest(shop, { provider: 'weibo' })).url, { stopAt: atShop(shop) });
    const consent = await browser.submit(chooser, { login, decision: 'approve' }, undefined, atShop(shop));
    assert.equal(consent.status, 200);
    assert.match(consent.url.pathname, /^\/interaction\/[\w-]+$/);
    assert.match(consent.html, /\/consent"/);
    return consent;
  }

  for (const language of ['en', 'zh-CN'] as const) {
    it(`${language}: consent and "no thanks" refuse forged posts; the grant is given only with the token`, async () => {
      const shop = gw.shops['gamma-basic']!;
      const browser = browserIn(language);
      const consent = await consentPage(browser, shop, `consent-${language}`);
      const grants = async () => (await gw.store.list('oidc')).filter((d) => d.id.startsWith('Grant:')).length;
      const before = await grants();
      const unchanged = async () => assert.equal(await grants(), before, 'no grant was given');
      const foreign = await foreignToken(shop);
      await assertForgeriesRefused(browser, consent, '/consent', foreign, language, unchanged);
      await assertForgeriesRefused(browser, consent, '/abort', foreign, language, unchanged);
      // The page still works, with its token.
      const back = await browser.submit(consent, {}, '/consent', atShop(shop));
      assert.equal(back.status, 0, `back at the shop, not ${back.url.href}`);
      assert.ok(back.url.searchParams.get('code'), 'a code for the shop');
      assert.ok((await grants()) > before, 'the grant is given now');
    });
  }

  it('"back to the shop" (abort) on the chooser and on a failure page refuses forged posts', async () => {
    const shop = gw.shops['alpha-basic']!;
    const browser = browserIn('en');
    const chooser = await browser.go((await authRequest(shop)).url, { stopAt: atShop(shop) });
    const foreign = await foreignToken(shop);
    const uid = /\/interaction\/([\w-]+)/.exec(chooser.url.pathname)![1]!;
    const alive = async () => assert.ok(await gw.store.get('oidc_volatile', `Interaction:${uid}`), 'the sign-in is still open');
    await assertForgeriesRefused(browser, chooser, '/abort', foreign, 'en', alive);
    const failure = await browser.go(`${gw.issuer}/interaction/${uid}/start/nosuchprovider`);
    assert.equal(failure.status, 404);
    await assertForgeriesRefused(browser, failure, '/abort', foreign, 'en', alive);
    const back = await browser.submit(failure, {}, '/abort', atShop(shop));
    assert.equal(back.status, 0);
    assert.equal(back.url.searchParams.get('error'), 'access_denied');
  });

  it('the notice\'s "continue" refuses forged posts: the sign-in stays held and the notice unseen', async () => {
    const shop = gw.shops['alpha-basic']!;
    const browser = browserIn('zh-CN');
    const chooser = await browser.go((await authRequest(shop, { provider: 'sohu' })).url, { stopAt: atShop(shop) });
    const notice = await browser.submit(chooser, { login: 'csrf-notice', decision: 'approve' }, undefined, atShop(shop));
    assert.match(notice.url.pathname, /\/notice$/);
    const uid = /\/interaction\/([\w-]+)\/notice/.exec(notice.url.pathname)![1]!;
    const held = async () => {
      assert.ok(await gw.store.get('pending', uid), 'the sign-in is still held');
      const accounts = (await gw.store.list<Account>('accounts'))
        .map((a) => a.value)
        .filter((a) => a.identities.some((i) => i.provider === 'sohu' && i.displayName === 'csrf-notice'));
      assert.equal(accounts.length, 1);
      assert.equal(accounts[0]!.noticeShownAt?.alpha, undefined, 'the notice is not marked as seen');
    };
    await assertForgeriesRefused(browser, notice, '/continue', await foreignToken(shop), 'zh-CN', held);
    const back = await browser.submit(notice, {}, '/continue', atShop(shop));
    assert.equal(back.status, 0);
    assert.ok(back.url.searchParams.get('code'));
  });

  it('"Not you? Switch account" on the consent page refuses forged posts: the sign-in stays open', async () => {
    const shop = gw.shops['gamma-basic']!;
    const browser = browserIn('en');
    const consent = await consentPage(browser, shop, 'csrf-switch');
    const uid = /\/interaction\/([\w-]+)/.exec(consent.url.pathname)![1]!;
    const alive = async () => assert.ok(await gw.store.get('oidc_volatile', `Interaction:${uid}`), 'the consent is still open');
    await assertForgeriesRefused(browser, consent, '/switch-account', await foreignToken(shop), 'en', alive);
    const again = await browser.submit(consent, {}, '/switch-account', atShop(shop));
    assert.ok(again.url.href.startsWith(gw.emulators.weibo!.url), `with the token: a fresh sign-in, ${again.url.href}`);
  });

  it('"No, create a new account" refuses forged posts: nothing is created and the new identity stays held', async () => {
    const shop = gw.shops['alpha-basic']!; // Sohu is ending at alpha: a QQ never seen is asked first
    const browser = browserIn('zh-CN');
    const atQq = await browser.go((await authRequest(shop, { provider: 'qq' })).url, { stopAt: atShop(shop) });
    const asked = await browser.submit(atQq, { login: 'csrf-new-qq', decision: 'approve' }, undefined, atShop(shop));
    assert.match(asked.url.pathname, /\/first-login$/);
    const uid = /\/interaction\/([\w-]+)\/first-login/.exec(asked.url.pathname)![1]!;
    const accounts = await gw.store.count('accounts');
    const nothing = async () => {
      assert.equal(await gw.store.count('accounts'), accounts, 'no account created');
      assert.ok(await gw.store.get('unclaimed', uid), 'the new identity is still held');
    };
    await assertForgeriesRefused(browser, asked, '/first-login/new', await foreignToken(shop), 'zh-CN', nothing);
    const back = await browser.submit(asked, {}, '/first-login/new', atShop(shop));
    assert.equal(back.status, 0);
    assert.equal(await gw.store.count('accounts'), accounts + 1, 'created with the token, after the choice');
  });

  it("the chooser's password form refuses forged posts even with the right password: nobody is signed in", async () => {
    const owner = browserIn('en');
    await openConsole(gw, owner, 'weibo', 'csrf-password');
    await verifyEmail(gw, owner, 'csrf-password@example.com');
    await setFirstPassword(gw, owner, 'correct horse battery staple');
    const shop = gw.shops['alpha-basic']!;
    const browser = browserIn('en');
    const chooser = await browser.go((await authRequest(shop)).url, { stopAt: atShop(shop) });
    const signedIn = async () => {
      assert.equal(
        (await browser.jar.getCookies(gw.issuer)).some((c) => c.key === 'dl_session'),
        false,
        'no Denglu session in this browser',
      );
    };
    await assertForgeriesRefused(browser, chooser, '/password', await foreignToken(shop), 'en', signedIn, {
      email: 'csrf-password@example.com',
      password: 'correct horse battery staple',
    });
    const back = await browser.submit(chooser, { email: 'csrf-password@example.com', password: 'correct horse battery staple' }, '/password', atShop(shop));
    assert.equal(back.status, 0, `signed in with the token: ${back.status} ${back.html.slice(0, 200)}`);
  });
});
