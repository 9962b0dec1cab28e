// The sandbox's webhooks end to end: the seed registers the demo shop's endpoint and starts the
// phase-change cursor 30 days back, so at a simulated 2013-09-20 the shop receives, verifies (with the
// standardwebhooks library) and shows that Weibo's notice began on 2013-09-10; a forged delivery is refused.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../src/clock.ts';
import { createDemoShop } from '../../src/sandbox/demo-shop.ts';
import { loadCookieKeys } from '../../src/oidc/secrets.ts';
import { sandboxWebhookSecret, seedSandboxWebhooks } from '../../src/webhooks/sandbox-webhooks.ts';
import { webhookSecrets } from '../../src/webhooks/stored-secret.ts';
import { newWebhookSecret, signedHeaders } from '../../src/webhooks/signature.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';

describe('webhooks: the sandbox demo shop', () => {
  let gw: Gateway;
  let shop: Server;
  let shopUrl: string;
  const clock = new ManualClock('2013-09-20T10:00:00+08:00');
  const notice = Date.parse('2013-09-10T00:00:00+08:00');

  before(async () => {
    gw = await startGateway({
      clock,
      partners: (defaults) =>
        defaults.map((p) =>
          p.id === 'alpha'
            ? {
                ...p,
                integrations: p.integrations.map((i) =>
                  i.provider === 'weibo' ? { ...i, noticeAt: notice, cutoffAt: Date.parse('2013-09-25T00:00:00+08:00') } : i,
                ),
              }
            : p,
        ),
    });
    shop = createServer(
      createDemoShop({
        name: { 'zh-CN': '阿尔法', en: 'Alpha' },
        issuer: gw.issuer,
        clientId: 'alpha-basic',
        clientSecret: 'alpha-basic-secret-0123456789abcdef',
        authMethod: 'client_secret_basic',
        url: 'http://127.0.0.1',
        cookiePrefix: 'alpha',
        webhooks: { secret: sandboxWebhookSecret('alpha'), now: () => clock.now() },
      }),
    );
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
  });
  after(async () => {
    shop.closeAllConnections();
    shop.close();
    await gw.close();
  });

  it('shows the notice that began before the sandbox started, once, after one tick', async () => {
    // Sealed as main.ts seals them: under the gateway's cookie keys.
    const secrets = webhookSecrets(await loadCookieKeys(gw.store, gw.config.cookieKeys));
    assert.deepEqual(await seedSandboxWebhooks(gw.store, clock, secrets, { alpha: shopUrl }), ['alpha']);
    assert.deepEqual(await seedSandboxWebhooks(gw.store, clock, secrets, { alpha: shopUrl }), [], 'seeded once');
    await gw.denglu.webhooks.tick();
    await gw.denglu.webhooks.tick();
    const html = await (await fetch(`${shopUrl}/`)).text();
    const shown = html.match(/data-webhook="integration.phase_changed"/g) ?? [];
    assert.equal(shown.length, 1, html.slice(html.indexOf('webhooks')));
    assert.match(html, /&quot;phase&quot;: &quot;notice&quot;/);
    assert.match(html, /&quot;provider&quot;: &quot;weibo&quot;/);
    assert.match(html, /data-webhook="integration.phase_changed" data-verified="1"[^>]*>[\s\S]*?signature verified/);
    assert.doesNotMatch(html, /data-refused/, 'nothing refused yet');
  });

  it('refuses a delivery signed with another secret or too old', async () => {
    const body = JSON.stringify({ type: 'account.deleted', timestamp: '2013-09-20T02:00:00.000Z', data: { partner: 'alpha', sub: 'x' } });
    const now = Math.floor(clock.now() / 1000);
    const post = (headers: Record<string, string>) =>
      fetch(`${shopUrl}/webhooks`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
    assert.equal((await post(signedHeaders(newWebhookSecret(), 'msg_forged', now, body))).status, 401);
    assert.equal((await post(signedHeaders(sandboxWebhookSecret('alpha'), 'msg_old', now - 3600, body))).status, 401);
    assert.equal((await post(signedHeaders(sandboxWebhookSecret('alpha'), 'msg_good', now, body))).status, 204);
    assert.equal((await post(signedHeaders(sandboxWebhookSecret('alpha'), 'msg_good', now, body))).status, 204);
    const html = await (await fetch(`${shopUrl}/`)).text();
    assert.equal((html.match(/data-webhook="account.deleted"/g) ?? []).length, 1, 'a repeated webhook-id is shown once');
    assert.match(html, /data-refused="2"/, 'the page says how many deliveries it refused');
  });
});
