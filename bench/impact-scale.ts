// The impact report at scale (issue 16 §2: < 1 s at 100,000 accounts on the embedded store, < 2 s at
// 1,000,000 accounts and 10,000,000 login events on PostgreSQL): generates the shop's population
// deterministically (bench/impact-population.ts), then times the report for (shop, weibo, the scheduled
// cutoff) --runs times and prints the median and the longest, with how long generating took. The report
// is the store's aggregate (Store.tallyUsage: one pass in memory, or one GROUP BY over PostgreSQL's side
// table of the summaries, migrations/0003_shop_usage_facts.sql) run through the pure rules.
// --straightforward also times the report computed by reading every shopper's account (what it did before
// the summaries kept the ways) and checks that both answer the same.
// Not part of `npm run bench`: run it on its own,
//   node --import tsx bench/impact-scale.ts                      # both backends at their target sizes
//   node --import tsx bench/impact-scale.ts --embedded 100000 --postgres none
//   node --import tsx bench/impact-scale.ts --embedded none --postgres 1000000 --events-per-account 10
// PostgreSQL: --database-url (default BENCH_DATABASE_URL or the machine's server); the run creates its own
// denglu_bench_impact_<pid> database and drops it, unless --keep (it then prints the name, and
// --reuse NAME times the report on that database without generating again). --no-raw-events leaves the
// raw events out (the report never reads them; they only make the database as large as it would be).
// Raw events are written straight into the fresh database (bench/bulk-documents.ts), beside the store's
// loads of accounts and summaries; 1,000,000 accounts with 10,000,000 events take minutes, with a progress bar.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { ManualClock } from '../src/clock.ts';
import type { ImpactReport } from '../src/impact/impact-report.ts';
import { buildImpactReport } from '../src/impact/impact-service.ts';
import { createStore } from '../src/store/create-store.ts';
import type { Store } from '../src/store/store.ts';
import { LOGIN_EVENTS_COLLECTION } from '../src/events/forget-account.ts';
import type { DumpedDocument } from '../src/store/store.ts';
import { createBenchDatabase, DEFAULT_ADMIN_URL } from './bench-database.ts';
import { BulkDocuments } from './bulk-documents.ts';
import { IMPACT_CONFIGURED, IMPACT_NOW, impactPartner, loadImpactPopulation } from './impact-population.ts';
import { median } from './stats.ts';
import { bar } from './store-scaling.ts';

const { values: args } = parseArgs({
  allowNegative: true,
  options: {
    embedded: { type: 'string', default: '100000' },
    postgres: { type: 'string', default: '1000000' },
    'events-per-account': { type: 'string', default: '10' },
    'raw-events': { type: 'boolean', default: true },
    runs: { type: 'string', default: '5' },
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? DEFAULT_ADMIN_URL },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
    straightforward: { type: 'boolean', default: false },
  },
});
const runs = Number(args.runs);
const eventsPerAccount = Number(args['events-per-account']);
const clock = new ManualClock(IMPACT_NOW);

const progress = (label: string) => (done: number, total: number) =>
  process.stderr.write(`\r\x1b[2K${label} ${bar(done / total)} ${done.toLocaleString('en')} / ${total.toLocaleString('en')}`);

async function timeReport(store: Store, label: string): Promise<void> {
  const fast = await timed(store, `${label}`, false);
  if (!args.straightforward) return;
  const slow = await timed(store, `${label} (straightforward: every account read)`, true);
  // The fast report lists no shopper (the list is the CSV's, read page by page): compared without it.
  console.log(`${label}: fast and straightforward reports ${isDeepStrictEqual(fast, { ...slow, list: [] }) ? 'are equal' : 'DIFFER'}`);
}

async function timed(store: Store, label: string, fromAccounts: boolean): Promise<ImpactReport> {
  const partner = impactPartner();
  const seconds: number[] = [];
  const cpu: number[] = [];
  let report: ImpactReport | undefined;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    report = await buildImpactReport(store, partner, 'weibo', IMPACT_CONFIGURED, IMPACT_NOW, { fromAccounts });
    seconds.push((performance.now() - started) / 1000);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1e6);
  }
  console.log(
    `${label}: report median ${median(seconds).toFixed(3)} s, max ${Math.max(...seconds).toFixed(3)} s over ${runs} runs (this process's CPU: median ${median(cpu).toFixed(3)} s)`,
  );
  console.log(`${label}: runs ${seconds.map((s) => s.toFixed(3)).join(' ')} s; shoppers ${JSON.stringify(report!.shoppers)}`);
  return report!;
}

async function generate(store: Store, label: string, accounts: number, raw: boolean, bulk?: BulkDocuments): Promise<void> {
  const started = performance.now();
  const writeRaw = bulk ? (docs: DumpedDocument[]) => bulk.insert(LOGIN_EVENTS_COLLECTION, docs) : undefined;
  const counts = await loadImpactPopulation(store, { accounts, eventsPerAccount, raw, writeRaw, progress: progress(`${label} generating`) });
  process.stderr.write('\n');
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${label}: generated ${counts.accounts.toLocaleString('en')} accounts, ${counts.summaries.toLocaleString('en')} shop summaries, ${counts.events.toLocaleString('en')} raw events in ${seconds.toFixed(1)} s`,
  );
}

if (args.embedded !== 'none') {
  const accounts = Number(args.embedded);
  const dir = await mkdtemp(join(tmpdir(), 'denglu-impact-'));
  const store = await createStore({ dataDir: dir, clock });
  try {
    await generate(store, `embedded ${accounts.toLocaleString('en')}`, accounts, false);
    await timeReport(store, `embedded ${accounts.toLocaleString('en')}`);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (args.postgres !== 'none') {
  const accounts = Number(args.postgres);
  const label = `postgres ${accounts.toLocaleString('en')}`;
  if (args.reuse) {
    const url = new URL(args['database-url']);
    url.pathname = `/${args.reuse}`;
    const store = await createStore({ dataDir: '', databaseUrl: url.href, clock });
    try {
      await timeReport(store, `postgres (${args.reuse})`);
    } finally {
      await store.close();
    }
  } else {
    const db = await createBenchDatabase(args['database-url'], 'impact');
    const store = await createStore({ dataDir: '', databaseUrl: db.url, clock });
    const bulk = args['raw-events'] ? await BulkDocuments.connect(db.url) : undefined;
    try {
      await generate(store, label, accounts, args['raw-events'], bulk);
      // What a running gateway's cluster-once sweep does within a minute of such a load: among it, analyse
      // the report's side table when the server's autovacuum has not (src/store/postgres/side-table-statistics.ts).
      const swept = performance.now();
      await store.sweepExpired();
      console.log(`${label}: expiry sweep (analyses the side table when autovacuum has not) in ${((performance.now() - swept) / 1000).toFixed(1)} s`);
      await timeReport(store, label);
    } finally {
      await bulk?.close();
      await store.close();
      if (args.keep) console.log(`kept database ${db.name} (--reuse ${db.name})`);
      else await db.drop();
    }
  }
}
process.exit(0);
