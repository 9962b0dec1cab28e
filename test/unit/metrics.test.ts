// The metrics' own rules, without a gateway: how an error becomes a sign-in outcome, the labels a
// sign-in is counted under (unknown partners and methods as `unknown`, once per request, no account
// page links), what UpstreamHttp reports for each kind of answer, the exposition parsing as the text
// format, and the listener answering /metrics only.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpstreamHttp } from '../../providers/shared/upstream-http.ts';
import type { LoginContext } from '../../src/broker/login-context.ts';
import { recordFailure, recordSignIn } from '../../src/broker/record-sign-in.ts';
import type { SignInState } from '../../src/broker/steps.ts';
import { GatewayError, UpstreamError } from '../../src/errors.ts';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.ts';
import { ManualClock } from '../../src/clock.ts';
import type { LoginEvent } from '../../src/events/login-event.ts';
import { createMetricsServer } from '../../src/metrics/metrics-server.ts';
import { outcomeOfError } from '../../src/metrics/sign-in-outcome.ts';
import type { Partner } from '../../src/partners/partner.ts';
import { labelSets, parseExposition, sampleValue } from '../support/prometheus-text.ts';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('metrics', () => {
  describe('sign-in outcomes', () => {
    it('maps each way a sign-in ends to one outcome', () => {
      assert.equal(outcomeOfError(new UpstreamError('weibo', 'provider_denied', 'no')), 'denied');
      assert.equal(outcomeOfError(new UpstreamError('weibo', 'token_exchange', 'broken')), 'upstream_failure');
      assert.equal(outcomeOfError(new UpstreamError('weibo', 'timeout', 'slow')), 'upstream_failure');
      assert.equal(outcomeOfError(new GatewayError('ERR_PROVIDER_UNAVAILABLE', 'upcoming', { status: 403 })), 'lifecycle_refused');
      assert.equal(outcomeOfError(new GatewayError('ERR_INTEGRATION_ENDED', 'ended', { status: 403 })), 'lifecycle_refused');
      assert.equal(outcomeOfError(new GatewayError('ERR_NEW_ACCOUNTS_CLOSED', 'closed', { status: 403 })), 'lifecycle_refused');
      assert.equal(outcomeOfError(new GatewayError('ERR_FLOW_EXPIRED', 'late', { status: 400 })), 'error');
      assert.equal(outcomeOfError(new Error('boom')), 'error');
    });

    const context = () => {
      const metrics = new GatewayMetrics();
      const ctx = {
        metrics,
        descriptors: new Map([
          ['weibo', {}],
          ['password', {}],
        ]),
        broker: { upstream: (id: string) => id === 'weibo' },
      } as unknown as LoginContext;
      return { metrics, ctx };
    };
    const partner = { id: 'jd' } as Partner;

    it('counts under the found partner and a known method, `unknown` otherwise, never what the request said', async () => {
      const { metrics, ctx } = context();
      recordSignIn(ctx, { locale: 'en', partner, provider: 'weibo' }, { outcome: 'success', account: 'a-1' });
      recordSignIn(ctx, { locale: 'en', provider: 'weibo' }, { outcome: 'error' });
      recordSignIn(ctx, { locale: 'en', partner, provider: 'made-up-by-a-client' }, { outcome: 'error' });
      recordFailure(ctx, { locale: 'en' }, new Error('no partner, no provider'), '../../etc/passwd');
      const e = parseExposition((await metrics.exposition()).body);
      assert.deepEqual(
        labelSets(e, 'denglu_sign_ins_total').map((l) => `${l.partner}/${l.provider}/${l.outcome}`),
        ['jd/weibo/success', 'unknown/weibo/error', 'jd/unknown/error', 'unknown/unknown/error'],
      );
    });

    it('counts a request once, whatever else goes wrong after its outcome, and no link from the account page', async () => {
      const { metrics, ctx } = context();
      const s: SignInState = { locale: 'en', partner, provider: 'password' };
      recordSignIn(ctx, s, { outcome: 'success', account: 'a-1' });
      recordFailure(ctx, s, new GatewayError('ERR_INTERACTION_LOST', 'gone', { status: 400 }));
      recordSignIn(ctx, s, { outcome: 'error' });
      recordFailure(ctx, { locale: 'en', provider: 'weibo', fromAccountPage: true }, new UpstreamError('weibo', 'userinfo', 'down'));
      const e = parseExposition((await metrics.exposition()).body);
      assert.deepEqual(labelSets(e, 'denglu_sign_ins_total'), [{ partner: 'jd', provider: 'password', outcome: 'success' }]);
      // The account page's failed link still shows as a failed round trip of the provider.
      assert.equal(sampleValue(e, 'denglu_upstream_failures_total', { provider: 'weibo', step: 'userinfo' }), 1);
    });
  });

  describe('one call feeds the metrics and the login events', () => {
    const recording = () => {
      const metrics = new GatewayMetrics();
      const events: LoginEvent[] = [];
      const ctx = {
        metrics,
        events: { record: (e: LoginEvent) => events.push(e) },
        clock: new ManualClock('2013-09-20T02:00:00Z'),
        descriptors: new Map([
          ['weibo', {}],
          ['password', {}],
        ]),
        broker: { upstream: (id: string) => id === 'weibo' },
      } as unknown as LoginContext;
      const counts = async () =>
        labelSets(parseExposition((await metrics.exposition()).body), 'denglu_sign_ins_total').map((l) => `${l.partner}/${l.provider}/${l.outcome}`);
      return { ctx, events, counts };
    };
    const jd = { id: 'jd' } as Partner;

    it('counts and records each end under the same shop, method and outcome', async () => {
      const { ctx, events, counts } = recording();
      recordSignIn(ctx, { locale: 'en', partner: jd, provider: 'weibo' }, { outcome: 'success', account: 'a-1', created: true });
      recordSignIn(ctx, { locale: 'en', partner: jd, provider: 'password' }, { outcome: 'denied', step: 'wrong' });
      recordFailure(ctx, { locale: 'en', partner: jd, provider: 'weibo' }, new GatewayError('ERR_INTEGRATION_ENDED', 'ended', { status: 403 }));
      recordFailure(ctx, { locale: 'en', partner: jd, provider: 'weibo' }, new GatewayError('ERR_FLOW_EXPIRED', 'late', { status: 400 }));
      assert.deepEqual(await counts(), ['jd/weibo/success', 'jd/password/denied', 'jd/weibo/lifecycle_refused', 'jd/weibo/error']);
      assert.deepEqual(
        events.map((e) => `${e.partner}/${e.method}/${e.outcome}/${e.step ?? e.account}`),
        ['jd/weibo/success/a-1', 'jd/password/denied/wrong', 'jd/weibo/refused/ERR_INTEGRATION_ENDED'],
        'an error is counted, never an event',
      );
    });

    it('counts a sign-in held on the notice when held and records its event when it goes on, each once', async () => {
      const { ctx, events, counts } = recording();
      recordSignIn(ctx, { locale: 'en', partner: jd, provider: 'weibo' }, { outcome: 'held', hold: 'notice' });
      assert.equal(events.length, 0);
      recordSignIn(ctx, { locale: 'en', partner: jd }, { outcome: 'success', method: 'weibo', account: 'a-1', via: 'notice' });
      assert.deepEqual(await counts(), ['jd/weibo/success']);
      assert.deepEqual(
        events.map((e) => [e.method, e.outcome, e.via]),
        [['weibo', 'success', 'notice']],
      );
      recordSignIn(ctx, { locale: 'en', partner: jd, provider: 'weibo' }, { outcome: 'held', hold: 'migrate' });
      assert.deepEqual(await counts(), ['jd/weibo/success', 'jd/weibo/lifecycle_refused'], 'the migration page: refused by the lifecycle');
      assert.equal(events.length, 1);
    });
  });

  describe('upstream calls', () => {
    let server: Server;
    let base: string;
    before(async () => {
      server = createServer((req, res) => {
        if (req.url === '/hang') return; // never answers
        if (req.url === '/big') return void res.end('x'.repeat(4096));
        res.statusCode = req.url === '/fail' ? 500 : 200;
        res.end('{}');
      });
      base = await listen(server);
    });
    after(async () => {
      server.closeAllConnections();
      await close(server);
    });

    it('reports each call with its provider, step, duration and failure', async () => {
      const seen: unknown[][] = [];
      const http = new UpstreamHttp({ timeoutMs: 200, maxBodyBytes: 1024, provider: 'weibo', observe: (...args) => seen.push(args) });
      await http.request({ method: 'GET', url: `${base}/ok`, step: 'userinfo' });
      await http.request({ method: 'POST', url: `${base}/fail`, body: 'a=1', step: 'token_exchange' });
      await assert.rejects(http.request({ method: 'GET', url: `${base}/hang`, step: 'token_verify' }));
      await assert.rejects(http.request({ method: 'GET', url: `${base}/big` }));
      await assert.rejects(http.request({ method: 'GET', url: 'http://127.0.0.1:1/refused', step: 'revoke' }));
      assert.deepEqual(
        seen.map(([provider, step, , error]) => [provider, step, error]),
        [
          ['weibo', 'userinfo', undefined],
          ['weibo', 'token_exchange', 'http_status'],
          ['weibo', 'token_verify', 'timeout'],
          ['weibo', 'other', 'too_large'],
          ['weibo', 'revoke', 'transport'],
        ],
      );
      const hung = seen[2]![2] as number;
      assert.ok(hung >= 0.19 && hung < 5, `the hanging call took the deadline (${hung} s)`);
    });

    it('lands in the histogram and the error counter by provider and step', async () => {
      const metrics = new GatewayMetrics();
      const http = new UpstreamHttp({ timeoutMs: 1000, maxBodyBytes: 1024, provider: 'qq', observe: metrics.upstream });
      await http.request({ method: 'GET', url: `${base}/fail`, step: 'userinfo' });
      const e = parseExposition((await metrics.exposition()).body);
      assert.equal(sampleValue(e, 'denglu_upstream_request_errors_total', { provider: 'qq', step: 'userinfo', reason: 'http_status' }), 1);
      const text = (await metrics.exposition()).body;
      assert.match(text, /^denglu_upstream_request_duration_seconds_count\{provider="qq",step="userinfo"\} 1$/m);
    });
  });

  describe('exposition and listener', () => {
    it('exposes every family with its help and type in the text format', async () => {
      const metrics = new GatewayMetrics();
      metrics.readIntegrationPhases(async () => [{ partner: 'jd', provider: 'weibo', state: 'notice', nextChangeAt: 1_380_038_400_000 }]);
      metrics.readWebhookBacklog(async () => 7);
      const { contentType, body } = await metrics.exposition();
      assert.match(contentType, /^text\/plain; version=0\.0\.4/);
      const e = parseExposition(body);
      const types = Object.fromEntries(e.map((f) => [f.name, f.type]));
      assert.deepEqual(types, {
        denglu_sign_ins_total: 'COUNTER',
        denglu_upstream_failures_total: 'COUNTER',
        denglu_upstream_request_duration_seconds: 'HISTOGRAM',
        denglu_upstream_request_errors_total: 'COUNTER',
        denglu_store_operation_duration_seconds: 'HISTOGRAM',
        denglu_store_errors_total: 'COUNTER',
        denglu_integration_phase: 'GAUGE',
        denglu_integration_next_change_timestamp_seconds: 'GAUGE',
        denglu_webhook_deliveries_pending: 'GAUGE',
      });
      for (const f of e) assert.ok(f.help.length > 20, `${f.name} has a help text`);
      assert.equal(sampleValue(e, 'denglu_integration_phase', { partner: 'jd', provider: 'weibo', phase: 'notice' }), 1);
      assert.equal(sampleValue(e, 'denglu_integration_phase', { partner: 'jd', provider: 'weibo', phase: 'live' }), 0);
      assert.equal(labelSets(e, 'denglu_integration_phase').length, 6, 'one series per state');
      assert.equal(sampleValue(e, 'denglu_integration_next_change_timestamp_seconds', { partner: 'jd', provider: 'weibo' }), 1_380_038_400);
      assert.equal(sampleValue(e, 'denglu_webhook_deliveries_pending', {}), 7);
    });

    it('refuses what is not the text format (the parser used by the tests can fail)', () => {
      assert.throws(() => parseExposition('denglu_sign_ins_total{partner=jd} 1\n'), /invalid line/);
      assert.throws(() => parseExposition('# TYPE x counter\nx{a="1"} many\n'), /not a number/);
    });

    it('answers GET and HEAD /metrics only, and 500 without detail when collecting fails', async () => {
      const metrics = new GatewayMetrics();
      const server = createMetricsServer(metrics);
      const base = await listen(server);
      try {
        const get = await fetch(`${base}/metrics?x=1`);
        assert.equal(get.status, 200);
        assert.equal(get.headers.get('cache-control'), 'no-store');
        parseExposition(await get.text());
        const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(await head.text(), '');
        for (const [method, path] of [
          ['GET', '/'],
          ['GET', '/metrics/x'],
          ['POST', '/metrics'],
          ['GET', '/healthz'],
        ] as const) {
          assert.equal((await fetch(`${base}${path}`, { method })).status, 404, `${method} ${path}`);
        }
        metrics.readIntegrationPhases(async () => {
          throw new Error('store down: secret detail');
        });
        const failed = await fetch(`${base}/metrics`);
        assert.equal(failed.status, 500);
        assert.doesNotMatch(await failed.text(), /secret detail/);
      } finally {
        await close(server);
      }
    });
  });
});
