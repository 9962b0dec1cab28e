// Starting and stopping the benchmark's server processes: each runs under the same Node with tsx, prints
// "READY <port> [<metricsPort>]" when listening, and is stopped with SIGTERM.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Server {
  name: string;
  proc: ChildProcess;
  port: number;
  metricsPort: number | undefined;
  stop(): Promise<void>;
}

/** Every child still running: killed when the benchmark exits, however it exits. */
const running = new Set<ChildProcess>();
const killAll = () => {
  for (const proc of running) proc.kill('SIGKILL');
};
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The environment every benchmark gateway starts with: its port and issuer (another instance's, for a
 * second gateway of the same issuer), a fresh store, no sandbox.
 */
export function dengluEnv(port: number, dataDir: string, issuer = `http://127.0.0.1:${port}`): Record<string, string> {
  return { NODE_ENV: 'development', PORT: String(port), DENGLU_ISSUER: issuer, DATA_DIR: dataDir, SANDBOX: 'false' };
}

export function startServer(
  name: string,
  script: string,
  env: Record<string, string>,
  options: { profileDir?: string; nodeFlags?: readonly string[] } = {},
): Promise<Server> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  // One directory per process, one file per thread (CPU.<date>.<pid>.<tid>.<seq>.cpuprofile; thread 0 is the main one).
  const profile = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(options.profileDir, name)] : [];
  const args = [...(options.nodeFlags ?? []), ...profile, '--import', 'tsx', path];
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onExit = (code: number | null) => reject(new Error(`${name} exited (${code}) before it was ready:\n${stderr.slice(-3000)}`));
    proc.once('exit', onExit);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)(?: (\d+))?/.exec(out);
      if (!m) return;
      proc.off('exit', onExit);
      proc.stdout!.removeAllListeners('data');
      proc.stdout!.resume();
      resolve({
        name,
        proc,
        port: Number(m[1]),
        metricsPort: m[2] ? Number(m[2]) : undefined,
        stop: () =>
          new Promise<void>((done) => {
            if (proc.exitCode !== null) return done();
            proc.once('exit', () => done());
            proc.kill('SIGTERM');
            setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
          }),
      });
    });
  });
}

/**
 * The process's metrics; `reset` starts a new stall window, `stats` adds the server's own figures,
 * `costs/start` and `costs/stop` bracket the per-route CPU accounting (bench/request-costs.ts), `queries`
 * answers a gateway's statements sent to PostgreSQL so far (bench/query-counter.ts).
 */
export async function metrics(server: Server, what: 'reset' | 'stats' | 'costs/start' | 'costs/stop' | 'queries' | undefined = undefined): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${server.metricsPort}/${what ?? ''}`);
  return res.json();
}
