// The only place that reads process.env, listens and handles signals. `npm start` runs the gateway on
// the embedded store; in the sandbox (the default outside production) also the provider emulators and
// the demo shops. Ctrl-C (SIGINT) or SIGTERM stops everything and closes the store cleanly.

import { existsSync, readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { loadConfig, ConfigError, type Config } from '../config/load-config.ts';
import { SANDBOX_OIDC_PROVIDER, sandboxPartners } from '../config/sandbox-seed.ts';
import { DESCRIPTORS, providerRegistry } from '../providers/index.ts';
import { createApp } from './app.ts';
import { SimulatedClock, systemClock, type Clock } from './clock.ts';
import { GatewayError } from './errors.ts';
import { createLogger } from './log.ts';
import { seedPartners } from './partners/partners.ts';
import { shopUrls, startSandbox, type RunningSandbox } from './sandbox/start-sandbox.ts';
import { createStore } from './store/create-store.ts';
import type { Store } from './store/store.ts';
import { formatInstant } from './time/instant.ts';
import { adminBannerLines, seedSandboxManagers } from './admin/sandbox.ts';
import { seedPopulation } from './sandbox/population.ts';
import { createGatewayServer } from './http/gateway-server.ts';
import { runOncePerPeriod } from './jobs/cluster-job.ts';
import { WEBHOOK_TICK_MS } from './webhooks/webhook-jobs.ts';
import { seedSandboxWebhooks } from './webhooks/sandbox-webhooks.ts';
import { webhookSecrets } from './webhooks/stored-secret.ts';
import { loadCookieKeys } from './oidc/secrets.ts';
import { GatewayMetrics } from './metrics/gateway-metrics.ts';
import { createMetricsServer } from './metrics/metrics-server.ts';

function fail(message: string): never {
  process.stderr.write(`\nDenglu did not start:\n${message}\n\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  // A .env next to package.json, if there is one, fills variables not already set (see .env.example).
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: Config;
  try {
    config = loadConfig({ env: process.env, argv: process.argv.slice(2), descriptors: DESCRIPTORS, sandboxOidcDemo: SANDBOX_OIDC_PROVIDER });
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const log = createLogger({ level: config.logLevel });
  // The built-in providers and those the configuration declares (DENGLU_OIDC_PROVIDERS).
  const providers = providerRegistry(config.oidcProviders);
  // The certificate and key are read and checked before anything else is opened.
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (config.tls) {
    try {
      tls = { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) };
      createSecureContext(tls);
    } catch (err) {
      fail(`cannot serve https with TLS_CERT_FILE / TLS_KEY_FILE: ${(err as Error).message}`);
    }
  }
  const clock: Clock = config.sandbox.now !== undefined ? new SimulatedClock(config.sandbox.now) : systemClock;

  // One registry for this process: the sign-ins and the providers report to it, and the store too when
  // metrics are served (METRICS_PORT): timing every store call costs a few microseconds each, paid only then.
  const metrics = new GatewayMetrics({ processMetrics: true });
  let store: Store;
  try {
    store = await createStore({
      ...(config.metrics ? { metrics } : {}),
      dataDir: config.dataDir,
      ...(config.database ? { databaseUrl: config.database.url, pool: config.database.pool } : {}),
      clock,
      log: { info: (m) => log.info(m), warn: (m) => log.warn(m) },
    });
  } catch (err) {
    if (err instanceof GatewayError) fail(err.message);
    throw err;
  }

  let sandbox: RunningSandbox | undefined;
  if (config.sandbox.enabled) {
    const seeded = await seedPartners(store, clock, sandboxPartners(shopUrls(config)));
    if (seeded.length) log.info({ partners: seeded }, 'sandbox partners seeded');
    await seedSandboxManagers(store, clock, config);
    await seedSandboxWebhooks(store, clock, webhookSecrets(await loadCookieKeys(store, config.cookieKeys)), shopUrls(config));
    const shoppers = await seedPopulation(store);
    if (shoppers) log.info({ accounts: shoppers }, 'sandbox shoppers seeded');
  }
  const { app, signingKeys, webhooks, loginEvents, noticeMail } = await createApp({
    config,
    store,
    clock,
    providers,
    log,
    metrics,
    shopLinks: config.sandbox.enabled ? Object.entries(shopUrls(config)).map(([id, url]) => ({ name: id, url })) : [],
  });
  const server = createGatewayServer(app, { limits: config.http, ...(tls ? { tls } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  }).catch((err) => fail(`cannot listen on port ${config.port}: ${(err as Error).message}`));
  // Connections past HTTP_MAX_CONNECTIONS are closed by the server; say so, at most once a minute.
  let dropWarnedAt = -Infinity;
  server.on('drop', () => {
    if (clock.now() - dropWarnedAt < 60_000) return;
    dropWarnedAt = clock.now();
    log.warn({ maxConnections: config.http.maxConnections }, 'connections refused: HTTP_MAX_CONNECTIONS reached');
  });

  const metricsServer = config.metrics ? createMetricsServer(metrics, log) : undefined;
  if (metricsServer && config.metrics) {
    const { port, host } = config.metrics;
    await new Promise<void>((resolve, reject) => {
      metricsServer.once('error', reject);
      metricsServer.listen(port, host, resolve);
    }).catch((err) => fail(`cannot serve metrics on ${host}:${port} (METRICS_PORT, METRICS_HOST): ${(err as Error).message}`));
  }

  if (config.sandbox.enabled) {
    try {
      sandbox = await startSandbox(config, providers, clock);
    } catch (err) {
      fail(`cannot start the sandbox: ${(err as Error).message} (set SANDBOX_EMULATOR_PORT / SANDBOX_SHOP_PORT to free ports)`);
    }
  }
  // Background work runs once per cluster and minute: every instance ticks, the first to get there runs
  // each job (src/jobs/cluster-job.ts).
  const sweeper = setInterval(() => {
    runOncePerPeriod(store, clock, 'sweep-expired', 60_000, () => store.sweepExpired()).catch((err) =>
      log.warn({ err: { message: err.message } }, 'sweep failed'),
    );
    runOncePerPeriod(store, clock, 'signing-key-maintenance', 60_000, () => signingKeys.maintain()).catch((err) =>
      log.warn({ err: { message: err.message } }, 'signing key maintenance failed'),
    );
    runOncePerPeriod(store, clock, 'notice-mail', 60_000, () => noticeMail.run()).catch((err) =>
      log.warn({ err: { message: err.message } }, 'notice mail failed'),
    );
    // Every instance: keys another instance changed, in case a change notification was missed.
    signingKeys.refresh().catch((err) => log.warn({ err: { message: err.message } }, 'could not re-read the signing keys'));
  }, 60_000);
  sweeper.unref();
  // Webhooks go out within seconds of their event (phase changes at their instant), once per cluster.
  const webhookTicker = setInterval(() => {
    webhooks.tick().catch((err) => log.warn({ err: { message: err.message } }, 'webhook dispatch failed'));
  }, WEBHOOK_TICK_MS);
  webhookTicker.unref();

  const lines = [
    '',
    `Denglu is running${config.sandbox.enabled ? ' with the sandbox' : ''}.`,
    `  Gateway     ${config.issuer}   (discovery: ${config.issuer}/.well-known/openid-configuration)`,
    `  Listening   ${tls ? 'https' : 'http'}://${config.host ?? '*'}:${config.port}${config.trustProxy === false ? '' : `, behind the proxies in TRUST_PROXY (${config.trustProxy})`}`,
  ];
  if (config.metrics) lines.push(`  Metrics     http://${config.metrics.host}:${config.metrics.port}/metrics   (Prometheus text format)`);
  if (sandbox) {
    for (const shop of sandbox.shops) lines.push(`  Demo shop   ${shop.url}   ${shop.name}`);
    lines.push(`  Emulators   ${sandbox.emulators.map((e) => `${e.name} ${e.url}`).join('   ')}`);
  }
  if (config.sandbox.now !== undefined) lines.push(`  Simulated time starts at ${formatInstant(config.sandbox.now, 'Asia/Shanghai', 'en')}`);
  if (config.sandbox.enabled) lines.push(...adminBannerLines(config));
  lines.push(
    `  Data        ${store.info.location}   (${store.info.backend}${store.info.shared ? ', shared by every instance' : ''})`,
    '',
    sandbox ? `Open ${sandbox.shops[0]!.url} to sign in at the demo shop. Press Ctrl-C to stop.` : 'Press Ctrl-C to stop.',
    '',
  );
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    clearInterval(sweeper);
    clearInterval(webhookTicker);
    signingKeys.close();
    await sandbox?.close();
    metricsServer?.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2000).unref();
    });
    await loginEvents.close(); // the sign-ins still buffered
    await store.close();
    process.stdout.write('Denglu stopped.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`Denglu crashed during start-up: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
