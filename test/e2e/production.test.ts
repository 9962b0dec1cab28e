// Production mode end to end: the gateway started as an operator would (NODE_ENV=production, no sandbox,
// real-looking secrets, SMTP configured) behind a TLS-terminating reverse proxy on loopback; Weibo played
// by its emulator over https at a configured base URL whose CA the gateway trusts (NODE_EXTRA_CA_CERTS);
// the shop registered through the admin API with the operator token; openid-client as the shop signing a
// shopper in over https, the ID token verified against the published JWKS.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { PROVIDERS } from '../../providers/index.ts';
import type { Emulator } from '../../providers/contract.ts';
import { TestBrowser } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, redeem, type TestShop } from '../support/gateway.ts';
import { freePort, spawnGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { selfSignedCertificate, trustInThisProcess, type TestCertificate } from '../support/tls.ts';
import { startTlsProxy, type TlsProxy } from '../support/tls-proxy.ts';

const OPERATOR_TOKEN = 'operator-token-for-the-production-e2e-test-0123456789';
const WEIBO_APP = { clientId: '3141592653', clientSecret: 'weibo-app-secret-of-the-production-e2e-test' };
const SHOP_CALLBACK = 'https://shop.example.test/oidc/callback';

describe('production mode behind a TLS-terminating proxy', function () {
  this.timeout(30_000);
  let certificate: TestCertificate;
  let untrust: () => void;
  let proxy: TlsProxy;
  let weibo: { emulator: Emulator; server: Server; url: string };
  let workDir: string;
  let issuer: string;
  let env: Record<string, string>;

  before(async () => {
    certificate = await selfSignedCertificate();
    untrust = trustInThisProcess(certificate.cert);
    proxy = await startTlsProxy(certificate);
    issuer = `https://localhost:${proxy.port}`;
    const emulator = PROVIDERS.get('weibo')!.createEmulator({
      apps: [{ ...WEIBO_APP, redirectUris: [`${issuer}/cb/weibo`], name: 'Denglu production test' }],
    });
    const server = createServer({ cert: certificate.cert, key: certificate.key }, emulator.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    weibo = { emulator, server, url: `https://localhost:${(server.address() as AddressInfo).port}` };
    workDir = await mkdtemp(join(tmpdir(), 'denglu-production-'));
    proxy.target.port = await freePort();
    env = {
      NODE_ENV: 'production',
      PORT: String(proxy.target.port),
      HOST: '127.0.0.1',
      DENGLU_ISSUER: issuer,
      TRUST_PROXY: 'loopback',
      DATA_DIR: join(workDir, 'data'),
      LOG_LEVEL: 'warn',
      COOKIE_KEYS: 'production-e2e-cookie-key-0123456789abcdef',
      PAIRWISE_SALT: 'production-e2e-pairwise-salt-0123456789abcdef',
      ADMIN_OPERATOR_TOKEN: OPERATOR_TOKEN,
      MAIL_SMTP_URL: 'smtp://denglu:mail-password@127.0.0.1:2525',
      MAIL_FROM: 'Denglu <no-reply@login.example.test>',
      WEIBO_CLIENT_ID: WEIBO_APP.clientId,
      WEIBO_CLIENT_SECRET: WEIBO_APP.clientSecret,
      WEIBO_BASE_URL: weibo.url,
      NODE_EXTRA_CA_CERTS: certificate.certFile,
    };
  });

  after(async () => {
    untrust?.();
    await proxy?.close();
    if (weibo) {
      weibo.emulator.close();
      weibo.server.closeAllConnections();
      await new Promise<void>((resolve) => weibo.server.close(() => resolve()));
    }
    if (workDir) await rm(workDir, { recursive: true, force: true });
    await certificate?.remove();
  });

  describe('with the proxy trusted', () => {
    let gateway: GatewayProcess;
    before(async () => {
      gateway = spawnGateway(env, workDir);
      await gateway.ready();
    });
    after(async () => {
      await gateway?.stop();
    });

    it('signs a shopper in at a shop registered through the admin API, over https end to end', async () => {
      const admin = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${issuer}/api/admin${path}`, {
          method,
          headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json', accept: 'application/json' },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        const json = (await res.json()) as Record<string, any>;
        assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
        return json;
      };
      await admin('POST', '/partners', { id: 'prod-shop', name: { 'zh-CN': '生产商店', en: 'Production Shop' }, firstParty: false });
      const client = await admin('POST', '/partners/prod-shop/clients', {
        client_name: 'Production Shop web',
        redirect_uris: [SHOP_CALLBACK],
        token_endpoint_auth_method: 'client_secret_basic',
      });
      await admin('PUT', '/partners/prod-shop/integrations/weibo', {});

      // The shop: discovery over https (openid-client refuses anything else), its registered credentials.
      const config = await oidc.discovery(
        new URL(issuer),
        client.client_id,
        { token_endpoint_auth_method: 'client_secret_basic' },
        oidc.ClientSecretBasic(client.client_secret),
      );
      const metadata = config.serverMetadata();
      assert.equal(metadata.issuer, issuer);
      for (const endpoint of [metadata.authorization_endpoint, metadata.token_endpoint, metadata.jwks_uri]) {
        assert.ok(endpoint?.startsWith(`${issuer}/`), `${endpoint} is served at the issuer, not at the gateway's own address`);
      }
      const shop: TestShop = { partnerId: 'prod-shop', clientId: client.client_id, redirectUri: SHOP_CALLBACK, config };

      const browser = new TestBrowser();
      browser.acceptLanguage = 'en';
      const request = await authRequest(shop, { provider: 'weibo' });
      let page = await browser.go(request.url, { stopAt: atShop(shop) });
      assert.equal(page.url.origin, weibo.url, `the shopper reaches Weibo's authorize page (got ${page.status} at ${page.url.href})`);
      const gatewayCookies = await browser.jar.getCookies(`${issuer}/`);
      assert.ok(gatewayCookies.length > 0 && gatewayCookies.every((c) => c.secure), 'the gateway sets Secure cookies');
      page = await approveAtProvider(browser, page, 'production-shopper', shop);
      assert.equal(page.status, 200, `the consent page (got ${page.status} at ${page.url.href})`);
      page = await browser.submit(page, {}, '/consent', atShop(shop));
      assert.equal(page.status, 0, `back at the shop (got ${page.status} at ${page.url.href})`);

      const tokens = await redeem(shop, page.url, request);
      const idToken = tokens.id_token!;
      const verified = await jwtVerify(idToken, createRemoteJWKSet(new URL(metadata.jwks_uri!)), { issuer, audience: client.client_id });
      assert.equal(verified.payload.nonce, request.nonce);
      assert.equal(verified.payload.name, 'production-shopper');
      assert.equal(typeof verified.payload.sub, 'string');
      const health = await fetch(`${issuer}/healthz`);
      assert.equal(health.status, 200);
    });
  });
});
