// The seed story of Weibo Pay, end to end on the sandbox's own partners (config/sandbox-seed.ts): a
// shopper of the Weibo-based Taobao shop signs in there with Weibo, connects Alipay from Denglu's account
// page, and from then on signs in to Taobao with either and is one shop account (one `sub`); unlinking
// either keeps the other working with that same `sub`.

import assert from 'node:assert/strict';
import { sandboxPartners } from '../../config/sandbox-seed.ts';
import { ManualClock } from '../../src/clock.ts';
import { accountPage, browserIn, identitiesOn, linkWith, openConsole } from '../account/account-support.ts';
import type { Page, TestBrowser } from '../support/browser.ts';
import { loginWith, startGateway, type Gateway } from '../support/gateway.ts';

const TAOBAO = 'taobao-demo-shop';

/** Signs in at a demo shop through `provider` as `login` (allowing on Taobao's consent page); returns the sub. */
async function signIn(gw: Gateway, browser: TestBrowser, clientId: string, provider: string, login: string): Promise<string> {
  const { claims } = await loginWith(gw, browser, clientId, provider, login);
  assert.equal(claims.idp, provider);
  return String(claims.sub);
}

/** Unlinks `provider` on the account page (confirming on its own page); returns the account page after. */
async function unlink(gw: Gateway, browser: TestBrowser, provider: string): Promise<Page> {
  const confirm = await browser.click(await accountPage(gw, browser), `/account/unlink/${provider}`);
  assert.equal(confirm.status, 200, `the confirmation, not ${confirm.url.href}`);
  return browser.submit(confirm, {}, '/account/unlink');
}

describe('story: Weibo Pay — a Weibo shopper at Taobao connects Alipay and keeps one account', function () {
  let gw: Gateway;
  before(async () => {
    gw = await startGateway({
      clock: new ManualClock('2026-03-01T10:00:00+08:00'),
      partners: () => sandboxPartners({ jd: 'https://jd.demo-shop.test', taobao: 'https://taobao.demo-shop.test' }),
    });
  });
  after(() => gw.close());

  /** A Weibo shopper of Taobao who connected Alipay from the account page; returns their Taobao sub and browser. */
  async function connected(weibo: string, alipay: string): Promise<{ sub: string; browser: TestBrowser }> {
    const browser = browserIn('en');
    const sub = await signIn(gw, browser, TAOBAO, 'weibo', weibo);
    const console = await openConsole(gw, browser, 'weibo', weibo);
    assert.match(console.html, /data-link="alipay"/, 'the account page offers Alipay');
    const linked = await linkWith(gw, browser, 'alipay', alipay);
    assert.equal(linked.url.pathname, '/account', `back on the account page, not ${linked.url.href}`);
    assert.deepEqual(identitiesOn(await accountPage(gw, browser)).sort(), ['alipay', 'weibo']);
    return { sub, browser };
  }

  it('signs in to Taobao with Weibo or with Alipay: one sub', async () => {
    const { sub } = await connected('weibo-pay-1', 'xiaowang');
    assert.equal(await signIn(gw, browserIn('en'), TAOBAO, 'alipay', 'xiaowang'), sub, 'Alipay: the same Taobao account');
    assert.equal(await signIn(gw, browserIn('zh-CN'), TAOBAO, 'weibo', 'weibo-pay-1'), sub, 'Weibo: still the same');
  });

  it('unlinking Weibo keeps Alipay signing in to the same Taobao account; Weibo alone is a stranger now', async () => {
    const { sub, browser } = await connected('weibo-pay-2', 'lina');
    await openConsole(gw, browser, 'alipay', 'lina', true);
    const after = await unlink(gw, browser, 'weibo');
    assert.deepEqual(identitiesOn(after), ['alipay'], `Weibo unlinked: ${after.url.href}`);
    assert.equal(await signIn(gw, browserIn('en'), TAOBAO, 'alipay', 'lina'), sub, 'Alipay still signs in as the same account');
    assert.notEqual(await signIn(gw, browserIn('en'), TAOBAO, 'weibo', 'weibo-pay-2'), sub, 'the unlinked Weibo is a new account');
  });

  it('unlinking Alipay keeps Weibo signing in to the same Taobao account', async () => {
    const { sub, browser } = await connected('weibo-pay-3', 'zhangwei');
    await openConsole(gw, browser, 'weibo', 'weibo-pay-3', true);
    const after = await unlink(gw, browser, 'alipay');
    assert.deepEqual(identitiesOn(after), ['weibo'], `Alipay unlinked: ${after.url.href}`);
    assert.equal(await signIn(gw, browserIn('en'), TAOBAO, 'weibo', 'weibo-pay-3'), sub, 'Weibo still signs in as the same account');
  });
});
