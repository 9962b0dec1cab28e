// PostgreSQL's CPU during a measurement window: the user + system time of the server processes that
// work for the benchmark's database (its backends, autovacuum workers on it) and of the auxiliary ones
// every database shares (WAL writer, checkpointer, background writer), read from /proc/<pid>/stat before
// and after. Other databases' backends on the same server (the test suites of a developer) are left out.
// Linux only, and only when the server runs on this machine: otherwise undefined.

import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime/stime (USER_HZ; 100 on every Linux the benchmark runs on). */
const USER_HZ = 100;

/** utime + stime of one /proc/<pid>/stat line, in ms; the command name may hold spaces and parentheses. */
export function cpuMsOfStat(line: string): number {
  const rest = line
    .slice(line.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state): utime and stime are fields 14 and 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  return ((utime + stime) * 1000) / USER_HZ;
}

/** The command name of a /proc/<pid>/stat line (what is between the first '(' and the last ')'). */
export function commandOfStat(line: string): string {
  return line.slice(line.indexOf('(') + 1, line.lastIndexOf(')'));
}

/** CPU ms per pid, for the pids that still exist and run `command` (a pid of another machine's server does not). */
export function readCpuMs(pids: readonly number[], command: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (commandOfStat(line) === command) out.set(pid, cpuMsOfStat(line));
    } catch {
      // gone since it was listed
    }
  }
  return out;
}

/**
 * CPU spent between two readings by the processes of either. A process that appeared meanwhile counts
 * from zero (all its CPU is new); one that exited meanwhile is lost (the benchmark's pool keeps its
 * connections, so that is only the rare autovacuum worker).
 */
export function cpuMsBetween(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let sum = 0;
  for (const [pid, ms] of after) sum += Math.max(0, ms - (before.get(pid) ?? 0));
  return sum;
}
