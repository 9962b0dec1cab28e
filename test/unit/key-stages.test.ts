// The signing key stages as pure functions of the key set and an instant (src/oidc/key-stages.ts): the
// next key is published but never signs, a rotation waits for the publish lead unless forced, previous
// keys stay exactly until their last token has expired, and the schedule fires only when both allow it.

import assert from 'node:assert/strict';
import { GatewayError } from '../../src/errors.ts';
import { initialKeySet, keyViews, nextSignsFrom, providerJwks, prune, rotate, rotationDue, type KeyPolicy, type StoredKey } from '../../src/oidc/key-stages.ts';
import { keyPolicy } from '../../src/oidc/signing-keys.ts';
import { ACCESS_TOKEN_TTL_SECONDS, ID_TOKEN_TTL_SECONDS } from '../../src/oidc/token-lifetimes.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const MIN = 60_000;
const POLICY: KeyPolicy = { publishLeadMs: 10 * MIN, retentionMs: 60 * MIN, rotateEveryMs: 24 * 60 * MIN };

/** A stand-in key: the stages never look inside the JWK. */
const key = (kid: string, createdAt: number): StoredKey => ({
  kid,
  createdAt,
  jwk: { kty: 'RSA', kid, alg: 'RS256', use: 'sig', n: kid, e: 'AQAB', d: `secret-${kid}` },
});

describe('signing key stages', () => {
  it('starts with the current key signing first in the JWKS and the next key published after it', () => {
    const set = initialKeySet(T0, key('a', T0), key('b', T0));
    assert.deepEqual(
      providerJwks(set).keys.map((k) => k.kid),
      ['a', 'b'],
      'oidc-provider signs with the first suitable key: the current one',
    );
    assert.equal(set.current.activatedAt, T0);
    assert.equal(set.next.activatedAt, undefined);
    assert.equal(nextSignsFrom(set, POLICY), T0 + 10 * MIN);
  });

  it('refuses to rotate while the next key is younger than the publish lead, and changes nothing', () => {
    const set = initialKeySet(T0, key('a', T0), key('b', T0));
    const copy = structuredClone(set);
    assert.throws(
      () => rotate(set, T0 + 10 * MIN - 1, POLICY, key('c', T0 + 10 * MIN - 1)),
      (err: unknown) => err instanceof GatewayError && err.status === 409 && /may sign from 2026-01-01T00:10:00.000Z/.test(err.message),
    );
    assert.deepEqual(set, copy);
  });

  it('promotes next → current → previous at the lead, with a fresh next key; force skips the wait', () => {
    const set = initialKeySet(T0, key('a', T0), key('b', T0));
    const at = T0 + 10 * MIN;
    const rotated = rotate(set, at, POLICY, key('c', at));
    assert.deepEqual(
      providerJwks(rotated).keys.map((k) => k.kid),
      ['b', 'c', 'a'],
    );
    assert.equal(rotated.current.activatedAt, at);
    assert.equal(rotated.previous[0]!.retiredAt, at);
    assert.equal(rotated.version, set.version + 1);
    const forced = rotate(rotated, at + 1, POLICY, key('d', at + 1), true);
    assert.deepEqual(
      providerJwks(forced).keys.map((k) => k.kid),
      ['c', 'd', 'b', 'a'],
      'previous keys newest first',
    );
  });

  it('keeps a previous key until the retention has passed since it stopped signing, then removes it', () => {
    const retiredAt = T0 + 10 * MIN;
    const set = rotate(initialKeySet(T0, key('a', T0), key('b', T0)), retiredAt, POLICY, key('c', retiredAt));
    const before = prune(set, retiredAt + POLICY.retentionMs - 1, POLICY);
    assert.equal(before.removed.length, 0);
    assert.equal(before.set, set, 'nothing to write');
    const at = prune(set, retiredAt + POLICY.retentionMs, POLICY);
    assert.deepEqual(
      at.removed.map((k) => k.kid),
      ['a'],
    );
    assert.deepEqual(
      providerJwks(at.set).keys.map((k) => k.kid),
      ['b', 'c'],
    );
    assert.equal(at.set.version, set.version + 1);
  });

  it('rotates on schedule only when the current key has signed long enough and the next key may sign', () => {
    const set = initialKeySet(T0, key('a', T0), key('b', T0));
    assert.equal(rotationDue(set, T0 + POLICY.rotateEveryMs! - 1, POLICY), false);
    assert.equal(rotationDue(set, T0 + POLICY.rotateEveryMs!, POLICY), true);
    const young = { ...set, next: key('b', T0 + POLICY.rotateEveryMs! - MIN) };
    assert.equal(rotationDue(young, T0 + POLICY.rotateEveryMs!, POLICY), false, 'the next key was published a minute ago');
    assert.equal(rotationDue(set, T0 + 10 * POLICY.rotateEveryMs!, { ...POLICY, rotateEveryMs: undefined }), false, 'no schedule');
  });

  it('shows stages and dates, never key material', () => {
    const set = rotate(initialKeySet(T0, key('a', T0), key('b', T0)), T0 + 10 * MIN, POLICY, key('c', T0 + 10 * MIN));
    const views = keyViews(set, POLICY);
    assert.deepEqual(
      views.map((v) => [v.kid, v.stage]),
      [
        ['c', 'next'],
        ['b', 'current'],
        ['a', 'previous'],
      ],
    );
    assert.equal(views[0]!.signsFrom, T0 + 20 * MIN);
    assert.equal(views[2]!.removedAt, T0 + 70 * MIN);
    assert.doesNotMatch(JSON.stringify(views), /secret-/);
  });

  it('keeps previous keys as long as the longest-lived token they sign (from the configured lifetimes)', () => {
    const policy = keyPolicy({ keys: { publishLeadSeconds: 600, rotationDays: undefined } });
    assert.equal(policy.retentionMs, Math.max(ID_TOKEN_TTL_SECONDS, ACCESS_TOKEN_TTL_SECONDS) * 1000);
    assert.equal(policy.publishLeadMs, 600_000);
    assert.equal(policy.rotateEveryMs, undefined);
    assert.equal(keyPolicy({ keys: { publishLeadSeconds: 0, rotationDays: 30 } }).rotateEveryMs, 30 * 24 * 3600 * 1000);
  });
});
