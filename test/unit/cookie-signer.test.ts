// The cookie signer must be a drop-in for Keygrip (koa's `cookies` and browsers holding cookies signed
// before the switch): the same signatures, the same key rotation, and refusal of anything else.

import assert from 'node:assert/strict';
import Keygrip from 'keygrip';
import { CookieSigner } from '../../src/http/cookie-signer.ts';

const KEYS = ['first-key-0123456789abcdef0123456789', 'second-key-zyxwvutsrqponmlkjihgfe', 'clé-ü-登录'];
const DATA = ['dl_session=abc', 'dl_resume=AbC-_123xyz', 'x=', 'name=value with spaces and ü 登录', ''];

describe('http/cookie-signer', () => {
  it('signs exactly as Keygrip does (HMAC-SHA1, base64url, first key)', () => {
    const signer = new CookieSigner(KEYS);
    const keygrip = new Keygrip(KEYS);
    for (const data of DATA) assert.equal(signer.sign(data), keygrip.sign(data), data);
  });

  it('finds the key that signed, as Keygrip does, so rotated keys still verify', () => {
    const signer = new CookieSigner(KEYS);
    KEYS.forEach((key, i) => {
      for (const data of DATA) {
        const signature = new Keygrip([key]).sign(data);
        assert.equal(signer.index(data, signature), i, `${data} signed by key ${i}`);
        assert.equal(signer.verify(data, signature), true);
      }
    });
  });

  it('refuses a wrong, truncated, padded, empty or missing signature and a signature of other data', () => {
    const signer = new CookieSigner(KEYS);
    const good = signer.sign('dl_session=abc');
    const flipped = (good[0] === 'A' ? 'B' : 'A') + good.slice(1);
    for (const bad of [flipped, good.slice(0, -1), `${good}=`, `${good}A`, '', ' '.repeat(good.length)]) {
      assert.equal(signer.index('dl_session=abc', bad), -1, JSON.stringify(bad));
      assert.equal(signer.verify('dl_session=abc', bad), false);
    }
    assert.equal(signer.index('dl_session=abd', good), -1);
    assert.equal(signer.index('dl_session=abc', undefined as unknown as string), -1);
    assert.equal(new CookieSigner(['other-key-00000000000000000000000']).index('dl_session=abc', good), -1);
  });

  it('needs a key', () => {
    assert.throws(() => new CookieSigner([]), /at least one key/);
  });
});
