// The emulators' pooled random bytes: the requested length, never the same bytes twice, and a private
// copy (changing one result changes no other), across pool refills and for requests larger than the pool.

import assert from 'node:assert/strict';
import { pooledRandomBytes } from './random.ts';
import { stableDigits, stableHex } from './test-users.ts';

describe('emulator randomness and stable numbers', () => {
  it('hands out fresh, private random bytes across pool refills', () => {
    const seen = new Set<string>();
    const results: Buffer[] = [];
    for (let i = 0; i < 1000; i++) {
      const bytes = pooledRandomBytes(28);
      assert.equal(bytes.length, 28);
      const hex = bytes.toString('hex');
      assert.ok(!seen.has(hex), 'no 28 bytes handed out twice');
      seen.add(hex);
      results.push(bytes);
    }
    const before = results[1]!.toString('hex');
    results[0]!.fill(0);
    assert.equal(results[1]!.toString('hex'), before, 'results do not share memory');
    assert.equal(pooledRandomBytes(10_000).length, 10_000);
  });

  it('derives the same decimal number on every call (memoised), from the sha-256 of the parts', () => {
    const first = stableDigits(10, 'weibo', 'xiaowang');
    assert.match(first, /^[1-9]\d{9}$/);
    assert.equal(stableDigits(10, 'weibo', 'xiaowang'), first);
    const min = 10n ** 9n;
    assert.equal(first, String(min + (BigInt('0x' + stableHex('weibo', 'xiaowang').slice(0, 24)) % (9n * min))));
    assert.notEqual(stableDigits(10, 'weibo', 'lina'), first);
  });
});
