// One measurement of the benchmark: a window of logins against one contender (a target and the server
// processes behind it), with what every process spent meanwhile, combined per round; and the interleaved
// rounds: several contenders measured in mirrored order (A B C C B A), each window half of --duration,
// so a drift of this shared machine's speed within the round weighs on every contender alike. For a
// contender on PostgreSQL the window also holds the database's CPU (its server processes) and the
// queries the gateways sent, by statement.

import { percentile, runLoad, type LoadResult, type Target } from './load-client.ts';
import { metrics, type Server } from './spawn-server.ts';
import { busyMs, readCpuTimes, stealPercent, type CpuTimes } from './host-steal.ts';
import { cpus } from 'node:os';
import type { BenchDatabase } from './bench-database.ts';
import { cpuMsBetween } from './postgres-cpu.ts';
import { queryDelta, type StatementCount } from './query-counter.ts';

export const progress = (line: string) => process.stderr.write(`\r\x1b[2K${line}`);
export const done = (line: string) => process.stderr.write(`\r\x1b[2K${line}\n`);

/** What is measured, and behind it: one gateway, or several serving one issuer (round robin). */
export interface Contender {
  target: Target;
  servers: Server[];
  emulator: Server | undefined;
  /** The PostgreSQL database the gateways share, when they run on one. */
  database?: BenchDatabase;
}

export interface Measured {
  target: string;
  concurrency: number;
  round: number;
  /** Logins completed in the round's windows. */
  logins: number;
  loginsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
  cpuMsPerLogin?: number;
  emulatorCpuMsPerLogin?: number;
  /** The load client's own CPU (this process: the shop and the shopper's browser). */
  clientCpuMsPerLogin?: number;
  /** PostgreSQL's server processes working for the benchmark's database (bench/postgres-cpu.ts). */
  databaseCpuMsPerLogin?: number;
  /** Statements the gateways sent per login (bench/query-counter.ts). */
  queriesPerLogin?: number;
  /** The statements themselves over the round: calls and time to answer (not per login). */
  queries?: Record<string, StatementCount>;
  maxStallMs?: number;
  /** The server's longest GC pause in the round, and its kind. */
  maxGcPauseMs?: number;
  maxGcKind?: string;
  /** CPU time the host took from this machine during the round (percent; Linux only). */
  stealPercent?: number;
  /**
   * CPU the machine's other processes used during the round, in percent of all cores (Linux): what the
   * cores did minus the gateways, emulator, load client and (measured) PostgreSQL. Another job on this
   * machine slows every contender; a round with much of it is not comparable with a calm one.
   */
  outsidePercent?: number;
  /** The server's event-loop thread: share of the round on a core, and runnable but waiting for one (percent; Linux). */
  mainRunPercent?: number;
  mainWaitPercent?: number;
  maxRssMb?: number;
}

/** What one measurement window saw: raw sums, so that several windows combine exactly. */
export interface Window {
  logins: number;
  seconds: number;
  errors: number;
  firstError?: string;
  latencies: number[];
  cpuMicros: number;
  emulatorCpuMicros?: number;
  clientCpuMicros: number;
  databaseCpuMs?: number;
  queries?: Record<string, StatementCount>;
  maxStallMs: number;
  maxGcPauseMs: number;
  maxGcKind: string;
  /** The host's steal and total CPU time during the window (Linux). */
  host?: CpuTimes;
  /** CPU ms other processes of this machine used during the window (Linux). */
  outsideCpuMs?: number;
  /** The servers' event-loop threads during the window, from the scheduler (Linux), summed. */
  mainThread?: { runNs: number; waitNs: number };
  maxRssBytes: number;
}

type Metrics = Awaited<ReturnType<typeof metrics>>;

/** The queries every gateway of a contender on PostgreSQL sent so far, summed by statement. */
async function queriesSoFar(who: Contender): Promise<Record<string, StatementCount> | undefined> {
  if (!who.database) return undefined;
  const each: Record<string, StatementCount>[] = [];
  for (const server of who.servers) each.push((await metrics(server, 'queries')) as Record<string, StatementCount>);
  return addQueries(each);
}

export async function runWindow(who: Contender, c: number, seconds: number, label: string): Promise<Window> {
  const before: Metrics[] = [];
  for (const s of who.servers) before.push(await metrics(s, 'reset'));
  const emulatorBefore = who.emulator ? await metrics(who.emulator) : undefined;
  const queriesBefore = await queriesSoFar(who);
  const databaseBefore = await who.database?.serverCpu();
  const ticker = setInterval(() => progress(`${label} · measuring`), 500);
  let result: LoadResult;
  const clientBefore = process.cpuUsage();
  const hostBefore = readCpuTimes();
  try {
    result = await runLoad(who.target, c, seconds);
  } finally {
    clearInterval(ticker);
  }
  const clientCpu = process.cpuUsage(clientBefore);
  const hostAfter = readCpuTimes();
  const databaseAfter = await who.database?.serverCpu();
  const queriesAfter = await queriesSoFar(who);
  const after: Metrics[] = [];
  for (const s of who.servers) after.push(await metrics(s));
  const emulatorAfter = who.emulator ? await metrics(who.emulator) : undefined;
  const sum = (f: (m: Metrics) => number) => after.reduce((a, m, i) => a + f(m) - f(before[i]), 0);
  const databaseCpuMs = databaseBefore && databaseAfter ? cpuMsBetween(databaseBefore, databaseAfter) : undefined;
  const emulatorCpuMicros = emulatorBefore && emulatorAfter ? emulatorAfter.cpuMicros - emulatorBefore.cpuMicros : 0;
  const oursMs = (sum((m) => m.cpuMicros) + emulatorCpuMicros + clientCpu.user + clientCpu.system) / 1000 + (databaseCpuMs ?? 0);
  const worstGc = after.reduce((a, m) => (m.maxGcPauseMs > a.maxGcPauseMs ? m : a));
  const scheduled = after.every((m, i) => m.mainThread && before[i].mainThread);
  return {
    logins: result.logins,
    seconds: result.seconds,
    errors: result.errors,
    ...(result.firstError ? { firstError: result.firstError } : {}),
    latencies: result.latencies,
    cpuMicros: sum((m) => m.cpuMicros),
    ...(emulatorBefore && emulatorAfter ? { emulatorCpuMicros: emulatorAfter.cpuMicros - emulatorBefore.cpuMicros } : {}),
    clientCpuMicros: clientCpu.user + clientCpu.system,
    ...(databaseCpuMs !== undefined ? { databaseCpuMs } : {}),
    ...(queriesBefore && queriesAfter ? { queries: queryDelta(queriesBefore, queriesAfter) } : {}),
    maxStallMs: Math.max(...after.map((m) => m.maxStallMs)),
    maxGcPauseMs: worstGc.maxGcPauseMs,
    maxGcKind: worstGc.maxGcKind,
    ...(hostBefore && hostAfter
      ? {
          host: { steal: hostAfter.steal - hostBefore.steal, total: hostAfter.total - hostBefore.total },
          outsideCpuMs: Math.max(0, busyMs(hostBefore, hostAfter) - oursMs),
        }
      : {}),
    ...(scheduled ? { mainThread: { runNs: sum((m) => m.mainThread.runNs), waitNs: sum((m) => m.mainThread.waitNs) } } : {}),
    maxRssBytes: Math.max(...after.map((m) => m.maxRssBytes)),
  };
}

/** Statement counts of several windows added up. */
export function addQueries(all: readonly Record<string, StatementCount>[]): Record<string, StatementCount> {
  const out: Record<string, StatementCount> = {};
  for (const q of all) {
    for (const [key, c] of Object.entries(q)) {
      const sum = out[key] ?? { calls: 0, ms: 0 };
      out[key] = { calls: sum.calls + c.calls, ms: sum.ms + c.ms };
    }
  }
  return out;
}

/** One target's windows of a round, combined: rates from the summed logins and seconds, the worst stall. */
export function combine(target: Target, c: number, round: number, windows: Window[]): Measured {
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
    logins,
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
  if (windows.every((w) => w.outsideCpuMs !== undefined))
    m.outsidePercent = (100 * sum((w) => w.outsideCpuMs!)) / (1000 * sum((w) => w.seconds) * cpus().length);
  if (windows.every((w) => w.emulatorCpuMicros !== undefined)) m.emulatorCpuMsPerLogin = per(sum((w) => w.emulatorCpuMicros!));
  if (windows.every((w) => w.databaseCpuMs !== undefined)) m.databaseCpuMsPerLogin = per(1000 * sum((w) => w.databaseCpuMs!));
  if (windows.every((w) => w.queries)) {
    m.queries = addQueries(windows.map((w) => w.queries!));
    m.queriesPerLogin = Object.values(m.queries).reduce((a, q) => a + q.calls, 0) / Math.max(1, logins);
  }
  if (windows.every((w) => w.mainThread)) {
    const ns = 1e9 * sum((w) => w.seconds);
    m.mainRunPercent = (100 * sum((w) => w.mainThread!.runNs)) / ns;
    m.mainWaitPercent = (100 * sum((w) => w.mainThread!.waitNs)) / ns;
  }
  return m;
}

export function report(m: Measured, rounds: number): void {
  const database =
    m.databaseCpuMsPerLogin !== undefined || m.queriesPerLogin !== undefined
      ? ` · postgres cpu ${m.databaseCpuMsPerLogin?.toFixed(2) ?? '—'} ms/login, ${m.queriesPerLogin?.toFixed(1) ?? '—'} queries/login`
      : '';
  done(
    `round ${m.round}/${rounds} · concurrency ${String(m.concurrency).padStart(2)} · ${m.target.padEnd(9)} · ${m.loginsPerSecond.toFixed(1).padStart(6)} logins/s · p50 ${m.p50.toFixed(1)} ms · p99 ${m.p99.toFixed(1)} ms · cpu ${m.cpuMsPerLogin!.toFixed(2)} ms/login${database} · stall ${m.maxStallMs!.toFixed(0)} ms (gc ${m.maxGcPauseMs!.toFixed(0)} ms)${m.stealPercent !== undefined ? ` · host steal ${m.stealPercent.toFixed(0)}%` : ''}${m.outsidePercent !== undefined ? ` · other processes ${m.outsidePercent.toFixed(0)}%` : ''}${m.errors ? ` · ${m.errors} ERRORS (${m.firstError})` : ''}`,
  );
}

export interface Pace {
  rounds: number;
  /** Seconds of measured logins per contender and round. */
  duration: number;
  /** Seconds of unmeasured logins before each switch. */
  warmup: number;
}

/** One contender alone for a round: a warm-up, then one window of the whole duration (store scaling). */
export async function measure(who: Contender, c: number, pace: Pace, round: number): Promise<Measured> {
  const label = `round ${round}/${pace.rounds} · concurrency ${c} · ${who.target.name}`;
  progress(`${label} · warming up`);
  await runLoad(who.target, c, pace.warmup);
  const m = combine(who.target, c, round, [await runWindow(who, c, pace.duration, label)]);
  report(m, pace.rounds);
  return m;
}

/**
 * The order of a round's windows: the contenders, then the same in reverse (A B C C B A; two give ABBA).
 * Odd rounds open with the first contender, even rounds with the last.
 */
export function mirroredOrder<T>(contenders: readonly T[], round: number): T[] {
  const opening = round % 2 === 1 ? [...contenders] : [...contenders].reverse();
  return [...opening, ...[...opening].reverse()];
}

/**
 * Several contenders in one round, in mirrored order (mirroredOrder), each window half of the duration,
 * a warm-up before each switch: each contender gets the whole duration, half early and half late.
 */
export async function measureInterleaved(contenders: readonly Contender[], c: number, pace: Pace, round: number): Promise<Measured[]> {
  const windows = new Map<Contender, Window[]>(contenders.map((who) => [who, []]));
  let previous: Contender | undefined;
  for (const who of mirroredOrder(contenders, round)) {
    const label = `round ${round}/${pace.rounds} · concurrency ${c} · ${who.target.name}`;
    if (who !== previous) {
      progress(`${label} · warming up`);
      await runLoad(who.target, c, pace.warmup);
    }
    windows.get(who)!.push(await runWindow(who, c, pace.duration / 2, label));
    previous = who;
  }
  const out = contenders.map((who) => combine(who.target, c, round, windows.get(who)!));
  for (const m of out) report(m, pace.rounds);
  return out;
}
