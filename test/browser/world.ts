// The world a browser journey runs in: the test gateway (emulators included) on a ManualClock, and the
// sandbox's JD demo shop (src/sandbox/demo-shop.ts, an openid-client relying party) on its own port,
// registered as partner `jd` exactly as the sandbox seeds it (Weibo ending 25 September 2013).

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
  /** The demo shop's base URL (on `localhost`, so shop and Denglu are different sites as in real life). */
  shopUrl: string;
  shopName: string;
  emulatorUrl(provider: string): string;
  close(): Promise<void>;
}

export async function startWorld(clock: ManualClock): Promise<World> {
  const jd = SANDBOX_SHOPS.find((s) => s.partnerId === 'jd')!;
  const shopServer = createServer();
  await new Promise<void>((resolve) => shopServer.listen(0, '127.0.0.1', resolve));
  const shopUrl = `http://localhost:${(shopServer.address() as AddressInfo).port}`;
  const seed = sandboxPartners({ jd: shopUrl, taobao: shopUrl }).find((p) => p.id === 'jd')!;
  const gw = await startGateway({ clock, partners: (defaults) => [...defaults, seed] });
  shopServer.on(
    'request',
    createDemoShop({
      name: jd.name,
      issuer: gw.issuer,
      clientId: jd.clientId,
      clientSecret: jd.clientSecret,
      authMethod: jd.authMethod,
      url: shopUrl,
      cookiePrefix: jd.partnerId,
      banner: sandboxBanner(gw.config, clock),
    }),
  );
  return {
    gw,
    clock,
    shopUrl,
    shopName: jd.name.en,
    emulatorUrl: (provider) => gw.emulators[provider]!.url,
    async close() {
      shopServer.closeAllConnections();
      await new Promise<void>((resolve) => shopServer.close(() => resolve()));
      await gw.close();
    },
  };
}
