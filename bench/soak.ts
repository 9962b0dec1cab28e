// `npm run bench -- --soak SECONDS`: brokered logins at concurrency 32 for that long while the emulators'
// fault switch makes a share of the upstream calls hang, answer 500, HTML or a truncated body, and a few
// shoppers link, unlink and reset passwords on the account console. Each shopper has their own browser
// and upstream user and signs in again and again (`prompt=login`: a full round trip every time); the shop
// revokes each access token it is done with, so what the store keeps is bounded once everyone has signed
// in and memory must then stay flat. Reports unexpected outcomes (bench/soak-classify.ts), memory over
// time, event-loop stalls, and what was lost: at the end every shopper's session must still sign them
// in silently with the same `sub`, and every account must still hold its identities (read from the
// store after the gateway stopped). Writes bench/results/soak-<time>.json and .md.
// The gateway runs with npm start's Node flags plus --expose-gc: every fifth sample (10 s) the sampler has it
// collect fully and reads the live heap, so the memory slope is not the garbage's sawtooth.
// Options: --soak S, --soak-concurrency N (32), --soak-share P (each faulted endpoint's share, 0.03),
// --soak-console N (console shoppers, 3), --soak-users N (shoppers per login worker, 16), --out DIR.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROVIDERS } from '../providers/index.ts';
import { providerEnv } from '../config/provider-settings.ts';
import { COMMON_FAULT_MODES } from '../providers/shared/emulator/fault-switch.ts';
import { systemClock } from '../src/clock.ts';
import { findAccountByIdentity } from '../src/accounts/sign-in.ts';
import { loadPairwiseSalt } from '../src/oidc/secrets.ts';
import { pairwiseSubject } from '../src/oidc/pairwise.ts';
import { createStore } from '../src/store/create-store.ts';
import { benchPartner, benchUpstreamApp } from './bench-partner.ts';
import { fetchJwks, Jar, loginWith, percentile, revokeAccessToken, type Target } from './load-client.ts';
import { gatewayNodeFlags } from './node-flags.ts';
import { explain, shopSignIn } from './soak-browser.ts';
import { classify, reconcile, slope, type Trace } from './soak-classify.ts';
import { ConsoleShopper } from './soak-console.ts';
import { renderSoak } from './soak-report.ts';
import { dengluEnv, freePort, metrics, startServer, type Server } from './spawn-server.ts';

/** The upstream calls the soak breaks (never the browser-facing authorize page), per emulator. */
const FAULTED = { weibo: ['access_token', 'get_token_info', 'users/show'], qq: ['token', 'me', 'get_user_info'] } as const;
const UPSTREAM_TIMEOUT_MS = 2000;
/** A request to Denglu unanswered this long is "a hang past the deadline". */
const DEADLINE_MS = UPSTREAM_TIMEOUT_MS + 8000;
/** Each endpoint's fault mode changes this often, so every mode hits every endpoint. */
const ROTATE_MS = 4000;
/** Reset links per address per hour (src/accounts/brute-force.ts RULES.mail): the soak stays under it. */
const MAX_RESETS = 4;

export interface SoakOptions {
  seconds: number;
  concurrency: number;
  share: number;
  consoleShoppers: number;
  usersPerWorker: number;
  out: string;
}

export function parseSoakOptions(argv: string[]): SoakOptions | undefined {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  if (!argv.includes('--soak')) return undefined;
  const seconds = Number(get('soak'));
  if (!(seconds > 0)) throw new Error(`--soak takes how many seconds to run, e.g. --soak 600 (got ${get('soak') ?? 'nothing'})`);
  return {
    seconds,
    concurrency: Number(get('soak-concurrency') ?? 32),
    share: Number(get('soak-share') ?? 0.03),
    consoleShoppers: Number(get('soak-console') ?? 3),
    usersPerWorker: Number(get('soak-users') ?? 16),
    out: get('out') ?? fileURLToPath(new URL('./results/', import.meta.url)),
  };
}

interface Sample {
  /** Seconds since the load started. */
  t: number;
  logins: number;
  rssMb: number;
  heapUsedMb: number;
  /** Heap in use after the last full collection; after one forced just now when `liveHeapForced`. */
  liveHeapMb: number;
  liveHeapForced: boolean;
  /** The longest event-loop stall since the previous sample. */
  maxStallMs: number;
  /** Since the previous sample, the share of time the gateway's event-loop thread was runnable but waiting for a core (Linux). */
  mainWaitPercent?: number;
  storeDocuments: number;
  storeMb: number;
}

const progress = (line: string) => process.stderr.write(`\r\x1b[2K${line}`);
const done = (line: string) => process.stderr.write(`\r\x1b[2K${line}\n`);
const mb = (bytes: number) => bytes / 1048576;

async function control(emulator: Server, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${emulator.port}${path}`, {
    method,
    ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return res.json();
}

async function metricsRoute(server: Server, path: string): Promise<any> {
  return (await fetch(`http://127.0.0.1:${server.metricsPort}${path}`)).json();
}

export async function runSoak(o: SoakOptions): Promise<number> {
  const started = new Date();
  /** The shortest warm-up; it lasts until every shopper has signed in once (their account, session and grant exist). */
  const minWarmup = Math.min(30, o.seconds / 4);
  const work = await mkdtemp(join(tmpdir(), 'denglu-soak-'));
  const dataDir = join(work, 'data');
  done(
    `Denglu soak: ${o.seconds}s of brokered logins at concurrency ${o.concurrency} (${o.concurrency * o.usersPerWorker} shoppers) and ${o.consoleShoppers} console shoppers; faults on ${(o.share * 100).toFixed(1)}% of each upstream call; memory judged after ${minWarmup.toFixed(0)}s at least, once every shopper has signed in`,
  );
  const loadBefore = loadavg()[0]!;
  const servers: Server[] = [];
  try {
    // 1. Two emulators (Weibo for the shop, QQ to link) and the gateway, as the benchmark starts them.
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const emulators: Record<string, Server> = {};
    const env: Record<string, string> = {};
    for (const provider of Object.keys(FAULTED)) {
      const emulatorPort = await freePort();
      const credentials = benchUpstreamApp(provider);
      emulators[provider] = await startServer(`${provider} emulator`, './emulator-server.ts', {
        ...credentials,
        BENCH_PROVIDER: provider,
        BENCH_USERS: '100',
        BENCH_ISSUER: issuer,
        PORT: String(emulatorPort),
      });
      servers.push(emulators[provider]!);
      Object.assign(
        env,
        providerEnv(PROVIDERS.get(provider)!.descriptor, {
          clientId: credentials.BENCH_CLIENT_ID,
          clientSecret: credentials.BENCH_CLIENT_SECRET,
          baseUrl: `http://127.0.0.1:${emulatorPort}`,
        }),
      );
    }
    const denglu = await startServer(
      'denglu',
      './denglu-server.ts',
      {
        ...dengluEnv(port, dataDir),
        LOG_LEVEL: 'error',
        BENCH_PROVIDER: 'weibo',
        UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
        ...env,
      },
      { nodeFlags: [...gatewayNodeFlags(), '--expose-gc'] },
    );
    servers.push(denglu);
    const target: Target = { name: 'denglu', issuer, extraParams: { provider: 'weibo' }, jwks: await fetchJwks(issuer) };

    // 2. The load: login workers, console shoppers, the fault rotation and the sampler, until the deadline.
    const subs = new Map<string, string>();
    const counts = { ok: 0, expected: 0, unexpected: 0, consoleActions: 0, logins: 0, revocations: 0 };
    const unexpected: { at: number; why: string }[] = [];
    const latencies: number[] = [];
    const t0 = performance.now();
    const elapsed = () => (performance.now() - t0) / 1000;
    const deadline = t0 + o.seconds * 1000;
    const judge = (trace: Trace) => {
      const v = classify(trace, subs, trace.kind !== 'failure-page' || trace.action === 'shop sign-in');
      if (v.kind === 'unexpected') {
        counts.unexpected++;
        if (unexpected.length < 50) unexpected.push({ at: Math.round(elapsed()), why: v.why });
      } else counts[v.kind]++;
    };
    const shoppers = Array.from({ length: o.concurrency }, (_, w) =>
      Array.from({ length: o.usersPerWorker }, (_, k) => ({
        login: `soak${String(w).padStart(2, '0')}x${String(k).padStart(3, '0')}`,
        jar: new Jar(),
        signedIn: false,
      })),
    );
    let everyoneSignedIn: number | undefined;
    let signedInOnce = 0;
    const workers = shoppers.map(async (mine) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const shopper = mine[i % mine.length]!;
        const r = await shopSignIn(target, shopper.jar, shopper.login, DEADLINE_MS);
        counts.logins++;
        judge(r.trace);
        if (r.trace.kind === 'signed-in') {
          if (!shopper.signedIn && ++signedInOnce === o.concurrency * o.usersPerWorker) everyoneSignedIn = elapsed();
          shopper.signedIn = true;
          latencies.push(r.latencyMs);
          const status = await revokeAccessToken(target, r.accessToken!, DEADLINE_MS).catch((e: Error) => e.message);
          counts.revocations++;
          if (status !== 200) judge({ kind: 'threw', action: 'access token revocation', message: `answered ${status}` });
        }
      }
    });
    const outbox = (to: string) => metricsRoute(denglu, `/outbox?to=${encodeURIComponent(to)}`);
    const consoles = Array.from(
      { length: o.consoleShoppers },
      (_, n) => new ConsoleShopper(n + 1, { target, linkProvider: 'qq', timeoutMs: DEADLINE_MS, outbox }),
    );
    const consoleLoops = consoles.map(async (c) => {
      while (performance.now() < deadline) {
        // Resets spread over the run, at most MAX_RESETS per address (the hourly mail limit).
        const reset = c.resets < MAX_RESETS && elapsed() >= ((c.resets + 1) * o.seconds) / (MAX_RESETS + 1);
        await c.round(reset, (t) => {
          counts.consoleActions++;
          judge(t);
        });
        await new Promise((r) => setTimeout(r, 500));
      }
    });
    let rotation = 0;
    const rotate = async () => {
      for (const [provider, endpoints] of Object.entries(FAULTED)) {
        for (const [i, endpoint] of endpoints.entries()) {
          const mode = COMMON_FAULT_MODES[(rotation + i) % COMMON_FAULT_MODES.length]!;
          await control(emulators[provider]!, 'POST', '/__emulator/faults', { endpoint, mode, share: o.share });
        }
      }
      rotation++;
    };
    await rotate();
    const rotator = setInterval(() => void rotate().catch(() => undefined), ROTATE_MS);
    const samples: Sample[] = [];
    await metrics(denglu, 'reset');
    const sampleMs = o.seconds >= 60 ? 2000 : 500;
    let sampling = true;
    const sampler = (async () => {
      let previous: { at: number; waitNs: number } | undefined;
      for (let i = 1; sampling; i++) {
        await new Promise((r) => setTimeout(r, sampleMs));
        const m = await metrics(denglu);
        const at = performance.now();
        const wait = m.mainThread && previous ? (100 * (m.mainThread.waitNs - previous.waitNs)) / ((at - previous.at) * 1e6) : undefined;
        previous = m.mainThread ? { at, waitNs: m.mainThread.waitNs } : undefined;
        // Every fifth sample a full collection first: the live heap, the series a leak shows in. The
        // stall is read before and the window reset after, so the forced pause is not counted as one.
        const live = i % 5 === 0 ? mb(((await metricsRoute(denglu, '/gc')) as { liveHeapBytes: number }).liveHeapBytes) : undefined;
        await metrics(denglu, 'reset');
        const store = (await metricsRoute(denglu, '/store')) as Record<string, { documents: number; bytes: number }>;
        const total = Object.values(store).reduce((a, s) => ({ documents: a.documents + s.documents, bytes: a.bytes + s.bytes }), { documents: 0, bytes: 0 });
        samples.push({
          t: elapsed(),
          logins: counts.logins,
          rssMb: mb(m.rssBytes),
          heapUsedMb: mb(m.heapUsedBytes),
          liveHeapMb: live ?? mb(m.liveHeapBytes),
          liveHeapForced: live !== undefined,
          maxStallMs: m.maxStallMs,
          ...(wait !== undefined ? { mainWaitPercent: wait } : {}),
          storeDocuments: total.documents,
          storeMb: mb(total.bytes),
        });
        progress(
          `soak · ${elapsed().toFixed(0)}/${o.seconds}s · ${counts.logins} logins · ${counts.expected} fault-caused failures · ${counts.unexpected} unexpected · heap ${mb(m.heapUsedBytes).toFixed(0)} MiB (live ${(live ?? mb(m.liveHeapBytes)).toFixed(0)}) · rss ${mb(m.rssBytes).toFixed(0)} MiB · stall ${m.maxStallMs.toFixed(0)} ms`,
        );
      }
    })();
    await Promise.all([...workers, ...consoleLoops]);
    clearInterval(rotator);
    sampling = false;
    await sampler;
    const loadSeconds = elapsed();
    done(
      `soak · ${loadSeconds.toFixed(0)}s · ${counts.logins} logins, ${counts.ok} ok, ${counts.expected} fault-caused failures, ${counts.unexpected} unexpected`,
    );

    // 3. Faults off; what the emulators served must match the documented failures one for one.
    const served: Record<string, Record<string, Record<string, number>>> = {};
    for (const [provider, emulator] of Object.entries(emulators)) {
      await control(emulator, 'DELETE', '/__emulator/faults');
      served[provider] = (await control(emulator, 'GET', '/__emulator')).served;
    }
    const faultsServed = Object.values(served)
      .flatMap((p) => Object.values(p).flatMap((m) => Object.values(m)))
      .reduce((a, n) => a + n, 0);
    const balance = reconcile(counts.expected, faultsServed);
    if (balance.why) {
      counts.unexpected += balance.unexpected;
      unexpected.push({ at: Math.round(loadSeconds), why: balance.why });
    }

    // 4. Nothing lost, while the gateway still runs: every shopper who signed in is still signed in
    // (prompt=none, same `sub`), and each console shopper's latest password works.
    progress('soak · checking sessions');
    const lost: string[] = [];
    let sessionsChecked = 0;
    for (const shopper of shoppers.flat().filter((s) => s.signedIn)) {
      sessionsChecked++;
      try {
        const r = await loginWith(target, { jar: shopper.jar, upstreamLogin: shopper.login, timeoutMs: DEADLINE_MS, extraParams: { prompt: 'none' } });
        if (String(r.claims.sub) !== subs.get(shopper.login)) lost.push(`${shopper.login}: silent sign-in gave another sub`);
      } catch (err) {
        const t = await explain(err, 'silent sign-in', shopper.jar, issuer, DEADLINE_MS);
        lost.push(`${shopper.login}: session lost (${t.kind === 'shop-error' ? `shop got ${t.error}` : t.kind === 'threw' ? t.message : `${t.kind}`})`);
      }
    }
    for (const c of consoles.filter((c) => c.password)) {
      const t = await c.passwordStillWorks();
      if (t.kind !== 'done') lost.push(`${c.login}: ${t.kind === 'threw' ? t.message : t.kind}`);
    }
    const finalMetrics = await metrics(denglu);
    const storeAtEnd = await metricsRoute(denglu, '/store');
    await denglu.stop();

    // 5. The store as the gateway left it: every shopper's account, its identities, the same `sub`.
    progress('soak · checking the store');
    const store = await createStore({ dataDir, clock: systemClock });
    let accountsChecked = 0;
    try {
      const weibo = PROVIDERS.get('weibo')!.createEmulator({ apps: [] });
      const salt = await loadPairwiseSalt(store, undefined);
      const shop = benchPartner('weibo').id;
      const consoleOf = new Map(consoles.map((c) => [c.login, c]));
      for (const [login, sub] of subs) {
        accountsChecked++;
        const account = await findAccountByIdentity(store, weibo.identityKeysFor(login, 'bench-weibo'));
        if (!account) {
          lost.push(`${login}: no account holds the Weibo identity any more`);
          continue;
        }
        if (pairwiseSubject(salt, shop, account.id) !== sub) lost.push(`${login}: the account's sub at the shop is no longer the one the shop got`);
        const c = consoleOf.get(login);
        if (c) {
          const hasQq = account.identities.some((i) => i.provider === 'qq');
          if (hasQq !== c.linked) lost.push(`${login}: QQ ${hasQq ? 'still linked after the unlink' : 'link lost'}`);
          if (c.password && (account.native?.email !== c.email || !account.native.passwordHash)) lost.push(`${login}: email or password gone`);
        }
      }
    } finally {
      await store.close();
    }

    // 6. Memory after the warm-up, stalls, the report.
    // Everyone signed in by half-time, or the second half of the run.
    const warmup = Math.max(minWarmup, Math.min(everyoneSignedIn ?? Infinity, loadSeconds / 2));
    const after = samples.filter((s) => s.t >= warmup);
    /** MiB (or documents) per minute; null (kept in the JSON) with too few points. */
    const perMinute = (f: (s: Sample) => number, points = after) => slope(points.map((s) => ({ x: s.t / 60, y: f(s) }))) ?? null;
    // The live heap: the samples taken right after a forced full collection.
    const liveHeapPoints = after.filter((s) => s.liveHeapForced);
    const stalls = samples.map((s) => s.maxStallMs).sort((a, b) => a - b);
    const sorted = latencies.sort((a, b) => a - b);
    const memory = {
      warmupSeconds: warmup,
      everyoneSignedInAt: everyoneSignedIn ?? null,
      samples: after.length,
      rssMbPerMinute: perMinute((s) => s.rssMb),
      heapUsedMbPerMinute: perMinute((s) => s.heapUsedMb),
      liveHeapMbPerMinute: perMinute((s) => s.liveHeapMb, liveHeapPoints),
      liveHeapPoints: liveHeapPoints.length,
      storeMbPerMinute: perMinute((s) => s.storeMb),
      storeDocumentsPerMinute: perMinute((s) => s.storeDocuments),
      first: after[0],
      last: after[after.length - 1],
    };
    // Flat: what the heap keeps after a full collection grows by less than 1 MiB a minute (the heap in
    // use when fewer than three collections came after the warm-up).
    const growth = memory.liveHeapPoints >= 3 ? memory.liveHeapMbPerMinute : memory.heapUsedMbPerMinute;
    // A slope over less than a minute says nothing (a short run, the smoke test): reported, not judged.
    const judged = loadSeconds - warmup >= 60;
    const result = {
      startedAt: started.toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' },
      node: process.version,
      options: {
        ...o,
        out: undefined,
        upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS,
        deadlineMs: DEADLINE_MS,
        rotateMs: ROTATE_MS,
        faulted: FAULTED,
        modes: COMMON_FAULT_MODES,
      },
      seconds: loadSeconds,
      logins: {
        attempts: counts.logins,
        signedIn: latencies.length,
        perSecond: latencies.length / loadSeconds,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        revocations: counts.revocations,
      },
      outcomes: { ok: counts.ok, expected: counts.expected, unexpected: counts.unexpected, consoleActions: counts.consoleActions },
      consoleShoppers: consoles.map((c) => ({ login: c.login, resets: c.resets, linkedAtEnd: c.linked, passwordSet: c.password !== undefined })),
      faultsServed: { total: faultsServed, byProvider: served },
      unexpected,
      memory,
      stalls: {
        mainWaitPercentMedian: percentile(
          samples.flatMap((s) => (s.mainWaitPercent === undefined ? [] : [s.mainWaitPercent])).sort((a, b) => a - b),
          50,
        ),
        maxMs: stalls[stalls.length - 1] ?? 0,
        p99Ms: percentile(stalls, 99),
        medianMs: percentile(stalls, 50),
        over100Ms: stalls.filter((s) => s > 100).length,
        sampleSeconds: sampleMs / 1000,
      },
      lost: { sessionsChecked, accountsChecked, items: lost.slice(0, 50), count: lost.length },
      finalProcess: { rssMb: mb(finalMetrics.rssBytes), liveHeapMb: mb(finalMetrics.liveHeapBytes), fullGcs: finalMetrics.fullGcs, store: storeAtEnd },
      // The host's run queue (1-minute load average) at the start and the end: stalls on a busy shared host are not the gateway's alone.
      hostLoad: { before: loadBefore, after: loadavg()[0]! },
      targets: [
        { name: 'unexpected errors', value: counts.unexpected, goal: '0', met: counts.unexpected === 0 },
        {
          name: `memory growth after warm-up (MiB/min, ${memory.liveHeapPoints >= 3 ? 'live heap' : 'heap in use'})`,
          value: growth ?? NaN,
          goal: '≤ 1',
          met: judged ? growth !== null && growth <= 1 : null,
        },
        { name: 'sessions or accounts lost', value: lost.length, goal: '0', met: lost.length === 0 },
      ],
      samples,
    };
    await mkdir(o.out, { recursive: true });
    const name = `soak-${started.toISOString().replace(/[:.]/g, '-')}`;
    await writeFile(join(o.out, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
    const md = renderSoak(result);
    await writeFile(join(o.out, `${name}.md`), md);
    process.stdout.write(md);
    return result.targets.every((t) => t.met !== false) ? 0 : 1;
  } finally {
    for (const s of servers.reverse()) await s.stop();
    await rm(work, { recursive: true, force: true });
  }
}
