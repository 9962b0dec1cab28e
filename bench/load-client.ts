// The load client: complete logins the way a shop with its own "Log in with Weibo" button drives them —
// authorization request (with the provider hint for Denglu), every redirect followed with a fresh cookie
// jar per login (new browser, new session), the code redeemed with client_secret_basic + PKCE, and the
// ID token validated with jose. Plain node:http with keep-alive to keep the client's own CPU low.

import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { BENCH_CLIENT } from './bench-partner.ts';

export interface Target {
  name: 'denglu' | 'baseline';
  issuer: string;
  /** Extra authorization parameters (Denglu: `provider=weibo`). */
  extraParams: Record<string, string>;
  /** The shop's view of the issuer's keys: fetched once, or cached and refetched (bench/key-rotation.ts). */
  jwks: JWTVerifyGetKey;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

interface Answer {
  status: number;
  location?: string;
  setCookie: string[];
  body: string;
}

function request(method: string, url: URL, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { method, hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const location = res.headers.location;
          resolve({ status: res.statusCode ?? 0, ...(location ? { location } : {}), setCookie: res.headers['set-cookie'] ?? [], body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body) req.end(body);
    else req.end();
  });
}

/** One browser's cookies, by host; paths are ignored (cookie names never collide here). */
class Jar {
  readonly #byHost = new Map<string, Map<string, string>>();
  store(host: string, setCookie: string[]): void {
    let jar = this.#byHost.get(host);
    if (!jar) {
      jar = new Map();
      this.#byHost.set(host, jar);
    }
    for (const line of setCookie) {
      const first = line.slice(0, line.indexOf(';') === -1 ? line.length : line.indexOf(';'));
      const eq = first.indexOf('=');
      const name = first.slice(0, eq);
      const value = first.slice(eq + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }
  header(host: string): string {
    const jar = this.#byHost.get(host);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }
}

export async function fetchJwks(issuer: string): Promise<ReturnType<typeof createLocalJWKSet>> {
  const res = await fetch(`${issuer}/jwks`);
  return createLocalJWKSet((await res.json()) as JSONWebKeySet);
}

const basic = `Basic ${Buffer.from(`${encodeURIComponent(BENCH_CLIENT.clientId)}:${encodeURIComponent(BENCH_CLIENT.clientSecret)}`).toString('base64')}`;

/** One complete login; resolves with its latency in ms, rejects with what went wrong. */
export async function login(target: Target): Promise<number> {
  const started = performance.now();
  const jar = new Jar();
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const auth = new URL(`${target.issuer}/auth`);
  auth.search = new URLSearchParams({
    client_id: BENCH_CLIENT.clientId,
    redirect_uri: BENCH_CLIENT.redirectUri,
    response_type: 'code',
    scope: 'openid',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...target.extraParams,
  }).toString();
  let url = auth;
  let code: string | undefined;
  for (let hop = 0; hop < 12 && !code; hop++) {
    const cookie = jar.header(url.host);
    const answer = await request('GET', url, cookie ? { cookie } : {});
    jar.store(url.host, answer.setCookie);
    if (!answer.location) throw new Error(`${target.name}: ${url.pathname} answered ${answer.status} without a redirect: ${answer.body.slice(0, 200)}`);
    const next = new URL(answer.location, url);
    if (next.href.startsWith(BENCH_CLIENT.redirectUri)) {
      if (next.searchParams.get('state') !== state) throw new Error(`${target.name}: state mismatch`);
      if (next.searchParams.get('iss') !== target.issuer) throw new Error(`${target.name}: iss missing or wrong`);
      const c = next.searchParams.get('code');
      if (!c) throw new Error(`${target.name}: error ${next.searchParams.get('error')}: ${next.searchParams.get('error_description')}`);
      code = c;
    }
    url = next;
  }
  if (!code) throw new Error(`${target.name}: no code after 12 hops`);
  const token = new URL(`${target.issuer}/token`);
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: BENCH_CLIENT.redirectUri, code_verifier: verifier }).toString();
  const answer = await request('POST', token, { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) }, body);
  if (answer.status !== 200) throw new Error(`${target.name}: token endpoint answered ${answer.status}: ${answer.body.slice(0, 200)}`);
  const idToken = JSON.parse(answer.body).id_token as string;
  const { payload } = await jwtVerify(idToken, target.jwks, { issuer: target.issuer, audience: BENCH_CLIENT.clientId, algorithms: ['RS256'] });
  if (payload.nonce !== nonce) throw new Error(`${target.name}: nonce mismatch`);
  return performance.now() - started;
}

export interface LoadResult {
  logins: number;
  errors: number;
  firstError?: string;
  seconds: number;
  latencies: number[];
}

/** Runs `concurrency` virtual shoppers logging in back to back for `seconds`. */
export async function runLoad(target: Target, concurrency: number, seconds: number): Promise<LoadResult> {
  const deadline = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          latencies.push(await login(target));
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
        }
      }
    }),
  );
  return { logins: latencies.length, errors, ...(firstError ? { firstError } : {}), seconds: (performance.now() - started) / 1000, latencies };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
