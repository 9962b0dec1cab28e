// Benchmark process: Denglu itself, exactly as `npm start` builds it (createApp, the store DATABASE_URL
// selects: embedded when unset, PostgreSQL when set) but without the in-process sandbox, with the bench
// partner seeded and a metrics port. Configuration comes from the environment like the real gateway.
// On PostgreSQL the metrics port also answers the queries sent so far, by statement (bench/query-counter.ts).
// Prints "READY <port> <metricsPort>".

import type { AddressInfo } from 'node:net';
import { loadConfig } from '../config/load-config.ts';
import { DESCRIPTORS, providerRegistry } from '../providers/index.ts';
import { createApp } from '../src/app.ts';
import { systemClock } from '../src/clock.ts';
import { createLogger } from '../src/log.ts';
import { seedPartners } from '../src/partners/partners.ts';
import { createStore } from '../src/store/create-store.ts';
import { listOutbox } from '../src/mail/outbox.ts';
import { benchPartner } from './bench-partner.ts';
import { serveMetrics } from './process-metrics.ts';
import { serverWithCosts } from './request-costs.ts';
import { countQueries } from './query-counter.ts';

const config = loadConfig({ env: process.env, descriptors: DESCRIPTORS });
const log = createLogger({ level: config.logLevel });
const queries = config.database ? countQueries({ prepare: process.env.BENCH_PG_PREPARE === '1' }).counts : {};
const store = await createStore({
  dataDir: config.dataDir,
  ...(config.database ? { databaseUrl: config.database.url, pool: config.database.pool } : {}),
  clock: systemClock,
});
await seedPartners(store, systemClock, [benchPartner(process.env.BENCH_PROVIDER ?? 'weibo')]);
const { app, hashes } = await createApp({ config, store, clock: systemClock, providers: providerRegistry(config.oidcProviders), log });
const { server, costs } = serverWithCosts(app);
// Once per cluster, as the gateway does: two benchmark instances on one database do not both sweep.
setInterval(() => void store.exclusive('sweep-expired', () => store.sweepExpired()), 60_000).unref();

// Store size and live sessions, computed only when the benchmark asks (after the measured rounds);
// the soak samples the store's figures alone, and reads the reset links its shoppers were mailed.
const metricsPort = await serveMetrics(
  costs,
  async () => ({
    store: await store.stats(),
    sessionsLive: (await store.list<{ model: string }>('oidc')).filter((d) => d.value.model === 'Session').length,
    hashes: { ...hashes.counts },
  }),
  {
    '/store': () => store.stats(),
    '/queries': async () => queries,
    '/outbox': async (q) => (await listOutbox(store)).filter((m) => m.to === q.get('to')).map((m) => ({ at: m.at, text: m.text })),
  },
);
server.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as AddressInfo).port} ${metricsPort}\n`);
});
process.on('SIGTERM', async () => {
  server.closeAllConnections();
  server.close();
  await store.close();
  process.exit(0);
});
