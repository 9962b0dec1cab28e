// What the metrics cost on the hot path, in isolation (the login benchmark under load cannot show a
// difference this small): 100,000 calls each of a store-latency observe, a sign-in counter increment and
// an embedded-store `get` with and without the measured wrapper, timed and with the heap growth per call
// (young-generation collections are kept out of the measured loop by a large semi-space).
// Run: node --expose-gc --max-semi-space-size=256 --import tsx bench/metrics-overhead.ts

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../src/clock.ts';
import { GatewayMetrics } from '../src/metrics/gateway-metrics.ts';
import { createStore } from '../src/store/create-store.ts';

const N = 100_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (see the header)');

function report(label: string, started: bigint, heap: number): void {
  const ns = Number(process.hrtime.bigint() - started) / N;
  const bytes = (process.memoryUsage().heapUsed - heap) / N;
  process.stdout.write(`${label.padEnd(56)} ${ns.toFixed(0).padStart(6)} ns/call  ${bytes.toFixed(0).padStart(5)} B/call\n`);
}

/** A synchronous call, N times in a plain loop. */
function measure(label: string, op: () => void): void {
  for (let i = 0; i < 10_000; i++) op(); // warm up the JIT
  gc!();
  const heap = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i++) op();
  report(label, started, heap);
}

/** An asynchronous call, N times one after the other. */
async function measureAsync(label: string, op: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 10_000; i++) await op();
  gc!();
  const heap = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await op();
  report(label, started, heap);
}

const metrics = new GatewayMetrics();
const child = metrics.storeDuration.labels('get');
measure('histogram observe (pre-made child, as the store does)', () => child.observe(0.0003));
measure('histogram observe with labels looked up per call', () => metrics.storeDuration.labels('get').observe(0.0003));
measure('sign-in counter inc (partner, provider, outcome)', () => metrics.signIn('jd', 'weibo', 'success'));
measure('upstream observer (histogram, by provider and step)', () => metrics.upstream('weibo', 'userinfo', 0.12));

const dir = await mkdtemp(join(tmpdir(), 'denglu-metrics-overhead-'));
const clock = new ManualClock();
const plain = await createStore({ dataDir: join(dir, 'plain'), clock });
const measured = await createStore({ dataDir: join(dir, 'measured'), clock, metrics });
for (const store of [plain, measured]) await store.put('partners', 'jd', { id: 'jd', clients: [], integrations: [] });
await measureAsync('embedded store get, plain', () => plain.get('partners', 'jd'));
await measureAsync('embedded store get, measured', () => measured.get('partners', 'jd'));
await measureAsync('embedded store get, plain (again, for the noise)', () => plain.get('partners', 'jd'));
await measureAsync('embedded store get, measured (again)', () => measured.get('partners', 'jd'));
await plain.close();
await measured.close();
await rm(dir, { recursive: true, force: true });
