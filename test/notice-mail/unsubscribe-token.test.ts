// The unsubscribe link's token: it names the account it was issued for, survives a key rotation while the
// old key is kept, and is refused when altered, expired, signed with another key or missing.

import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { ManualClock } from '../../src/clock.ts';
import { unsubscribeTokens } from '../../src/notice-mail/unsubscribe-token.ts';

describe('notice mail: the unsubscribe token', () => {
  const clock = new ManualClock('2013-09-20T10:00:00+08:00');
  const KEY_A = 'a'.repeat(32);
  const KEY_B = 'b'.repeat(32);

  it('names its account, also after the keys rotated', async () => {
    const token = await unsubscribeTokens([KEY_A], clock).issue('acct-1');
    assert.equal(await unsubscribeTokens([KEY_A], clock).accountOf(token), 'acct-1');
    assert.equal(await unsubscribeTokens([KEY_B, KEY_A], clock).accountOf(token), 'acct-1');
    assert.equal(await unsubscribeTokens([KEY_B], clock).accountOf(token), undefined, 'once the old key is dropped');
  });

  it('refuses altered, expired, foreign and missing tokens', async () => {
    const tokens = unsubscribeTokens([KEY_A], clock);
    const token = await tokens.issue('acct-1');
    const [head, body, sig] = token.split('.');
    const otherBody = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), sub: 'acct-2' })).toString('base64url');
    assert.equal(await tokens.accountOf(`${head}.${otherBody}.${sig}`), undefined, 'another account swapped in');
    assert.equal(await tokens.accountOf(undefined), undefined);
    assert.equal(await tokens.accountOf(['x']), undefined);
    // A JWT with the raw cookie key and no audience: not ours.
    const foreign = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('acct-1').sign(new TextEncoder().encode(KEY_A));
    assert.equal(await tokens.accountOf(foreign), undefined);
    const later = new ManualClock(clock.now() + 401 * 24 * 60 * 60 * 1000);
    assert.equal(await unsubscribeTokens([KEY_A], later).accountOf(token), undefined, 'expired after 400 days');
    const sooner = new ManualClock(clock.now() + 399 * 24 * 60 * 60 * 1000);
    assert.equal(await unsubscribeTokens([KEY_A], sooner).accountOf(token), 'acct-1');
  });
});
