// TRUST_PROXY: express and oidc-provider believe the same proxies. From a trusted proxy, the forwarded
// scheme and host make oidc-provider publish https endpoints at the public host and set its Secure
// cookies, and express keys per-address limits on the forwarded client address; from anybody else the
// same headers change nothing, for either of them. Serving TLS itself (TLS_CERT_FILE), it needs no proxy.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createGatewayServer } from '../../src/http/gateway-server.ts';
import { selfSignedCertificate, trustInThisProcess, type TestCertificate } from '../support/tls.ts';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/load-config.ts';
import { DESCRIPTORS, PROVIDERS } from '../../providers/index.ts';
import { createApp } from '../../src/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { seedPartners } from '../../src/partners/partners.ts';
import { COLLECTIONS } from '../../src/store/collections.ts';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.ts';
import { testPartners } from '../support/gateway.ts';

interface Gateway {
  /** Where the gateway listens (plain http on loopback, as behind a proxy). */
  url: string;
  /** Its log lines at warn and above. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * The gateway with an https issuer on a loopback port: plain http, as it runs behind a proxy, or https
 * with `tls` (the issuer is then the gateway itself).
 */
async function startBehindProxy(trustProxy: string, tls?: TestCertificate): Promise<Gateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'denglu-trust-'));
  const clock = new ManualClock(Date.now());
  const env = {
    NODE_ENV: 'test',
    DENGLU_ISSUER: 'https://login.example.test',
    TRUST_PROXY: trustProxy,
    ADMIN_RATE_LIMIT: '2',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
  };
  const config = loadConfig({ env, descriptors: DESCRIPTORS });
  const store = await LowdbStore.open({ dir: dataDir, clock, collections: COLLECTIONS });
  await seedPartners(store, clock, (await testPartners({})).slice(0, 1));
  const logs: string[] = [];
  const log = createLogger({ level: 'warn', destination: { write: (line: string) => logs.push(line) } as unknown as NodeJS.WritableStream });
  const { app } = await createApp({ config, store, clock, providers: PROVIDERS, log });
  const server = createGatewayServer(app, { limits: config.http, ...(tls ? { tls } : {}) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `${tls ? 'https://localhost' : 'http://127.0.0.1'}:${(server.address() as AddressInfo).port}`,
    logs,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** An authorization request of the seeded client alpha-basic. */
function authPath(): string {
  const params = new URLSearchParams({
    client_id: 'alpha-basic',
    redirect_uri: 'https://alpha-basic.shop.test/cb',
    response_type: 'code',
    scope: 'openid',
    state: 'state-0123456789',
    nonce: 'nonce-0123456789',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  return `/auth?${params}`;
}

const FORWARDED = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'login.example.test' };

async function discovery(gw: Gateway, headers: Record<string, string>) {
  const res = await fetch(`${gw.url}/.well-known/openid-configuration`, { headers });
  assert.equal(res.status, 200);
  return (await res.json()) as { authorization_endpoint: string };
}

/** Admin API answers (ADMIN_RATE_LIMIT=2) for requests claiming to come from these client addresses. */
async function adminStatuses(gw: Gateway, clients: string[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const client of clients) statuses.push((await fetch(`${gw.url}/api/admin/partners`, { headers: { 'x-forwarded-for': client } })).status);
  return statuses;
}

describe('TRUST_PROXY: express and oidc-provider believe the same proxies', () => {
  describe('the proxy on loopback trusted', () => {
    let gw: Gateway;
    before(async () => {
      gw = await startBehindProxy('loopback');
    });
    after(() => gw?.close());

    it('publishes endpoints at the forwarded scheme and host', async () => {
      assert.equal((await discovery(gw, FORWARDED)).authorization_endpoint, 'https://login.example.test/auth');
    });

    it("says once in the log when the proxy forwards a host other than the issuer's (nginx's $host drops the port)", async () => {
      const warnings = () => gw.logs.filter((l) => l.includes('discovery asked at'));
      await discovery(gw, FORWARDED);
      assert.deepEqual(warnings(), [], 'no warning at the issuer itself');
      const wrong = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'login.example.test:8443' };
      assert.equal((await discovery(gw, wrong)).authorization_endpoint, 'https://login.example.test:8443/auth');
      await discovery(gw, wrong);
      assert.equal(warnings().length, 1, 'one warning per origin');
      const line = JSON.parse(warnings()[0]!) as { level: number; origin: string; issuer: string; msg: string };
      assert.equal(line.level, 40);
      assert.equal(line.origin, 'https://login.example.test:8443');
      assert.equal(line.issuer, 'https://login.example.test');
      assert.match(line.msg, /\$http_host/);
    });

    it('sets its Secure cookies at /auth when the proxy says the client spoke https', async () => {
      const res = await fetch(`${gw.url}${authPath()}`, { headers: FORWARDED, redirect: 'manual' });
      assert.equal(res.status, 303, await res.text());
      const cookies = res.headers.getSetCookie();
      assert.ok(cookies.length > 0 && cookies.every((c) => /;\s*secure/i.test(c)), cookies.join('\n'));
    });

    it('counts per-address limits by the forwarded client address', async () => {
      assert.deepEqual(await adminStatuses(gw, ['203.0.113.1', '203.0.113.1', '203.0.113.1', '203.0.113.2']), [401, 401, 429, 401]);
    });
  });

  describe('a proxy elsewhere trusted, the request from loopback', () => {
    let gw: Gateway;
    before(async () => {
      gw = await startBehindProxy('10.9.9.9');
    });
    after(() => gw?.close());

    it('ignores the forwarded scheme and host', async () => {
      assert.equal((await discovery(gw, FORWARDED)).authorization_endpoint, `${gw.url}/auth`);
    });

    it('ignores a forwarded client address', async () => {
      assert.deepEqual(await adminStatuses(gw, ['203.0.113.1', '203.0.113.2', '203.0.113.3']), [401, 401, 429]);
    });
  });

  describe('serving TLS itself, no proxy trusted', () => {
    let gw: Gateway;
    let certificate: TestCertificate;
    let untrust: () => void;
    before(async () => {
      certificate = await selfSignedCertificate();
      untrust = trustInThisProcess(certificate.cert);
      gw = await startBehindProxy('false', certificate);
    });
    after(async () => {
      untrust?.();
      await gw?.close();
      await certificate?.remove();
    });

    it('sets its Secure cookies at /auth over its own https, and ignores forwarded headers', async () => {
      const res = await fetch(`${gw.url}${authPath()}`, { headers: { 'x-forwarded-proto': 'http' }, redirect: 'manual' });
      assert.equal(res.status, 303, await res.text());
      const cookies = res.headers.getSetCookie();
      assert.ok(cookies.length > 0 && cookies.every((c) => /;\s*secure/i.test(c)), cookies.join('\n'));
      assert.equal((await discovery(gw, FORWARDED)).authorization_endpoint, `${gw.url}/auth`);
    });
  });
});
