// The README's Taobao–WeChat walk-through in headless Chromium, on the sandbox's JD and Taobao demo
// shops: a shopper signs in with WeChat at both, each shop holding a refresh token ("Stay signed in");
// the operator cuts WeChat at Taobao with immediate effect (revoke); at once Taobao's refresh is refused
// and the shop signs the shopper out, Taobao offers WeChat only to recover an account, Denglu's chooser
// says why, and JD goes on as before. Any console error, failed request or CSP violation fails a step.

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { OPERATOR } from '../admin/admin-client.ts';
import { TAOBAO_WECHAT_CUTOFF_STORY } from '../../config/sandbox-seed.ts';
import type { ManualClock } from '../../src/clock.ts';
import type { DengluPages } from './denglu-pages.ts';
import { useJourney } from './journey.ts';
import { at, clickTo, here } from './navigation.ts';
import type { PageGuard } from './page-guard.ts';
import { approveAtProvider, ShopPage } from './shop-pages.ts';
import type { World } from './world.ts';

describe('browser: the Taobao–WeChat cutoff, as the README walks through it', function () {
  this.timeout(60_000);
  let world: World;
  let clock: ManualClock;
  let page: Page;
  let guard: PageGuard;
  let denglu: DengluPages;
  let taobao: ShopPage;
  let jd: ShopPage;
  let sub: string;

  useJourney('2013-08-05T09:30:00+08:00', { shops: ['jd', 'taobao'] }, (j) => {
    ({ world, clock, page, guard, denglu } = j);
    taobao = new ShopPage(page, world, world.shopUrls.taobao);
    jd = new ShopPage(page, world, world.shopUrls.jd);
  });

  /**
   * "Stay signed in" → the chooser → WeChat → (scan and confirm, allow) → back at the shop; with a Denglu
   * session from WeChat already, a first-party shop (JD) is back at once.
   */
  async function staySignedInWithWeChat(shop: ShopPage): Promise<{ sub: string; idp: string }> {
    await shop.open();
    const chooser = at(new URL(world.gw.issuer).origin, /^\/interaction\/[^/]+$/);
    const first = await clickTo(page, page.locator('#stay-signed-in'), (url) => chooser(url) || shop.home(url));
    if (shop.home(first)) return shop.signedIn();
    await denglu.choose('wechat');
    let landed = await approveAtProvider(page, world, 'wechat', 'chenhao');
    if (!shop.home(landed)) landed = await clickTo(page, page.getByRole('button', { name: 'Allow', exact: true }), shop.home);
    return shop.signedIn();
  }

  async function refresh(): Promise<void> {
    await clickTo(page, page.locator('#shop-refresh'), (url) => url.pathname === '/');
  }

  it('1. before the cut: WeChat at Taobao and at JD, each shop refreshing its tokens', async () => {
    const atTaobao = await staySignedInWithWeChat(taobao);
    assert.equal(atTaobao.idp, 'wechat');
    sub = atTaobao.sub;
    await refresh();
    assert.match((await page.locator('#shop-refreshed').textContent()) ?? '', /still works/);
    const atJd = await staySignedInWithWeChat(jd);
    assert.equal(atJd.idp, 'wechat', 'the WeChat session signs the shopper in at JD without asking again');
    await refresh();
    assert.match((await page.locator('#shop-refreshed').textContent()) ?? '', /still works/);
    await guard.assertClean('before the cut');
  });

  it('2. the operator cuts WeChat at Taobao with immediate effect; Taobao refuses it at once, JD does not', async () => {
    clock.set(TAOBAO_WECHAT_CUTOFF_STORY);
    const res = await fetch(`${world.gw.issuer}/api/admin/partners/taobao/integrations/wechat`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' },
      body: JSON.stringify({ effectiveImmediately: true, atCutoff: 'revoke' }),
    });
    assert.equal(res.status, 200);

    await taobao.open();
    assert.ok((await taobao.signedIn()).sub === sub, 'the shop still shows the shopper until it uses its tokens');
    await refresh();
    assert.match((await page.locator('#shop-error').textContent()) ?? '', /refresh token was refused/);
    assert.equal(await page.locator('#sub').count(), 0, 'Taobao signed the shopper out');
    assert.equal(await page.getByRole('link', { name: /Log in with WeChat/ }).count(), 0, 'no WeChat button at Taobao');
    assert.match((await page.locator('[data-recover="wechat"]').textContent()) ?? '', /Recover your account with WeChat/);

    await taobao.moreWays();
    const offers = await denglu.chooserOffers();
    assert.ok(!offers.providers.includes('wechat'), `no WeChat on the chooser: ${offers.providers.join(', ')}`);
    assert.deepEqual(offers.migrate, ['wechat'], 'only "used WeChat before?"');
    assert.match((await page.locator('main').textContent()) ?? '', /Signing in with WeChat, as you did before, no longer works at Taobao \(demo\)/);

    await jd.open();
    assert.equal((await jd.signedIn()).idp, 'wechat', 'JD still shows the shopper');
    await refresh();
    assert.match((await page.locator('#shop-refreshed').textContent()) ?? '', /still works/, "JD's refresh token works");
    assert.ok(jd.home(here(page)));
    await guard.assertClean('after the cut');
  });
});
