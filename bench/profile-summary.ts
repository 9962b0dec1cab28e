// `npx tsx bench/profile-summary.ts <file.cpuprofile> [top]`: where a V8 CPU profile of a benchmark
// server (`npm run bench -- --profile DIR`) spent its busy time, as self time by package (a dependency,
// a directory of ours, a Node module, or a native/GC bucket) and by function, idle left out. The samples
// are wall-clock ticks: time a thread spent preempted (runnable on a shared core) counts where it was,
// typically in the socket write that woke another process; on-CPU shares need `perf` (see
// bench/results/gateway-cpu-profile-2026-12-05.md).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Busy milliseconds (every sample but idle). */
  busyMs: number;
  idleMs: number;
  /** [name, self ms], largest first. */
  byPackage: [string, number][];
  byFunction: [string, number][];
}

/** The bucket a frame's self time goes to: a dependency, a directory of the repository, a Node module. */
export function packageOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dependency) return dependency[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const ours = /\/((?:src|bench|providers|config)(?:\/[^/]+)*)\/[^/]+$/.exec(url);
  return ours ? ours[1]! : url;
}

function functionOf(frame: CallFrame): string {
  const where = frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/((?:src|bench|providers|config)\/)/, '$1');
  return `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
}

export function summarise(profile: CpuProfile): ProfileSummary {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const frame = frames.get(id)!;
    if (frame.functionName === '(idle)') {
      idle += ms;
      return;
    }
    busy += ms;
    const pkg = packageOf(frame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
    const fn = functionOf(frame);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  });
  const ranked = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { busyMs: busy, idleMs: idle, byPackage: ranked(byPackage), byFunction: ranked(byFunction) };
}

function render(s: ProfileSummary, top: number): string {
  const row = ([name, ms]: [string, number]) => `| ${((100 * ms) / s.busyMs).toFixed(1)}% | ${ms.toFixed(0)} | \`${name}\` |`;
  return [
    `Busy ${(s.busyMs / 1000).toFixed(2)} s, idle ${(s.idleMs / 1000).toFixed(2)} s.`,
    '',
    '| share | self ms | package |',
    '|---:|---:|---|',
    ...s.byPackage.slice(0, top).map(row),
    '',
    '| share | self ms | function |',
    '|---:|---:|---|',
    ...s.byFunction.slice(0, top).map(row),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top = '25'] = process.argv.slice(2);
  if (!file) throw new Error('usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top]');
  process.stdout.write(`${render(summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile), Number(top))}\n`);
}
