// The world a browser journey runs in: the test gateway (emulators included) on a ManualClock, and the
// sandbox's JD demo shop (src/sandbox/demo-shop.ts, an openid-client relying party) on its own port,
// registered as partner `jd` exactly as the sandbox seeds it (Weibo ending 25 September 2013); with
// `shops`, other sandbox shops too (Taobao), each on its own port and seeded as the sandbox seeds it.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SANDBOX_SHOPS, sandboxPartners } from '../../config/sandbox-seed.ts';
import type { ManualClock } from '../../src/clock.ts';
import { createDemoShop } from '../../src/sandbox/demo-shop.ts';
import { sandboxBanner } from '../../src/sandbox/start-sandbox.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';

export interface World {
  gw: Gateway;
  clock: ManualClock;
  /** The (first) demo shop's base URL (on `localhost`, so shop and Denglu are different sites as in real life). */
  shopUrl: string;
  /** Every demo shop's base URL, by partner id. */
  shopUrls: Record<string, string>;
  shopName: string;
  emulatorUrl(provider: string): string;
  close(): Promise<void>;
}

export async function startWorld(clock: ManualClock, options: { shops?: string[] } = {}): Promise<World> {
  const shops = (options.shops ?? ['jd']).map((id) => SANDBOX_SHOPS.find((s) => s.partnerId === id)!);
  const servers = shops.map(() => createServer());
  const shopUrls: Record<string, string> = {};
  for (const [i, server] of servers.entries()) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    shopUrls[shops[i]!.partnerId] = `http://localhost:${(server.address() as AddressInfo).port}`;
  }
  const seeds = sandboxPartners(shopUrls).filter((p) => shopUrls[p.id] !== undefined);
  const gw = await startGateway({ clock, partners: (defaults) => [...defaults, ...seeds] });
  for (const [i, shop] of shops.entries()) {
    servers[i]!.on(
      'request',
      createDemoShop({
        name: shop.name,
        issuer: gw.issuer,
        clientId: shop.clientId,
        clientSecret: shop.clientSecret,
        authMethod: shop.authMethod,
        url: shopUrls[shop.partnerId]!,
        cookiePrefix: shop.partnerId,
        banner: sandboxBanner(gw.config, clock),
        ...(shop.connectPrompt ? { connectPrompt: shop.connectPrompt } : {}),
      }),
    );
  }
  const first = shops[0]!;
  const shopUrl = shopUrls[first.partnerId]!;
  return {
    gw,
    clock,
    shopUrl,
    shopUrls,
    shopName: first.name.en,
    emulatorUrl: (provider) => gw.emulators[provider]!.url,
    async close() {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      await gw.close();
    },
  };
}
