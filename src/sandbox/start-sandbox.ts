// The sandbox `npm start` runs next to the gateway: an emulator per provider on its own port, each
// knowing the gateway's sandbox app (credentials and exact callback URL), and the demo shops.

import { createServer, type Server } from 'node:http';
import type { Config } from '../../config/load-config.ts';
import { SANDBOX_SHOPS } from '../../config/sandbox-seed.ts';
import type { ProviderModule } from '../../providers/contract.ts';
import type { Clock } from '../clock.ts';
import { formatInstant } from '../time/instant.ts';
import { createDemoShop } from './demo-shop.ts';
import { sandboxWebhookSecret } from '../webhooks/sandbox-webhooks.ts';

export interface RunningSandbox {
  emulators: { id: string; name: string; url: string }[];
  shops: { id: string; name: string; url: string }[];
  close(): Promise<void>;
}

export function shopUrls(config: Config): Record<string, string> {
  return Object.fromEntries(SANDBOX_SHOPS.map((s, i) => [s.partnerId, `http://localhost:${config.sandbox.shopPort + i}`]));
}

async function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The line every sandbox page shows: that it is a sandbox, and the simulated time when there is one. */
export function sandboxBanner(config: Config, clock: Clock): () => string {
  return () => {
    if (config.sandbox.now === undefined) return 'Denglu sandbox · 沙盒';
    const now = clock.now();
    return `Denglu sandbox · 模拟时间 ${formatInstant(now, 'Asia/Shanghai', 'zh-CN')} · simulated time ${formatInstant(now, 'Asia/Shanghai', 'en')}`;
  };
}

export async function startSandbox(config: Config, providers: ReadonlyMap<string, ProviderModule>, clock: Clock): Promise<RunningSandbox> {
  const banner = sandboxBanner(config, clock);
  const servers: Server[] = [];
  const closers: (() => void)[] = [];
  const emulators: RunningSandbox['emulators'] = [];
  const shops: RunningSandbox['shops'] = [];
  try {
    let i = 0;
    for (const [id, module] of providers) {
      const port = config.sandbox.emulatorPort + i++;
      const credentials = config.providers[id];
      // Not configured, or pointed at a real provider (a declared OpenID Connect issuer): no emulator.
      if (!credentials || !Object.values(credentials.baseUrls).includes(config.sandbox.emulatorUrls[id]!)) continue;
      const emulator = module.createEmulator({
        apps: [
          {
            clientId: credentials.clientId,
            clientSecret: credentials.clientSecret,
            redirectUris: [`${config.issuer}/cb/${id}`],
            name: 'Denglu (sandbox)',
            // The provider's own settings tell its emulator what the app holds (QQ's unionid permission,
            // WeChat's official account, Alipay's app key — the sandbox's throwaway pair unless set).
            extra: { ...credentials.extra, unionid: credentials.extra?.unionid === true },
          },
        ],
        banner,
      });
      const server = createServer(emulator.app);
      await listen(server, port, config.host);
      servers.push(server);
      closers.push(() => emulator.close());
      emulators.push({ id, name: module.descriptor.label.en, url: `http://localhost:${port}` });
    }
    const urls = shopUrls(config);
    for (const [n, shop] of SANDBOX_SHOPS.entries()) {
      const app = createDemoShop({
        name: shop.name,
        issuer: config.issuer,
        clientId: shop.clientId,
        clientSecret: shop.clientSecret,
        authMethod: shop.authMethod,
        url: urls[shop.partnerId]!,
        cookiePrefix: shop.partnerId,
        banner,
        webhooks: { secret: sandboxWebhookSecret(shop.partnerId), now: () => clock.now() },
        ...(shop.connectPrompt ? { connectPrompt: shop.connectPrompt } : {}),
      });
      const server = createServer(app);
      await listen(server, config.sandbox.shopPort + n, config.host);
      servers.push(server);
      shops.push({ id: shop.partnerId, name: `${shop.name['zh-CN']} · ${shop.name.en}`, url: urls[shop.partnerId]! });
    }
  } catch (err) {
    for (const server of servers) server.close();
    throw err;
  }
  return {
    emulators,
    shops,
    async close() {
      for (const close of closers) close();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}
