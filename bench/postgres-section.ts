// The benchmark's PostgreSQL figures, beside the embedded store's: per concurrency the PostgreSQL
// gateway's logins/s and its ratio to the embedded gateway measured in the same rounds, Denglu's and
// PostgreSQL's CPU per login, p50/p99 and queries per login; what a login costs statement by statement;
// two gateway instances on one database against one (`--instances 2`); and the gateway's memory after
// N logins on PostgreSQL.

import { completedLogins, runLoad } from './load-client.ts';
import { addQueries, done, measureInterleaved, progress, type Contender, type Measured, type Pace } from './measure.ts';
import { metrics } from './spawn-server.ts';
import type { StatementCount } from './query-counter.ts';
import { median } from './stats.ts';

export interface PostgresRow {
  concurrency: number;
  loginsPerSecond: number;
  /** PostgreSQL ÷ embedded logins/s, per round (same round, interleaved), and their median. */
  ratioPerRound: number[];
  ratioMedian: number;
  p50: number;
  p99: number;
  cpuMsPerLogin: number;
  databaseCpuMsPerLogin: number;
  queriesPerLogin: number;
  /** The machine's other processes, percent of all cores (median of the PostgreSQL rounds). */
  outsidePercent: number;
  errors: number;
}

/** Medians over the rounds of the PostgreSQL target (`pg`) and its ratio to the embedded one (`embedded`). */
export function postgresSummary(measured: readonly Measured[], pg: string, embedded: string, concurrencies: readonly number[]): PostgresRow[] {
  return concurrencies.map((c) => {
    const rows = measured.filter((m) => m.target === pg && m.concurrency === c);
    const ratioPerRound = rows.flatMap((p) => {
      const e = measured.find((m) => m.target === embedded && m.concurrency === c && m.round === p.round);
      return e ? [p.loginsPerSecond / e.loginsPerSecond] : [];
    });
    const pick = (f: (m: Measured) => number | undefined) => median(rows.map((m) => f(m) ?? NaN));
    return {
      concurrency: c,
      loginsPerSecond: pick((m) => m.loginsPerSecond),
      ratioPerRound,
      ratioMedian: median(ratioPerRound),
      p50: pick((m) => m.p50),
      p99: pick((m) => m.p99),
      cpuMsPerLogin: pick((m) => m.cpuMsPerLogin),
      databaseCpuMsPerLogin: pick((m) => m.databaseCpuMsPerLogin),
      queriesPerLogin: pick((m) => m.queriesPerLogin),
      outsidePercent: pick((m) => m.outsidePercent),
      errors: rows.reduce((a, m) => a + m.errors, 0),
    };
  });
}

export interface StatementCost {
  statement: string;
  perLogin: number;
  /** Mean time from sending to the answer, ms (the gateway's view: queueing in the pool not included). */
  msPerCall: number;
}

/** The statements of `rows` (one target's rounds), most frequent first, per login. */
export function statementsPerLogin(rows: readonly Measured[]): StatementCost[] {
  const logins = rows.reduce((a, m) => a + m.logins, 0);
  const all: Record<string, StatementCount> = addQueries(rows.flatMap((m) => (m.queries ? [m.queries] : [])));
  return Object.entries(all)
    .map(([statement, c]) => ({ statement, perLogin: c.calls / Math.max(1, logins), msPerCall: c.ms / Math.max(1, c.calls) }))
    .sort((a, b) => b.perLogin - a.perLogin);
}

export interface InstancesCheck {
  instances: number;
  concurrency: number;
  rounds: { one: Measured; several: Measured }[];
  one: { loginsPerSecond: number; cpuMsPerLogin: number; databaseCpuMsPerLogin: number; p99: number };
  several: { loginsPerSecond: number; cpuMsPerLogin: number; databaseCpuMsPerLogin: number; p99: number };
  /** several ÷ one, per round and median. */
  ratioPerRound: number[];
  ratioMedian: number;
  /** Failed logins of either (goal 0). */
  errors: number;
  firstError?: string;
}

/**
 * One gateway against N gateways on the same database and issuer (the load client's round robin, request
 * by request), interleaved round by round.
 */
export async function instancesCheck(one: Contender, several: Contender, concurrency: number, pace: Pace): Promise<InstancesCheck> {
  const rounds: InstancesCheck['rounds'] = [];
  for (let round = 1; round <= pace.rounds; round++) {
    const [a, b] = await measureInterleaved([one, several], concurrency, pace, round);
    rounds.push({ one: a!, several: b! });
  }
  const side = (f: (r: InstancesCheck['rounds'][number]) => Measured) => ({
    loginsPerSecond: median(rounds.map((r) => f(r).loginsPerSecond)),
    cpuMsPerLogin: median(rounds.map((r) => f(r).cpuMsPerLogin ?? NaN)),
    databaseCpuMsPerLogin: median(rounds.map((r) => f(r).databaseCpuMsPerLogin ?? NaN)),
    p99: median(rounds.map((r) => f(r).p99)),
  });
  // A round where one gateway completed nothing has no ratio (not infinity).
  const ratioPerRound = rounds.map((r) => (r.one.loginsPerSecond > 0 ? r.several.loginsPerSecond / r.one.loginsPerSecond : NaN));
  const firstError = rounds.flatMap((r) => [r.one.firstError, r.several.firstError]).find(Boolean);
  return {
    instances: several.servers.length,
    concurrency,
    rounds,
    one: side((r) => r.one),
    several: side((r) => r.several),
    ratioPerRound,
    ratioMedian: median(ratioPerRound.filter((x) => !Number.isNaN(x))),
    errors: rounds.reduce((a, r) => a + r.one.errors + r.several.errors, 0),
    ...(firstError ? { firstError } : {}),
  };
}

export interface MemoryAfterLogins {
  logins: number;
  rssMb: number;
  maxRssMb: number;
  /** Heap in use after the last full collection. */
  liveHeapMb: number;
  /** V8's heap as reserved, and memory outside it (Buffers, native objects), at the end. */
  heapTotalMb: number;
  externalMb: number;
  /** RSS when the memory run began (after the rounds), to tell growth from a fixed floor. */
  startRssMb: number;
  startLogins: number;
  errors: number;
}

/**
 * Logins against the contender's (first) gateway until it has served `target` in all (warm-ups and
 * earlier rounds count), then its resident memory now and at its peak.
 */
export async function memoryAfterLogins(who: Contender, target: number, concurrency: number): Promise<MemoryAfterLogins> {
  let errors = 0;
  const served = () => completedLogins.get(who.target.issuer) ?? 0;
  const start = { logins: served(), rssMb: (await metrics(who.servers[0]!)).rssBytes / 1048576 };
  while (served() < target) {
    progress(`memory: ${served().toLocaleString('en')} of ${target.toLocaleString('en')} logins on ${who.target.name}`);
    errors += (await runLoad(who.target, concurrency, Math.min(10, Math.max(1, (target - served()) / 400)))).errors;
  }
  const m = await metrics(who.servers[0]!);
  const mb = (bytes: number) => bytes / 1048576;
  const out = {
    logins: served(),
    rssMb: mb(m.rssBytes),
    maxRssMb: mb(m.maxRssBytes),
    liveHeapMb: mb(m.liveHeapBytes),
    heapTotalMb: mb(m.heapTotalBytes),
    externalMb: mb(m.externalBytes),
    startRssMb: start.rssMb,
    startLogins: start.logins,
    errors,
  };
  done(`memory after ${out.logins.toLocaleString('en')} logins on ${who.target.name}: RSS ${out.rssMb.toFixed(0)} MiB (peak ${out.maxRssMb.toFixed(0)} MiB)`);
  return out;
}
