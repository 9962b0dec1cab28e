// The code book: six digits, single use, 5 minutes, void after 5 wrong tries, a new code at most every
// 60 seconds per subject and per destination, and nothing in the store that gives a code away.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.ts';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.ts';
import { COLLECTIONS } from '../../src/store/collections.ts';
import { CODES_COLLECTION, CodeBook, MAX_CODE_ATTEMPTS } from '../../src/accounts/verification-codes.ts';
import { withLatency } from '../support/store-wrapper.ts';

describe('verification codes', () => {
  let clock: ManualClock;
  let store: LowdbStore;
  let dir: string;
  let codes: CodeBook;
  const secret = 'a-server-secret-of-at-least-32-characters';

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'denglu-codes-'));
    clock = new ManualClock('2013-09-26T10:00:00+08:00');
    store = await LowdbStore.open({ dir, clock, collections: COLLECTIONS });
    codes = new CodeBook(store, clock, secret);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function issued(subject = 'signin:abc', target = '+8613812345678'): Promise<string> {
    const r = await codes.issue(subject, target);
    assert.ok(r.ok);
    return r.code;
  }

  it('requests at once on two instances send one code: to one destination, and for one subject', async () => {
    const slow = withLatency(store);
    const books = [new CodeBook(slow, clock, secret), new CodeBook(slow, clock, secret)];
    const toOneNumber = await Promise.all(Array.from({ length: 6 }, (_, i) => books[i % 2]!.issue(`signin:s${i}`, '+8613800000001')));
    assert.equal(toOneNumber.filter((r) => r.ok).length, 1, 'one text to the number');
    const forOneSubject = await Promise.all(Array.from({ length: 6 }, (_, i) => books[i % 2]!.issue('signin:one', `+861380000001${i}`)));
    assert.equal(forOneSubject.filter((r) => r.ok).length, 1, 'one code for the sign-in');
    for (const r of [...toOneNumber, ...forOneSubject].filter((x) => !x.ok)) assert.ok(!r.ok && r.retryAfterSeconds >= 1);
  });

  it('issues six digits that work once, for the subject they were issued to', async () => {
    const code = await issued();
    assert.match(code, /^\d{6}$/);
    assert.deepEqual(await codes.check('signin:other', code), { ok: false, problem: 'codeExpired' }, 'another subject has no code');
    assert.deepEqual(await codes.check('signin:abc', code), { ok: true, target: '+8613812345678' });
    assert.deepEqual(await codes.check('signin:abc', code), { ok: false, problem: 'codeExpired' }, 'single use');
  });

  it('accepts full-width digits and spaces as typed on a phone', async () => {
    const code = await issued();
    const fullWidth = [...code].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');
    assert.equal((await codes.check('signin:abc', ` ${fullWidth.slice(0, 3)} ${fullWidth.slice(3)} `)).ok, true);
  });

  it('expires after five minutes', async () => {
    const code = await issued();
    clock.advance(5 * 60_000);
    assert.deepEqual(await codes.check('signin:abc', code), { ok: false, problem: 'codeExpired' });
  });

  it('is void after five wrong tries, even for the right code', async () => {
    const code = await issued();
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i < MAX_CODE_ATTEMPTS; i++) assert.deepEqual(await codes.check('signin:abc', wrong), { ok: false, problem: 'codeWrong' }, `try ${i}`);
    assert.deepEqual(await codes.check('signin:abc', wrong), { ok: false, problem: 'codeExpired' }, 'the fifth wrong try voids it');
    assert.deepEqual(await codes.check('signin:abc', code), { ok: false, problem: 'codeExpired' });
  });

  it('sends a new code at most every 60 seconds, per subject and per destination', async () => {
    const first = await issued();
    assert.deepEqual(await codes.issue('signin:abc', '+8613812345678'), { ok: false, problem: 'codeWait', retryAfterSeconds: 60 });
    assert.equal((await codes.issue('signin:xyz', '+8613812345678')).ok, false, 'another sign-in cannot text the same number at once');
    assert.equal((await codes.issue('signin:xyz', '+8613900000000')).ok, true, 'another number is fine');
    clock.advance(45_000);
    const wait = await codes.issue('signin:abc', '+8613812345678');
    assert.deepEqual(wait, { ok: false, problem: 'codeWait', retryAfterSeconds: 15 });
    clock.advance(15_000);
    const second = await issued();
    assert.deepEqual(await codes.check('signin:abc', first === second ? 'x' : first), { ok: false, problem: 'codeWrong' }, 'the earlier code is replaced');
    assert.equal((await codes.check('signin:abc', second)).ok, true);
  });

  it('keeps neither the code nor the subject in plain, only HMACs under the server secret', async () => {
    const code = await issued('signin:visible-subject');
    const docs = await store.list<Record<string, unknown>>(CODES_COLLECTION);
    const text = JSON.stringify(docs);
    assert.ok(!text.includes(code), 'no code');
    assert.ok(!text.includes('visible-subject'), 'no subject');
    assert.ok(!text.includes(createHmac('sha256', 'x').update(code).digest('base64url')));
    // The same code under another secret does not check.
    const other = new CodeBook(store, clock, 'another-server-secret-of-32-characters!!');
    assert.deepEqual(await other.check('signin:visible-subject', code), { ok: false, problem: 'codeExpired' });
    assert.equal((await codes.check('signin:visible-subject', code)).ok, true);
  });

  it('a pending code tells its destination and timers, never the code', async () => {
    await issued();
    const p = await codes.pending('signin:abc');
    assert.deepEqual(p, { target: '+8613812345678', sentAt: clock.now(), resendAt: clock.now() + 60_000, expiresAt: clock.now() + 300_000 });
  });

  it('a code whose text was refused is cancelled with its resend timer, so the shopper may try again at once', async () => {
    await issued();
    await codes.discard('signin:abc', '+8613812345678');
    assert.equal(await codes.pending('signin:abc'), undefined);
    assert.equal(await codes.waitSeconds('signin:abc', '+8613812345678'), 0);
  });
});
