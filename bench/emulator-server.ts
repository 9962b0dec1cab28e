// Benchmark process: the Weibo emulator on its own port, auto-approving a random one of N generated users,
// with the gateway's bench app registered. Prints "READY <port> <metricsPort>" when listening.

import type { AddressInfo } from 'node:net';
import { PROVIDERS } from '../providers/index.ts';
import { serveMetrics } from './process-metrics.ts';
import { serverWithCosts } from './request-costs.ts';

const provider = process.env.BENCH_PROVIDER ?? 'weibo';
const users = Number(process.env.BENCH_USERS ?? '1000');
const module = PROVIDERS.get(provider)!;
const emulator = module.createEmulator({
  apps: [
    {
      clientId: process.env.BENCH_CLIENT_ID!,
      clientSecret: process.env.BENCH_CLIENT_SECRET!,
      redirectUris: [`${process.env.BENCH_ISSUER}/cb/${provider}`],
      name: 'Denglu bench',
    },
  ],
});
emulator.setAutoApprove(`@random:${users}`);
const { server, costs } = serverWithCosts(emulator.app);
const metricsPort = await serveMetrics(costs);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as AddressInfo).port} ${metricsPort}\n`);
});
process.on('SIGTERM', () => process.exit(0));
