// Request limits hold across instances (issue 14 §3): two gateways (createApp twice) on one store count
// together, so N instances never allow N times a limit: failed client authentications at /token, password
// attempts per address, the admin API and the admin pages, admin sign-in failures, and the password
// lockout per email (the brute-force counters).

import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { PROVIDERS } from '../../providers/index.ts';
import { createApp } from '../../src/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { chargeAttempt, signInCharges } from '../../src/accounts/brute-force.ts';
import { FAILURES_PER_USER, LoginThrottle } from '../../src/admin/pages/login-throttle.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { withLatency } from '../support/store-wrapper.ts';

const LIMIT = 4;

describe('request limits count across two instances on one store', function () {
  let gw: Gateway;
  let clock: ManualClock;
  let apps: [Express, Express];

  before(async () => {
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    gw = await startGateway({
      clock,
      wrapStore: withLatency,
      env: { TOKEN_AUTH_FAILURE_LIMIT: String(LIMIT), PASSWORD_RATE_LIMIT: String(LIMIT), ADMIN_RATE_LIMIT: String(LIMIT) },
    });
    const second = await createApp({ config: gw.config, store: gw.store, clock, providers: PROVIDERS, log: gw.log });
    apps = [gw.denglu.app, second.app];
  });
  beforeEach(() => {
    clock.advance(20 * 60_000); // every window of an earlier test is over
  });
  after(async () => {
    await gw.close();
  });

  const at = (i: number) => request(apps[i % 2]!);

  it('failed client authentications at /token: failures on both instances add up to one limit', async () => {
    const wrong = `Basic ${Buffer.from('alpha-basic:wrong-secret').toString('base64')}`;
    const form = 'grant_type=authorization_code&code=no-such-code&redirect_uri=https%3A%2F%2Falpha-basic.shop.test%2Fcb';
    for (let i = 0; i < LIMIT; i++) {
      const r = await at(i).post('/token').set('authorization', wrong).type('form').send(form);
      assert.equal(r.status, 401, `attempt ${i} on instance ${i % 2}`);
    }
    for (const i of [0, 1]) {
      const r = await at(i).post('/token').set('authorization', wrong).type('form').send(form);
      assert.deepEqual([r.status, r.body.error], [429, 'invalid_client'], `instance ${i} refuses`);
    }
  });

  it('password attempts per address: failures on both instances add up to one limit', async () => {
    for (let i = 0; i < LIMIT; i++) {
      const r = await at(i).post('/interaction/no-such-sign-in/password').type('form').send('email=a%40example.com&password=x');
      assert.notEqual(r.status, 429, `attempt ${i} on instance ${i % 2}`);
    }
    for (const i of [0, 1]) {
      const r = await at(i).post('/interaction/no-such-sign-in/password').type('form').send('email=a%40example.com&password=x');
      assert.equal(r.status, 429, `instance ${i} refuses`);
      assert.ok(Number(r.headers['retry-after']) >= 1);
    }
  });

  it('the admin API: requests on both instances add up to one per-minute limit', async () => {
    for (let i = 0; i < LIMIT; i++) assert.equal((await at(i).get('/api/admin/openapi.json')).status, 200, `request ${i}`);
    for (const i of [0, 1]) {
      const r = await at(i).get('/api/admin/openapi.json');
      assert.deepEqual([r.status, r.body.error], [429, 'ERR_RATE_LIMITED'], `instance ${i} refuses`);
    }
  });

  it('the admin pages: requests on both instances add up to one per-minute limit', async () => {
    for (let i = 0; i < LIMIT; i++) assert.notEqual((await at(i).get('/admin/login')).status, 429, `request ${i}`);
    for (const i of [0, 1]) assert.equal((await at(i).get('/admin/login')).status, 429, `instance ${i} refuses`);
  });

  it('admin sign-in failures: counted on both instances against one limit', async () => {
    const throttles = [new LoginThrottle({ store: gw.store, clock }), new LoginThrottle({ store: gw.store, clock })];
    for (let i = 0; i < FAILURES_PER_USER; i++) {
      assert.equal(await throttles[i % 2]!.blockedFor('203.0.113.5', 'jd-manager'), 0, `failure ${i}`);
      await throttles[i % 2]!.fail('203.0.113.5', 'jd-manager');
    }
    for (const t of throttles) assert.ok((await t.blockedFor('203.0.113.5', 'jd-manager')) > 0);
  });

  it('the password lockout per email: concurrent failures charged through two instances lock after the threshold', async () => {
    // Both instances charge the same counters in the one store; every charge is an atomic update.
    const charges = signInCharges('locked@example.com', '203.0.113.9');
    const gates = await Promise.all(Array.from({ length: 12 }, () => chargeAttempt(gw.store, clock, charges)));
    assert.equal(gates.filter((g) => g.allowed).length, 5, 'the per-(email, IP) rule allows 5 before it locks');
  });
});
