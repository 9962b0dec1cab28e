// Real sign-ins at alpha for the analytics tests (API and pages), through the emulators: two new Weibo
// accounts, a Weibo sign-in whose token exchange fails, a denial at Sohu, and a QQ identity linked and
// unlinked in the account console by a shopper of alpha; then the recorder's buffer is flushed.

import assert from 'node:assert/strict';
import { accountPage, linkWith, openConsole } from '../account/account-support.ts';
import { TestBrowser } from './browser.ts';
import { approveAtProvider, atShop, authRequest, loginWith, type Gateway } from './gateway.ts';

/** Real sign-ins at alpha: Weibo ×2 (new accounts), Weibo failing at the token, Sohu denied, QQ linked and unlinked. */
export async function signInsAtAlpha(gw: Gateway): Promise<void> {
  const ana = new TestBrowser();
  await loginWith(gw, ana, 'alpha-basic', 'weibo', 'analytics-ana');
  await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'analytics-ben');
  const shop = gw.shops['alpha-basic']!;
  gw.emulators.weibo!.emulator.faults.set('access_token', 'status500', 1);
  const failing = new TestBrowser();
  const request = await authRequest(shop, { provider: 'weibo' });
  const failed = await approveAtProvider(failing, await failing.go(request.url, { stopAt: atShop(shop) }), 'analytics-cai', shop);
  assert.equal(failed.status, 502, 'the upstream failure page');
  const denying = new TestBrowser();
  const sohu = await authRequest(shop, { provider: 'sohu' });
  const denied = await approveAtProvider(denying, await denying.go(sohu.url, { stopAt: atShop(shop) }), 'analytics-dan', shop, 'deny');
  assert.equal(denied.status, 502, 'the denial page');
  // Ana links QQ in the account console, then unlinks it again.
  await openConsole(gw, ana, 'weibo', 'analytics-ana');
  const linked = await linkWith(gw, ana, 'qq', 'analytics-ana-qq');
  assert.equal(linked.url.searchParams.get('notice'), 'linked', linked.url.href);
  const confirm = await ana.click(await accountPage(gw, ana), '/account/unlink/qq');
  const unlinked = await ana.submit(confirm, { confirm: 'yes' }, '/account/unlink');
  assert.equal(unlinked.url.searchParams.get('notice'), 'unlinked', unlinked.url.href);
  await gw.denglu.loginEvents.flush();
}
