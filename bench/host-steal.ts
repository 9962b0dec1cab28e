// How much CPU the host took from this virtual machine during a measurement: the `steal` column of
// /proc/stat, as a share of all CPU time that passed. A round measured while the host was busy is slower
// and stalls longer for reasons outside Denglu; the report shows it beside the figures. Not Linux:
// undefined.

import { readFileSync } from 'node:fs';

export interface CpuTimes {
  steal: number;
  total: number;
  /** Idle and waiting for I/O (what nobody on this machine used). */
  idle?: number;
}

export function readCpuTimes(): CpuTimes | undefined {
  try {
    const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const fields = first.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal [guest guest_nice] (guest time is inside user)
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { steal: fields[7] ?? 0, total, idle: (fields[3] ?? 0) + (fields[4] ?? 0) };
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc/stat (USER_HZ). */
const USER_HZ = 100;

/** CPU ms the machine's processes used between two readings (all cores, neither idle nor stolen). */
export function busyMs(before: CpuTimes, after: CpuTimes): number {
  const idle = (after.idle ?? 0) - (before.idle ?? 0);
  return ((after.total - before.total - idle - (after.steal - before.steal)) * 1000) / USER_HZ;
}

/** Percent of CPU time stolen by the host between two readings. */
export function stealPercent(before: CpuTimes | undefined, after: CpuTimes | undefined): number | undefined {
  if (!before || !after || after.total <= before.total) return undefined;
  return (100 * (after.steal - before.steal)) / (after.total - before.total);
}
