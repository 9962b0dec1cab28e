// The gateway as an operator runs it: `src/main.ts` in a child process with only the environment given
// (no inherited settings; a temporary working directory, so no .env is read), its output collected.

import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
/** The tsx loader, by absolute URL: the child's working directory is not the project's. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface GatewayProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves once the banner is printed; rejects if the process exits first or `timeoutMs` passes. */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function spawnGateway(env: Record<string, string>, cwd: string): GatewayProcess {
  const child = spawn(process.execPath, ['--import', TSX, MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exited,
    ready(timeoutMs = 12_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the gateway did not start in ${timeoutMs} ms:\n${text}`)), timeoutMs);
        const check = () => {
          if (!text.includes('Denglu is running')) return;
          clearTimeout(timer);
          resolve();
        };
        child.stdout!.on('data', check);
        check();
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`the gateway exited with ${code}:\n${text}`));
        });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A port nothing listens on right now (the kernel's choice). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
