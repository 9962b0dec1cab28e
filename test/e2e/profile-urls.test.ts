// Provider-supplied URLs as shops see them: whichever provider a shopper signs in with, the avatar in the
// ID token's and userinfo's `picture` (and on the account page) is the normalised URL, or absent when the
// provider's answer was no usable http(s) URL. The adapters' side is providers/shared/profile-urls.test.ts.

import assert from 'node:assert/strict';
import { DESCRIPTORS } from '../../providers/index.ts';
import { TestBrowser } from '../support/browser.ts';
import { e2eClientId, loginWith, offeringEveryProvider, startGateway, type Gateway } from '../support/gateway.ts';

const HOSTILE = 'https://q.qlogo.cn/qqapp/1/a.png?"><script>alert(1)</script>';
const NORMALISED = 'https://q.qlogo.cn/qqapp/1/a.png?%22%3E%3Cscript%3Ealert(1)%3C/script%3E';
const users = [
  { login: 'hostile-avatar', name: 'Hostile', extra: { avatarUrl: HOSTILE } },
  { login: 'script-avatar', name: 'Script', extra: { avatarUrl: 'javascript:alert(1)' } },
];

describe('provider profile URLs in ID tokens and userinfo', () => {
  let gw: Gateway;
  before(async () => {
    gw = await startGateway({ emulatorUsers: Object.fromEntries(DESCRIPTORS.map((d) => [d.id, users])), partners: offeringEveryProvider('alpha') });
  });
  after(() => gw.close());

  for (const { id } of DESCRIPTORS) {
    it(`${id}: a hostile avatar URL reaches the shop parsed and re-serialised, a non-http one not at all`, async () => {
      const shop = gw.shops['alpha-basic']!;
      const hostile = await loginWith(gw, new TestBrowser(), 'alpha-basic', id, 'hostile-avatar');
      assert.equal(hostile.claims.picture, NORMALISED, 'ID token picture');
      const info = await (
        await fetch(shop.config.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${hostile.tokens.access_token}` } })
      ).json();
      assert.equal(info.picture, NORMALISED, 'userinfo picture');

      const script = await loginWith(gw, new TestBrowser(), 'alpha-basic', id, 'script-avatar');
      assert.equal(script.claims.name, 'Script');
      assert.equal(script.claims.picture, undefined, 'no picture from a javascript: URL');
      const accounts = await gw.store.list<{ identities: { provider: string; avatar?: string }[]; profile: { picture?: string } }>('accounts');
      for (const { value } of accounts.filter((a) => a.value.identities.some((i) => i.provider === id))) {
        for (const url of [value.profile.picture, ...value.identities.map((i) => i.avatar)]) {
          if (url !== undefined) assert.ok(!/["<>\s]|^javascript:/i.test(url), `stored URL ${url}`);
        }
      }
    });
  }

  it('an avatar stored before the normaliser existed reaches the shop normalised', async () => {
    const first = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'qq', 'stored-raw');
    const key = gw.emulators.qq!.emulator.identityKeysFor('stored-raw', e2eClientId('qq'))[0]!;
    const { id } = (await gw.store.findOne('accounts', 'identity', key))!;
    // What an older Denglu stored for a QQ avatar: the raw URL.
    await gw.store.update<{ profile: Record<string, string>; identities: Record<string, unknown>[] }>('accounts', id, (a) => ({
      ...a,
      profile: { ...a.profile, picture: HOSTILE },
      identities: a.identities.map((i) => ({ ...i, avatar: HOSTILE })),
    }));
    const again = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'qq', 'stored-raw');
    assert.equal(again.claims.sub, first.claims.sub);
    assert.equal(again.claims.picture, NORMALISED);
  });
});
