// The benchmark must not rot: a few-second smoke run of `npm run bench` (every target — Denglu on the
// embedded store, the baseline, Denglu on PostgreSQL —, both scaling sizes of each store, two instances
// on one database, every process) has to complete without a failed login and write a sensible report.
// Without a reachable PostgreSQL the benchmark skips it loudly (and fails under CI=true).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gatewayNodeFlags, nodeFlagsOf } from '../../bench/node-flags.ts';
import { routeOf } from '../../bench/request-costs.ts';
import { classify, reconcile, slope, type Trace } from '../../bench/soak-classify.ts';
import { abortActionOf, csrfOf, errorCodeOf } from '../../bench/soak-browser.ts';

describe('bench: request costs', () => {
  it('group requests by route: ids folded, queries dropped', () => {
    assert.equal(routeOf('/auth?client_id=x&provider=weibo'), '/auth');
    assert.equal(routeOf('/auth/Xf3kQ9_aZb-7LmN2pQrSt'), '/auth/:id');
    assert.equal(routeOf('/interaction/Xf3kQ9_aZb-7LmN2pQrSt/notice'), '/interaction/:id/notice');
    assert.equal(routeOf('/cb/weibo?code=abc&state=Xf3kQ9_aZb-7LmN2pQrSt'), '/cb/weibo');
    assert.equal(routeOf('/oauth2/get_token_info'), '/oauth2/get_token_info');
  });
});

describe('bench: node flags', () => {
  it('are the flags `npm start` gives node, up to the first --import', () => {
    assert.deepEqual(nodeFlagsOf('node --max-semi-space-size=16 --expose-gc --import tsx src/main.ts'), ['--max-semi-space-size=16', '--expose-gc']);
    assert.deepEqual(nodeFlagsOf('node --import tsx src/main.ts'), []);
    assert.deepEqual(nodeFlagsOf('node src/main.js --port=1'), []);
    assert.throws(() => nodeFlagsOf('tsx src/main.ts'), /does not run node/);
  });

  it('are read from package.json, so the benchmark runs Denglu as `npm start` does', () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'));
    assert.deepEqual(gatewayNodeFlags(), nodeFlagsOf(pkg.scripts.start));
    assert.ok(gatewayNodeFlags().includes('--max-semi-space-size=16'), 'the gateway runs with a 16 MiB semi-space (README: garbage-collection pauses)');
  });
});

describe('bench: smoke run', function () {
  this.timeout(300_000);
  it('runs every part of the benchmark and reports numbers and targets', () => {
    const out = mkdtempSync(join(tmpdir(), 'denglu-bench-smoke-'));
    try {
      const script = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));
      const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--smoke', '--scale', '50,200', '--pg-scale', '50,200', '--out', out], {
        encoding: 'utf8',
        timeout: 290_000,
      });
      assert.equal(run.status, 0, `bench exited ${run.status}:\n${run.stderr.slice(-2000)}`);
      const result = JSON.parse(readFileSync(join(out, 'smoke.json'), 'utf8'));
      assert.equal(result.summary.length, 2);
      for (const s of result.summary) {
        assert.ok(s.denglu.loginsPerSecond > 0 && s.baseline.loginsPerSecond > 0, 'both targets completed logins');
        assert.ok(s.denglu.cpuMsPerLogin > 0 && s.denglu.p99 >= s.denglu.p50);
      }
      assert.ok(
        result.rounds.every((r: { errors: number }) => r.errors === 0),
        'no failed login',
      );
      for (const r of result.rounds) {
        assert.ok(r.maxGcPauseMs >= 0, `round reports its longest GC pause: ${JSON.stringify(r)}`);
        if (process.platform === 'linux') {
          assert.ok(r.stealPercent >= 0 && r.stealPercent <= 100, `host steal is a percentage: ${r.stealPercent}`);
          // A thread is on a core or waiting for one for at most the whole window (a little slack: the
          // metrics requests bracket the window).
          assert.ok(
            r.mainRunPercent > 0 && r.mainRunPercent + r.mainWaitPercent <= 110,
            `event-loop thread run/wait: ${r.mainRunPercent} / ${r.mainWaitPercent}`,
          );
        }
      }
      assert.deepEqual(result.options.nodeFlags, gatewayNodeFlags(), 'both servers ran with the flags of npm start');
      assert.deepEqual(
        result.scaling.map((s: { accounts: number }) => s.accounts),
        [50, 200],
      );
      assert.ok(result.sessionBytes.sessions > 0);
      assert.ok(result.targets.length >= 3);
      assert.ok(
        result.rounds.some((r: { maxGcPauseMs: number; maxGcKind: string }) => r.maxGcPauseMs > 0 && r.maxGcKind),
        'GC pauses are observed',
      );
      // The cost breakdown: every route of a login, for both servers and the emulator.
      assert.ok(result.costs.denglu.logins > 0 && result.costs.baseline.logins > 0, 'the cost breakdown completed logins');
      assert.deepEqual(Object.keys(result.costs.denglu.routes).sort(), ['/auth', '/cb/weibo', '/token']);
      // users/show only for a profile older than a day (a first sign-in, in a run this short).
      assert.deepEqual(
        Object.keys(result.costs.denglu.upstream.routes)
          .filter((r) => r !== '/2/users/show.json')
          .sort(),
        ['/oauth2/access_token', '/oauth2/authorize', '/oauth2/get_token_info'],
      );
      assert.deepEqual(Object.keys(result.costs.baseline.routes).sort(), ['/auth', '/auth/:id', '/interaction/:id', '/token']);
      for (const c of [result.costs.denglu, result.costs.baseline]) {
        for (const [route, cost] of Object.entries(c.routes) as [string, { requests: number; cpuMs: number }][]) {
          assert.ok(cost.requests > 0 && cost.cpuMs > 0, `${route}: ${JSON.stringify(cost)}`);
        }
        assert.ok(c.processCpuMsPerLogin > 0);
      }
      // Two signing key rotations during one window: the JWKS-caching shop verified every ID token.
      assert.equal(result.rotation.rotations, 2);
      assert.ok(result.rotation.logins > 0);
      assert.equal(result.rotation.verificationFailures + result.rotation.otherErrors, 0, result.rotation.firstError);
      const md = readFileSync(join(out, 'smoke.md'), 'utf8');
      assert.match(md, /\| ID tokens a JWKS-caching shop failed to verify during 2 key rotations \(of \d+\) \| 0\.00 \| 0 \| met \|/);
      assert.match(md, /## What a login costs \(concurrency 1\)/);
      assert.match(md, /\| concurrency \| Denglu logins\/s/);
      assert.match(md, /longest GC pause ms \(kind\)/);
      if (process.platform === 'linux') assert.match(md, /\| \d+ \/ \d+; \d+ \/ \d+ \|/, 'the report shows both event-loop threads on a core / waiting');
      if (result.options.postgres) {
        // Denglu on PostgreSQL in the same rounds: ratio, both CPUs, queries; scaling, instances, memory.
        const p = result.postgres;
        for (const s of p.summary) {
          assert.ok(s.loginsPerSecond > 0 && s.ratioPerRound.length === 1 && s.ratioMedian > 0, JSON.stringify(s));
          assert.ok(s.cpuMsPerLogin > 0 && s.queriesPerLogin > 0 && s.p99 >= s.p50, JSON.stringify(s));
          if (process.platform === 'linux') assert.ok(s.databaseCpuMsPerLogin > 0, `PostgreSQL CPU per login: ${s.databaseCpuMsPerLogin}`);
        }
        assert.deepEqual(
          p.scaling.map((s: { accounts: number }) => s.accounts),
          [50, 200],
        );
        assert.equal(p.instances.instances, 2);
        assert.equal(p.instances.errors, 0, p.instances.firstError);
        assert.ok(p.instances.several.loginsPerSecond > 0);
        assert.ok(p.memory.logins >= 50 && p.memory.rssMb > 0);
        assert.ok(p.statements.length > 0 && result.costs.postgres.database.statements.length > 0, 'statements counted');
        assert.match(md, /## PostgreSQL/);
        assert.match(md, /\| PostgreSQL ÷ embedded logins\/s|PostgreSQL ÷ embedded \(median; rounds\)/);
        assert.match(md, /### 2 gateway instances on one database/);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('bench: soak classifier', () => {
  const failure = (status: number, errorCode: string | undefined, shopError?: string): Trace => ({
    kind: 'failure-page',
    action: 'shop sign-in',
    status,
    errorCode,
    shopError,
  });

  it('accepts a fault-caused failure only when it ends the documented way', () => {
    const subs = new Map<string, string>();
    assert.deepEqual(classify(failure(502, 'ERR_UPSTREAM', 'temporarily_unavailable'), subs), { kind: 'expected' });
    // A console link's failure page leads back to the console, not to a shop.
    assert.deepEqual(classify({ kind: 'failure-page', action: 'link', status: 502, errorCode: 'ERR_UPSTREAM' }, subs, false), { kind: 'expected' });
  });

  it('counts a 500 from Denglu, another error, the wrong shop error, a hang and a shop error without a page as unexpected', () => {
    const subs = new Map<string, string>();
    const unexpected: Trace[] = [
      failure(500, 'ERR_INTERNAL', 'temporarily_unavailable'),
      failure(400, 'ERR_INTERACTION_LOST', 'access_denied'),
      failure(502, 'ERR_UPSTREAM', 'access_denied'),
      failure(502, 'ERR_UPSTREAM'),
      { kind: 'threw', action: 'shop sign-in', message: 'no answer within 10000 ms: GET /cb/weibo' },
      { kind: 'shop-error', action: 'shop sign-in', error: 'server_error' },
    ];
    for (const trace of unexpected) assert.equal(classify(trace, subs).kind, 'unexpected', JSON.stringify(trace));
  });

  it("learns each shopper's sub and counts a different one later as unexpected", () => {
    const subs = new Map<string, string>();
    assert.deepEqual(classify({ kind: 'signed-in', upstreamLogin: 'soak00x000', sub: 'A' }, subs), { kind: 'ok' });
    assert.deepEqual(classify({ kind: 'signed-in', upstreamLogin: 'soak00x000', sub: 'A' }, subs), { kind: 'ok' });
    assert.deepEqual(classify({ kind: 'signed-in', upstreamLogin: 'soak00x001', sub: 'B' }, subs), { kind: 'ok' });
    const wrong = classify({ kind: 'signed-in', upstreamLogin: 'soak00x000', sub: 'B' }, subs);
    assert.equal(wrong.kind, 'unexpected');
    assert.match((wrong as { why: string }).why, /wrong sub for soak00x000/);
  });

  it('reconciles documented failures with the faults served, one for one', () => {
    assert.deepEqual(reconcile(7, 7), { unexpected: 0 });
    assert.equal(reconcile(8, 7).unexpected, 1, 'a failure without a fault');
    assert.equal(reconcile(6, 7).unexpected, 1, 'a fault that failed nothing: a bad answer accepted');
  });

  it('reads the failure page and the console forms', () => {
    const page =
      '<p class="message" data-error-code="ERR_UPSTREAM">…</p><form method="post" action="/interaction/Ab-1/abort?error=temporarily_unavailable&amp;x=1"><button>';
    assert.equal(errorCodeOf(page), 'ERR_UPSTREAM');
    assert.equal(abortActionOf(page), '/interaction/Ab-1/abort?error=temporarily_unavailable&x=1');
    assert.equal(csrfOf('<input type="hidden" name="_csrf" value="t0k&amp;en">'), 't0k&en');
    assert.equal(abortActionOf('<form method="post" action="/account/unlink">'), undefined);
  });

  it('measures a slope by least squares', () => {
    assert.equal(
      slope([
        { x: 0, y: 1 },
        { x: 1, y: 3 },
        { x: 2, y: 5 },
      ]),
      2,
    );
    assert.equal(
      slope([
        { x: 0, y: 1 },
        { x: 1, y: 3 },
      ]),
      undefined,
      'too few points',
    );
  });
});

describe('bench: soak smoke run', function () {
  this.timeout(300_000);
  it('runs the soak with faults and console shoppers and reports outcomes, memory, stalls and losses', () => {
    const out = mkdtempSync(join(tmpdir(), 'denglu-soak-smoke-'));
    try {
      const script = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));
      // A high share so that a few seconds see faults served.
      const args = ['--soak', '8', '--soak-concurrency', '6', '--soak-users', '3', '--soak-console', '1', '--soak-share', '0.2', '--out', out];
      const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 290_000 });
      const name = readdirSync(out).find((f) => /^soak-.*\.json$/.test(f));
      assert.ok(name, `the soak wrote its JSON (exit ${run.status}):\n${run.stderr.slice(-2000)}`);
      const r = JSON.parse(readFileSync(join(out, name!), 'utf8'));
      assert.equal(r.outcomes.unexpected, 0, `no unexpected outcome: ${JSON.stringify(r.unexpected)}`);
      assert.equal(run.status, 0, `soak exited ${run.status}:\n${run.stderr.slice(-2000)}`);
      assert.ok(r.logins.signedIn > 0 && r.outcomes.ok > 0, 'shoppers signed in');
      assert.ok(r.faultsServed.total > 0, 'the emulators served faults');
      assert.equal(r.outcomes.expected, r.faultsServed.total, 'each fault failed one sign-in the documented way');
      assert.ok(r.outcomes.consoleActions > 0, 'the console shopper acted');
      assert.ok(r.samples.length > 0 && r.samples.every((s: any) => s.rssMb > 0 && s.heapUsedMb > 0 && s.maxStallMs >= 0 && s.storeDocuments > 0));
      assert.ok(
        r.samples.some((s: any) => s.liveHeapForced && s.liveHeapMb > 0),
        'the gateway collected fully on request and reported its live heap',
      );
      for (const key of ['rssMbPerMinute', 'heapUsedMbPerMinute', 'liveHeapMbPerMinute', 'storeMbPerMinute']) assert.ok(key in r.memory, key);
      assert.ok(r.stalls.maxMs >= 0);
      assert.equal(r.lost.count, 0, `nothing lost: ${JSON.stringify(r.lost.items)}`);
      assert.ok(r.lost.sessionsChecked > 0 && r.lost.accountsChecked >= r.lost.sessionsChecked);
      assert.deepEqual(
        r.targets.map((t: { name: string }) => t.name.split(' (')[0]),
        ['unexpected errors', 'memory growth after warm-up', 'sessions or accounts lost'],
      );
      const md = readFileSync(join(out, name!.replace(/json$/, 'md')), 'utf8');
      assert.match(md, /^# Denglu soak/);
      assert.match(md, /## Memory/);
      assert.match(md, /## Lost/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
