// The shop-facing description of sign-in methods, pure: methods not started yet are left out of the public
// answer but still bound how long it may be cached; max-age is short and never reaches the next change.

import assert from 'node:assert/strict';
import { DESCRIPTORS } from '../../providers/index.ts';
import { MAX_AGE_SECONDS, maxAgeSeconds } from '../../src/http/sign-in-methods-route.ts';
import type { Partner } from '../../src/partners/partner.ts';
import { describeSignInMethods } from '../../src/partners/sign-in-methods.ts';

const at = (iso: string) => Date.parse(iso);

const PARTNER: Partner = {
  id: 'gamma',
  name: { 'zh-CN': '伽马商店', en: 'Gamma Shop' },
  timeZone: 'Asia/Shanghai',
  locales: ['zh-CN', 'en'],
  firstParty: true,
  clients: [],
  integrations: [
    { provider: 'weibo', newAccountsDuringNotice: true, atCutoff: 'keep' },
    { provider: 'qq', startsAt: at('2013-10-01T00:00:00+08:00'), newAccountsDuringNotice: true, atCutoff: 'keep' },
    { provider: 'sohu', newAccountsDuringNotice: true, atCutoff: 'keep' },
  ],
  createdAt: 0,
  updatedAt: 0,
};

function gammaAt(now: number, configured = ['weibo', 'qq', 'sohu']) {
  return describeSignInMethods(PARTNER, {
    clientId: 'gamma-web',
    at: now,
    locales: ['en'],
    descriptors: new Map(DESCRIPTORS.map((d) => [d.id, d])),
    configured: new Set(configured),
    logo: (id) => (id === 'weibo' ? `https://denglu.example/static/marks/${id}.svg` : undefined),
  });
}

describe('sign-in methods for shops (pure)', () => {
  it('leaves out a method not started yet, but the answer changes when it starts', () => {
    const { description, changesAtMs } = gammaAt(at('2013-09-20T00:00:00+08:00'));
    assert.deepEqual(
      description.methods.map((m) => m.id),
      ['weibo', 'sohu'],
    );
    assert.doesNotMatch(JSON.stringify(description), /qq|2013-10-01/i, 'nothing about the upcoming method');
    assert.equal(changesAtMs, at('2013-10-01T00:00:00+08:00'));
    const started = gammaAt(at('2013-10-01T00:00:00+08:00'));
    assert.deepEqual(
      started.description.methods.map((m) => [m.id, m.show]),
      [
        ['weibo', 'button'],
        ['qq', 'button'],
        ['sohu', 'button'],
      ],
    );
    assert.equal(started.changesAtMs, undefined);
  });

  it('a method Denglu has not configured is described with nothing to draw; a logo only where there is a mark', () => {
    const { description } = gammaAt(at('2013-10-02T00:00:00+08:00'), ['weibo', 'qq']);
    const sohu = description.methods.find((m) => m.id === 'sohu')!;
    assert.equal(sohu.show, 'none');
    assert.equal(sohu.authorizationParams, undefined);
    assert.equal(sohu.logo, undefined);
    assert.equal(description.methods.find((m) => m.id === 'weibo')!.logo, 'https://denglu.example/static/marks/weibo.svg');
  });

  it('max-age: at most MAX_AGE_SECONDS, counting down to the next change, never negative; a fixed instant gets the cap', () => {
    assert.equal(maxAgeSeconds(0, undefined, false), MAX_AGE_SECONDS);
    assert.equal(maxAgeSeconds(0, 10 * 60_000, false), MAX_AGE_SECONDS);
    assert.equal(maxAgeSeconds(0, 12_999, false), 12);
    assert.equal(maxAgeSeconds(0, 999, false), 0);
    assert.equal(maxAgeSeconds(5000, 1000, false), 0);
    assert.equal(maxAgeSeconds(0, 999, true), MAX_AGE_SECONDS);
  });
});
