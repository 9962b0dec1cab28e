// Who may sign in, and whose existing session or refresh token may continue, at every phase and for every
// way an integration can be missing: only live and notice sign in; upcoming, not offered, not configured
// and an unreadable schedule fail closed for sign-in, single sign-on and refresh alike; after the cutoff
// only `keep` lets refresh tokens obtained before it continue, and no session signs in anew through it.
// Which ways are ending (notice, grace) decides whether a new identity is asked "signed in before?".

import assert from 'node:assert/strict';
import { chooserProviders, endingProviders, loginAvailability } from '../../src/partners/availability.ts';
import { refreshMayContinue, sessionMayContinue } from '../../src/partners/cutoff-policy.ts';
import type { Integration, Partner } from '../../src/partners/partner.ts';

const S = Date.parse('2013-09-01T00:00:00+08:00');
const N = Date.parse('2013-09-10T00:00:00+08:00');
const C = Date.parse('2013-09-25T00:00:00+08:00');
const G = Date.parse('2013-10-25T00:00:00+08:00');
const DATES = { startsAt: S, noticeAt: N, cutoffAt: C, graceEndsAt: G };

/** An instant in each phase of DATES. */
const IN = { upcoming: S - 1, live: S, notice: N, grace: C, ended: G } as const;
type PhaseName = keyof typeof IN;

function partnerWith(integrations: Integration[]): Partner {
  return {
    id: 'shop',
    name: { 'zh-CN': '店', en: 'Shop' },
    timeZone: 'Asia/Shanghai',
    locales: ['zh-CN', 'en'],
    firstParty: true,
    clients: [],
    integrations,
    createdAt: 0,
    updatedAt: 0,
  };
}

function integration(overrides: Partial<Integration> = {}): Integration {
  return { provider: 'weibo', newAccountsDuringNotice: true, atCutoff: 'keep', ...DATES, ...overrides };
}

const CONFIGURED = new Set(['weibo', 'qq']);

describe('availability: which phases sign in', () => {
  const expected: Record<PhaseName, boolean> = { upcoming: false, live: true, notice: true, grace: false, ended: false };
  for (const [phase, at] of Object.entries(IN) as [PhaseName, number][]) {
    it(`${phase}: ${expected[phase] ? 'signs in and is on the chooser' : `refused with reason "${phase}", not on the chooser`}`, () => {
      const partner = partnerWith([integration()]);
      const a = loginAvailability(partner, 'weibo', CONFIGURED, at);
      assert.equal(a.ok, expected[phase]);
      if (!a.ok) assert.equal(a.reason, phase);
      assert.deepEqual(
        chooserProviders(partner, CONFIGURED, at).map((p) => p.integration.provider),
        expected[phase] ? ['weibo'] : [],
      );
    });
  }

  it('one millisecond before go-live is still upcoming, and refused', () => {
    const a = loginAvailability(partnerWith([integration()]), 'weibo', CONFIGURED, S - 1);
    assert.deepEqual([a.ok, a.ok ? undefined : a.reason], [false, 'upcoming']);
  });

  it('fails closed: not offered, not configured, and an unreadable schedule', () => {
    const live = { noticeAt: undefined, cutoffAt: undefined, graceEndsAt: undefined, startsAt: undefined };
    const cases: [string, Partner, string, string | undefined][] = [
      ['not offered', partnerWith([integration({ ...live, provider: 'qq' })]), 'weibo', 'not_offered'],
      ['not configured', partnerWith([integration({ ...live, provider: 'sohu' })]), 'sohu', 'not_configured'],
      ['unreadable dates', partnerWith([integration({ ...live, startsAt: 'soon' as unknown as number })]), 'weibo', undefined],
    ];
    for (const [name, partner, provider, reason] of cases) {
      const a = loginAvailability(partner, provider, CONFIGURED, IN.live);
      assert.equal(a.ok, false, name);
      if (!a.ok && reason) assert.equal(a.reason, reason, name);
    }
  });
});

describe('cutoff policy: single sign-on and refresh fail closed', () => {
  it('while the provider signs in (live, notice), sessions and refresh tokens continue', () => {
    for (const at of [IN.live, IN.notice]) {
      for (const atCutoff of ['keep', 'revoke'] as const) {
        const partner = partnerWith([integration({ atCutoff })]);
        assert.equal(sessionMayContinue(partner, 'weibo', CONFIGURED, at), true);
        assert.equal(refreshMayContinue(partner, 'weibo', CONFIGURED, at), true);
      }
    }
  });

  const refusedEverywhere: [string, Partner, string, number][] = [
    ['upcoming (a session obtained elsewhere before go-live here)', partnerWith([integration()]), 'weibo', IN.upcoming],
    ['not offered by this shop', partnerWith([integration({ provider: 'qq' })]), 'weibo', IN.live],
    ['not configured in this deployment', partnerWith([integration({ provider: 'sohu' })]), 'sohu', IN.live],
    ['a schedule that cannot be read', partnerWith([integration({ noticeAt: Number.NaN as number, startsAt: 'x' as unknown as number })]), 'weibo', IN.live],
  ];
  for (const [name, partner, provider, at] of refusedEverywhere) {
    it(`${name}: no single sign-on and no refresh, whatever the policy`, () => {
      for (const atCutoff of ['keep', 'revoke'] as const) {
        const p = { ...partner, integrations: partner.integrations.map((i) => ({ ...i, atCutoff })) };
        assert.equal(sessionMayContinue(p, provider, CONFIGURED, at), false, `session, ${atCutoff}`);
        assert.equal(refreshMayContinue(p, provider, CONFIGURED, at), false, `refresh, ${atCutoff}`);
      }
    });
  }

  it('after the cutoff with keep: refresh tokens the shop holds continue; no new sign-in rides on the session (issue 13)', () => {
    const partner = partnerWith([integration({ atCutoff: 'keep' })]);
    for (const at of [IN.grace, IN.ended]) {
      assert.equal(sessionMayContinue(partner, 'weibo', CONFIGURED, at), false, 'a session obtained before the cutoff');
      assert.equal(refreshMayContinue(partner, 'weibo', CONFIGURED, at), true);
    }
  });

  it('after the cutoff with revoke: nothing continues', () => {
    const partner = partnerWith([integration({ atCutoff: 'revoke' })]);
    for (const at of [IN.grace, IN.ended]) {
      assert.equal(sessionMayContinue(partner, 'weibo', CONFIGURED, at), false);
      assert.equal(refreshMayContinue(partner, 'weibo', CONFIGURED, at), false);
    }
  });
});

describe('ending providers: the ways a new identity is asked about ("signed in before?")', () => {
  const partner = partnerWith([integration(), integration({ provider: 'qq', noticeAt: undefined, cutoffAt: undefined, graceEndsAt: undefined })]);
  it('a provider in notice or grace is ending; live, upcoming and ended ones are not; the provider used is left out', () => {
    assert.deepEqual(endingProviders(partner, CONFIGURED, IN.notice, 'qq'), [{ id: 'weibo', phase: 'notice' }]);
    assert.deepEqual(endingProviders(partner, CONFIGURED, IN.grace, 'qq'), [{ id: 'weibo', phase: 'grace' }]);
    for (const at of [IN.upcoming, IN.live, IN.ended]) assert.deepEqual(endingProviders(partner, CONFIGURED, at, 'qq'), []);
    assert.deepEqual(endingProviders(partner, CONFIGURED, IN.notice, 'weibo'), [], 'not asked about the way just used');
  });
  it('a provider this deployment does not configure is never offered as the old way', () => {
    assert.deepEqual(endingProviders(partner, new Set(['qq']), IN.notice, 'qq'), []);
  });
});
