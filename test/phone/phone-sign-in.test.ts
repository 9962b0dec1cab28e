// Phone number and SMS code end to end: a shopper adds a number on the account page (a texted code),
// then signs in with number + code at a shop that offers `phone`, as the same account and `sub`, with
// `amr: ["sms"]`. An unknown number gets the same "code sent" answer and, with the right code, a page
// saying no account uses it (nothing created). Codes: a wrong one five times voids it, the resend timer,
// the per-number daily limit; numbers are unique across accounts; the number is never the last method
// removed. Held sign-ins (a Weibo-only shopper at a shop in Weibo's grace) recover the same `sub` by adding
// a phone number, or an email (verified by a mailed code) and a password, without leaving the tab.

import assert from 'node:assert/strict';
import { TestBrowser } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, loginWith, redeem, startGateway, type Gateway } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Account } from '../../src/accounts/account.ts';
import { accountById, accountOf, actions, english, openConsole, passwordLogin, storeFiles } from '../native/native-support.ts';
import { mailedCode, phoneAtShop, textCount, textedCode, typeCode, withPhone } from './phone-support.ts';

describe('phone number and SMS code', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let clock: ManualClock;

  before(async () => {
    clock = new ManualClock('2013-09-26T10:00:00+08:00');
    // Every request comes from 127.0.0.1: the per-address text limits raised for this gateway.
    gw = await startGateway({ clock, partners: withPhone, env: { SMS_PER_IP_PER_HOUR: '1000', SMS_PER_IP_PER_DAY: '1000' } });
  });
  after(async () => {
    await gw.close();
  });

  /** A QQ shopper who adds `phone` on the account page; returns their sub at alpha and account id. */
  async function shopperWithPhone(login: string, phone: string) {
    const browser = english();
    const sub = String((await loginWith(gw, browser, 'alpha-basic', 'qq', login)).claims.sub);
    const account = await openConsole(gw, browser, 'qq', login);
    assert.match(account.html, /data-phone=""/, 'the account page offers a phone number');
    const sent = await browser.submit(account, { phone }, '/account/phone/send');
    assert.equal(sent.url.pathname, '/account/phone');
    assert.match(sent.html, /data-code-sent="1"/);
    const done = await typeCode(browser, sent, await textedCode(gw, phone.startsWith('+') ? phone : `+86${phone.replace(/\D/g, '')}`));
    assert.equal(done.url.search, '?notice=phoneSet', done.html.slice(0, 300));
    clock.advance(61_000); // the number's resend timer
    return { browser, sub, id: (await accountOf(gw, 'qq', login)).id, page: done };
  }

  it('adds a number on the account page with a texted code, then signs in with it at a shop: same account, same sub, amr sms', async () => {
    const ann = await shopperWithPhone('ann', '138 0013 8000');
    const stored = await accountById(gw, ann.id);
    assert.equal(stored.phone?.number, '+8613800138000');
    assert.match(ann.page.html, /data-phone="138 0013 8000"/);
    assert.ok((await actions(gw, ann.id)).includes('phone.set'));

    const browser = english();
    const { shop, request, sent } = await phoneAtShop(gw, browser, 'alpha-basic', '+86 138-0013-8000');
    assert.equal(sent.status, 200);
    assert.match(sent.html, /We sent a code to 138 0013 8000/);
    assert.match(sent.html, /data-resend-in="60"/, 'the resend timer');
    const back = await typeCode(browser, sent, await textedCode(gw, '+8613800138000'), atShop(shop));
    assert.equal(back.status, 0, `back at the shop, not ${back.status} ${back.url.href}`);
    const claims = (await redeem(shop, back.url, request)).claims()!;
    assert.equal(claims.sub, ann.sub, 'the same shop account');
    assert.deepEqual(claims.amr, ['sms']);
    assert.equal((await accountById(gw, ann.id)).shops.alpha?.lastProvider, 'phone');
  });

  it('an unknown number gets the same "code sent" answer; the right code signs nobody in and creates nothing', async () => {
    await shopperWithPhone('bob', '13900139000');
    const known = await phoneAtShop(gw, english(), 'alpha-basic', '13900139000');
    const browser = english();
    const unknown = await phoneAtShop(gw, browser, 'alpha-basic', '13700137000');
    const shape = (html: string) =>
      html
        .replace(/\/interaction\/[\w-]+/g, '/interaction/UID')
        .replace(/%2Finteraction%2F[\w-]+/g, '%2Finteraction%2FUID')
        .replace(/value="[^"]*"/g, '')
        .replace(/\d{3} \d{4} \d{4}/g, 'N');
    assert.equal(unknown.sent.status, known.sent.status);
    assert.equal(shape(unknown.sent.html).replace(/request-id">[^<]*/, ''), shape(known.sent.html).replace(/request-id">[^<]*/, ''), 'the same page');
    const accounts = await gw.store.count('accounts');
    const page = await typeCode(browser, unknown.sent, await textedCode(gw, '+8613700137000'));
    assert.equal(page.status, 200);
    assert.match(page.html, /data-phone-unknown="1"/);
    assert.match(page.html, /no new account was made/);
    assert.match(page.html, /data-back="1"/, 'the other ways to sign in');
    assert.equal(await gw.store.count('accounts'), accounts, 'no account created');
  });

  it('speaks Chinese to a Chinese browser, as JD and Taobao write it', async () => {
    const zh = new TestBrowser(); // Accept-Language zh-CN
    const { sent } = await phoneAtShop(gw, zh, 'alpha-basic', '131 0013 1000');
    assert.match(sent.html, /<h1>用手机号登录阿尔法商店<\/h1>/);
    assert.match(sent.html, /验证码已发送到 131 0013 1000，5 分钟内有效。/);
    const unknown = await typeCode(zh, sent, await textedCode(gw, '+8613100131000'));
    assert.match(unknown.html, /没有账号使用这个手机号/);
    for (const html of [sent.html, unknown.html]) {
      const text = html.slice(html.indexOf('<main'), html.indexOf('</main>')).replace(/<[^>]+>/g, ' ');
      assert.doesNotMatch(text, /[A-Za-z]{3,}/, 'no English or developer text');
      assert.doesNotMatch(text, /帐号|你/, '账号 and 您');
    }
    assert.match(await textedCode(gw, '+8613100131000'), /^\d{6}$/);
  });

  it('a wrong code five times voids the code; the resend timer and the daily limit per number hold', async () => {
    const browser = english();
    const { sent } = await phoneAtShop(gw, browser, 'alpha-basic', '13600136000');
    const code = await textedCode(gw, '+8613600136000');
    const wrong = code === '000000' ? '111111' : '000000';
    let page = sent;
    for (let i = 1; i <= 4; i++) {
      page = await typeCode(browser, page, wrong);
      assert.equal(page.status, 401, `try ${i}`);
      assert.match(page.html, /The code is not correct/);
    }
    page = await typeCode(browser, page, wrong);
    assert.equal(page.status, 400);
    assert.match(page.html, /no longer works/);
    assert.match(page.html, /data-phone-step="number"/, 'asks for the number again');
    // The right code is void too.
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const voided = await browser.go(page.url.href, { method: 'POST', body: new URLSearchParams({ _csrf: csrf, code }) });
    assert.equal(voided.status, 400, 'the right code after five wrong ones');
    assert.match(voided.html, /no longer works/);

    // Within 60 s no new text: 429 and the wait.
    const early = await phoneAtShop(gw, english(), 'alpha-basic', '13600136000');
    assert.equal(early.sent.status, 429);
    assert.match(early.sent.html, /in \d+ seconds/);
    // Ten texts a day to one number, then none (each a minute apart).
    for (let i = (await textCount(gw, '+8613600136000')) + 1; i <= 10; i++) {
      clock.advance(61_000);
      assert.equal((await phoneAtShop(gw, english(), 'alpha-basic', '13600136000')).sent.status, 200, `text ${i}`);
    }
    clock.advance(61_000);
    const limited = await phoneAtShop(gw, english(), 'alpha-basic', '13600136000');
    assert.equal(limited.sent.status, 429);
    assert.match(limited.sent.html, /Too many codes were sent to this number/);
    assert.equal(await textCount(gw, '+8613600136000'), 10);
    clock.advance(24 * 60 * 60_000);
    assert.equal((await phoneAtShop(gw, english(), 'alpha-basic', '13600136000')).sent.status, 200, 'a day later');
  });

  it('codes and numbers in the store: no code in plain; a number belongs to one account', async () => {
    const cat = await shopperWithPhone('cat', '13500135000');
    // Only the sandbox outbox (the texts themselves) holds the code; the code book keeps an HMAC.
    const code = await textedCode(gw, '+8613500135000');
    const lines = (await storeFiles(gw.dataDir)).split('\n').filter((l) => !l.includes('your code is') && !l.includes('验证码是'));
    assert.ok(
      lines.some((l) => l.includes('verification_codes')),
      'the code book was written',
    );
    assert.ok(!lines.join('\n').includes(code), 'no code outside the sandbox outbox');
    // Another account cannot take the number.
    const dan = english();
    await loginWith(gw, dan, 'alpha-basic', 'sohu', 'dan');
    const console = await openConsole(gw, dan, 'sohu', 'dan');
    clock.advance(61_000);
    const sent = await dan.submit(console, { phone: '13500135000' }, '/account/phone/send');
    const refused = await typeCode(dan, sent, await textedCode(gw, '+8613500135000'));
    assert.equal(refused.status, 409);
    assert.match(refused.html, /already belongs to another account/);
    assert.equal((await accountOf(gw, 'sohu', 'dan')).phone, undefined);
    assert.equal((await accountById(gw, cat.id)).phone?.number, '+8613500135000');
  });

  it('signed in to the account page with the number, the shopper replaces it and stays signed in; the new number signs in', async () => {
    const hal = await shopperWithPhone('hal', '13900139001');
    const old = (await accountById(gw, hal.id)).phone!.number;
    const browser = english();
    const login = await browser.go(`${gw.issuer}/account/login`);
    assert.match(login.html, /data-phone-form="1"/, 'the account page signs in with a phone number too');
    const sent = await browser.submit(login, { phone: old }, '/phone/send');
    const account = await typeCode(browser, sent, await textedCode(gw, old));
    assert.equal(account.url.pathname, '/account', account.html.slice(0, 300));
    const replace = await browser.submit(account, { phone: '138 0000 0001' }, '/account/phone/send');
    const done = await typeCode(browser, replace, await textedCode(gw, '+8613800000001'));
    assert.equal(done.url.search, '?notice=phoneSet');
    assert.equal((await accountById(gw, hal.id)).phone?.number, '+8613800000001');
    assert.ok((await actions(gw, hal.id)).includes('phone.replace'));
    assert.equal((await browser.go(`${gw.issuer}/account`)).url.pathname, '/account', 'still signed in');
    assert.match((await browser.go(`${gw.issuer}/account`)).html, /data-phone="138 0000 0001"/);
  });

  it('the number is removed like an unlink: never the only way to sign in; sign-ins made with it end', async () => {
    const eve = await shopperWithPhone('eve', '13400134000');
    // With QQ too, the number can go.
    const page = await eve.browser.go(`${gw.issuer}/account`);
    assert.match(page.html, /data-remove-phone="1"/);
    const confirm = await eve.browser.submit(page, {}, '/account/phone/remove');
    assert.equal(confirm.status, 200);
    assert.match(confirm.html, /Remove your phone number\?/, 'always asks first');
    assert.match(confirm.html, /data-confirm="remove"/, 'the one removal question (views/unlink-confirm.ejs)');
    assert.match(confirm.html, /data-cancel="1"/);
    assert.equal((await accountById(gw, eve.id)).phone?.number, '+8613400134000', 'nothing removed before the confirmation');
    const removed = await eve.browser.submit(confirm, {}, '/account/phone/remove');
    assert.equal(removed.url.search, '?notice=phoneRemoved');
    assert.equal((await accountById(gw, eve.id)).phone, undefined);
    assert.ok((await actions(gw, eve.id)).includes('phone.remove'));
    // The only way left: no remove button, and a forged POST is refused.
    const fay = await shopperWithPhone('fay', '13300133000');
    await gw.store.update<Account>('accounts', fay.id, (a) => ({ ...a, identities: [] }));
    const only = await fay.browser.go(`${gw.issuer}/account`);
    assert.doesNotMatch(only.html, /data-remove-phone="1"/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(only.html)![1]!;
    const res = await fay.browser.go(`${gw.issuer}/account/phone/remove`, { method: 'POST', body: new URLSearchParams({ _csrf: csrf }) });
    assert.equal(res.status, 409);
    assert.match(res.html, /only way to sign in/);
    assert.equal((await accountById(gw, fay.id)).phone?.number, '+8613300133000');
  });

  it('follows the `phone` integration like any method: notice shows the interstitial, grace only proves the account, a hint opens the form', async () => {
    await shopperWithPhone('gus', '13000130000');
    const schedule = async (phone: Record<string, unknown>) =>
      gw.store.update('partners', 'beta', (p: { integrations: { provider: string }[] }) => ({
        ...p,
        integrations: [
          ...p.integrations.filter((i) => i.provider !== 'phone'),
          { provider: 'phone', newAccountsDuringNotice: true, atCutoff: 'keep', ...phone },
        ],
      }));
    const now = clock.now();
    try {
      // Notice: the phone still signs in, after the interstitial.
      await schedule({ noticeAt: now - 60_000, cutoffAt: now + 7 * 86_400_000 });
      const browser = english();
      const n = await phoneAtShop(gw, browser, 'beta-basic', '13000130000');
      const notice = await typeCode(browser, n.sent, await textedCode(gw, '+8613000130000'));
      assert.match(notice.url.pathname, /\/notice$/, 'the notice interstitial');
      // Grace: "used your phone number before?" proves the account and holds the sign-in for a replacement.
      await schedule({ cutoffAt: now - 60_000, graceEndsAt: now + 7 * 86_400_000 });
      clock.advance(61_000);
      const g = english();
      const graced = await phoneAtShop(gw, g, 'beta-basic', '13000130000');
      assert.match(graced.chooser.html, /Used your phone number before\?/);
      const held = await typeCode(g, graced.sent, await textedCode(gw, '+8613000130000'));
      assert.match(held.url.pathname, /\/migrate$/, 'the migration page, not the shop');
      // Ended: no form, and the sign-in routes refuse.
      await schedule({ cutoffAt: now - 120_000, graceEndsAt: now - 60_000 });
      const shop = gw.shops['beta-basic']!;
      const ended = await english().go((await authRequest(shop)).url, { stopAt: atShop(shop) });
      assert.doesNotMatch(ended.html, /data-phone-form/);
      // Live again: a `provider=phone` hint opens the chooser with the form.
      await schedule({});
      const hinted = await english().go((await authRequest(shop, { provider: 'phone' })).url, { stopAt: atShop(shop) });
      assert.match(hinted.html, /data-phone-form="1"/);
    } finally {
      await schedule({});
    }
  });

  describe('a held sign-in at a shop in Weibo grace (JD, 26 September 2013)', () => {
    /** A Weibo-only shopper who signed in at delta before the cutoff; returns their sub there. */
    async function weiboShopper(login: string): Promise<string> {
      clock.set('2013-09-20T10:00:00+08:00');
      const sub = String((await loginWith(gw, english(), 'delta-basic', 'weibo', login)).claims.sub);
      clock.set('2013-09-26T10:00:00+08:00');
      return sub;
    }

    /** "Used Weibo before?" in grace: proves the account and holds the sign-in on the migration page. */
    async function heldAtDelta(browser: TestBrowser, login: string) {
      const shop = gw.shops['delta-basic']!;
      const request = await authRequest(shop);
      const chooser = await browser.go(request.url, { stopAt: atShop(shop) });
      const uid = /^\/interaction\/([\w-]+)/.exec(chooser.url.pathname)![1]!;
      const migrate = await approveAtProvider(browser, await browser.click(chooser, `/interaction/${uid}/migrate/weibo`), login, shop);
      assert.equal(migrate.url.pathname, `/interaction/${uid}/migrate`, migrate.html.slice(0, 300));
      return { shop, request, uid, migrate };
    }

    it('adds a phone number on the held account and continues to the shop with the same sub', async () => {
      const sub = await weiboShopper('wendy');
      const browser = english();
      const { shop, request, uid } = await heldAtDelta(browser, 'wendy');
      const form = await browser.go(`${gw.issuer}/interaction/${uid}/add/phone`);
      assert.equal(form.status, 200);
      assert.match(form.html, /Add a phone number to keep your Delta Shop account/);
      const sent = await browser.submit(form, { phone: '13200132000' }, '/add/phone/send');
      assert.match(sent.html, /data-code-sent="1"/);
      const back = await typeCode(browser, sent, await textedCode(gw, '+8613200132000'), atShop(shop));
      assert.equal(back.status, 0, `back at the shop, not ${back.status} ${back.url.href} ${back.html.slice(0, 300)}`);
      const claims = (await redeem(shop, back.url, request)).claims()!;
      assert.equal(claims.sub, sub, 'the same shop account');
      assert.deepEqual(claims.amr, ['sms']);
      assert.equal((await accountOf(gw, 'weibo', 'wendy')).phone?.number, '+8613200132000');
      // Next time the number alone signs in there.
      const next = english();
      clock.advance(61_000);
      const again = await phoneAtShop(gw, next, 'delta-basic', '13200132000');
      const done = await typeCode(next, again.sent, await textedCode(gw, '+8613200132000'), atShop(again.shop));
      assert.equal((await redeem(again.shop, done.url, again.request)).claims()!.sub, sub);
    });

    it('sets an email (a mailed six-digit code, in the tab) and a password on the held account, then continues with the same sub', async () => {
      const sub = await weiboShopper('walt');
      const browser = english();
      const { shop, request, uid } = await heldAtDelta(browser, 'walt');
      const form = await browser.go(`${gw.issuer}/interaction/${uid}/add/password`);
      assert.match(form.html, /data-add-step="email"/);
      const sent = await browser.submit(form, { email: 'walt@example.com' }, '/add/password/send');
      assert.match(sent.html, /data-add-step="code"/);
      const verified = await typeCode(browser, sent, await mailedCode(gw, 'walt@example.com'));
      assert.match(verified.html, /data-add-step="password"/, verified.html.slice(0, 500));
      const short = await browser.submit(verified, { password: 'short' }, '/add/password/set');
      assert.equal(short.status, 400);
      const back = await browser.submit(short, { password: 'walt keeps his account' }, '/add/password/set', atShop(shop));
      assert.equal(back.status, 0, `back at the shop, not ${back.status} ${back.url.href}`);
      const claims = (await redeem(shop, back.url, request)).claims()!;
      assert.equal(claims.sub, sub);
      assert.deepEqual(claims.amr, ['pwd']);
      const { claims: later } = await passwordLogin(gw, english(), 'delta-basic', 'walt@example.com', 'walt keeps his account');
      assert.equal(later.sub, sub, 'the password signs in there afterwards');
    });

    it('only the browser holding the sign-in may add a method, and only one the shop accepts now', async () => {
      await weiboShopper('xena');
      const browser = english();
      const { uid } = await heldAtDelta(browser, 'xena');
      const stranger = await english().go(`${gw.issuer}/interaction/${uid}/add/phone`);
      assert.equal(stranger.status, 400, 'another browser: no held sign-in');
      const unoffered = await browser.go(`${gw.issuer}/interaction/${uid}/add/sohu`);
      assert.equal(unoffered.status, 404);
      await gw.store.update('partners', 'delta', (p: { integrations: { provider: string }[] }) => ({
        ...p,
        integrations: p.integrations.filter((i) => i.provider !== 'phone'),
      }));
      try {
        const refused = await browser.go(`${gw.issuer}/interaction/${uid}/add/phone`);
        assert.equal(refused.status, 403);
        // The way forward keeps the held account: back to the migration page, never a plain sign-in.
        assert.match(refused.html, new RegExp(`href="/interaction/${uid}/migrate"`));
        assert.doesNotMatch(refused.html, /\/interaction\/[^"]+\/start\//);
      } finally {
        await gw.store.update('partners', 'delta', (p: { integrations: unknown[] }) => ({
          ...p,
          integrations: [...p.integrations, { provider: 'phone', newAccountsDuringNotice: true, atCutoff: 'keep' }],
        }));
      }
    });
  });
});
