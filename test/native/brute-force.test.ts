// Unit tests of the brute-force counters on a real (embedded) store and a manual clock: the documented
// thresholds per (email, IP), per email across addresses and per IP across emails; growing locks;
// refunds on success; no charge while locked; parallel attempts cannot outrun the counter; clearing.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.ts';
import { COLLECTIONS } from '../../src/store/collections.ts';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.ts';
import {
  chargeAttempt,
  clearSubject,
  emailKey,
  refundAttempt,
  resetMailCharges,
  RULES,
  signInCharges,
  verifyMailCharges,
} from '../../src/accounts/brute-force.ts';

describe('brute-force counters', () => {
  let dir: string;
  let store: LowdbStore;
  let clock: ManualClock;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'denglu-throttle-'));
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    store = await LowdbStore.open({ dir, clock, collections: COLLECTIONS });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** n attempts (all failing); how many were allowed to be evaluated. */
  async function attempts(email: string, ip: string, n: number): Promise<number> {
    let allowed = 0;
    for (let i = 0; i < n; i++) if ((await chargeAttempt(store, clock, signInCharges(email, ip))).allowed) allowed++;
    return allowed;
  }

  it('documents its rules: 5 per (email, IP), 20 per email, 100 per IP, locks from 1 minute up to an hour', () => {
    assert.deepEqual({ pair: RULES.pair.threshold, email: RULES.email.threshold, ip: RULES.ip.threshold }, { pair: 5, email: 20, ip: 100 });
    assert.equal(RULES.pair.firstLockMs, 60_000);
    assert.equal(RULES.pair.maxLockMs, 3_600_000);
  });

  it('per (email, IP): five attempts are evaluated, the sixth starts a one-minute lock', async () => {
    assert.equal(await attempts('a@x.cn', '10.0.0.1', 5), 5);
    const sixth = await chargeAttempt(store, clock, signInCharges('a@x.cn', '10.0.0.1'));
    assert.deepEqual(sixth, { allowed: false, lockedNow: true });
    const during = await chargeAttempt(store, clock, signInCharges('a@x.cn', '10.0.0.1'));
    assert.deepEqual(during, { allowed: false, lockedNow: false });
    clock.advance(59_999);
    assert.equal(await attempts('a@x.cn', '10.0.0.1', 1), 0);
    clock.advance(1);
    assert.equal(await attempts('a@x.cn', '10.0.0.1', 1), 1, 'the lock ended');
  });

  it('locks grow: 1, 2, 4 … minutes, never more than an hour', async () => {
    const charges = [{ key: 'pair:growth', rule: RULES.pair }];
    const lengths: number[] = [];
    for (let lock = 0; lock < 8; lock++) {
      for (let i = 0; i < 6; i++) await chargeAttempt(store, clock, charges); // five evaluated, the sixth locks
      const counter = (await store.get<{ lockedUntil: number }>('throttle', 'pair:growth'))!;
      lengths.push((counter.lockedUntil - clock.now()) / 60_000);
      clock.set(counter.lockedUntil);
    }
    assert.deepEqual(lengths, [1, 2, 4, 8, 16, 32, 60, 60]);
  });

  it('a success clears the (email, IP) series and refunds the other counters', async () => {
    assert.equal(await attempts('c@x.cn', '10.0.0.3', 4), 4);
    const charges = signInCharges('c@x.cn', '10.0.0.3');
    assert.equal((await chargeAttempt(store, clock, charges)).allowed, true);
    await refundAttempt(store, clock, charges);
    assert.equal(await attempts('c@x.cn', '10.0.0.3', 5), 5, 'five more before a lock');
    const email = await store.get<{ failures: number }>('throttle', `email:${emailKey('c@x.cn')}`);
    assert.equal(email!.failures, 9, '4 + 5; the success was refunded');
  });

  it('per email across addresses: the 21st failure locks that email for five minutes, from every address', async () => {
    for (let i = 0; i < 20; i++) assert.equal(await attempts('d@x.cn', `10.1.0.${i}`, 1), 1);
    const gate = await chargeAttempt(store, clock, signInCharges('d@x.cn', '10.1.0.200'));
    assert.deepEqual(gate, { allowed: false, lockedNow: true });
    assert.equal(await attempts('d@x.cn', '10.1.0.201', 1), 0, 'a new address is locked out too');
    assert.equal(await attempts('other@x.cn', '10.1.0.201', 1), 1, 'other emails are not');
    clock.advance(5 * 60_000);
    assert.equal(await attempts('d@x.cn', '10.1.0.201', 1), 1);
  });

  it('per IP across emails: the 101st failure locks that address for every email; other addresses go on', async () => {
    for (let i = 0; i < 100; i++) assert.equal(await attempts(`user${i}@x.cn`, '10.2.0.1', 1), 1, `attempt ${i}`);
    assert.deepEqual(await chargeAttempt(store, clock, signInCharges('user100@x.cn', '10.2.0.1')), { allowed: false, lockedNow: true });
    assert.equal(await attempts('fresh@x.cn', '10.2.0.1', 1), 0, 'any email from that address');
    assert.equal(await attempts('fresh@x.cn', '10.2.0.2', 1), 1, 'another address');
    clock.advance(60_000);
    assert.equal(await attempts('fresh@x.cn', '10.2.0.1', 1), 1);
  });

  it('parallel attempts cannot outrun the counter: of 20 at once, five are evaluated', async () => {
    const gates = await Promise.all(Array.from({ length: 20 }, () => chargeAttempt(store, clock, signInCharges('e@x.cn', '10.3.0.1'))));
    assert.equal(gates.filter((g) => g.allowed).length, 5);
  });

  it('clearing a subject forgets every counter of that email (after a password reset)', async () => {
    await attempts('f@x.cn', '10.4.0.1', 6);
    await attempts('f@x.cn', '10.4.0.2', 6);
    assert.equal(await attempts('f@x.cn', '10.4.0.1', 1), 0);
    await clearSubject(store, emailKey('f@x.cn'));
    assert.equal(await attempts('f@x.cn', '10.4.0.1', 1), 1);
    assert.equal(await attempts('f@x.cn', '10.4.0.2', 1), 1);
  });

  it('mail: five reset links per email and five verification mails per account, per hour', async () => {
    for (const charges of [resetMailCharges('g@x.cn'), verifyMailCharges('account-1')]) {
      let sent = 0;
      for (let i = 0; i < 8; i++) if ((await chargeAttempt(store, clock, charges)).allowed) sent++;
      assert.equal(sent, 5);
    }
    assert.equal((await chargeAttempt(store, clock, verifyMailCharges('account-2'))).allowed, true, 'another account');
    clock.advance(60 * 60_000);
    assert.equal((await chargeAttempt(store, clock, resetMailCharges('g@x.cn'))).allowed, true);
    assert.equal((await chargeAttempt(store, clock, verifyMailCharges('account-1'))).allowed, true);
  });

  it('counters are forgotten a day after the last attempt', async () => {
    await attempts('h@x.cn', '10.5.0.1', 4);
    clock.advance(24 * 60 * 60_000);
    assert.equal(await attempts('h@x.cn', '10.5.0.1', 5), 5);
  });
});
