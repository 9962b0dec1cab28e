// The README's Weibo Pay walk-through in headless Chromium, on the sandbox's Taobao demo shop: a shopper
// signs in with Weibo, follows the shop's Weibo Pay prompt to Denglu's account page and connects Alipay,
// then signs in to Taobao with Alipay as the same shop account; unlinking Weibo leaves Alipay working.
// Any console error, failed request or CSP violation fails a step.

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { DengluPages } from './denglu-pages.ts';
import { useJourney } from './journey.ts';
import { at, clickTo } from './navigation.ts';
import type { PageGuard } from './page-guard.ts';
import { approveAtProvider, ShopPage } from './shop-pages.ts';
import type { World } from './world.ts';

describe('browser: Weibo Pay at the Taobao demo shop — connect Alipay, keep one account', function () {
  this.timeout(60_000);
  let world: World;
  let page: Page;
  let guard: PageGuard;
  let denglu: DengluPages;
  let taobao: ShopPage;
  let sub: string;

  useJourney('2026-03-01T10:00:00+08:00', { shops: ['taobao'] }, (j) => {
    ({ world, page, guard, denglu } = j);
    taobao = new ShopPage(page, world);
  });

  /** The shop's own button for `provider`, the provider's page, Taobao's consent when asked: back at the shop. */
  async function logIn(provider: 'Weibo' | 'Alipay', login: string): Promise<{ sub: string; idp: string }> {
    await taobao.open();
    await clickTo(page, page.getByRole('link', { name: `Log in with ${provider}` }), (url) => url.origin !== taobao.url);
    let landed = await approveAtProvider(page, world, provider.toLowerCase(), login);
    if (!taobao.home(landed)) landed = await clickTo(page, page.getByRole('button', { name: 'Allow', exact: true }), taobao.home);
    return taobao.signedIn();
  }

  it("1. signs in with Weibo; the shop's Weibo Pay prompt leads to the account page, where Alipay is connected", async () => {
    const first = await logIn('Weibo', 'weibo-pay-shopper');
    assert.equal(first.idp, 'weibo');
    sub = first.sub;
    assert.match((await page.locator('#connect-prompt').textContent()) ?? '', /Weibo Pay: connect Alipay/);
    await clickTo(page, page.locator('#connect-prompt-link'), at(new URL(world.gw.issuer).origin, '/account'));
    await denglu.link('alipay', 'xiaowang', { provider: 'weibo', login: 'weibo-pay-shopper' });
    assert.deepEqual((await denglu.identities()).sort(), ['alipay', 'weibo']);
    await guard.assertClean('connecting Alipay');
  });

  it('2. signs in to Taobao with Alipay: the same shop account, and no Weibo Pay prompt', async () => {
    await taobao.open();
    await taobao.logOut();
    const withAlipay = await logIn('Alipay', 'xiaowang');
    assert.deepEqual(withAlipay, { sub, idp: 'alipay' });
    assert.equal(await page.locator('#connect-prompt').count(), 0);
    await guard.assertClean('Alipay sign-in');
  });

  it('3. unlinks Weibo on the account page; Alipay still signs in as the same account', async () => {
    await denglu.openAccount('url');
    await denglu.unlink('weibo');
    assert.deepEqual(await denglu.identities(), ['alipay']);
    await taobao.open();
    await taobao.logOut();
    assert.deepEqual(await logIn('Alipay', 'xiaowang'), { sub, idp: 'alipay' });
    await guard.assertClean('after unlinking Weibo');
  });
});
