// `phone` counts wherever `password` counts as a sign-in method: the `amr` a sign-in gets (["sms"]) and
// the method read back from a session's `amr` (so the cutoff policy follows the `phone` integration), the
// account's ways to sign in (never removing the last), the shops an unlink would leave unreachable, and
// the native replacements a held sign-in is offered.

import assert from 'node:assert/strict';
import type { Account } from '../../src/accounts/account.ts';
import { amrOf, nativeMethodOf } from '../../src/accounts/phone-method.ts';
import { shopsAtRisk, signInMethods } from '../../src/accounts/unlink.ts';
import { providerOf } from '../../src/oidc/lifecycle-checks.ts';
import { replacementsFor } from '../../src/broker/lifecycle-routes.ts';
import { removalConfirm } from '../../src/account-console/removal-confirm.ts';
import { translator } from '../../src/i18n/messages.ts';
import type { LoginContext } from '../../src/broker/login-context.ts';
import { refreshMayContinue, sessionMayContinue } from '../../src/partners/cutoff-policy.ts';
import type { Partner } from '../../src/partners/partner.ts';

const ids = new Set(['weibo', 'qq', 'password', 'phone']);
const at = (iso: string) => Date.parse(iso);

function account(extra: Partial<Account> = {}): Account {
  return {
    id: 'a1',
    createdAt: 0,
    identities: [{ provider: 'weibo', subject: 'w1', keys: ['weibo:uid:w1'], displayName: 'w', linkedAt: 0, lastUsedAt: 0 }],
    profile: { name: 'w' },
    shops: { jd: { firstAt: 0, lastAt: 0, lastProvider: 'weibo' } },
    ...extra,
  };
}

const jd = (phone: Partner['integrations'][number]): Partner => ({
  id: 'jd',
  name: { 'zh-CN': '京东', en: 'JD' },
  timeZone: 'Asia/Shanghai',
  locales: ['zh-CN', 'en'],
  firstParty: true,
  clients: [],
  integrations: [
    {
      provider: 'weibo',
      cutoffAt: at('2013-09-25T00:00:00+08:00'),
      graceEndsAt: at('2013-10-25T00:00:00+08:00'),
      newAccountsDuringNotice: true,
      atCutoff: 'keep',
    },
    phone,
  ],
  createdAt: 0,
  updatedAt: 0,
});

describe('phone as a sign-in method', () => {
  it('signs in with amr ["sms"] and reads it back as `phone`, like `pwd` and `password`', () => {
    assert.deepEqual(amrOf('phone'), ['sms']);
    assert.deepEqual(amrOf('password'), ['pwd']);
    assert.deepEqual(amrOf('weibo'), ['fed', 'weibo']);
    assert.equal(nativeMethodOf(['sms']), 'phone');
    assert.equal(providerOf(['sms'], ids), 'phone');
    assert.equal(providerOf(['pwd'], ids), 'password');
    assert.equal(providerOf(['fed', 'weibo'], ids), 'weibo');
    assert.equal(providerOf(['mfa'], ids), undefined);
  });

  it("a phone session follows the `phone` integration's cutoff policy", () => {
    const configured = new Set(['weibo', 'phone']);
    const cutoff = at('2013-11-01T00:00:00+08:00');
    const revoke = jd({ provider: 'phone', cutoffAt: cutoff, newAccountsDuringNotice: true, atCutoff: 'revoke' });
    const keep = jd({ provider: 'phone', cutoffAt: cutoff, newAccountsDuringNotice: true, atCutoff: 'keep' });
    const before = at('2013-10-20T00:00:00+08:00');
    const after = at('2013-11-02T00:00:00+08:00');
    assert.equal(sessionMayContinue(revoke, providerOf(['sms'], ids)!, configured, before), true);
    assert.equal(sessionMayContinue(revoke, providerOf(['sms'], ids)!, configured, after), false, 'revoke: a phone session ends at the cutoff');
    assert.equal(sessionMayContinue(keep, 'phone', configured, after), false, 'keep: no new sign-in rides on the session after the cutoff');
    assert.equal(refreshMayContinue(keep, 'phone', configured, after), true, 'keep: tokens the shop holds live on');
    assert.equal(refreshMayContinue(revoke, 'phone', configured, after), false, 'revoke: refresh tokens end too');
  });

  it('counts among the ways to sign in, so unlinking the last provider beside it strands no shop', () => {
    const withPhone = account({ phone: { number: '+8613812345678', verifiedAt: 0 } });
    assert.deepEqual(signInMethods(withPhone), ['weibo', 'phone']);
    assert.deepEqual(signInMethods(account()), ['weibo']);
    const now = at('2013-09-26T10:00:00+08:00');
    const partner = jd({ provider: 'phone', newAccountsDuringNotice: true, atCutoff: 'keep' });
    const weibo = withPhone.identities[0]!;
    assert.deepEqual(shopsAtRisk(withPhone, weibo, [partner], new Set(['weibo', 'phone']), now), [], 'the phone still signs in at JD');
    assert.deepEqual(shopsAtRisk(account(), weibo, [partner], new Set(['weibo', 'phone']), now), [{ partner: 'jd', risk: 'none' }]);
  });
});

describe('native replacements of a held sign-in', () => {
  it('offers email + password and the phone number where the shop accepts them now and the account lacks them', () => {
    const now = at('2013-09-26T10:00:00+08:00');
    const partner = jd({ provider: 'phone', newAccountsDuringNotice: true, atCutoff: 'keep' });
    const withPassword = {
      ...partner,
      integrations: [...partner.integrations, { provider: 'password', newAccountsDuringNotice: true, atCutoff: 'keep' as const }],
    };
    // What the notice and migration pages offer to add (lifecycle-routes.ts): Weibo is upstream, the rest native.
    const toAdd = (p: Partner, a: Account, configured: string[]) => {
      const ctx = { broker: { configured: () => new Set(configured), upstream: (id: string) => id === 'weibo' }, clock: { now: () => now } };
      return replacementsFor(ctx as unknown as LoginContext, p, a, 'weibo').toAdd;
    };
    const all = ['weibo', 'password', 'phone'];
    assert.deepEqual(toAdd(withPassword, account(), all), ['phone', 'password'], "in the shop's order");
    assert.deepEqual(toAdd(partner, account(), all), ['phone'], 'only what the shop accepts');
    assert.deepEqual(toAdd(partner, account({ phone: { number: '+8613812345678', verifiedAt: 0 } }), all), [], 'not what it has');
    assert.deepEqual(toAdd(partner, account(), ['weibo']), [], 'not without texts (SMS_SENDER)');
  });
});

describe('removing the phone number asks the one removal question', () => {
  it('warns of the sign-out when this session signed in with the number (amr ["sms"]), in the words of a removal', () => {
    const now = at('2013-09-26T10:00:00+08:00');
    const partner = jd({ provider: 'phone', newAccountsDuringNotice: true, atCutoff: 'keep' });
    const words = { title: 'T', what: 'W', yes: 'Remove', signsOut: 'Signs you out', yesSignOut: 'Remove and sign out' };
    const ask = (method: string, amr: string[], w?: typeof words) =>
      removalConfirm(
        {
          account: account({ phone: { number: '+8613812345678', verifiedAt: 0 } }),
          method,
          label: method,
          amr,
          action: '/x',
          fields: {},
          ...(w ? { words: w } : {}),
        },
        { partners: [partner], configured: new Set(['weibo', 'phone']), now, locale: 'en', t: translator('en') },
      );
    const bySms = ask('phone', ['sms'], words);
    assert.equal(bySms.signsOut, 'Signs you out');
    assert.equal(bySms.yes, 'Remove and sign out');
    assert.equal(bySms.title, 'T');
    const byQq = ask('phone', ['fed', 'qq'], words);
    assert.equal(byQq.signsOut, undefined);
    assert.equal(byQq.yes, 'Remove');
    assert.equal(ask('weibo', ['sms']).signsOut, undefined, 'a phone sign-in does not sign out with Weibo');
    assert.match(ask('weibo', ['fed', 'weibo']).signsOut ?? '', /unlinking it signs you out/);
  });
});
