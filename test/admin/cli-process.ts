// Runs the `denglu` command line as a real process (node --import tsx src/cli/main.ts, or the bin
// launcher), without the caller's DENGLU_* variables, and hands back its exit code and output.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function denglu(args: string[], env: Record<string, string> = {}, entry = 'src/cli/main.ts'): Promise<Run> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DENGLU_')));
  const node = entry.endsWith('.mjs') ? [entry] : ['--import', 'tsx', entry];
  return new Promise((resolve) => {
    execFile(process.execPath, [...node, ...args], { cwd: ROOT, env: { ...inherited, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}
