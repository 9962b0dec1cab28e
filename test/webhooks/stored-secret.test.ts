// Webhook signing secrets at rest: a new endpoint's document (in the store and in the embedded store's
// file) holds no form of its secret, and its deliveries still verify with the standardwebhooks library
// after a restart; an endpoint written before secrets were sealed still delivers and is sealed at the next
// start (the gateway's own start-up included); a secret sealed under a cookie key rotated out is sealed
// again under the newest at start, and one no configured key opens fails its attempt without a request.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { linkIdentity } from '../../src/accounts/link.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { seedPartners } from '../../src/partners/partners.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { DELIVERIES_COLLECTION, type Delivery } from '../../src/webhooks/deliveries.ts';
import { dispatchWebhooks, type DispatcherDeps } from '../../src/webhooks/dispatcher.ts';
import { createEndpoint, ENDPOINTS_COLLECTION, type WebhookEndpoint } from '../../src/webhooks/endpoints.ts';
import { newWebhookSecret } from '../../src/webhooks/signature.ts';
import { SEALED_MARKER, sealStoredSecrets, webhookSecrets } from '../../src/webhooks/stored-secret.ts';
import { startGateway } from '../support/gateway.ts';
import { wrapStore } from '../support/store-wrapper.ts';
import { JOBS_COLLECTION } from '../../src/jobs/cluster-job.ts';
import { startReceiver, type Receiver, type Received } from './receiver.ts';
import { secretFormsIn } from './secret-bytes.ts';
import { shopper } from './shopper.ts';

const OPERATOR = { kind: 'operator' as const, id: 'operator' };
const OLD_KEY = 'old-cookie-key-0123456789abcdef0123456789';
const NEW_KEY = 'new-cookie-key-0123456789abcdef0123456789';
const log = createLogger({ level: 'silent' });

function verifies(secret: string, r: Received): boolean {
  const expected = new Webhook(secret).sign(String(r.headers['webhook-id']), new Date(Number(r.headers['webhook-timestamp']) * 1000), r.body);
  return r.headers['webhook-signature'] === expected;
}

async function filesUnder(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(names.filter((n) => n.isFile()).map((n) => readFile(join(n.parentPath, n.name), 'latin1')));
  return texts.join('\n');
}

describe('webhooks: signing secrets sealed at rest', () => {
  let dir: string;
  let store: Store;
  let clock: ManualClock;
  let receiver: Receiver;
  let linked = 0;
  const deps = (keys: string[]): DispatcherDeps => ({
    store,
    clock,
    log,
    pairwiseSalt: 'salt-0123456789abcdef0123456789ab',
    policy: { allowPrivate: true },
    webhookSecrets: webhookSecrets(keys),
  });
  /** A shopper of alpha links QQ: one event for alpha's endpoint. */
  async function link(): Promise<void> {
    const id = `acc-${++linked}`;
    await store.create('accounts', id, shopper(id, ['alpha']));
    await linkIdentity(store, clock, id, { provider: 'qq', subject: `q-${id}`, keys: [`qq:openid:q-${id}`], displayName: 'Q' } as never);
  }
  const stored = async (id: string) => (await store.get<WebhookEndpoint>(ENDPOINTS_COLLECTION, id))!;
  /** A plain-text endpoint as stored before sealing, and the store counting its lists of endpoints. */
  async function legacyEndpointCounted(): Promise<{ lists: string[]; counted: Store; secret: string }> {
    const lists: string[] = [];
    const counted = wrapStore(store, (method, args) => {
      if (method === 'list' && args[0] === ENDPOINTS_COLLECTION) lists.push(method);
    });
    const secret = newWebhookSecret();
    const legacy: WebhookEndpoint = { id: 'we_legacy', partner: 'alpha', url: receiver.url, events: ['identity.linked'], secret, createdAt: 0 };
    await store.create(ENDPOINTS_COLLECTION, legacy.id, legacy);
    return { lists, counted, secret };
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'denglu-webhook-secrets-'));
    clock = new ManualClock('2013-09-20T02:00:00Z');
    store = await createStore({ dataDir: dir, clock });
    receiver = await startReceiver();
    await seedPartners(store, clock, [
      {
        id: 'alpha',
        name: { 'zh-CN': 'alpha', en: 'alpha' },
        timeZone: 'Asia/Shanghai',
        locales: ['zh-CN', 'en'],
        firstParty: true,
        clients: [],
        integrations: [],
      },
    ]);
  });
  afterEach(async () => {
    await receiver.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("holds no form of a new endpoint's secret in its document or on disk; deliveries verify, after a restart too", async () => {
    const created = await createEndpoint({ store, clock, webhookSecrets: webhookSecrets([NEW_KEY]) }, OPERATOR, 'alpha', {
      url: receiver.url,
      events: ['identity.linked'],
    });
    assert.match(created.secret, /^whsec_/);
    const doc = await stored(created.id);
    assert.deepEqual(secretFormsIn(JSON.stringify(doc), created.secret), [], 'the document holds no form of the secret');
    assert.equal(doc.secret.split('.').length, 5, 'a compact JWE');
    await link();
    await dispatchWebhooks(deps([NEW_KEY]));
    assert.equal(receiver.received.length, 1);
    assert.ok(verifies(created.secret, receiver.received[0]!), 'signed with the secret shown at creation (standardwebhooks)');

    await store.close();
    assert.deepEqual(secretFormsIn(await filesUnder(dir), created.secret), [], "the store's files hold no form of the secret");
    store = await createStore({ dataDir: dir, clock });
    await link();
    await dispatchWebhooks(deps([NEW_KEY]));
    assert.equal(receiver.received.length, 2);
    assert.ok(verifies(created.secret, receiver.received[1]!), 'after a restart');
  });

  it('delivers for an endpoint stored before sealing, and seals it at the next start, once', async () => {
    const secret = newWebhookSecret();
    const legacy: WebhookEndpoint = { id: 'we_legacy', partner: 'alpha', url: receiver.url, events: ['identity.linked'], secret, createdAt: clock.now() };
    await store.create(ENDPOINTS_COLLECTION, legacy.id, legacy);
    await link();
    await dispatchWebhooks(deps([NEW_KEY]));
    assert.ok(verifies(secret, receiver.received[0]!), 'the plain-text secret signs as before');

    assert.equal(await sealStoredSecrets({ store, clock, webhookSecrets: webhookSecrets([NEW_KEY]), log }), 1);
    assert.deepEqual(secretFormsIn(JSON.stringify(await stored('we_legacy')), secret), []);
    assert.deepEqual({ ...(await stored('we_legacy')), secret: '' }, { ...legacy, secret: '' }, 'nothing else changed');
    assert.equal(await sealStoredSecrets({ store, clock, webhookSecrets: webhookSecrets([NEW_KEY]), log }), 0, 'once');
    await link();
    await dispatchWebhooks(deps([NEW_KEY]));
    assert.equal(receiver.received.length, 2);
    assert.ok(verifies(secret, receiver.received[1]!), 'sealed, it still signs');
  });

  it('seals again under the newest cookie key at start, so the old key can go; a secret no key opens fails its attempt unsent', async () => {
    const created = await createEndpoint({ store, clock, webhookSecrets: webhookSecrets([OLD_KEY]) }, OPERATOR, 'alpha', {
      url: receiver.url,
      events: ['identity.linked'],
    });
    const before = (await stored(created.id)).secret;
    assert.equal(await sealStoredSecrets({ store, clock, webhookSecrets: webhookSecrets([OLD_KEY]), log }), 0, 'nothing to do under the same keys');
    assert.equal(await sealStoredSecrets({ store, clock, webhookSecrets: webhookSecrets([NEW_KEY, OLD_KEY]), log }), 1, 'rotated: sealed again');
    assert.notEqual((await stored(created.id)).secret, before);
    await link();
    await dispatchWebhooks(deps([NEW_KEY]));
    assert.ok(verifies(created.secret, receiver.received[0]!), 'the old key is no longer needed');

    await link();
    await dispatchWebhooks(deps(['another-cookie-key-0123456789abcdef012345']));
    assert.equal(receiver.received.length, 1, 'nothing sent unsigned or wrongly signed');
    const failed = (await store.list<Delivery>(DELIVERIES_COLLECTION)).map((d) => d.value).find((d) => d.state !== 'delivered')!;
    assert.match(failed.attempts[0]!.error ?? '', /signing secret cannot be read/);
  });

  it('a later start under the same newest cookie key reads no endpoint; a new newest key makes one pass again', async () => {
    const { lists, counted, secret } = await legacyEndpointCounted();
    const seal = (keys: string[]) => sealStoredSecrets({ store: counted, clock, webhookSecrets: webhookSecrets(keys), log });
    assert.equal(await seal([OLD_KEY]), 1);
    assert.equal(lists.length, 1, 'the first start lists the endpoints');
    assert.deepEqual(secretFormsIn(JSON.stringify(await stored('we_legacy')), secret), [], 'and seals the plain secret');
    const marker = await store.get<{ keyId: string }>(JOBS_COLLECTION, SEALED_MARKER);
    assert.equal(marker?.keyId, webhookSecrets([OLD_KEY]).keyId);
    assert.ok(!JSON.stringify(marker).includes(OLD_KEY), 'the marker names the key by a one-way fingerprint');
    await createEndpoint({ store, clock, webhookSecrets: webhookSecrets([OLD_KEY]) }, OPERATOR, 'alpha', { url: receiver.url, events: ['identity.linked'] });
    assert.equal(await seal([OLD_KEY]), 0);
    assert.equal(await seal([OLD_KEY]), 0);
    assert.equal(lists.length, 1, 'later starts under the same newest key read no endpoint');
    assert.equal(await seal([NEW_KEY, OLD_KEY]), 2, 'rotated: both sealed again under the new key');
    assert.equal(lists.length, 2);
    assert.equal(await seal([NEW_KEY]), 0);
    assert.equal(lists.length, 2, 'dropping the old key changes nothing more');
  });

  it('instances starting together make one pass; the others go on without waiting', async () => {
    const { lists, counted, secret } = await legacyEndpointCounted();
    const results = await Promise.all([1, 2, 3].map(() => sealStoredSecrets({ store: counted, clock, webhookSecrets: webhookSecrets([NEW_KEY]), log })));
    assert.deepEqual(results.sort(), [0, 0, 1], 'sealed once');
    assert.equal(lists.length, 1, 'one pass over the endpoints');
    assert.deepEqual(secretFormsIn(JSON.stringify(await stored('we_legacy')), secret), []);
  });

  it('the gateway seals plain-text secrets when it starts', async () => {
    await store.close();
    const gw = await startGateway();
    const secret = newWebhookSecret();
    const legacy: WebhookEndpoint = { id: 'we_legacy', partner: 'alpha', url: receiver.url, events: ['identity.linked'], secret, createdAt: gw.clock.now() };
    await gw.store.create(ENDPOINTS_COLLECTION, legacy.id, legacy);
    // A store from before sealing: no record of a sealing pass either.
    assert.ok(await gw.store.delete(JOBS_COLLECTION, SEALED_MARKER), 'the first start recorded its pass');
    await gw.close({ keepData: true });
    const again = await startGateway({ dataDir: gw.dataDir });
    try {
      const doc = await again.store.get<WebhookEndpoint>(ENDPOINTS_COLLECTION, 'we_legacy');
      assert.deepEqual(secretFormsIn(JSON.stringify(doc), secret), [], 'sealed at start');
      await again.store.create('accounts', 'acc-gw', shopper('acc-gw', ['alpha'], again.clock.now()));
      await linkIdentity(again.store, again.clock, 'acc-gw', { provider: 'qq', subject: 'q-gw', keys: ['qq:openid:q-gw'], displayName: 'Q' } as never);
      await again.denglu.webhooks.tick();
      assert.equal(receiver.received.length, 1);
      assert.ok(verifies(secret, receiver.received[0]!));
    } finally {
      await again.close();
      await rm(gw.dataDir, { recursive: true, force: true });
      store = await createStore({ dataDir: dir, clock });
    }
  });
});
