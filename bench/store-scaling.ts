// Store scaling: the same logins against gateways whose store holds N pre-generated accounts, one
// gateway per size, measured in interleaved rounds (the order alternating: the machine's speed drifts
// between rounds, a per-round ratio does not), throughput relative to the smallest size. The embedded
// store and PostgreSQL each get their own run (bench/run.ts gives the sizes and how to start each).

import { measure, type Contender, type Measured, type Pace, progress } from './measure.ts';
import { median } from './stats.ts';

export interface ScaleRow {
  accounts: number;
  loginsPerSecond: number;
  p99: number;
  maxStallMs: number;
  maxGcPauseMs: number;
  maxGcKind: string;
  stealPercentPerRound: number[];
  cpuMsPerLogin: number;
  /** PostgreSQL's CPU per login (a run on PostgreSQL). */
  databaseCpuMsPerLogin?: number;
  queriesPerLogin?: number;
  errors: number;
  relativePerRound: number[];
  relative: number;
}

/** A progress bar: `[#####.....]  50%`. */
export function bar(fraction: number): string {
  const width = 30;
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
}

/** Measures every size's contender (started by the caller, in the order of `sizes`) in interleaved rounds. */
export async function measureScaling(sizes: readonly number[], contenders: readonly Contender[], concurrency: number, pace: Pace): Promise<ScaleRow[]> {
  const perSize = sizes.map(() => [] as Measured[]);
  for (let round = 1; round <= pace.rounds; round++) {
    for (const i of round % 2 === 1 ? sizes.keys() : [...sizes.keys()].reverse()) {
      progress(`scaling round ${round} · ${contenders[i]!.target.name} · ${sizes[i]!.toLocaleString('en')} accounts`);
      perSize[i]!.push(await measure(contenders[i]!, concurrency, pace, round));
    }
  }
  return sizes.map((n, i) => {
    const rows = perSize[i]!;
    const relativePerRound = rows.map((r, k) => r.loginsPerSecond / perSize[0]![k]!.loginsPerSecond);
    const database = rows.every((r) => r.databaseCpuMsPerLogin !== undefined);
    const queries = rows.every((r) => r.queriesPerLogin !== undefined);
    return {
      accounts: n,
      loginsPerSecond: median(rows.map((r) => r.loginsPerSecond)),
      p99: median(rows.map((r) => r.p99)),
      maxStallMs: Math.max(...rows.map((r) => r.maxStallMs ?? NaN)),
      maxGcPauseMs: Math.max(...rows.map((r) => r.maxGcPauseMs ?? NaN)),
      maxGcKind: rows.reduce((a, b) => ((b.maxGcPauseMs ?? 0) > (a.maxGcPauseMs ?? 0) ? b : a)).maxGcKind ?? '',
      stealPercentPerRound: rows.flatMap((r) => (r.stealPercent === undefined ? [] : [r.stealPercent])),
      cpuMsPerLogin: median(rows.map((r) => r.cpuMsPerLogin ?? NaN)),
      ...(database ? { databaseCpuMsPerLogin: median(rows.map((r) => r.databaseCpuMsPerLogin!)) } : {}),
      ...(queries ? { queriesPerLogin: median(rows.map((r) => r.queriesPerLogin!)) } : {}),
      errors: rows.reduce((e, r) => e + r.errors, 0),
      relativePerRound,
      relative: median(relativePerRound),
    };
  });
}
