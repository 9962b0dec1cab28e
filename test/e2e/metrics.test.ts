// End to end: the metrics an operator scrapes. Real sign-ins through the test gateway move the sign-in
// counters by partner, provider and outcome (success, denied at the provider, an upstream failure, refused
// by the lifecycle), the provider calls and store operations are timed, the integration phases follow the
// clock; a flood of made-up client ids, provider names and interactions adds no series; and the metrics
// are served only by their own listener — the gateway's port has no /metrics, and the gateway as an
// operator starts it binds that listener to this machine only unless told otherwise.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.ts';
import { createMetricsServer } from '../../src/metrics/metrics-server.ts';
import { TestBrowser } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, loginWith, startGateway, type Gateway } from '../support/gateway.ts';
import { freePort, spawnGateway } from '../support/gateway-process.ts';
import { type Exposition, family, labelSets, parseExposition, sampleValue, scrape } from '../support/prometheus-text.ts';

const DAY = 24 * 60 * 60 * 1000;
const SIGN_INS = 'denglu_sign_ins_total';

describe('e2e: metrics', function () {
  let gw: Gateway;
  let clock: ManualClock;
  let metricsServer: Server;
  let metricsUrl: string;
  const signIns = (e: Exposition, partner: string, provider: string, outcome: string) => sampleValue(e, SIGN_INS, { partner, provider, outcome });

  before(async () => {
    clock = new ManualClock(Date.now());
    const now = clock.now();
    gw = await startGateway({
      clock,
      // Beta's Sohu is in its grace period (cut off yesterday); its QQ has a cutoff scheduled in 30 days.
      partners: (seeds) =>
        seeds.map((p) =>
          p.id !== 'beta'
            ? p
            : {
                ...p,
                integrations: p.integrations.map((i) =>
                  i.provider === 'sohu'
                    ? { ...i, cutoffAt: now - DAY, graceEndsAt: now + DAY }
                    : i.provider === 'qq'
                      ? { ...i, noticeAt: now + 20 * DAY, cutoffAt: now + 30 * DAY }
                      : i,
                ),
              },
        ),
    });
    metricsServer = createMetricsServer(gw.denglu.metrics);
    await new Promise<void>((resolve) => metricsServer.listen(0, '127.0.0.1', resolve));
    metricsUrl = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}/metrics`;
  });
  after(async () => {
    await new Promise<void>((resolve) => metricsServer?.close(() => resolve()));
    await gw?.close();
  });

  it('counts a real sign-in by partner, provider and outcome, and times its provider calls and store operations', async () => {
    const before = await scrape(metricsUrl);
    await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'alice');
    const after = await scrape(metricsUrl);
    assert.equal(signIns(after, 'alpha', 'weibo', 'success') - signIns(before, 'alpha', 'weibo', 'success'), 1);
    assert.equal(signIns(after, 'beta', 'weibo', 'success'), signIns(before, 'beta', 'weibo', 'success'), 'another shop is not counted');
    // The token request and the profile calls, each under its step.
    const upstream = await gw.denglu.metrics.upstreamDuration.get();
    const count = (provider: string, step: string) =>
      upstream.values.find((v) => v.metricName === 'denglu_upstream_request_duration_seconds_count' && v.labels.provider === provider && v.labels.step === step)
        ?.value ?? 0;
    assert.ok(count('weibo', 'token_exchange') >= 1, 'the token exchange is timed');
    assert.ok(count('weibo', 'token_verify') >= 1, 'get_token_info is timed');
    assert.equal(family(after, 'denglu_upstream_request_duration_seconds').type, 'HISTOGRAM');
    // Every store operation of the sign-in went through the measured store.
    const store = await gw.denglu.metrics.storeDuration.get();
    const ops = new Set(
      store.values.filter((v) => v.metricName === 'denglu_store_operation_duration_seconds_count' && v.value > 0).map((v) => v.labels.operation),
    );
    for (const op of ['get', 'findOne', 'create', 'take']) assert.ok(ops.has(op), `store ${op} is timed (${[...ops].join(', ')})`);
  });

  it('counts a shopper who refuses at the provider as denied, with the upstream step', async () => {
    const before = await scrape(metricsUrl);
    const browser = new TestBrowser();
    const shop = gw.shops['alpha-basic']!;
    const page = await browser.go((await authRequest(shop, { provider: 'weibo' })).url, { stopAt: atShop(shop) });
    // (QQ never comes back from a denial: Weibo redirects with error=access_denied.)
    const denied = await approveAtProvider(browser, page, 'bob', shop, 'deny');
    assert.equal(denied.status, 502, 'the failure page');
    const after = await scrape(metricsUrl);
    assert.equal(signIns(after, 'alpha', 'weibo', 'denied') - signIns(before, 'alpha', 'weibo', 'denied'), 1);
    const failures = (e: Exposition) => sampleValue(e, 'denglu_upstream_failures_total', { provider: 'weibo', step: 'provider_denied' });
    assert.equal(failures(after) - failures(before), 1);
  });

  it('counts a provider that fails as an upstream failure, with the step and the failed call', async () => {
    const before = await scrape(metricsUrl);
    const errors = (e: Exposition) =>
      sampleValue(e, 'denglu_upstream_request_errors_total', { provider: 'sohu', step: 'token_exchange', reason: 'http_status' });
    gw.emulators.sohu!.emulator.faults.set('access_token', 'status500', 1);
    await assert.rejects(loginWith(gw, new TestBrowser(), 'alpha-basic', 'sohu', 'carol'), /did not return to the shop: 502/);
    const after = await scrape(metricsUrl);
    assert.equal(signIns(after, 'alpha', 'sohu', 'upstream_failure') - signIns(before, 'alpha', 'sohu', 'upstream_failure'), 1);
    assert.equal(
      sampleValue(after, 'denglu_upstream_failures_total', { provider: 'sohu', step: 'token_exchange' }) -
        sampleValue(before, 'denglu_upstream_failures_total', { provider: 'sohu', step: 'token_exchange' }),
      1,
    );
    assert.equal(errors(after) - errors(before), 1, 'the 500 answer is counted as a failed call');
  });

  it('counts a sign-in the schedule refuses (a provider in grace) as refused by the lifecycle', async () => {
    const before = await scrape(metricsUrl);
    const browser = new TestBrowser();
    const shop = gw.shops['beta-basic']!;
    const page = await browser.go((await authRequest(shop, { provider: 'sohu' })).url, { stopAt: atShop(shop) });
    assert.equal(page.status, 200);
    assert.match(page.url.pathname, /^\/interaction\//, 'the ended page, not the provider');
    const after = await scrape(metricsUrl);
    assert.equal(signIns(after, 'beta', 'sohu', 'lifecycle_refused') - signIns(before, 'beta', 'sohu', 'lifecycle_refused'), 1);
  });

  it('shows each integration phase at the clock’s now, and when it changes next', async () => {
    const at = async () => {
      const e = await scrape(metricsUrl);
      return (partner: string, provider: string, phase: string) => sampleValue(e, 'denglu_integration_phase', { partner, provider, phase });
    };
    let phase = await at();
    assert.equal(phase('beta', 'sohu', 'grace'), 1);
    assert.equal(phase('beta', 'sohu', 'live'), 0);
    assert.equal(phase('beta', 'qq', 'live'), 1);
    assert.equal(phase('alpha', 'password', 'live'), 1);
    const next = sampleValue(await scrape(metricsUrl), 'denglu_integration_next_change_timestamp_seconds', { partner: 'beta', provider: 'qq' });
    const beta = await gw.store.get<{ integrations: { provider: string; noticeAt?: number }[] }>('partners', 'beta');
    const expected = beta!.integrations.find((i) => i.provider === 'qq')!.noticeAt!;
    assert.equal(next, expected / 1000);
    // Three weeks later the notice has begun and Sohu's grace has ended: computed at scrape time from the clock.
    clock.advance(21 * DAY);
    phase = await at();
    assert.equal(phase('beta', 'qq', 'notice'), 1);
    assert.equal(phase('beta', 'qq', 'live'), 0);
    assert.equal(phase('beta', 'sohu', 'ended'), 1);
    clock.set(clock.now() - 21 * DAY);
  });

  it('keeps the labels bounded: made-up client ids, providers and interactions add no series and show up nowhere', async () => {
    const before = await scrape(metricsUrl);
    const series = (e: Exposition) => labelSets(e, SIGN_INS).length;
    const browser = new TestBrowser();
    for (let i = 0; i < 40; i++) {
      const bogus = `bogus${i}x${Math.random().toString(36).slice(2, 8)}`;
      await browser.request('GET', `${gw.issuer}/auth?client_id=${bogus}&response_type=code&scope=openid&redirect_uri=https://${bogus}.test/cb`);
      await browser.request('GET', `${gw.issuer}/cb/${bogus}?state=${bogus}&code=${bogus}`);
      await browser.request('GET', `${gw.issuer}/cb/weibo?state=${bogus}&code=${bogus}`);
      await browser.request('GET', `${gw.issuer}/interaction/${bogus}/start/${bogus}`);
    }
    const after = await scrape(metricsUrl);
    const text = JSON.stringify(after);
    assert.doesNotMatch(text, /bogus/, 'no request value became a label value');
    // At most the two series of callbacks nobody can place: an unknown provider, and Weibo's without a flow.
    assert.ok(series(after) - series(before) <= 2, `${series(after) - series(before)} new sign-in series`);
    for (const labels of labelSets(after, SIGN_INS)) {
      assert.ok(['alpha', 'beta', 'gamma', 'unknown'].includes(labels.partner!), `partner ${labels.partner}`);
      assert.ok(['weibo', 'qq', 'sohu', 'wechat', 'password', 'phone', 'unknown'].includes(labels.provider!), `provider ${labels.provider}`);
    }
    assert.ok(signIns(after, 'unknown', 'unknown', 'error') - signIns(before, 'unknown', 'unknown', 'error') >= 40);
    assert.equal(signIns(after, 'unknown', 'weibo', 'error') - signIns(before, 'unknown', 'weibo', 'error'), 40);
  });

  it('serves nothing of the metrics on the gateway port', async () => {
    const res = await fetch(`${gw.issuer}/metrics`);
    assert.equal(res.status, 404);
    assert.doesNotMatch(await res.text(), /denglu_|# HELP/);
    const other = await fetch(metricsUrl.replace('/metrics', '/'));
    assert.equal(other.status, 404, 'the metrics listener answers /metrics only');
  });
});

describe('e2e: metrics of the gateway as an operator starts it', function () {
  this.timeout(60_000);
  let workDir: string;
  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'denglu-metrics-'));
  });
  after(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('serves /metrics on METRICS_PORT, on this machine only by default, and not on the gateway port', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const gateway = spawnGateway(
      {
        NODE_ENV: 'development',
        SANDBOX: 'false',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: join(workDir, 'data'),
        LOG_LEVEL: 'warn',
        METRICS_PORT: String(metricsPort),
      },
      workDir,
    );
    try {
      await gateway.ready(25_000);
      assert.match(gateway.output(), new RegExp(`Metrics +http://127\\.0\\.0\\.1:${metricsPort}/metrics`));
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      assert.equal(res.status, 200);
      const exposition = parseExposition(await res.text());
      for (const name of [
        SIGN_INS,
        'denglu_store_operation_duration_seconds',
        'denglu_integration_phase',
        'process_cpu_user_seconds_total',
        'nodejs_eventloop_lag_seconds',
      ]) {
        family(exposition, name);
      }
      // The start-up itself read and wrote the store: those operations are already timed.
      const stored = exposition.find((f) => f.name === 'denglu_store_operation_duration_seconds')!;
      assert.ok(stored.metrics.length > 0);
      assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 404);
      // Bound to the loopback address only: the machine's other addresses do not answer.
      const { networkInterfaces } = await import('node:os');
      const external = Object.values(networkInterfaces())
        .flat()
        .find((a) => a && a.family === 'IPv4' && !a.internal);
      if (external) {
        await assert.rejects(fetch(`http://${external.address}:${metricsPort}/metrics`), 'the metrics listener is not reachable from other machines');
      } else {
        process.stdout.write('      (no external IPv4 address on this machine: the loopback-only binding was checked by the banner alone)\n');
      }
    } finally {
      await gateway.stop();
    }
  });
});
