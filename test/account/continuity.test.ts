// Continuity through a provider cutoff by linking (issue #4 item 5, the JD case): a shopper signs in to
// the shop with Weibo while Weibo is scheduled to end there, links QQ on the account page, and after the
// cutoff signs in with QQ as the same shop account (`sub`).

import assert from 'node:assert/strict';
import { atShop, authRequest, loginWith, startGateway, type Gateway } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import type { PartnerSeed } from '../../src/partners/partners.ts';
import { accountPage, browserIn, linkWith, mustAccountOf, openConsole } from './account-support.ts';

const at = (iso: string) => Date.parse(iso);

/** Alpha plays JD: Weibo in notice from 10 September, cut off on 25 September 2013. */
function jd(partners: PartnerSeed[]): PartnerSeed[] {
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

describe('account console: the same shop account through a cutoff, by linking (the JD case)', function () {
  let gw: Gateway;
  let clock: ManualClock;

  before(async () => {
    clock = new ManualClock('2013-09-12T10:00:00+08:00');
    gw = await startGateway({ clock, partners: jd });
  });
  after(async () => {
    await gw.close();
  });

  it('Weibo at JD, QQ linked, Weibo ends, QQ signs in as the same shop account', async () => {
    const shopper = browserIn('en');
    const { claims } = await loginWith(gw, shopper, 'alpha-basic', 'weibo', 'jd-shopper');
    assert.equal(claims.idp, 'weibo');
    const sub = claims.sub;
    const account = await mustAccountOf(gw, 'weibo', 'jd-shopper');

    await openConsole(gw, shopper, 'weibo', 'jd-shopper');
    assert.match((await accountPage(gw, shopper)).html, /<li class="status-ends">stops at Alpha Shop on 25 September 2013 at 00:00 \(Beijing time\)<\/li>/);
    const linked = await linkWith(gw, shopper, 'qq', 'jd-shopper-qq');
    assert.equal(linked.url.search, '?notice=linked&provider=qq');

    clock.set('2013-09-26T09:00:00+08:00');
    // Weibo no longer signs anyone in at JD…
    const shop = gw.shops['alpha-basic']!;
    const refused = await browserIn('en').go((await authRequest(shop, { provider: 'weibo' })).url, { stopAt: atShop(shop) });
    assert.equal(refused.status, 403);
    assert.match(refused.html, /data-error-code="ERR_INTEGRATION_ENDED"/);
    // …and QQ does, as the same shop account.
    const after = await loginWith(gw, browserIn('en'), 'alpha-basic', 'qq', 'jd-shopper-qq');
    assert.equal(after.claims.sub, sub, 'the same pairwise sub at JD');
    assert.equal(after.claims.idp, 'qq');
    assert.equal((await mustAccountOf(gw, 'qq', 'jd-shopper-qq')).id, account.id, 'the same Denglu account');
    const status = (await accountPage(gw, shopper)).html;
    assert.match(status, /<li class="status-[a-z]+">stopped at Alpha Shop on 25 September 2013 at 00:00 \(Beijing time\)<\/li>/);
  });
});
