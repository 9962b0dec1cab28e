// The Node/V8 flags the gateway runs with: read from `npm start` (package.json `scripts.start`), so the
// benchmark measures Denglu exactly as it is started, and gives the baseline the same runtime settings
// (a comparison of the software, not of V8 tuning). `--node-flags "<flags>"` on the benchmark overrides
// them for both servers (`--node-flags ""`: Node's defaults).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The `--flag[=value]` arguments of `node` in a start script, before the first `--import`/script. */
export function nodeFlagsOf(startScript: string): string[] {
  const words = startScript.trim().split(/\s+/);
  if (words[0] !== 'node') throw new Error(`the start script does not run node: ${startScript}`);
  const flags: string[] = [];
  for (const word of words.slice(1)) {
    if (!word.startsWith('--') || word === '--import') break;
    flags.push(word);
  }
  return flags;
}

export function gatewayNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8'));
  return nodeFlagsOf(pkg.scripts.start);
}
