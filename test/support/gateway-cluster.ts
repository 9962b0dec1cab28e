// Several Denglu processes on one PostgreSQL database behind the round-robin proxy, started as an operator
// runs them (src/main.ts, only the environment given): the same issuer (the proxy's URL), cookie keys,
// pairwise salt and operator token on every instance, the sandbox off. One set of provider emulators runs
// in the test process and serves every instance; shops are registered through the admin API.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { providerEnv } from '../../config/provider-settings.ts';
import { sandboxCredentials } from '../../config/load-config.ts';
import { DESCRIPTORS, PROVIDERS } from '../../providers/index.ts';
import { serveEmulator, type ServedEmulator } from '../../providers/shared/testing.ts';
import type { TestShop } from './gateway.ts';
import { freePort, spawnGateway, type GatewayProcess } from './gateway-process.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from './round-robin-proxy.ts';

export const CLUSTER_OPERATOR_TOKEN = 'operator-token-of-the-multi-instance-tests-0123456789';

/** What must be the same on every instance (see README "Several instances on PostgreSQL"). */
const SHARED_SECRETS = {
  COOKIE_KEYS: 'multi-instance-cookie-key-0123456789abcdef',
  PAIRWISE_SALT: 'multi-instance-pairwise-salt-0123456789abcdef',
  ADMIN_OPERATOR_TOKEN: CLUSTER_OPERATOR_TOKEN,
};

export interface Instance {
  index: number;
  port: number;
  /** The instance's own address (bypassing the proxy). */
  url: string;
  process: GatewayProcess;
}

export interface ClusterOptions {
  databaseUrl: string;
  instances?: number;
  /** Extra settings for every instance. */
  env?: Record<string, string>;
}

export interface AdminAnswer {
  status: number;
  json: any;
}

export interface GatewayCluster {
  /** The proxy's URL, the issuer of every instance. */
  issuer: string;
  proxy: RoundRobinProxy;
  instances: Instance[];
  emulators: Record<string, ServedEmulator>;
  shops: Record<string, TestShop>;
  /** Each shop client's secret, by client id. */
  clientSecrets: Record<string, string>;
  /** An admin API call as the operator, sent to one instance directly. */
  admin(instance: number, method: string, path: string, body?: unknown): Promise<AdminAnswer>;
  /** Registers a first-party shop (client_secret_basic) offering `methods`, through instance 0. */
  addShop(partnerId: string, methods: string[]): Promise<TestShop>;
  /** Resolves once every instance lists `count` integrations of the partner (a cached copy may lag 1 s). */
  seenEverywhere(partnerId: string, count: number): Promise<void>;
  /** SIGKILL: the process dies at once, whatever it was doing. */
  kill(index: number): Promise<void>;
  /** Starts a stopped or killed instance again on its port. */
  restart(index: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<GatewayCluster> {
  const count = options.instances ?? 2;
  const proxy = await startRoundRobinProxy();
  const issuer = proxy.url;
  const workDir = await mkdtemp(join(tmpdir(), 'denglu-cluster-'));
  const emulators: Record<string, ServedEmulator> = {};
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    SANDBOX: 'false',
    HOST: '127.0.0.1',
    DENGLU_ISSUER: issuer,
    DATABASE_URL: options.databaseUrl,
    LOG_LEVEL: 'warn',
    UPSTREAM_TIMEOUT_MS: '2000',
    KEY_PUBLISH_LEAD_SECONDS: '0',
    ...SHARED_SECRETS,
  };
  for (const descriptor of DESCRIPTORS) {
    const app = { clientId: sandboxCredentials(descriptor).clientId, clientSecret: `cluster-${descriptor.id}-secret` };
    emulators[descriptor.id] = await serveEmulator(
      PROVIDERS.get(descriptor.id)!.createEmulator({
        apps: [{ ...app, redirectUris: [`${issuer}/cb/${descriptor.id}`], name: 'Denglu cluster', extra: { unionid: true } }],
      }),
    );
    Object.assign(env, providerEnv(descriptor, { clientId: app.clientId, clientSecret: app.clientSecret, baseUrl: emulators[descriptor.id]!.url }));
  }
  Object.assign(env, options.env);

  const instances: Instance[] = [];
  const spawnInstance = (index: number) => {
    const instance = instances[index]!;
    // Each instance its own DATA_DIR: with DATABASE_URL set nothing may be written there.
    instance.process = spawnGateway({ ...env, PORT: String(instance.port), DATA_DIR: join(workDir, `instance-${index}`) }, workDir);
    return instance.process.ready(30_000);
  };
  for (let index = 0; index < count; index++) {
    const port = await freePort();
    instances.push({ index, port, url: `http://127.0.0.1:${port}`, process: undefined as unknown as GatewayProcess });
  }
  proxy.targets.push(...instances.map((i) => i.port));

  const cluster: GatewayCluster = {
    issuer,
    proxy,
    instances,
    emulators,
    shops: {},
    clientSecrets: {},
    async admin(instance, method, path, body) {
      const res = await fetch(`${instances[instance]!.url}/api/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${CLUSTER_OPERATOR_TOKEN}`, 'content-type': 'application/json', accept: 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    },
    async addShop(partnerId, methods) {
      const must = async (method: string, path: string, body?: unknown) => {
        const answer = await cluster.admin(0, method, path, body);
        if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.json)}`);
        return answer.json;
      };
      const redirectUri = `https://${partnerId}.shop.test/cb`;
      await must('POST', '/partners', { id: partnerId, name: { 'zh-CN': `${partnerId} 商店`, en: `${partnerId} shop` }, firstParty: true });
      const client = await must('POST', `/partners/${partnerId}/clients`, {
        client_name: `${partnerId} web`,
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: 'client_secret_basic',
      });
      for (const method of methods) await must('PUT', `/partners/${partnerId}/integrations/${method}`, {});
      await cluster.seenEverywhere(partnerId, methods.length);
      const config = await oidc.discovery(
        new URL(issuer),
        client.client_id,
        { token_endpoint_auth_method: 'client_secret_basic' },
        oidc.ClientSecretBasic(client.client_secret),
        { execute: [oidc.allowInsecureRequests] },
      );
      const shop: TestShop = { partnerId, clientId: client.client_id, redirectUri, config };
      cluster.shops[client.client_id] = shop;
      cluster.clientSecrets[client.client_id] = client.client_secret;
      return shop;
    },
    async seenEverywhere(partnerId, count) {
      const deadline = Date.now() + 3000;
      for (const instance of instances) {
        for (;;) {
          const answer = await cluster.admin(instance.index, 'GET', `/partners/${partnerId}/integrations`);
          if (answer.status === 200 && answer.json.integrations.length === count) break;
          if (Date.now() > deadline)
            throw new Error(`instance ${instance.index} does not see ${partnerId}'s ${count} integrations: ${JSON.stringify(answer.json)}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    },
    async kill(index) {
      const child = instances[index]!.process.child;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await instances[index]!.process.exited;
    },
    async restart(index) {
      await spawnInstance(index);
    },
    async close() {
      await Promise.all(instances.map((i) => i.process?.stop()));
      await proxy.close();
      for (const e of Object.values(emulators)) await e.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
  try {
    // Started together: the migrations at start take turns under their advisory lock.
    await Promise.all(instances.map((_, index) => spawnInstance(index)));
  } catch (err) {
    await cluster.close();
    throw err;
  }
  return cluster;
}
