// Notice mail end to end at the sandbox's simulated 2013-09-20 (JD's Weibo sign-in in notice, cut off on
// 25 September): a shopper who signed in to JD with Weibo and verified an email sees the warning on the
// account page and finds the mail in the sandbox outbox after the job ran (once, however often it runs),
// in their language, with a working link to the account page; the mail's unsubscribe link turns such
// mail off without signing in (a bad token changes nothing), also as a mail client's one-click POST; the
// account page's setting turns it off and on again and the job honours it.

import assert from 'node:assert/strict';
import { SANDBOX_SHOPS, sandboxPartners } from '../../config/sandbox-seed.ts';
import type { Account } from '../../src/accounts/account.ts';
import { ManualClock } from '../../src/clock.ts';
import { decode } from '../support/browser.ts';
import { loginWith, startGateway, type Gateway } from '../support/gateway.ts';
import { browserIn, openConsole } from '../account/account-support.ts';
import { mailedLink, mailCount, verifyEmail } from '../native/native-support.ts';

const JD = SANDBOX_SHOPS.find((s) => s.partnerId === 'jd')!;

describe('e2e: notice mail at the simulated 2013-09-20', function () {
  let gw: Gateway;
  let clock: ManualClock;
  before(async () => {
    clock = new ManualClock('2013-09-20T10:00:00+08:00');
    const seed = sandboxPartners({ jd: 'https://jd.shop.test', taobao: 'https://taobao.shop.test' }).find((p) => p.id === 'jd')!;
    gw = await startGateway({ clock, partners: (defaults) => [...defaults, seed] });
  });
  after(() => gw.close());

  const accountOf = async (email: string) => (await gw.store.findOne<Account>('accounts', 'email', email))?.value;
  /** The subjects of the notice mail (not the verification mail) sent to `to`. */
  const subjects = async (to: string) =>
    (await gw.store.list<{ to: string; subject: string; text: string }>('outbox'))
      .filter((m) => m.value.to === to && m.value.text.includes('/notice-mail/unsubscribe'))
      .map((m) => m.value.subject);

  it('a JD Weibo shopper with a verified email sees the warning and finds the mail in the outbox, once', async () => {
    const browser = browserIn('en');
    const { claims } = await loginWith(gw, browser, JD.clientId, 'weibo', 'alice');
    assert.ok(claims.sub);
    let page = await openConsole(gw, browser, 'weibo', 'alice');
    assert.match(page.html, /data-ending="jd:weibo"/, 'the account page warns about Weibo at JD');
    assert.match(decode(page.html), /Weibo sign-in stops at JD\.com \(demo\) on 25 September 2013 at 00:00 \(Beijing time\)/);
    assert.doesNotMatch(page.html, /data-ending="jd:qq"/);
    assert.doesNotMatch(page.html, /data-kept="1"/, 'Weibo is her only way into JD: the banner asks her to link another');
    page = await verifyEmail(gw, browser, 'alice@example.com');
    assert.equal(page.status, 200);

    assert.equal(await gw.denglu.noticeMail.run(), 1);
    assert.equal(await gw.denglu.noticeMail.run(), 0);
    clock.advance(2 * 60_000);
    assert.equal(await gw.denglu.noticeMail.run(), 0, 'the next walk (the sandbox walks every minute) sends nothing again');
    assert.deepEqual(await subjects('alice@example.com'), [
      'Weibo sign-in at JD.com (demo) ends on 25 September 2013 at 00:00 (Beijing time); link another way now',
    ]);
    const accountLink = await mailedLink(gw, browser, 'alice@example.com', '/account?ui_locales=en');
    assert.ok(accountLink, 'the mail links to the account page');
    const fromMail = await browser.go(accountLink);
    assert.equal(fromMail.url.pathname, '/account');
    assert.match(fromMail.html, /data-ending="jd:weibo"/);

    // Unsubscribing from the mail, in a browser that is not signed in.
    const unsubscribe = await mailedLink(gw, browser, 'alice@example.com', '/notice-mail/unsubscribe');
    assert.ok(unsubscribe);
    const elsewhere = browserIn('en');
    const bad = await elsewhere.go(unsubscribe.replace(/token=.{8}/, 'token=xxxxxxxx'));
    assert.equal(bad.status, 400);
    assert.match(bad.html, /not valid or has expired/);
    const ask = await elsewhere.go(unsubscribe);
    assert.equal(ask.status, 200);
    assert.equal((await accountOf('alice@example.com'))?.noticeMail?.offAt, undefined, 'opening the link alone changes nothing');
    const done = await elsewhere.submit(ask, {}, '/notice-mail/unsubscribe');
    assert.equal(done.status, 200);
    assert.match(done.html, /you will not get mail about sign-in methods ending/);
    assert.equal((await accountOf('alice@example.com'))?.noticeMail?.offAt, clock.now());
    const after = await browser.go(`${gw.issuer}/account`);
    assert.match(after.html, /data-notice-mail="off"/);
  });

  it('a shopper turns the mail off and on again on the account page; the job honours it, in Chinese', async () => {
    const browser = browserIn('zh-CN');
    await loginWith(gw, browser, JD.clientId, 'weibo', 'bob');
    let page = await openConsole(gw, browser, 'weibo', 'bob');
    assert.match(decode(page.html), /京东（演示）将于9月25日 0:00（北京时间）起停止支持微博登录/);
    await verifyEmail(gw, browser, 'bob@example.com');
    page = await browser.go(`${gw.issuer}/account`);
    assert.match(page.html, /data-notice-mail="on"/);
    page = await browser.submit(page, { mail: 'off' }, '/account/notice-mail');
    assert.equal(page.url.search, '?notice=noticeMailOff');
    assert.match(page.html, /data-notice-mail="off"/);
    clock.advance(2 * 60_000);
    assert.equal(await gw.denglu.noticeMail.run(), 0);
    assert.equal(await mailCount(gw, 'bob@example.com'), 1, 'only the verification mail');

    page = await browser.submit(page, { mail: 'on' }, '/account/notice-mail');
    assert.equal(page.url.search, '?notice=noticeMailOn');
    const bob = await accountOf('bob@example.com');
    assert.deepEqual(bob?.noticeMail, { locale: 'zh-CN' });
    clock.advance(2 * 60_000);
    assert.equal(await gw.denglu.noticeMail.run(), 1);
    assert.deepEqual(await subjects('bob@example.com'), ['京东（演示）将于9月25日 0:00（北京时间）起停止支持微博登录，请现在绑定另一种登录方式']);
    const unsubscribe = await mailedLink(gw, browser, 'bob@example.com', '/notice-mail/unsubscribe');
    assert.ok(unsubscribe);
    const ask = await browserIn('zh-CN').go(unsubscribe);
    assert.equal(ask.status, 200);
    assert.match(ask.html, /不再接收“登录方式即将停止”的提醒邮件？/);
    // A mail client's one-click unsubscribe (RFC 8058): a POST to the link itself.
    const oneClick = await fetch(unsubscribe, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    assert.equal(oneClick.status, 200);
    assert.equal((await accountOf('bob@example.com'))?.noticeMail?.offAt, clock.now());
  });

  it('refuses the setting without the form token or with an unknown value, changing nothing', async () => {
    const browser = browserIn('en');
    await loginWith(gw, browser, JD.clientId, 'weibo', 'carol');
    await openConsole(gw, browser, 'weibo', 'carol');
    const choices = async () => JSON.stringify((await gw.store.list<Account>('accounts')).map((a) => a.value.noticeMail ?? null));
    const before = await choices();
    const res = await browser.go(`${gw.issuer}/account/notice-mail`, { method: 'POST', body: new URLSearchParams({ mail: 'off' }) });
    assert.equal(res.status, 403);
    assert.equal(await choices(), before);
    const page = await browser.go(`${gw.issuer}/account`);
    const odd = await browser.submit(page, { mail: 'maybe' }, '/account/notice-mail');
    assert.equal(odd.status, 400);
    assert.match(odd.html, /was not understood \(it should be on or off\); nothing changed/);
    assert.equal(await choices(), before);
  });
});
