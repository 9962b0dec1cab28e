// A throwaway PostgreSQL server for fault tests: `initdb` into a temporary directory, started on a free
// port, stopped and started again at will (a database outage), deleted afterwards. The machine's own
// server (test/support/postgres.ts) is never touched. Missing binaries fail under CI=true and are a loud
// warning plus a skip on a developer machine (never a silent pass).

import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './gateway-process.ts';

const run = promisify(execFile);

/** The server binaries of the newest installed PostgreSQL (Debian layout), or undefined. */
function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

/** initdb refuses root: as root, run the server binaries as the `postgres` user. */
const asRoot = process.getuid?.() === 0;

function why(): string | undefined {
  if (!binDir()) return 'no PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin';
  if (asRoot && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) return 'running as root without runuser';
  return undefined;
}

/** Whether a throwaway cluster can be made here (same contract as postgresAvailable()). */
export function throwawayClusterAvailable(): boolean {
  const problem = why();
  if (problem === undefined) return true;
  const message = `cannot make a throwaway PostgreSQL cluster: ${problem} (apt-get install postgresql)`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI must run the fault tests`);
  const bar = '!'.repeat(100);
  console.warn(`\n${bar}\n!!! POSTGRESQL FAULT TESTS SKIPPED — ${message}\n${bar}\n`);
  return false;
}

export interface ThrowawayCluster {
  port: number;
  /** Connection URL of the `postgres` database as the superuser `postgres` (trust authentication). */
  url: string;
  /** Stops the server: `immediate` is a crash (no checkpoint, connections cut), `fast` a clean stop. */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  /** Starts it again on the same port and data directory; resolves when it accepts connections. */
  start(): Promise<void>;
  /** Stops it (if running) and deletes the data directory. */
  remove(): Promise<void>;
}

async function server(args: string[]): Promise<void> {
  const bin = binDir()!;
  const [program, ...rest] = args;
  const command = asRoot ? ['runuser', '-u', 'postgres', '--', join(bin, program!), ...rest] : [join(bin, program!), ...rest];
  await run(command[0]!, command.slice(1), { timeout: 60_000 });
}

/** A new cluster in a temporary directory, running on a free port (loopback only, socket in /tmp). */
export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'denglu-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  if (asRoot) await chown(dir, Number((await run('id', ['-u', 'postgres'])).stdout), Number((await run('id', ['-g', 'postgres'])).stdout));
  await server(['initdb', '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  const port = await freePort();
  let running = false;
  const cluster: ThrowawayCluster = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      // fsync off: the cluster is thrown away; a crash (immediate stop) still replays the WAL on start.
      await server(['pg_ctl', '-D', data, '-l', log, '-w', '-t', '30', '-o', `-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
      running = true;
    },
    async stop(mode = 'fast') {
      if (!running) return;
      running = false;
      await server(['pg_ctl', '-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
    },
    async remove() {
      await cluster.stop('immediate').catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return cluster;
}
