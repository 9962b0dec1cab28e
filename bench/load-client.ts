// The load client: complete logins the way a shop with its own "Log in with Weibo" button drives them —
// authorization request (with the provider hint for Denglu), every redirect followed with a fresh cookie
// jar per login (new browser, new session), the code redeemed with client_secret_basic + PKCE, and the
// ID token validated with jose. Plain node:http with keep-alive to keep the client's own CPU low. The
// soak (bench/soak.ts) drives the same login with a shopper's own browser and upstream user, a deadline
// per request, and typed errors saying where a failed login stopped. A target with several instances
// (`--instances 2`: gateways on one database, same issuer) gets its requests in round robin, request by
// request, the way a load balancer without affinity spreads them.

import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { BENCH_CLIENT } from './bench-partner.ts';

export interface Target {
  /** `denglu` (embedded store), `baseline`, `denglu-pg` (PostgreSQL), `denglu-pg×2` … */
  name: string;
  issuer: string;
  /** Extra authorization parameters (Denglu: `provider=weibo`). */
  extraParams: Record<string, string>;
  /** The shop's view of the issuer's keys: fetched once, or cached and refetched (bench/key-rotation.ts). */
  jwks: JWTVerifyGetKey;
  /** Where a request to the issuer goes when several instances serve it (roundRobin); the issuer itself by default. */
  route?: (url: URL) => URL | undefined;
}

/**
 * Requests to `issuer` spread over `instances` (origins), one after the other in turn; other hosts
 * (the upstream emulator) untouched. The cookie jar and the Host header keep the issuer's name.
 */
export function roundRobin(issuer: string, instances: readonly string[]): (url: URL) => URL | undefined {
  const own = new URL(issuer).host;
  let next = 0;
  return (url) => {
    if (url.host !== own) return undefined;
    const via = new URL(url.href);
    const to = new URL(instances[next++ % instances.length]!);
    via.host = to.host;
    return via;
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export interface Answer {
  status: number;
  location?: string;
  setCookie: string[];
  body: string;
}

/**
 * One HTTP request; with `timeoutMs`, one that has not answered by then fails with "no answer within …".
 * With `via`, it is sent there (another instance of the same issuer) with `url`'s Host header.
 */
export function request(method: string, url: URL, headers: Record<string, string>, body?: string, timeoutMs?: number, via?: URL): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const to = via ?? url;
    const sent = via ? { ...headers, host: url.host } : headers;
    const req = http.request({ method, hostname: to.hostname, port: to.port, path: url.pathname + url.search, headers: sent, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const location = res.headers.location;
        resolve({
          status: res.statusCode ?? 0,
          ...(location ? { location } : {}),
          setCookie: res.headers['set-cookie'] ?? [],
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (timeoutMs !== undefined) req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms: ${method} ${url.pathname}`)));
    if (body) req.end(body);
    else req.end();
  });
}

/** One browser's cookies, by host; paths are ignored (cookie names never collide here). */
export class Jar {
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

/** How a login may differ from the benchmark's (the soak's shoppers). */
export interface LoginOptions {
  /** The shopper's browser (cookies kept between logins); a fresh one by default. */
  jar?: Jar;
  /** Sign in upstream as this user: the emulator's authorize form is posted (approve) instead of auto-approved. */
  upstreamLogin?: string;
  /** Give up on a request that has not answered within this many ms. */
  timeoutMs?: number;
  /** More authorization parameters (e.g. `prompt=login`). */
  extraParams?: Record<string, string>;
}

/** A login that stopped on a page instead of a redirect (Denglu's failure page, say): where, and the answer. */
export class StoppedOnPage extends Error {
  readonly url: URL;
  readonly answer: Answer;
  constructor(url: URL, answer: Answer, target: string) {
    super(`${target}: ${url.pathname} answered ${answer.status} without a redirect: ${answer.body.slice(0, 200)}`);
    this.url = url;
    this.answer = answer;
  }
}

/** A login the shop got an error for (`error=…` at its redirect URI). */
export class ShopGotError extends Error {
  readonly params: URLSearchParams;
  constructor(params: URLSearchParams, target: string) {
    super(`${target}: error ${params.get('error')}: ${params.get('error_description')}`);
    this.params = params;
  }
}

/**
 * The browser following redirects from `url` until one leads to `stopAt` (returned), at most 12 hops.
 * With `upstreamLogin`, a hop to another host than `own` (the emulator's authorize page) posts the
 * approval as that user.
 */
export async function follow(
  jar: Jar,
  url: URL,
  stopAt: string,
  target: string,
  o: { own?: string; upstreamLogin?: string; timeoutMs?: number; route?: (url: URL) => URL | undefined } = {},
): Promise<URL> {
  for (let hop = 0; hop < 12; hop++) {
    const cookie = jar.header(url.host);
    const headers: Record<string, string> = cookie ? { cookie } : {};
    let answer: Answer;
    if (o.upstreamLogin !== undefined && o.own !== undefined && url.host !== o.own) {
      const form = new URLSearchParams(url.searchParams);
      form.set('decision', 'approve');
      form.set('login', o.upstreamLogin);
      const body = form.toString();
      answer = await request(
        'POST',
        new URL(url.pathname, url),
        { ...headers, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) },
        body,
        o.timeoutMs,
        o.route?.(url),
      );
    } else {
      answer = await request('GET', url, headers, undefined, o.timeoutMs, o.route?.(url));
    }
    jar.store(url.host, answer.setCookie);
    if (!answer.location) throw new StoppedOnPage(url, answer, target);
    const next = new URL(answer.location, url);
    if (next.href.startsWith(stopAt)) return next;
    url = next;
  }
  throw new Error(`${target}: no way back after 12 hops`);
}

/** One complete login; resolves with its latency in ms, rejects with what went wrong. */
export async function login(target: Target): Promise<number> {
  return (await loginWith(target)).latencyMs;
}

/** One complete login as `login`, also answering the verified ID token's claims and the access token. */
export async function loginWith(target: Target, o: LoginOptions = {}): Promise<{ latencyMs: number; claims: JWTPayload; accessToken: string }> {
  const started = performance.now();
  const jar = o.jar ?? new Jar();
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
    ...o.extraParams,
  }).toString();
  const back = await follow(jar, auth, BENCH_CLIENT.redirectUri, target.name, {
    own: auth.host,
    ...(o.upstreamLogin !== undefined ? { upstreamLogin: o.upstreamLogin } : {}),
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    ...(target.route ? { route: target.route } : {}),
  });
  if (back.searchParams.get('state') !== state) throw new Error(`${target.name}: state mismatch`);
  if (back.searchParams.get('iss') !== target.issuer) throw new Error(`${target.name}: iss missing or wrong`);
  const code = back.searchParams.get('code');
  if (!code) throw new ShopGotError(back.searchParams, target.name);
  const token = new URL(`${target.issuer}/token`);
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: BENCH_CLIENT.redirectUri, code_verifier: verifier }).toString();
  const answer = await request(
    'POST',
    token,
    { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) },
    body,
    o.timeoutMs,
    target.route?.(token),
  );
  if (answer.status !== 200) throw new Error(`${target.name}: token endpoint answered ${answer.status}: ${answer.body.slice(0, 200)}`);
  const tokens = JSON.parse(answer.body) as { id_token: string; access_token: string };
  const { payload } = await jwtVerify(tokens.id_token, target.jwks, { issuer: target.issuer, audience: BENCH_CLIENT.clientId, algorithms: ['RS256'] });
  if (payload.nonce !== nonce) throw new Error(`${target.name}: nonce mismatch`);
  return { latencyMs: performance.now() - started, claims: payload, accessToken: tokens.access_token };
}

/** The shop is done with an access token (RFC 7009 revocation, as the benchmark's client). */
export async function revokeAccessToken(target: Target, accessToken: string, timeoutMs?: number): Promise<number> {
  const body = new URLSearchParams({ token: accessToken, token_type_hint: 'access_token' }).toString();
  const answer = await request(
    'POST',
    new URL(`${target.issuer}/token/revocation`),
    { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) },
    body,
    timeoutMs,
  );
  return answer.status;
}

export interface LoadResult {
  logins: number;
  errors: number;
  firstError?: string;
  seconds: number;
  latencies: number[];
}

/** Logins completed so far per issuer, warm-ups included (the gateway's memory after N logins). */
export const completedLogins = new Map<string, number>();

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
          completedLogins.set(target.issuer, (completedLogins.get(target.issuer) ?? 0) + 1);
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
