// The email-verification link opened signed out (in another browser, from the mailbox) names the account
// the address would join — its display name and its ways of signing in — so nobody confirms an address
// for an account they cannot recognise.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { TestBrowser } from '../support/browser.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { linkWith } from '../account/account-support.ts';
import { accountPage, mailedLink, openConsole } from './native-support.ts';

function browserIn(language: 'en' | 'zh-CN'): TestBrowser {
  const b = new TestBrowser();
  b.acceptLanguage = language === 'en' ? 'en' : 'zh-CN,zh;q=0.9';
  return b;
}

describe('native sign-in: the verification page names the account', () => {
  let gw: Gateway;
  before(async () => {
    gw = await startGateway({ clock: new ManualClock('2013-09-01T10:00:00+08:00'), emulatorUsers: { sohu: [{ login: 'bold', name: '<b>bold</b>' }] } });
  });
  after(() => gw.close());

  it('signed out, it asks about the account by name and methods, in English and Chinese; confirming works', async () => {
    const owner = browserIn('en');
    await openConsole(gw, owner, 'weibo', 'vera-named');
    await linkWith(gw, owner, 'qq', 'vera-named-qq');
    const sent = await owner.submit(await accountPage(gw, owner), { email: 'vera@example.com' }, '/account/email');
    assert.equal(sent.url.search, '?notice=emailSent');
    const link = (await mailedLink(gw, owner, 'vera@example.com', '/account/email/verify'))!;

    const mailboxEn = await browserIn('en').go(link);
    assert.equal(mailboxEn.status, 200);
    assert.match(mailboxEn.html, /Make vera@example\.com the email address of the Denglu account “vera-named” \(signs in with Weibo, QQ\)\?/);
    const mailboxZh = browserIn('zh-CN');
    const zh = await mailboxZh.go(link);
    assert.match(zh.html, /确认将vera@example\.com设为 Denglu 账号“vera-named”（用微博、QQ登录）的邮箱？/);
    const done = await mailboxZh.submit(zh, {}, '/account/email/verify');
    assert.equal(done.status, 200);
    assert.match(done.html, /vera@example\.com已验证/);
  });

  it('names are shown as text, not markup', async () => {
    const owner = browserIn('en');
    await openConsole(gw, owner, 'sohu', 'bold');
    await owner.submit(await accountPage(gw, owner), { email: 'bold@example.com' }, '/account/email');
    const page = await browserIn('en').go((await mailedLink(gw, owner, 'bold@example.com', '/account/email/verify'))!);
    assert.match(page.html, /account “&lt;b&gt;bold&lt;\/b&gt;” \(signs in with Sohu\)/);
  });
});
