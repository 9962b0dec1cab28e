// Unit tests of the password hash: the documented scrypt parameters and encoding, salting, verification,
// malformed and hostile hashes, upgrading old parameters, and the same work for a missing hash.

import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { dummyHash, hashPassword, needsRehash, parseHash, SCRYPT_PARAMS, verifyPassword } from '../../src/accounts/password-hash.ts';
import { passwordProblem, normaliseEmail, validEmail } from '../../src/accounts/native-rules.ts';

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

describe('password hash (scrypt)', function () {
  it('uses the documented memory-hard parameters in a versioned encoding, salted', async () => {
    assert.deepEqual(SCRYPT_PARAMS, { N: 32768, r: 8, p: 1 });
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    assert.match(a, /^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    assert.notEqual(a, b, 'a fresh salt each time');
    assert.ok(!a.includes('correct horse'));
    // The encoding is plain scrypt: anyone can check it with the documented parameters.
    const p = parseHash(a)!;
    assert.deepEqual(scryptSync('correct horse battery', p.salt, 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }), p.key);
  });

  it('verifies the right password and refuses others, including near misses', async () => {
    const hash = await hashPassword('correct horse battery');
    assert.equal(await verifyPassword(hash, 'correct horse battery'), true);
    for (const other of ['correct horse batterY', 'correct horse battery ', '', 'correct horse batter'])
      assert.equal(await verifyPassword(hash, other), false, other);
  });

  it('compares after NFKC normalisation (the same password typed with full-width characters)', async () => {
    const hash = await hashPassword('ｐａｓｓｗｏｒｄ１２３４５');
    assert.equal(await verifyPassword(hash, 'password12345'), true);
  });

  it('never matches a tampered or malformed hash, and refuses parameters that would exhaust memory', async () => {
    const hash = await hashPassword('correct horse battery');
    const parts = hash.split('$');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    for (const bad of [
      [...parts.slice(0, 4), flip(parts[4]!), parts[5]].join('$'),
      [...parts.slice(0, 5), flip(parts[5]!)].join('$'),
      hash.replace('scrypt$', 'bcrypt$'),
      'scrypt$32768$8$1$short$',
      `scrypt$${2 ** 24}$8$1$${parts[4]}$${parts[5]}`,
      `scrypt$1000$8$1$${parts[4]}$${parts[5]}`,
      '',
    ]) {
      assert.equal(await verifyPassword(bad, 'correct horse battery'), false, bad);
    }
    assert.equal(parseHash(`scrypt$${2 ** 24}$8$1$${parts[4]}$${parts[5]}`), undefined);
  });

  it('verifies hashes made with older parameters and says they need a rehash', async () => {
    const salt = randomBytes(16);
    const key = scryptSync('old but good password', salt, 32, { N: 16384, r: 8, p: 1 });
    const old = `scrypt$16384$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
    assert.equal(await verifyPassword(old, 'old but good password'), true);
    assert.equal(needsRehash(old), true);
    assert.equal(needsRehash(await hashPassword('x')), false);
  });

  it('takes tens of milliseconds whatever the guess: near miss, far miss, right, or the dummy hash of an unknown email', async function () {
    this.timeout(30_000);
    const hash = await hashPassword('correct horse battery');
    await dummyHash();
    const runs: Record<string, number[]> = { far: [], near: [], right: [], dummy: [] };
    for (let i = 0; i < 5; i++) {
      runs.far!.push(await timed(() => verifyPassword(hash, 'zzzzzzzzzzzzzzzzzzzz')));
      runs.near!.push(await timed(() => verifyPassword(hash, 'correct horse batterz')));
      runs.right!.push(await timed(() => verifyPassword(hash, 'correct horse battery')));
      runs.dummy!.push(await timed(async () => verifyPassword(await dummyHash(), 'correct horse battery')));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[2]!;
    const base = median(runs.far!);
    assert.ok(base > 20, `a check takes ${base} ms`);
    for (const [name, xs] of Object.entries(runs)) {
      const ratio = median(xs) / base;
      assert.ok(ratio > 0.5 && ratio < 2, `${name}: ${median(xs)} ms vs ${base} ms`);
    }
  });
});

describe('native rules', () => {
  it('normalises and validates email addresses', () => {
    assert.equal(normaliseEmail('  Alice@Example.COM '), 'alice@example.com');
    assert.equal(normaliseEmail(undefined), '');
    for (const ok of ['a@b.cn', 'first.last+tag@mail.example.com', '张三@例子.中国']) assert.ok(validEmail(normaliseEmail(ok)), ok);
    for (const bad of ['', 'a', 'a@b', '@b.cn', 'a@@b.cn', 'a b@c.cn', 'a@b.cn\nBcc: x@y.z', '<a@b.cn>', `${'a'.repeat(65)}@b.cn`, `a@${'b'.repeat(250)}.cn`]) {
      assert.ok(!validEmail(normaliseEmail(bad)), bad);
    }
  });

  it('accepts long passphrases and refuses short, repeated, email-like and common passwords', () => {
    assert.equal(passwordProblem('correct horse battery', 'a@b.cn'), undefined);
    assert.equal(passwordProblem('密码是十个汉字的长度哦', undefined), undefined, 'counted in characters, not bytes');
    assert.equal(passwordProblem('short', undefined), 'passwordShort');
    assert.equal(passwordProblem('x'.repeat(257), undefined), 'passwordLong');
    assert.equal(passwordProblem('zzzzzzzzzzzz', undefined), 'passwordRepeated');
    assert.equal(passwordProblem('Alice@Example.com', 'alice@example.com'), 'passwordEmail');
    assert.equal(passwordProblem('longlocalpart', 'longlocalpart@example.com'), 'passwordEmail');
    assert.equal(passwordProblem('Qwertyuiop', undefined), 'passwordCommon');
    assert.equal(passwordProblem('woaini1314', undefined), 'passwordCommon');
  });
});
