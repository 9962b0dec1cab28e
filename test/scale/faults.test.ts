// Issue 14 §5: faults with logins running against two instances on a throwaway PostgreSQL server of this
// test's own (the machine's server is never disturbed). kill -9 of one instance: logins in flight on it
// may fail, every other login succeeds, every acknowledged login's account is there, and no account is
// half-made. PostgreSQL crashing and coming back: requests meanwhile get a clear answer (503 with a request
// id) within the configured deadline, never a hang, the gateways stay up and serve again by themselves.
// Every table locked from outside: the pool fills, queries run into the statement timeout, the waiting
// ones into the pool's wait; every request still gets its clear 503 in bounded time.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Account } from '../../src/accounts/account.ts';
import { systemClock } from '../../src/clock.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { TestBrowser } from '../support/browser.ts';
import { authRequest, loginWith, type TestShop } from '../support/gateway.ts';
import { startCluster, type GatewayCluster } from '../support/gateway-cluster.ts';
import { startThrowawayCluster, throwawayClusterAvailable, type ThrowawayCluster } from '../support/pg-cluster.ts';

const A = 0;
const B = 1;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The database settings under test: small, so the faults show quickly. */
const POOL_MAX = 3;
const POOL_WAIT_MS = 400;
const STATEMENT_TIMEOUT_MS = 800;
/** No request may take longer than this while the database is down or stuck (deadlines plus slack). */
const ANSWER_WITHIN_MS = STATEMENT_TIMEOUT_MS + POOL_WAIT_MS + 2500;

interface Attempt {
  login: string;
  startedAt: number;
  endedAt: number;
  sub?: string;
  error?: string;
}

describe('faults: two instances on a throwaway PostgreSQL server', function () {
  this.timeout(30_000);
  let server: ThrowawayCluster | undefined;
  let cluster: GatewayCluster;
  let shop: TestShop;
  let store: Store;
  let dataDir: string;

  before(async function () {
    this.timeout(60_000);
    if (!throwawayClusterAvailable()) return this.skip();
    server = await startThrowawayCluster();
    cluster = await startCluster({
      databaseUrl: server.url,
      env: { DB_POOL_MAX: String(POOL_MAX), DB_POOL_WAIT_MS: String(POOL_WAIT_MS), DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) },
    });
    shop = await cluster.addShop('alpha', ['weibo', 'qq']);
    dataDir = await mkdtemp(join(tmpdir(), 'denglu-faults-'));
    store = await createStore({ dataDir, clock: systemClock, databaseUrl: server.url });
  });
  afterEach(() => {
    if (cluster) cluster.proxy.route = undefined;
  });
  after(async () => {
    await store?.close();
    await cluster?.close();
    await server?.remove();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** A first login of a new Weibo user through the proxy, timed; never throws. */
  async function attempt(login: string): Promise<Attempt> {
    const startedAt = Date.now();
    try {
      const { claims } = await loginWith(cluster, new TestBrowser(), shop.clientId, 'weibo', login);
      return { login, startedAt, endedAt: Date.now(), sub: String(claims.sub) };
    } catch (err) {
      return { login, startedAt, endedAt: Date.now(), error: (err as Error).message.slice(0, 300) };
    }
  }

  /** `workers` shoppers signing in one after another until `stop()`; each login a new user `<prefix>-<n>`. */
  function loginsRunning(prefix: string, workers: number) {
    let running = true;
    let n = 0;
    const attempts: Attempt[] = [];
    const done = Promise.all(
      Array.from({ length: workers }, async () => {
        while (running) attempts.push(await attempt(`${prefix}-${n++}`));
      }),
    );
    return {
      attempts,
      async stop() {
        running = false;
        await done;
        return attempts;
      },
    };
  }

  const accountOf = async (login: string) => {
    const key = cluster.emulators.weibo!.emulator.identityKeysFor(login, 'cluster-weibo')[0]!;
    return (await store.findOne<Account>('accounts', 'identity', key))?.value;
  };

  /** Every instance process is still running (none crashed). */
  const allAlive = () => cluster.instances.every((i) => i.process.child.exitCode === null && i.process.child.signalCode === null);

  /** A request during an outage: it must be answered in time with a 503 naming its request id. */
  async function outageAnswer(url: string, init: RequestInit = {}) {
    const started = Date.now();
    const res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(ANSWER_WITHIN_MS + 5000) });
    const body = await res.text();
    const ms = Date.now() - started;
    const requestId = res.headers.get('x-request-id') ?? '';
    // A page shows the request id; a protocol error (JSON) names its error and carries the id in its header.
    const shown = (res.headers.get('content-type') ?? '').includes('json') ? /"error"\s*:/.test(body) : body.includes(requestId);
    return { status: res.status, ms, requestId, body, clear: res.status === 503 && requestId.length > 0 && shown };
  }

  it('kill -9 of one instance: only logins in flight on it may fail; nothing acknowledged is lost, no account half-made', async function () {
    this.timeout(40_000);
    const load = loginsRunning('kill', 4);
    await sleep(1000);
    const killCalled = Date.now();
    await cluster.kill(B);
    const killed = Date.now();
    await sleep(2000);
    const attempts = await load.stop();

    const inFlight = attempts.filter((a) => a.startedAt < killed && a.endedAt > killCalled);
    const others = attempts.filter((a) => !inFlight.includes(a));
    const after = attempts.filter((a) => a.startedAt >= killed);
    assert.ok(others.length >= 10 && after.length >= 4, `enough logins around the kill (${others.length} not in flight, ${after.length} after it)`);
    const failedOthers = others.filter((a) => a.error);
    assert.deepEqual(
      failedOthers.map((a) => `${a.login}: ${a.error}`),
      [],
      'every login not in flight at the kill succeeded',
    );

    // Acknowledged: every account is in the database; those acknowledged around the kill sign in again as the same shopper.
    const acknowledged = attempts.filter((a) => a.sub);
    for (const a of acknowledged) assert.ok(await accountOf(a.login), `${a.login}'s account is stored`);
    for (const a of acknowledged.filter((x) => x.endedAt > killCalled - 1000)) {
      const again = await loginWith(cluster, new TestBrowser(), shop.clientId, 'weibo', a.login);
      assert.equal(String(again.claims.sub), a.sub, `${a.login} is the same shopper again`);
    }
    // Logins cut by the kill are retried: each shopper ends with exactly one whole account.
    for (const a of attempts.filter((x) => x.error)) await loginWith(cluster, new TestBrowser(), shop.clientId, 'weibo', a.login);
    const accounts = (await store.list<Account>('accounts')).map((d) => d.value);
    assert.equal(accounts.length, attempts.length, `one account per shopper (${accounts.length} accounts, ${attempts.length} shoppers)`);
    for (const account of accounts) {
      assert.equal(account.identities.length, 1, `account ${account.id} holds its Weibo identity`);
      for (const key of account.identities[0]!.keys) assert.equal((await store.findOne<Account>('accounts', 'identity', key))?.id, account.id);
    }
    assert.ok(cluster.instances[A]!.process.child.exitCode === null && cluster.instances[A]!.process.child.signalCode === null, 'the other instance is up');
    await cluster.restart(B);
  });

  it('PostgreSQL down and back: clear 503s with a request id in time, no crash, service resumes by itself', async function () {
    this.timeout(40_000);
    // A shopper acknowledged just before the database crashes (an immediate stop: no checkpoint).
    const browser = new TestBrowser();
    const before = await loginWith(cluster, browser, shop.clientId, 'weibo', 'outage-olga');
    await server!.stop('immediate');
    const outage = Date.now();
    const answers = [];
    try {
      for (const instance of [A, B]) {
        const url = cluster.instances[instance]!.url;
        const auth = new URL((await authRequest(shop, { provider: 'weibo' })).url);
        answers.push(
          { what: `/auth on ${instance}`, ...(await outageAnswer(`${url}${auth.pathname}${auth.search}`, { headers: { accept: 'text/html' } })) },
          { what: `/readyz on ${instance}`, ...(await outageAnswer(`${url}/readyz`)) },
          {
            what: `/token on ${instance}`,
            ...(await outageAnswer(`${url}/token`, {
              method: 'POST',
              headers: {
                'content-type': 'application/x-www-form-urlencoded',
                authorization: `Basic ${btoa(`${shop.clientId}:${cluster.clientSecrets[shop.clientId]}`)}`,
              },
              body: new URLSearchParams({ grant_type: 'authorization_code', code: 'a-code-from-before-the-outage', redirect_uri: shop.redirectUri }),
            })),
          },
        );
        const health = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
        assert.equal(health.status, 200, `/healthz on ${instance} answers: the process lives, only the database is away`);
      }
    } finally {
      await server!.start();
    }
    const unclear = answers
      .filter((a) => a.ms > ANSWER_WITHIN_MS || !a.clear)
      .map((a) => `${a.what}: ${a.status} after ${a.ms} ms, request id "${a.requestId}", ${a.body.replaceAll(/\s+/g, ' ').slice(0, 160)}`);
    assert.deepEqual(unclear, [], `every answer during the outage a 503 with its request id within ${ANSWER_WITHIN_MS} ms`);
    assert.ok(allAlive(), 'no instance crashed during the outage');

    const back = Date.now();
    let resumed: number | undefined;
    while (Date.now() - back < 10_000) {
      const ready = await Promise.all(cluster.instances.map((i) => fetch(`${i.url}/readyz`).then((r) => r.status)));
      if (ready.every((s) => s === 200)) {
        resumed = Date.now() - back;
        break;
      }
      await sleep(100);
    }
    assert.ok(resumed !== undefined, 'both instances ready again within 10 s of the database returning');
    for (const instance of [A, B]) {
      cluster.proxy.route = () => instance;
      const { claims } = await loginWith(cluster, new TestBrowser(), shop.clientId, 'weibo', `after-outage-${instance}`);
      assert.ok(claims.sub, `instance ${instance} signs shoppers in again`);
    }
    assert.ok(allAlive(), `no instance exited (outage ${back - outage} ms)`);
    assert.ok(await accountOf('outage-olga'), 'the account acknowledged before the crash is there');
    const again = await loginWith(cluster, new TestBrowser(), shop.clientId, 'weibo', 'outage-olga');
    assert.equal(again.claims.sub, before.claims.sub, 'the same shopper after the crash');
  });

  it('every table locked: the pool fills, statements time out, waiting requests give up after the pool wait — each with a clear 503 in time', async function () {
    this.timeout(30_000);
    const locker = new pg.Client({ connectionString: server!.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      const tables = (await locker.query<{ name: string }>("SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public'")).rows;
      assert.ok(tables.length > 0, 'the store has tables to lock');
      await locker.query(`LOCK TABLE ${tables.map((t) => t.name).join(', ')} IN ACCESS EXCLUSIVE MODE`);
      const url = cluster.instances[A]!.url;
      // Twice the pool of token requests (each reads its own client's failure count first, on a connection
      // of its own): the first ones hold every connection until the statement timeout, the rest wait for
      // one. And sign-in pages, which wait like them.
      const token = () =>
        outageAnswer(`${url}/token`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${btoa(`${shop.clientId}:${cluster.clientSecrets[shop.clientId]}`)}`,
          },
          body: new URLSearchParams({ grant_type: 'authorization_code', code: 'a-code-while-locked', redirect_uri: shop.redirectUri }),
        });
      const page = async () => {
        const auth = new URL((await authRequest(shop, { provider: 'weibo' })).url);
        return outageAnswer(`${url}${auth.pathname}${auth.search}`, { headers: { accept: 'text/html' } });
      };
      const answers = await Promise.all([...Array.from({ length: POOL_MAX * 2 }, token), page(), page()]);
      const unclear = answers
        .filter((a) => a.ms > ANSWER_WITHIN_MS || !a.clear)
        .map((a) => `${a.status} after ${a.ms} ms, request id "${a.requestId}", ${a.body.replaceAll(/\s+/g, ' ').slice(0, 160)}`);
      const log = cluster.instances[A]!.process.output();
      const why = [...new Set(log.match(/store unavailable[^"\\]*/g) ?? [])].join('; ');
      assert.deepEqual(unclear, [], `every request a 503 with its request id within ${ANSWER_WITHIN_MS} ms (the log: ${why})`);
      assert.match(log, /statement timeout/i, 'the log names the statement timeout');
      assert.match(log, /pool|no database connection became free/i, `the log names the exhausted pool (the log: ${why})`);
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      await locker.end();
    }
    assert.ok(allAlive(), 'no instance crashed');
    cluster.proxy.route = () => A;
    const { claims } = await loginWith(cluster, new TestBrowser(), shop.clientId, 'weibo', 'after-the-locks');
    assert.ok(claims.sub, 'A signs shoppers in again once the locks are gone');
  });
});
