// The benchmark's password-flood section (`--flood N`): brokered logins measured alone and beside N
// closed-loop workers posting wrong passwords as fast as Denglu answers, in windows ordered ABBA (alone,
// flooded, flooded, alone) so the machine's drift weighs on both. The flood runs in its own process (this
// file, forked: the load client's event loop stays its own) from another address, 127.0.0.2, so the
// gateway's per-address limits see one attacker apart from the shoppers on 127.0.0.1. Each worker starts
// a sign-in at the bench shop and posts wrong passwords for made-up emails to it, whatever the answer,
// until that sign-in is gone, then starts another. The flood runs a few seconds before the measured
// windows (its start is not the steady flood). Reports both p99s, their ratio (goal: ≤ 2), what the
// flood got back, and how many hashes the gateway ran and refused while it flooded.

import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { BENCH_CLIENT } from './bench-partner.ts';
import { csrfOf } from './soak-browser.ts';
import { percentile, runLoad, type Target } from './load-client.ts';
import { metrics, type Server } from './spawn-server.ts';

export const FLOOD_ADDRESS = '127.0.0.2';
const FLOOD_SETTLE_SECONDS = 5;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

interface Answer {
  status: number;
  location?: string;
  cookies: string[];
  body: string;
}

function send(method: string, url: URL, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { method, hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers, agent, localAddress: FLOOD_ADDRESS },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          const location = res.headers.location;
          resolve({
            status: res.statusCode ?? 0,
            ...(location ? { location } : {}),
            cookies: (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!),
            body: text,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A new sign-in at the bench shop (no provider hint: the chooser with the password form), opened as a
 * browser would, so the flood carries the form's CSRF token and reaches the password check itself.
 */
async function startSignIn(issuer: string): Promise<{ action: URL; cookie: string; csrf: string } | { refused: number }> {
  const auth = new URL(`${issuer}/auth`);
  auth.search = new URLSearchParams({
    client_id: BENCH_CLIENT.clientId,
    redirect_uri: BENCH_CLIENT.redirectUri,
    response_type: 'code',
    scope: 'openid',
    code_challenge: randomBytes(32).toString('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('base64url'),
  }).toString();
  const answer = await send('GET', auth, {});
  const to = answer.location ? new URL(answer.location, auth) : undefined;
  if (!to || !to.pathname.startsWith('/interaction/')) return { refused: answer.status };
  const chooser = await send('GET', to, { cookie: answer.cookies.join('; ') });
  const csrf = csrfOf(chooser.body);
  if (chooser.status !== 200 || !csrf) return { refused: chooser.status };
  return { action: new URL(`${to.pathname}/password`, auth), cookie: [...answer.cookies, ...chooser.cookies].join('; '), csrf };
}

export interface FloodResult {
  attempts: number;
  /** POST answers by status (and `signin-refused` for sign-ins that could not start). */
  answers: Record<string, number>;
  errors: number;
}

/** Runs `workers` flooding loops until `stop` resolves (in the forked flood process). */
async function flood(issuer: string, workers: number, stop: Promise<void>): Promise<FloodResult> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const out: FloodResult = { attempts: 0, answers: {}, errors: 0 };
  const count = (k: string) => (out.answers[k] = (out.answers[k] ?? 0) + 1);
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!stopped) {
        try {
          const signIn = await startSignIn(issuer);
          if ('refused' in signIn) {
            count('signin-refused');
            continue;
          }
          // Wrong passwords into this sign-in for as long as it exists (a lost one answers 400).
          for (let status = 401; status !== 400 && !stopped; ) {
            const body = new URLSearchParams({
              _csrf: signIn.csrf,
              email: `nobody-${randomBytes(6).toString('hex')}@example.com`,
              password: 'not the password',
            }).toString();
            status = (
              await send(
                'POST',
                signIn.action,
                { cookie: signIn.cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) },
                body,
              )
            ).status;
            out.attempts++;
            count(String(status));
          }
        } catch {
          out.errors++;
        }
      }
    }),
  );
  return out;
}

export interface FloodSection {
  workers: number;
  concurrency: number;
  seconds: number;
  unflooded: { p50: number; p99: number; loginsPerSecond: number; errors: number };
  flooded: { p50: number; p99: number; loginsPerSecond: number; errors: number };
  ratioP99: number;
  flood: FloodResult;
  hashes?: { started: number; refused: number };
}

type Load = Awaited<ReturnType<typeof runLoad>>;

const summary = (runs: Load[]) => {
  const sorted = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), loginsPerSecond: sorted.length / seconds, errors: runs.reduce((a, r) => a + r.errors, 0) };
};

/** The flood in a child process; `stop()` ends it and resolves with what it saw. */
function startFlood(issuer: string, workers: number): { ready: Promise<void>; stop: () => Promise<FloodResult> } {
  const child = fork(fileURLToPath(import.meta.url), ['--flood-child', issuer, String(workers)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const messages: unknown[] = [];
  const waiting: ((m: unknown) => void)[] = [];
  child.on('message', (m) => (waiting.length ? waiting.shift()!(m) : messages.push(m)));
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      if (messages.length) return resolve(messages.shift());
      waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`the flood process exited (${code})`)));
    });
  return {
    /** Resolves once the process has loaded and is about to flood. */
    ready: next().then(() => undefined),
    stop: () => {
      child.send('stop');
      return next() as Promise<FloodResult>;
    },
  };
}

/** Brokered logins at `concurrency`: alone, beside the flood, beside the flood, alone (each half of `seconds`). */
export async function measureFlood(
  target: Target,
  server: Server,
  o: { workers: number; concurrency: number; seconds: number; warmup: number },
  progress: (line: string) => void,
): Promise<FloodSection> {
  progress(`password flood · warming up`);
  await runLoad(target, o.concurrency, o.warmup);
  const half = o.seconds / 2;
  const alone: Load[] = [];
  const beside: Load[] = [];
  progress(`password flood · brokered logins alone`);
  alone.push(await runLoad(target, o.concurrency, half));
  const before = (await metrics(server, 'stats')).hashes as { started: number; refused: number } | undefined;
  const flooding = startFlood(target.issuer, o.workers);
  await flooding.ready;
  // The flood's first seconds (every worker's first sign-in, the address's first attempts) are its
  // start, not the flood beside which logins run: it runs unmeasured for a while first.
  progress(`password flood · flooding ${FLOOD_SETTLE_SECONDS}s before measuring`);
  await new Promise((resolve) => setTimeout(resolve, FLOOD_SETTLE_SECONDS * 1000));
  progress(`password flood · brokered logins beside ${o.workers} flooding workers from ${FLOOD_ADDRESS}`);
  beside.push(await runLoad(target, o.concurrency, half));
  beside.push(await runLoad(target, o.concurrency, half));
  const result = await flooding.stop();
  const after = (await metrics(server, 'stats')).hashes as { started: number; refused: number } | undefined;
  progress(`password flood · brokered logins alone`);
  alone.push(await runLoad(target, o.concurrency, half));
  const unflooded = summary(alone);
  const flooded = summary(beside);
  return {
    workers: o.workers,
    concurrency: o.concurrency,
    seconds: o.seconds,
    unflooded,
    flooded,
    ratioP99: flooded.p99 / unflooded.p99,
    flood: result,
    ...(before && after ? { hashes: { started: after.started - before.started, refused: after.refused - before.refused } } : {}),
  };
}

export function renderFlood(f: FloodSection | undefined): string[] {
  if (!f) return [];
  const n = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');
  return [
    `## Password flood (${f.workers} workers from ${FLOOD_ADDRESS}, brokered logins at concurrency ${f.concurrency}, ${f.seconds}s each)`,
    '',
    '| run | logins/s | p50 ms | p99 ms | failed logins |',
    '|---|---:|---:|---:|---:|',
    `| alone | ${n(f.unflooded.loginsPerSecond)} | ${n(f.unflooded.p50)} | ${n(f.unflooded.p99)} | ${f.unflooded.errors} |`,
    `| beside the flood | ${n(f.flooded.loginsPerSecond)} | ${n(f.flooded.p50)} | ${n(f.flooded.p99)} | ${f.flooded.errors} |`,
    '',
    `p99 beside the flood ÷ alone: **${n(f.ratioP99, 2)}**. The flood ran ${FLOOD_SETTLE_SECONDS}s before the measured windows and through them, and made ${f.flood.attempts} password attempts; answers: ${
      Object.entries(f.flood.answers)
        .map(([k, v]) => `${k} × ${v}`)
        .join(', ') || 'none'
    }${f.flood.errors ? `; ${f.flood.errors} transport errors` : ''}.${f.hashes ? ` Hashes the gateway ran while it flooded: ${f.hashes.started}, refused by the full queue: ${f.hashes.refused}.` : ''}`,
  ];
}

// The forked flood process: floods until the parent says "stop", then sends what it saw and exits.
if (process.argv[2] === '--flood-child') {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.on('message', () => stop());
  process.send!('ready');
  const result = await flood(process.argv[3]!, Number(process.argv[4]), stopped);
  process.send!(result, () => process.exit(0));
}
