// The account page's warnings: one per provider the shopper holds that is in notice or grace at a shop
// they use, in the shop's own words when it wrote a notice; none for a shop they never used, a provider
// they do not hold, or a provider still live or already ended. Each names the ways the shopper already
// holds that still sign in there after the cutoff.

import assert from 'node:assert/strict';
import { sandboxPartners } from '../../config/sandbox-seed.ts';
import { DESCRIPTORS } from '../../providers/index.ts';
import type { Account } from '../../src/accounts/account.ts';
import { endingBanners } from '../../src/account-console/ending-banners.ts';
import type { Partner } from '../../src/partners/partner.ts';

const at = (iso: string) => Date.parse(iso);
const partners = sandboxPartners({ jd: 'https://jd.shop.test', taobao: 'https://taobao.shop.test' }).map(
  (p) => ({ ...p, createdAt: 0, updatedAt: 0 }) as Partner,
);
const label = (id: string) => DESCRIPTORS.find((d) => d.id === id)?.label;
const configured = new Set(DESCRIPTORS.map((d) => d.id));

function shopper(providers: string[], shops: string[]): Account {
  return {
    id: 'a',
    createdAt: 0,
    identities: providers.map((provider) => ({ provider, subject: provider, keys: [`${provider}:x`], displayName: 'x', linkedAt: 0, lastUsedAt: 0 })),
    profile: { name: 'x' },
    shops: Object.fromEntries(shops.map((p) => [p, { firstAt: 0, lastAt: 0, lastProvider: providers[0]! }])),
  };
}

describe('notice mail: the account page warnings', () => {
  it('warns about Weibo at JD in notice and in grace, in both languages', () => {
    const account = shopper(['weibo', 'qq'], ['jd', 'taobao']);
    const notice = endingBanners(account, partners, label, 'en', configured, at('2013-09-20T10:00:00+08:00'));
    assert.deepEqual(
      notice.map((b) => [b.partner, b.provider, b.phase]),
      [['jd', 'weibo', 'notice']],
    );
    assert.match(notice[0]!.text, /^Weibo sign-in stops at JD\.com \(demo\) on 25 September 2013 at 00:00 \(Beijing time\)/);
    assert.deepEqual(notice[0]!.keeps, ['qq'], 'QQ still signs in at JD after the cutoff: the shopper is set');
    const zh = endingBanners(account, partners, label, 'zh-CN', configured, at('2013-09-20T10:00:00+08:00'));
    assert.match(zh[0]!.text, /^京东（演示）将于9月25日 0:00（北京时间）起停止支持微博登录/);
    const grace = endingBanners(account, partners, label, 'en', configured, at('2013-10-01T10:00:00+08:00'));
    assert.deepEqual(
      grace.map((b) => [b.partner, b.provider, b.phase]),
      [['jd', 'weibo', 'grace']],
    );
    assert.match(grace[0]!.text, /^Weibo sign-in stopped at JD\.com/);
  });

  it('names no way kept for a shopper who holds only the ending provider', () => {
    const [banner] = endingBanners(shopper(['weibo'], ['jd']), partners, label, 'en', configured, at('2013-09-20T10:00:00+08:00'));
    assert.deepEqual(banner?.keeps, []);
  });

  it('says nothing before the notice, after grace, at a shop not used, or for a provider not held', () => {
    assert.deepEqual(endingBanners(shopper(['weibo'], ['jd']), partners, label, 'en', configured, at('2013-09-01T10:00:00+08:00')), []);
    assert.deepEqual(endingBanners(shopper(['weibo'], ['jd']), partners, label, 'en', configured, at('2013-10-26T10:00:00+08:00')), []);
    assert.deepEqual(endingBanners(shopper(['weibo'], ['taobao']), partners, label, 'en', configured, at('2013-09-20T10:00:00+08:00')), []);
    assert.deepEqual(endingBanners(shopper(['qq'], ['jd']), partners, label, 'en', configured, at('2013-09-20T10:00:00+08:00')), []);
  });

  it("uses the shop's own notice when it wrote one", () => {
    const custom = partners.map((p) =>
      p.id === 'jd'
        ? {
            ...p,
            integrations: p.integrations.map((i) =>
              i.provider === 'weibo' ? { ...i, notice: { 'zh-CN': '微博登录即将停止', en: 'Weibo is going away' } } : i,
            ),
          }
        : p,
    );
    const [banner] = endingBanners(shopper(['weibo'], ['jd']), custom, label, 'en', configured, at('2013-09-20T10:00:00+08:00'));
    assert.equal(banner?.text, 'Weibo is going away');
  });
});
