// A whole Denglu for end-to-end tests: the gateway on a real port with a fresh embedded store, every
// provider's emulator on its own port, and test partners whose shops are played by openid-client.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import * as oidc from 'openid-client';
import { loadConfig, sandboxCredentials, type Config } from '../../config/load-config.ts';
import { providerEnv } from '../../config/provider-settings.ts';
import { DESCRIPTORS, PROVIDERS, providerRegistry } from '../../providers/index.ts';
import { serveEmulator, type ServedEmulator } from '../../providers/shared/testing.ts';
import type { TestUser } from '../../providers/shared/emulator/test-users.ts';
import { createApp, type DengluApp } from '../../src/app.ts';
import { ManualClock, type Clock } from '../../src/clock.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import type { Partner } from '../../src/partners/partner.ts';
import { seedPartners, type PartnerSeed } from '../../src/partners/partners.ts';
import { createStore } from '../../src/store/create-store.ts';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.ts';
import type { Store } from '../../src/store/store.ts';
import { freshDatabase, type TestDatabase } from './postgres.ts';
import type { TestBrowser, Page } from './browser.ts';

export interface TestShop {
  partnerId: string;
  clientId: string;
  redirectUri: string;
  config: oidc.Configuration;
}

export interface Gateway {
  issuer: string;
  config: Config;
  clock: Clock;
  store: Store;
  denglu: DengluApp;
  emulators: Record<string, ServedEmulator>;
  logs: string[];
  log: Logger;
  dataDir: string;
  shops: Record<string, TestShop>;
  /** A shop client whose config uses private_key_jwt. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

const redirect = (clientId: string) => `https://${clientId}.shop.test/cb`;

/**
 * Test partners: alpha (first-party; basic, post and private_key_jwt clients), beta (first-party), both
 * with Weibo, QQ, Sohu, Alipay and the password; gamma (third-party, consent) with Weibo and QQ only.
 */
export async function testPartners(jwtPublic: Record<string, unknown>): Promise<PartnerSeed[]> {
  const integrations = ['weibo', 'qq', 'sohu', 'alipay', 'password'].map((provider) => ({
    provider,
    newAccountsDuringNotice: true,
    atCutoff: 'keep' as const,
  }));
  return [
    {
      id: 'alpha',
      name: { 'zh-CN': '阿尔法商店', en: 'Alpha Shop' },
      timeZone: 'Asia/Shanghai',
      locales: ['zh-CN', 'en'],
      firstParty: true,
      clients: [
        {
          client_id: 'alpha-basic',
          client_secret: 'alpha-basic-secret-0123456789abcdef',
          redirect_uris: [redirect('alpha-basic')],
          post_logout_redirect_uris: ['https://alpha-basic.shop.test/'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
        {
          client_id: 'alpha-post',
          client_secret: 'alpha-post-secret-0123456789abcdef',
          redirect_uris: [redirect('alpha-post')],
          token_endpoint_auth_method: 'client_secret_post',
        },
        { client_id: 'alpha-jwt', redirect_uris: [redirect('alpha-jwt')], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwtPublic] } },
      ],
      integrations,
    },
    {
      id: 'beta',
      name: { 'zh-CN': '贝塔商店', en: 'Beta Shop' },
      timeZone: 'Asia/Shanghai',
      locales: ['zh-CN', 'en'],
      firstParty: true,
      clients: [
        {
          client_id: 'beta-basic',
          client_secret: 'beta-basic-secret-0123456789abcdef',
          redirect_uris: [redirect('beta-basic')],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      integrations,
    },
    {
      id: 'gamma',
      name: { 'zh-CN': '伽马商店', en: 'Gamma Shop' },
      timeZone: 'Asia/Shanghai',
      locales: ['en', 'zh-CN'],
      firstParty: false,
      clients: [
        {
          client_id: 'gamma-basic',
          client_secret: 'gamma-basic-secret-0123456789abcdef',
          redirect_uris: [redirect('gamma-basic')],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      integrations: integrations.slice(0, 2),
    },
  ];
}

async function listenOn(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export interface GatewayOptions {
  clock?: Clock;
  env?: Record<string, string>;
  /** Reuse a data directory (restart tests). */
  dataDir?: string;
  /** The shared PostgreSQL store at this URL instead of the embedded store (several gateways may share it). */
  databaseUrl?: string;
  /** Reuse a port (restart tests keep the issuer). */
  port?: number;
  partners?: (defaults: PartnerSeed[]) => PartnerSeed[];
  /** Test users of an emulator, by provider id (replacing its default users; typed logins still work). */
  emulatorUsers?: Record<string, TestUser[]>;
  /** The store the gateway sees, made from the opened one (latency or faults: test/support/store-wrapper.ts). */
  wrapStore?: (store: Store) => Store;
}

/** A `partners` option: the default partners, with `partnerId` also offering every registered provider. */
export function offeringEveryProvider(partnerId: string): (defaults: PartnerSeed[]) => PartnerSeed[] {
  return (defaults) =>
    defaults.map((p) => {
      if (p.id !== partnerId) return p;
      const added = DESCRIPTORS.filter((d) => !p.integrations.some((i) => i.provider === d.id));
      return { ...p, integrations: [...p.integrations, ...added.map((d) => ({ provider: d.id, newAccountsDuringNotice: true, atCutoff: 'keep' as const }))] };
    });
}

let jwtKeys: Promise<{ privateKey: CryptoKey; jwk: Record<string, unknown> }> | undefined;
/** The key pair of the alpha-jwt client (private_key_jwt). */
export function shopJwtKey() {
  jwtKeys ??= (async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'alpha-jwt-key', alg: 'RS256', use: 'sig' };
    return { privateKey, jwk };
  })();
  return jwtKeys;
}

/**
 * TEST_STORE=postgres runs every gateway of the tests on the PostgreSQL store: a fresh database per data
 * directory (a restart test reopening a directory reopens its database), dropped with the directory.
 */
const testDatabases = new Map<string, TestDatabase>();
async function testDatabaseFor(dataDir: string): Promise<string | undefined> {
  if (process.env.TEST_STORE !== 'postgres') return undefined;
  let db = testDatabases.get(dataDir);
  if (!db) {
    db = await freshDatabase('gateway');
    testDatabases.set(dataDir, db);
  }
  return db.url;
}

/** The app id the e2e gateway's emulators register for a provider: the sandbox app's id, in the provider's shape. */
export function e2eClientId(providerId: string): string {
  return sandboxCredentials(PROVIDERS.get(providerId)!.descriptor).clientId;
}

export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const clock = options.clock ?? new ManualClock(Date.now());
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'denglu-e2e-')));
  const server = createServer();
  const port = await listenOn(server, options.port ?? 0);
  const issuer = `http://127.0.0.1:${port}`;
  const emulators: Record<string, ServedEmulator> = {};
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: String(port),
    DENGLU_ISSUER: issuer,
    DATA_DIR: dataDir,
    SANDBOX: 'true',
    UPSTREAM_TIMEOUT_MS: '1500',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  for (const descriptor of DESCRIPTORS) {
    const module = PROVIDERS.get(descriptor.id)!;
    const clientId = e2eClientId(descriptor.id);
    const clientSecret = `e2e-${descriptor.id}-secret`;
    // The provider options the gateway takes in the sandbox (its sandboxDefaults) are what the app holds.
    const sandboxExtra = Object.fromEntries(
      descriptor.settings.flatMap((s) =>
        typeof s.fills === 'object' && 'extra' in s.fills && s.sandboxDefault !== undefined ? [[s.fills.extra, s.sandboxDefault]] : [],
      ),
    );
    emulators[descriptor.id] = await serveEmulator(
      module.createEmulator({
        apps: [{ clientId, clientSecret, redirectUris: [`${issuer}/cb/${descriptor.id}`], name: 'Denglu e2e', extra: { ...sandboxExtra, unionid: true } }],
        ...(options.emulatorUsers?.[descriptor.id] ? { users: options.emulatorUsers[descriptor.id] } : {}),
      }),
    );
    for (const [name, value] of Object.entries(providerEnv(descriptor, { clientId, clientSecret, baseUrl: emulators[descriptor.id]!.url })))
      env[name] ??= value;
  }
  const config = loadConfig({ env, descriptors: DESCRIPTORS });
  const logs: string[] = [];
  const log = createLogger({ level: env.LOG_LEVEL, destination: { write: (line: string) => logs.push(line) } as unknown as NodeJS.WritableStream });
  const databaseUrl = options.databaseUrl ?? (await testDatabaseFor(dataDir));
  // The store reports to the app's metrics, as in src/main.ts.
  const metrics = new GatewayMetrics();
  const opened = await createStore({ dataDir, clock, metrics, ...(databaseUrl ? { databaseUrl } : {}) });
  const store = options.wrapStore ? options.wrapStore(opened) : opened;
  const { privateKey, jwk } = await shopJwtKey();
  const seeds = await testPartners(jwk);
  await seedPartners(store, clock, options.partners ? options.partners(seeds) : seeds);
  const denglu = await createApp({ config, store, clock, providers: providerRegistry(config.oidcProviders), log, metrics });
  server.on('request', denglu.app);

  const shops: Record<string, TestShop> = {};
  for (const partner of (await store.list<Partner>('partners')).map((p) => p.value)) {
    for (const client of partner.clients) {
      const auth =
        client.token_endpoint_auth_method === 'private_key_jwt'
          ? oidc.PrivateKeyJwt({ key: privateKey, kid: 'alpha-jwt-key' } as any)
          : client.token_endpoint_auth_method === 'client_secret_post'
            ? oidc.ClientSecretPost(client.client_secret)
            : client.token_endpoint_auth_method === 'none'
              ? oidc.None()
              : oidc.ClientSecretBasic(client.client_secret);
      const cfg = await oidc.discovery(new URL(issuer), client.client_id, { token_endpoint_auth_method: client.token_endpoint_auth_method }, auth, {
        execute: [oidc.allowInsecureRequests],
      });
      shops[client.client_id] = { partnerId: partner.id, clientId: client.client_id, redirectUri: client.redirect_uris[0]!, config: cfg };
    }
  }

  return {
    issuer,
    config,
    clock,
    store,
    denglu,
    emulators,
    logs,
    log,
    dataDir,
    shops,
    async close(closeOptions = {}) {
      for (const e of Object.values(emulators)) await e.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      if (!closeOptions.keepData && !options.dataDir) {
        await rm(dataDir, { recursive: true, force: true });
        await testDatabases.get(dataDir)?.drop();
        testDatabases.delete(dataDir);
      }
    },
  };
}

/** A gateway for the enclosing mocha suite: started in its `before` hook, closed in its `after` hook. */
export function gatewayPerSuite(options: GatewayOptions = {}): { readonly gw: Gateway } {
  const suite = {} as { gw: Gateway };
  before(async () => {
    suite.gw = await startGateway(options);
  });
  after(async () => {
    await suite.gw?.close();
  });
  return suite;
}

export interface AuthRequest {
  url: URL;
  state: string;
  nonce: string;
  verifier: string;
}

/** What a shop does to start a login: PKCE S256, state, nonce, optional provider hint. */
export async function authRequest(shop: TestShop, params: Record<string, string> = {}): Promise<AuthRequest> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(shop.config, {
    redirect_uri: shop.redirectUri,
    scope: 'openid profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url, state, nonce, verifier };
}

export const atShop = (shop: TestShop) => (url: URL) => url.href.startsWith(shop.redirectUri);

/** Plays the shopper at an emulator's authorize page (or passes through when it redirected at once). */
export async function approveAtProvider(
  browser: TestBrowser,
  page: Page,
  login: string,
  shop: TestShop,
  decision: 'approve' | 'deny' = 'approve',
): Promise<Page> {
  if (page.status === 0) return page;
  return browser.submit(page, { login, decision }, undefined, atShop(shop));
}

/** The shop's side of the callback: openid-client validates everything and redeems the code. */
export async function redeem(shop: TestShop, callback: URL, request: AuthRequest) {
  return oidc.authorizationCodeGrant(shop.config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    idTokenExpected: true,
  });
}

/** A complete brokered login with a provider hint; returns the ID token claims and tokens. */
export async function loginWith(
  gateway: Pick<Gateway, 'shops'>,
  browser: TestBrowser,
  clientId: string,
  provider: string,
  login: string,
  params: Record<string, string> = {},
) {
  const shop = gateway.shops[clientId]!;
  const request = await authRequest(shop, { provider, ...params });
  let page = await browser.go(request.url, { stopAt: atShop(shop) });
  page = await approveAtProvider(browser, page, login, shop);
  // A shopper new to a shop where another way is ending is asked "signed in before?": this one says no.
  if (page.status === 200 && page.url.pathname.endsWith('/first-login')) page = await browser.submit(page, {}, '/first-login/new', atShop(shop));
  // A provider in its notice period shows an interstitial first: the shopper chooses "later".
  if (page.status === 200 && page.url.pathname.endsWith('/notice')) page = await browser.submit(page, {}, '/continue', atShop(shop));
  // A third-party shop asks for consent: the shopper allows.
  if (page.status === 200 && /action="[^"]*\/consent"/.test(page.html)) page = await browser.submit(page, {}, '/consent', atShop(shop));
  if (page.status !== 0) throw new Error(`login did not return to the shop: ${page.status} ${page.url.href}\n${page.html.slice(0, 500)}`);
  const tokens = await redeem(shop, page.url, request);
  return { tokens, claims: tokens.claims()!, callback: page.url, request, hops: page.hops };
}
