// One client must not slow the gateway with passwords: attempts are limited per address (successes given
// back) and per sign-in before anything is hashed (429, Retry-After, a page in the shopper's language);
// every hash runs in the bounded queue, one per check for known and unknown emails alike; a full queue
// is answered exactly like a wrong password, without hashing; the account page's password forms share
// the per-address limit. Limits are lowered through configuration for this gateway.

import assert from 'node:assert/strict';
import { loginWith, startGateway, type Gateway } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import { comparable, english, openConsole, passwordAtShop, passwordLogin, setFirstPassword, verifyEmail } from './native-support.ts';

const EMAIL = 'fay@example.com';
const RIGHT = 'fay the right one';
const PER_IP = 6;
const PER_SIGNIN = 3;

describe('native sign-in: request limits and the bounded hash queue', function () {
  let gw: Gateway;
  let clock: ManualClock;
  let n = 0;
  const stranger = () => `stranger-${++n}@example.com`;

  before(async () => {
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    gw = await startGateway({
      clock,
      env: { PASSWORD_RATE_LIMIT: String(PER_IP), PASSWORD_ATTEMPTS_PER_SIGNIN: String(PER_SIGNIN), PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '0' },
    });
    const fay = english();
    await loginWith(gw, fay, 'alpha-basic', 'qq', 'fay');
    await openConsole(gw, fay, 'qq', 'fay');
    await verifyEmail(gw, fay, EMAIL);
    await setFirstPassword(gw, fay, RIGHT);
  });
  beforeEach(() => {
    clock.advance(10 * 60_000); // every per-address window and brute-force pair lock of an earlier test is over
  });
  after(async () => {
    await gw.close();
  });

  it('per address: past the limit a 429 with Retry-After and a clear page, before any hashing; successes are given back', async () => {
    for (let i = 0; i < PER_IP - 1; i++) assert.equal((await passwordAtShop(gw, english(), 'alpha-basic', stranger(), 'wrong')).page.status, 401);
    await passwordLogin(gw, english(), 'alpha-basic', EMAIL, RIGHT); // given back
    assert.equal((await passwordAtShop(gw, english(), 'alpha-basic', stranger(), 'wrong')).page.status, 401, `attempt ${PER_IP}`);
    const hashed = gw.denglu.hashes.counts.started;
    const limited = await passwordAtShop(gw, english(), 'alpha-basic', EMAIL, RIGHT);
    assert.equal(limited.page.status, 429);
    assert.ok(
      Number(limited.page.headers.get('retry-after')) >= 1 && Number(limited.page.headers.get('retry-after')) <= 60,
      String(limited.page.headers.get('retry-after')),
    );
    assert.match(limited.page.html, /Too many attempts/);
    assert.match(limited.page.html, /\/abort\?error=access_denied/, 'the way back to the shop');
    assert.equal(gw.denglu.hashes.counts.started, hashed, 'nothing was hashed');
    clock.advance(60_000);
    await passwordLogin(gw, english(), 'alpha-basic', EMAIL, RIGHT);
  });

  it('per sign-in: one interaction gets a few attempts, then 429 with the way back to the shop', async () => {
    const browser = english();
    let { page } = await passwordAtShop(gw, browser, 'alpha-basic', stranger(), 'wrong');
    for (let i = 1; i < PER_SIGNIN; i++) {
      assert.equal(page.status, 401);
      page = await browser.submit(page, { email: stranger(), password: 'wrong' }, '/password');
    }
    assert.equal(page.status, 401);
    const hashed = gw.denglu.hashes.counts.started;
    const limited = await browser.submit(page, { email: EMAIL, password: RIGHT }, '/password');
    assert.equal(limited.status, 429);
    assert.ok(limited.headers.get('retry-after'));
    assert.match(limited.html, /\/abort\?error=access_denied/);
    assert.equal(gw.denglu.hashes.counts.started, hashed, 'nothing was hashed');
  });

  it('known and unknown emails cost one hash each, in the queue', async () => {
    const before = gw.denglu.hashes.counts.started;
    assert.equal((await passwordAtShop(gw, english(), 'alpha-basic', EMAIL, 'wrong')).page.status, 401);
    assert.equal(gw.denglu.hashes.counts.started, before + 1, 'a known email');
    assert.equal((await passwordAtShop(gw, english(), 'alpha-basic', stranger(), 'wrong')).page.status, 401);
    assert.equal(gw.denglu.hashes.counts.started, before + 2, 'an unknown email');
  });

  it('a full hash queue is answered exactly like a wrong password, without hashing', async () => {
    const wrong = await passwordAtShop(gw, english(), 'alpha-basic', stranger(), 'wrong');
    let release!: () => void;
    const held = gw.denglu.hashes.run(() => new Promise<void>((resolve) => (release = resolve))); // the only slot
    const { started, refused } = gw.denglu.hashes.counts;
    try {
      const busy = await passwordAtShop(gw, english(), 'alpha-basic', EMAIL, RIGHT);
      assert.equal(busy.page.status, 401);
      assert.equal(comparable(busy.page.html), comparable(wrong.page.html), 'the wrong-password page');
      assert.deepEqual(gw.denglu.hashes.counts, { started, refused: refused + 1 });
    } finally {
      release();
      await held;
    }
    await passwordLogin(gw, english(), 'alpha-basic', EMAIL, RIGHT);
  });

  it('the account page password forms share the per-address limit', async () => {
    const browser = english();
    const post = (path: string) => browser.request('POST', `${gw.issuer}${path}`, new URLSearchParams({ password: 'whatever it is', token: 'x' }));
    const statuses = [];
    for (let i = 0; i < PER_IP / 2; i++) statuses.push((await post('/account/password/reset/confirm')).status, (await post('/account/password')).status);
    assert.ok(
      statuses.every((s) => s !== 429),
      statuses.join(),
    );
    const limited = await post('/account/password/reset/confirm');
    assert.equal(limited.status, 429);
    assert.ok(limited.headers.get('retry-after'));
    assert.match(await limited.text(), /Too many attempts/);
    assert.equal((await post('/account/password')).status, 429);
  });
});
