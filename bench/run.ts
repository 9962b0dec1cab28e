// `npm run bench`: complete brokered logins against Denglu, interleaved round by round with the same
// logins against a bare oidc-provider baseline, at several concurrencies; then the store-scaling run at
// 1,000 and 100,000 pre-generated accounts. Writes JSON and a markdown table to bench/results/.
// Options: --smoke (a few seconds, for `npm test`), --rounds N, --duration S, --warmup S (before each
// measurement), --jit-warmup S (once per server before round 1, so round 1 is not measuring the JIT),
// --concurrency 1,8,32, --scale 1000,100000, --out DIR, --node-flags "<flags>" (the Node/V8 flags of both
// servers; default: those of `npm start`, see bench/node-flags.ts), --cost-seconds S (the cost breakdown:
// logins at concurrency 1 with each route's CPU counted, after the rounds), --flood N (the password-flood
// section, bench/flood.ts: N workers posting wrong passwords beside the logins; 0, the default outside
// --smoke, skips it). --soak S runs the soak instead (bench/soak.ts).

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, hostname, totalmem, tmpdir, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BENCH_CLIENT, benchPartner } from './bench-partner.ts';
import { fetchJwks, percentile, runLoad, type LoadResult, type Target } from './load-client.ts';
import { dengluEnv, freePort, metrics, startServer, type Server } from './spawn-server.ts';
import { seedAccounts } from './seed-accounts.ts';
import { renderMarkdown } from './report.ts';
import { gatewayNodeFlags } from './node-flags.ts';
import type { RouteCost } from './request-costs.ts';
import { readCpuTimes, stealPercent, type CpuTimes } from './host-steal.ts';
import { ROTATION_LEAD_SECONDS, rotationCheck, type RotationCheck } from './key-rotation.ts';
import { measureFlood, type FloodSection } from './flood.ts';
import { parseSoakOptions, runSoak } from './soak.ts';

interface Options {
  smoke: boolean;
  rounds: number;
  duration: number;
  warmup: number;
  jitWarmup: number;
  concurrency: number[];
  scale: number[];
  scaleConcurrency: number;
  out: string;
  provider: string;
  /** Write V8 CPU profiles of Denglu, the emulator and the baseline here (--profile DIR, one folder each). */
  profileDir: string | undefined;
  /** Skip the baseline and the scaling run (profiling sessions). */
  dengluOnly: boolean;
  /** Node/V8 flags of Denglu and of the baseline. */
  nodeFlags: string[];
  /** Length of the cost breakdown per server (0: none). */
  costSeconds: number;
  /** Password-flood workers (0: no flood section). */
  flood: number;
}

function parseOptions(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  const smoke = argv.includes('--smoke');
  const list = (v: string | undefined, d: number[]) => (v ? v.split(',').map(Number) : d);
  return {
    smoke,
    rounds: Number(get('rounds') ?? (smoke ? 1 : 5)),
    duration: Number(get('duration') ?? (smoke ? 1 : 8)),
    warmup: Number(get('warmup') ?? (smoke ? 0.3 : 2)),
    jitWarmup: Number(get('jit-warmup') ?? (smoke ? 0 : 10)),
    concurrency: list(get('concurrency'), smoke ? [1, 4] : [1, 8, 32]),
    scale: list(get('scale'), smoke ? [100, 1000] : [1000, 100000]),
    scaleConcurrency: Number(get('scale-concurrency') ?? (smoke ? 4 : 8)),
    out: get('out') ?? fileURLToPath(new URL('./results/', import.meta.url)),
    provider: get('provider') ?? 'weibo',
    profileDir: get('profile'),
    dengluOnly: argv.includes('--denglu-only'),
    costSeconds: Number(get('cost-seconds') ?? (smoke ? 1 : 8)),
    flood: Number(get('flood') ?? (smoke ? 4 : 0)),
    nodeFlags: get('node-flags') !== undefined ? get('node-flags')!.split(/\s+/).filter(Boolean) : gatewayNodeFlags(),
  };
}

const progress = (line: string) => process.stderr.write(`\r\x1b[2K${line}`);
const done = (line: string) => process.stderr.write(`\r\x1b[2K${line}\n`);

interface Measured {
  target: string;
  concurrency: number;
  round: number;
  loginsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
  cpuMsPerLogin?: number;
  emulatorCpuMsPerLogin?: number;
  /** The load client's own CPU (this process: the shop and the shopper's browser). */
  clientCpuMsPerLogin?: number;
  maxStallMs?: number;
  /** The server's longest GC pause in the round, and its kind. */
  maxGcPauseMs?: number;
  maxGcKind?: string;
  /** CPU time the host took from this machine during the round (percent; Linux only). */
  stealPercent?: number;
  /** The server's event-loop thread: share of the round on a core, and runnable but waiting for one (percent; Linux). */
  mainRunPercent?: number;
  mainWaitPercent?: number;
  maxRssMb?: number;
}

/** What one measurement window saw: raw sums, so that several windows combine exactly. */
interface Window {
  logins: number;
  seconds: number;
  errors: number;
  firstError?: string;
  latencies: number[];
  cpuMicros: number;
  emulatorCpuMicros?: number;
  clientCpuMicros: number;
  maxStallMs: number;
  maxGcPauseMs: number;
  maxGcKind: string;
  /** The host's steal and total CPU time during the window (Linux). */
  host?: CpuTimes;
  /** The server's event-loop thread during the window, from the scheduler (Linux). */
  mainThread?: { runNs: number; waitNs: number };
  maxRssBytes: number;
}

async function runWindow(target: Target, server: Server, emulator: Server | undefined, c: number, seconds: number, label: string): Promise<Window> {
  const before = await metrics(server, 'reset');
  const emulatorBefore = emulator ? await metrics(emulator) : undefined;
  const ticker = setInterval(() => progress(`${label} · measuring`), 500);
  let result: LoadResult;
  const clientBefore = process.cpuUsage();
  const hostBefore = readCpuTimes();
  try {
    result = await runLoad(target, c, seconds);
  } finally {
    clearInterval(ticker);
  }
  const clientCpu = process.cpuUsage(clientBefore);
  const hostAfter = readCpuTimes();
  const after = await metrics(server);
  const emulatorAfter = emulator ? await metrics(emulator) : undefined;
  return {
    logins: result.logins,
    seconds: result.seconds,
    errors: result.errors,
    ...(result.firstError ? { firstError: result.firstError } : {}),
    latencies: result.latencies,
    cpuMicros: after.cpuMicros - before.cpuMicros,
    ...(emulatorBefore && emulatorAfter ? { emulatorCpuMicros: emulatorAfter.cpuMicros - emulatorBefore.cpuMicros } : {}),
    clientCpuMicros: clientCpu.user + clientCpu.system,
    maxStallMs: after.maxStallMs,
    maxGcPauseMs: after.maxGcPauseMs,
    maxGcKind: after.maxGcKind,
    ...(hostBefore && hostAfter ? { host: { steal: hostAfter.steal - hostBefore.steal, total: hostAfter.total - hostBefore.total } } : {}),
    ...(before.mainThread && after.mainThread
      ? { mainThread: { runNs: after.mainThread.runNs - before.mainThread.runNs, waitNs: after.mainThread.waitNs - before.mainThread.waitNs } }
      : {}),
    maxRssBytes: after.maxRssBytes,
  };
}

/** One target's windows of a round, combined: rates from the summed logins and seconds, the worst stall. */
function combine(target: Target, c: number, round: number, windows: Window[]): Measured {
  const sum = (f: (w: Window) => number) => windows.reduce((a, w) => a + f(w), 0);
  const logins = sum((w) => w.logins);
  const per = (micros: number) => micros / 1000 / Math.max(1, logins);
  const sorted = windows.flatMap((w) => w.latencies).sort((a, b) => a - b);
  const worstGc = windows.reduce((a, w) => (w.maxGcPauseMs > a.maxGcPauseMs ? w : a));
  const firstError = windows.find((w) => w.firstError)?.firstError;
  const hosts = windows.flatMap((w) => (w.host ? [w.host] : []));
  const steal = hosts.length
    ? stealPercent({ steal: 0, total: 0 }, { steal: hosts.reduce((a, h) => a + h.steal, 0), total: hosts.reduce((a, h) => a + h.total, 0) })
    : undefined;
  const m: Measured = {
    target: target.name,
    concurrency: c,
    round,
    loginsPerSecond: logins / sum((w) => w.seconds),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    errors: sum((w) => w.errors),
    ...(firstError ? { firstError } : {}),
    cpuMsPerLogin: per(sum((w) => w.cpuMicros)),
    clientCpuMsPerLogin: per(sum((w) => w.clientCpuMicros)),
    maxStallMs: Math.max(...windows.map((w) => w.maxStallMs)),
    maxGcPauseMs: worstGc.maxGcPauseMs,
    maxGcKind: worstGc.maxGcKind,
    ...(steal !== undefined ? { stealPercent: steal } : {}),
    maxRssMb: Math.max(...windows.map((w) => w.maxRssBytes)) / 1048576,
  };
  if (windows.every((w) => w.emulatorCpuMicros !== undefined)) m.emulatorCpuMsPerLogin = per(sum((w) => w.emulatorCpuMicros!));
  if (windows.every((w) => w.mainThread)) {
    const ns = 1e9 * sum((w) => w.seconds);
    m.mainRunPercent = (100 * sum((w) => w.mainThread!.runNs)) / ns;
    m.mainWaitPercent = (100 * sum((w) => w.mainThread!.waitNs)) / ns;
  }
  return m;
}

function report(m: Measured, rounds: number): void {
  done(
    `round ${m.round}/${rounds} · concurrency ${String(m.concurrency).padStart(2)} · ${m.target.padEnd(8)} · ${m.loginsPerSecond.toFixed(1).padStart(6)} logins/s · p50 ${m.p50.toFixed(1)} ms · p99 ${m.p99.toFixed(1)} ms · cpu ${m.cpuMsPerLogin!.toFixed(2)} ms/login · stall ${m.maxStallMs!.toFixed(0)} ms (gc ${m.maxGcPauseMs!.toFixed(0)} ms)${m.stealPercent !== undefined ? ` · host steal ${m.stealPercent.toFixed(0)}%` : ''}${m.errors ? ` · ${m.errors} ERRORS (${m.firstError})` : ''}`,
  );
}

/** One target alone for a round: a warm-up, then one window of --duration (the store-scaling rounds). */
async function measure(target: Target, server: Server, emulator: Server | undefined, c: number, o: Options, round: number): Promise<Measured> {
  const label = `round ${round}/${o.rounds} · concurrency ${c} · ${target.name}`;
  progress(`${label} · warming up`);
  await runLoad(target, c, o.warmup);
  const m = combine(target, c, round, [await runWindow(target, server, emulator, c, o.duration, label)]);
  report(m, o.rounds);
  return m;
}

interface Contender {
  target: Target;
  server: Server;
  emulator: Server | undefined;
}

/**
 * Two targets in one round, ABBA: first A, then B twice, then A again, each window half of --duration
 * (a warm-up before each switch). A drift of the machine's speed during the round, which this shared
 * host has plenty of, then weighs on both alike instead of on whichever ran second. Odd rounds start
 * with `a`, even rounds with `b`.
 */
async function measurePair(a: Contender, b: Contender, c: number, o: Options, round: number): Promise<[Measured, Measured]> {
  const [first, second] = round % 2 === 1 ? [a, b] : [b, a];
  const half = o.duration / 2;
  const windows = new Map<Contender, Window[]>([
    [first, []],
    [second, []],
  ]);
  for (const [who, warm] of [
    [first, true],
    [second, true],
    [second, false],
    [first, true],
  ] as const) {
    const label = `round ${round}/${o.rounds} · concurrency ${c} · ${who.target.name}`;
    if (warm) {
      progress(`${label} · warming up`);
      await runLoad(who.target, c, o.warmup);
    }
    windows.get(who)!.push(await runWindow(who.target, who.server, who.emulator, c, half, label));
  }
  const ma = combine(a.target, c, round, windows.get(a)!);
  const mb = combine(b.target, c, round, windows.get(b)!);
  report(ma, o.rounds);
  report(mb, o.rounds);
  return [ma, mb];
}

/** One server's cost breakdown: CPU per route, per request that ran alone (concurrency 1). */
interface Costs {
  logins: number;
  /** The whole process (every thread) per login during the breakdown. */
  processCpuMsPerLogin: number;
  routes: Record<string, RouteCost>;
  /** The emulator's routes, for Denglu. */
  upstream?: { processCpuMsPerLogin: number; routes: Record<string, RouteCost> };
}

async function costBreakdown(target: Target, server: Server, emulator: Server | undefined, o: Options): Promise<Costs> {
  progress(`cost breakdown · ${target.name} · concurrency 1 · ${o.costSeconds}s`);
  const before = await metrics(server);
  const emulatorBefore = emulator ? await metrics(emulator) : undefined;
  await metrics(server, 'costs/start');
  if (emulator) await metrics(emulator, 'costs/start');
  const result = await runLoad(target, 1, o.costSeconds);
  const routes = (await metrics(server, 'costs/stop')) as Record<string, RouteCost>;
  const upstreamRoutes = emulator ? ((await metrics(emulator, 'costs/stop')) as Record<string, RouteCost>) : undefined;
  const after = await metrics(server);
  const logins = Math.max(1, result.logins);
  const out: Costs = { logins: result.logins, processCpuMsPerLogin: (after.cpuMicros - before.cpuMicros) / 1000 / logins, routes };
  if (emulator && emulatorBefore && upstreamRoutes) {
    const emulatorAfter = await metrics(emulator);
    out.upstream = { processCpuMsPerLogin: (emulatorAfter.cpuMicros - emulatorBefore.cpuMicros) / 1000 / logins, routes: upstreamRoutes };
  }
  done(`cost breakdown · ${target.name} · ${result.logins} logins at concurrency 1 · ${out.processCpuMsPerLogin.toFixed(2)} ms CPU per login`);
  return out;
}

interface Stack {
  emulator: Server;
  denglu: Server;
  dengluTarget: Target;
  stop(): Promise<void>;
}

async function startDenglu(o: Options, dataDir: string, users: number): Promise<Stack> {
  const [port, emulatorPort] = [await freePort(), await freePort()];
  const issuer = `http://127.0.0.1:${port}`;
  const provider = o.provider;
  const prefix = provider.toUpperCase();
  const credentials = { BENCH_CLIENT_ID: `bench-${provider}`, BENCH_CLIENT_SECRET: `bench-${provider}-secret` };
  const emulator = await startServer(
    'emulator',
    './emulator-server.ts',
    {
      ...credentials,
      BENCH_PROVIDER: provider,
      BENCH_USERS: String(users),
      BENCH_ISSUER: issuer,
      PORT: String(emulatorPort),
    },
    o.profileDir ? { profileDir: o.profileDir } : {},
  );
  const denglu = await startServer(
    'denglu',
    './denglu-server.ts',
    {
      ...dengluEnv(port, dataDir),
      LOG_LEVEL: 'warn',
      KEY_PUBLISH_LEAD_SECONDS: String(ROTATION_LEAD_SECONDS),
      BENCH_PROVIDER: provider,
      [`${prefix}_CLIENT_ID`]: credentials.BENCH_CLIENT_ID,
      [`${prefix}_CLIENT_SECRET`]: credentials.BENCH_CLIENT_SECRET,
      [`${prefix}_BASE_URL`]: `http://127.0.0.1:${emulatorPort}`,
    },
    { nodeFlags: o.nodeFlags, ...(o.profileDir ? { profileDir: o.profileDir } : {}) },
  );
  const dengluTarget: Target = { name: 'denglu', issuer, extraParams: { provider }, jwks: await fetchJwks(issuer) };
  return {
    emulator,
    denglu,
    dengluTarget,
    stop: async () => {
      await denglu.stop();
      await emulator.stop();
    },
  };
}

/** Host steal over the rows that recorded it: median and largest, or undefined off Linux. */
function stealSummary(rows: Measured[]): { median: number; max: number } | undefined {
  const values = rows.flatMap((r) => (r.stealPercent === undefined ? [] : [r.stealPercent]));
  return values.length ? { median: median(values), max: Math.max(...values) } : undefined;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
}

function versions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['oidc-provider', 'express', 'jose', 'passport-oauth2', 'lowdb', 'openid-client']) {
    try {
      out[name] = JSON.parse(readFileSync(fileURLToPath(new URL(`../node_modules/${name}/package.json`, import.meta.url)), 'utf8')).version;
    } catch {
      out[name] = 'unknown';
    }
  }
  return out;
}

async function main(): Promise<void> {
  const soak = parseSoakOptions(process.argv.slice(2));
  if (soak) {
    process.exitCode = await runSoak(soak);
    return;
  }
  const o = parseOptions(process.argv.slice(2));
  const work = await mkdtemp(join(tmpdir(), 'denglu-bench-'));
  const started = new Date();
  done(
    `Denglu benchmark${o.smoke ? ' (smoke)' : ''}: ${o.rounds} round(s) × concurrency ${o.concurrency.join('/')} × ${o.duration}s after ${o.warmup}s warm-up (first, ${o.jitWarmup}s per server); scaling at ${o.scale.join(' and ')} accounts`,
  );
  const measured: Measured[] = [];
  let sessionBytes: { bytesPerSession: number; sessions: number; ephemeralBytes: number } | undefined;
  let costs: { denglu: Costs; baseline?: Costs } | undefined;
  let rotation: RotationCheck | undefined;
  let flood: FloodSection | undefined;
  try {
    // 1. Denglu vs baseline, interleaved round by round.
    const stack = await startDenglu(o, join(work, 'main'), 1000);
    const baselinePort = await freePort();
    const baseline = await startServer(
      'baseline',
      './baseline-server.ts',
      { PORT: String(baselinePort), BENCH_BASELINE_ISSUER: `http://127.0.0.1:${baselinePort}` },
      { nodeFlags: o.nodeFlags, ...(o.profileDir ? { profileDir: o.profileDir } : {}) },
    );
    const baselineTarget: Target = {
      name: 'baseline',
      issuer: `http://127.0.0.1:${baselinePort}`,
      extraParams: {},
      jwks: await fetchJwks(`http://127.0.0.1:${baselinePort}`),
    };
    try {
      // A fresh process runs its code unoptimised for seconds: both servers get the same first warm-up.
      for (const target of o.dengluOnly ? [stack.dengluTarget] : [stack.dengluTarget, baselineTarget]) {
        if (o.jitWarmup <= 0) break;
        progress(`warming up ${target.name} (${o.jitWarmup}s at concurrency 8, not measured)`);
        await runLoad(target, 8, o.jitWarmup);
      }
      for (let round = 1; round <= o.rounds; round++) {
        for (const c of o.concurrency) {
          // ABBA within the round (measurePair), and which side opens alternates by round: whichever runs
          // after the other shares the machine with what it left running (GC, journal syncs).
          if (o.dengluOnly) measured.push(await measure(stack.dengluTarget, stack.denglu, stack.emulator, c, o, round));
          else
            measured.push(
              ...(await measurePair(
                { target: stack.dengluTarget, server: stack.denglu, emulator: stack.emulator },
                { target: baselineTarget, server: baseline, emulator: undefined },
                c,
                o,
                round,
              )),
            );
        }
      }
      if (o.flood > 0) {
        flood = await measureFlood(
          stack.dengluTarget,
          stack.denglu,
          { workers: o.flood, concurrency: Math.max(...o.concurrency), seconds: o.duration, warmup: o.warmup },
          progress,
        );
        done(
          `password flood · p99 ${flood.unflooded.p99.toFixed(1)} ms alone, ${flood.flooded.p99.toFixed(1)} ms beside ${o.flood} flooding workers (÷ ${flood.ratioP99.toFixed(2)})`,
        );
      }
      if (o.costSeconds > 0) {
        costs = {
          denglu: await costBreakdown(stack.dengluTarget, stack.denglu, stack.emulator, o),
          ...(o.dengluOnly ? {} : { baseline: await costBreakdown(baselineTarget, baseline, undefined, o) }),
        };
      }
      progress('signing key rotation check: two rotations during one window');
      rotation = await rotationCheck(stack.dengluTarget, Math.max(...o.concurrency), o.duration);
      done(
        `key rotation check · ${rotation.logins} logins, ${rotation.rotations} rotations, ${rotation.verificationFailures} verification failures, ${rotation.otherErrors} other errors`,
      );
      const m = await metrics(stack.denglu, 'stats');
      const oidc = m.store?.oidc ?? { bytes: 0, documents: 0 };
      const flows = m.store?.flows ?? { bytes: 0, documents: 0 };
      const sessions = m.sessionsLive ?? oidc.documents;
      sessionBytes = { sessions, ephemeralBytes: oidc.bytes + flows.bytes, bytesPerSession: (oidc.bytes + flows.bytes) / Math.max(1, sessions) };
    } finally {
      await baseline.stop();
      await stack.stop();
    }

    // 2. Store scaling: every size seeded and started, then measured round by round, interleaved like
    // the baseline comparison (the machine's speed drifts between rounds; a per-round ratio does not).
    type ScaleRow = {
      accounts: number;
      loginsPerSecond: number;
      p99: number;
      maxStallMs: number;
      maxGcPauseMs: number;
      maxGcKind: string;
      stealPercentPerRound: number[];
      cpuMsPerLogin: number;
      errors: number;
      relativePerRound: number[];
      relative: number;
    };
    const scaling: ScaleRow[] = [];
    const sizes = o.dengluOnly ? [] : o.scale;
    const stacks: Stack[] = [];
    try {
      for (const n of sizes) {
        const dir = join(work, `scale-${n}`);
        await mkdir(dir, { recursive: true });
        await seedAccounts(dir, n, o.provider, `bench-${o.provider}`, benchPartner(o.provider).id, (d, t) =>
          progress(`seeding ${t.toLocaleString('en')} accounts ${bar(d / t)} ${d.toLocaleString('en')}`),
        );
        done(`seeded ${n.toLocaleString('en')} accounts`);
        const s = await startDenglu(o, dir, n);
        stacks.push(s);
        if (o.jitWarmup > 0) {
          progress(`warming up denglu at ${n.toLocaleString('en')} accounts (${o.jitWarmup}s, not measured)`);
          await runLoad(s.dengluTarget, o.scaleConcurrency, o.jitWarmup);
        }
      }
      const perSize = sizes.map(() => [] as Measured[]);
      const scaleRounds = Math.max(1, Math.min(o.rounds, 3));
      for (let round = 1; round <= scaleRounds; round++) {
        for (const i of round % 2 === 1 ? sizes.keys() : [...sizes.keys()].reverse()) {
          progress(`scaling round ${round} · ${sizes[i]!.toLocaleString('en')} accounts`);
          perSize[i]!.push(
            await measure(stacks[i]!.dengluTarget, stacks[i]!.denglu, stacks[i]!.emulator, o.scaleConcurrency, { ...o, rounds: scaleRounds }, round),
          );
        }
      }
      sizes.forEach((n, i) => {
        const rows = perSize[i]!;
        const relativePerRound = rows.map((r, k) => r.loginsPerSecond / perSize[0]![k]!.loginsPerSecond);
        scaling.push({
          accounts: n,
          loginsPerSecond: median(rows.map((r) => r.loginsPerSecond)),
          p99: median(rows.map((r) => r.p99)),
          maxStallMs: Math.max(...rows.map((r) => r.maxStallMs ?? NaN)),
          maxGcPauseMs: Math.max(...rows.map((r) => r.maxGcPauseMs ?? NaN)),
          maxGcKind: rows.reduce((a, b) => ((b.maxGcPauseMs ?? 0) > (a.maxGcPauseMs ?? 0) ? b : a)).maxGcKind ?? '',
          stealPercentPerRound: rows.flatMap((r) => (r.stealPercent === undefined ? [] : [r.stealPercent])),
          cpuMsPerLogin: median(rows.map((r) => r.cpuMsPerLogin ?? NaN)),
          errors: rows.reduce((e, r) => e + r.errors, 0),
          relativePerRound,
          relative: median(relativePerRound),
        });
      });
    } finally {
      for (const s of stacks) await s.stop();
    }

    const summary = o.concurrency.map((c) => {
      const rows = (t: string) => measured.filter((m) => m.target === t && m.concurrency === c);
      const ratios = rows('denglu').flatMap((d) => {
        const b = rows('baseline').find((x) => x.round === d.round);
        return b ? [d.loginsPerSecond / b.loginsPerSecond] : [];
      });
      const pick = (t: string, f: (m: Measured) => number) => median(rows(t).map(f));
      /** One side's medians over the rounds. */
      const side = (t: string) => ({
        loginsPerSecond: pick(t, (m) => m.loginsPerSecond),
        p50: pick(t, (m) => m.p50),
        p99: pick(t, (m) => m.p99),
        cpuMsPerLogin: pick(t, (m) => m.cpuMsPerLogin!),
        clientCpuMsPerLogin: pick(t, (m) => m.clientCpuMsPerLogin!),
        ...(rows(t).length > 0 && rows(t).every((m) => m.mainWaitPercent !== undefined)
          ? { mainRunPercent: pick(t, (m) => m.mainRunPercent!), mainWaitPercent: pick(t, (m) => m.mainWaitPercent!) }
          : {}),
      });
      return {
        concurrency: c,
        denglu: { ...side('denglu'), emulatorCpuMsPerLogin: pick('denglu', (m) => m.emulatorCpuMsPerLogin!) },
        baseline: side('baseline'),
        ratioPerRound: ratios,
        ratioMedian: median(ratios),
        stealPercent: stealSummary([...rows('denglu'), ...rows('baseline')]),
      };
    });
    const base = scaling[0];
    const top = scaling[scaling.length - 1];
    const peakRssMb = Math.max(...measured.filter((m) => m.target === 'denglu').map((m) => m.maxRssMb ?? 0));
    const high = summary.filter((s) => s.concurrency >= 8);
    const targets = [
      ...high.map((s) => ({
        name: `brokered logins/s ÷ baseline at concurrency ${s.concurrency}`,
        value: s.ratioMedian,
        target: '≥ 1.0',
        met: s.ratioMedian >= 1.0,
      })),
      {
        name: 'Denglu CPU per brokered login (ms, median over concurrencies)',
        value: median(summary.map((s) => s.denglu.cpuMsPerLogin)),
        target: '≤ 6',
        met: median(summary.map((s) => s.denglu.cpuMsPerLogin)) <= 6,
      },
      ...summary
        .filter((s) => s.concurrency === 32)
        .map((s) => ({ name: 'p99 at concurrency 32 (ms)', value: s.denglu.p99, target: '≤ 300', met: s.denglu.p99 <= 300 })),
      ...(base && top && base !== top
        ? [
            {
              name: `throughput at ${top.accounts.toLocaleString('en')} ÷ ${base.accounts.toLocaleString('en')} accounts`,
              value: top.relative,
              target: '≥ 0.8',
              met: top.relative >= 0.8,
            },
            {
              name: `longest event-loop stall at ${top.accounts.toLocaleString('en')} accounts (ms, all rounds)`,
              value: top.maxStallMs,
              target: '≤ 50',
              met: top.maxStallMs <= 50,
            },
          ]
        : []),
      ...(rotation
        ? [
            {
              name: `ID tokens a JWKS-caching shop failed to verify during ${rotation.rotations} key rotations (of ${rotation.logins})`,
              value: rotation.verificationFailures + rotation.otherErrors,
              target: '0',
              met: rotation.rotations === 2 && rotation.verificationFailures + rotation.otherErrors === 0,
            },
          ]
        : []),
      ...(sessionBytes
        ? [{ name: 'store bytes per active session', value: sessionBytes.bytesPerSession, target: '≤ 2048', met: sessionBytes.bytesPerSession <= 2048 }]
        : []),
      ...(flood ? [{ name: 'brokered-login p99 beside a password flood ÷ alone', value: flood.ratioP99, target: '≤ 2', met: flood.ratioP99 <= 2 }] : []),
    ];
    const result = {
      startedAt: started.toISOString(),
      smoke: o.smoke,
      machine: {
        host: hostname(),
        os: `${osType()} ${release()}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
      },
      node: process.version,
      packages: versions(),
      options: {
        rounds: o.rounds,
        duration: o.duration,
        warmup: o.warmup,
        jitWarmup: o.jitWarmup,
        concurrency: o.concurrency,
        scale: o.scale,
        scaleConcurrency: o.scaleConcurrency,
        provider: o.provider,
        client: BENCH_CLIENT.clientId,
        nodeFlags: o.nodeFlags,
      },
      summary,
      scaling,
      peakRssMb,
      sessionBytes,
      costs,
      rotation,
      flood,
      targets,
      rounds: measured,
    };
    await mkdir(o.out, { recursive: true });
    const stamp = started.toISOString().replace(/[:.]/g, '-');
    const name = o.smoke ? 'smoke' : `bench-${stamp}`;
    await writeFile(join(o.out, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
    const md = renderMarkdown(result);
    await writeFile(join(o.out, `${name}.md`), md);
    if (!o.smoke) await writeFile(join(o.out, 'latest.md'), md);
    process.stdout.write(md);
    const errors =
      measured.reduce((n, m) => n + m.errors, 0) + scaling.reduce((n, s) => n + s.errors, 0) + (flood ? flood.unflooded.errors + flood.flooded.errors : 0);
    if (errors > 0) {
      process.stderr.write(`\n${errors} logins failed; see the error column.\n`);
      process.exitCode = 1;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function bar(fraction: number): string {
  const width = 30;
  const full = Math.round(fraction * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
}

main().catch((err) => {
  process.stderr.write(`\nbenchmark failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
