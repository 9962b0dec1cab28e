// Emulator ids are collision-free: 2,000,000 generated test users get 2,000,000 distinct ids at every
// provider (Weibo uid, Sohu user id, QQ openid per app and unionid), in the format the real provider's
// ids have, and a named login never lands on a generated user's id.

import assert from 'node:assert/strict';
import { openidFor, unionidFor } from '../../qq/emulator-users.ts';
import { sohuUserId } from '../../sohu/emulator-users.ts';
import { uidFor } from '../../weibo/emulator-world.ts';
import { decimalSpace, hexSpace, permutationOf, testUserNumber } from './test-user-ids.ts';
import { generatedUsers } from './test-users.ts';

const USERS = 2_000_000;

const PROVIDER_IDS: { name: string; id: (login: string) => string; format: RegExp; generatedFormat: RegExp }[] = [
  // Observed Weibo uids: "1404376560", "5285840175" (10 digits); generated users start 1 … 8.
  { name: 'Weibo uid', id: uidFor, format: /^[1-9]\d{9}$/, generatedFormat: /^[1-8]\d{9}$/ },
  // Sohu user ids: 9 digits (a JSON number in users/show).
  { name: 'Sohu user id', id: sohuUserId, format: /^[1-9]\d{8}$/, generatedFormat: /^[1-8]\d{8}$/ },
  // QQ openids: 32 uppercase hex characters, per app.
  { name: 'QQ openid (app A)', id: (l) => openidFor('101000001', l), format: /^[0-9A-F]{32}$/, generatedFormat: /^[0-7][0-9A-F]{31}$/ },
  { name: 'QQ unionid', id: unionidFor, format: /^UID_[0-9A-F]{28}$/, generatedFormat: /^UID_[0-7][0-9A-F]{27}$/ },
];

const NAMED = ['xiaowang', 'lina', 'zhangwei', 'chenjing', 'xiaoming', 'lihua', 'wangfang', 'liuyang', 'newcomer-42', 'user', 'User1', 'user-1'];

describe('emulator test-user ids', function () {
  this.timeout(120_000);

  it('reads the user number of a generated login, and no number from any other login', () => {
    assert.equal(testUserNumber('user00042'), 42n);
    assert.equal(testUserNumber(generatedUsers(1_000_000)[41]!.login), 42n);
    for (const login of NAMED) assert.equal(testUserNumber(login), undefined, login);
  });

  it('permutes the user numbers: every multiplier is coprime with its range (a bijection by construction)', () => {
    const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
    for (const [space, key] of [
      [decimalSpace(10), 'weibo'],
      [decimalSpace(9), 'sohu'],
      [hexSpace(32), 'qq-openid\u0000101000001'],
      [hexSpace(28), 'qq-union'],
    ] as const) {
      const { a, b } = permutationOf(space, key);
      assert.equal(gcd(a, space.numbered), 1n, key);
      assert.ok(a > 0n && a < space.numbered && b >= 0n && b < space.numbered, key);
    }
  });

  for (const provider of PROVIDER_IDS) {
    it(`gives ${USERS.toLocaleString('en')} generated users distinct ${provider.name}s in the real format`, () => {
      const seen = new Set<string>();
      for (let n = 1; n <= USERS; n++) {
        const id = provider.id(`user${String(n).padStart(7, '0')}`);
        if (n % 9973 === 1) assert.match(id, provider.generatedFormat);
        seen.add(id);
      }
      assert.equal(seen.size, USERS, 'no two generated users share an id');
      for (const login of NAMED) {
        const id = provider.id(login);
        assert.match(id, provider.format, login);
        assert.doesNotMatch(id, provider.generatedFormat, `${login} is hashed outside the generated users' ids`);
        assert.equal(provider.id(login), id, 'the same id every time');
      }
      assert.equal(new Set(NAMED.map(provider.id)).size, NAMED.length, 'the named logins are distinct users');
    });
  }

  it('keeps the QQ openid per app', () => {
    const otherApp = new Set(Array.from({ length: 100_000 }, (_, i) => openidFor('101000002', `user${i + 1}`)));
    assert.equal(otherApp.size, 100_000);
    assert.ok(!otherApp.has(openidFor('101000001', 'user1')), "another app's openids differ");
    assert.notEqual(openidFor('101000001', 'user00001'), openidFor('101000002', 'user00001'));
    assert.notEqual(openidFor('101000001', 'xiaoming'), openidFor('101000002', 'xiaoming'));
  });
});
