// The webhook queue on a manual clock: an event written with a link reaches the shop's endpoint signed
// (checked with the standardwebhooks library), carrying that shop's own pairwise `sub` only; failed
// attempts are retried with exponential backoff for 24 h and then given up; a queue survives a restart
// of the store; two dispatchers on one store deliver once; phase changes go out at their instant with no
// sign-in traffic; enqueuing on link/unlink is part of the one write the change already is.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { linkIdentity } from '../../src/accounts/link.ts';
import { unlinkIdentity } from '../../src/accounts/unlink.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { pairwiseSubject } from '../../src/oidc/pairwise.ts';
import { seedPartners, type PartnerSeed } from '../../src/partners/partners.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { DELIVERIES_COLLECTION, RETRY_WINDOW_MS, type Delivery } from '../../src/webhooks/deliveries.ts';
import { dispatchWebhooks, type DispatcherDeps } from '../../src/webhooks/dispatcher.ts';
import { createEndpoint } from '../../src/webhooks/endpoints.ts';
import { webhookSecrets } from '../../src/webhooks/stored-secret.ts';
import { EVENTS_COLLECTION } from '../../src/webhooks/events.ts';
import { recordPhaseChanges } from '../../src/webhooks/phase-events.ts';
import { tickWebhooks } from '../../src/webhooks/webhook-jobs.ts';
import { startReceiver, type Receiver } from './receiver.ts';
import { shopper } from './shopper.ts';

const SALT = 'test-pairwise-salt-0123456789abcdef0123';
const COOKIE_KEY = 'test-cookie-key-0123456789abcdef0123456789';
const OPERATOR = { kind: 'operator' as const, id: 'operator' };
const log = createLogger({ level: 'silent' });

function partner(id: string, integrations: PartnerSeed['integrations'] = []): PartnerSeed {
  return { id, name: { 'zh-CN': id, en: id }, timeZone: 'Asia/Shanghai', locales: ['zh-CN', 'en'], firstParty: true, clients: [], integrations };
}

/** Checks the delivery's signature with the standardwebhooks library (at the manual clock's instant). */
function verify(secret: string, r: { headers: Record<string, unknown>; body: string }): unknown {
  const id = String(r.headers['webhook-id']);
  const ts = Number(r.headers['webhook-timestamp']);
  const expected = new Webhook(secret).sign(id, new Date(ts * 1000), r.body);
  assert.equal(r.headers['webhook-signature'], expected, 'signature as the standardwebhooks library computes it');
  return JSON.parse(r.body);
}

describe('webhooks: queue, retries, restarts, cluster-once, phase changes', () => {
  let dir: string;
  let store: Store;
  let receiver: Receiver;
  let clock: ManualClock;
  let deps: DispatcherDeps;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'denglu-webhooks-'));
    clock = new ManualClock('2013-09-20T02:00:00Z');
    store = await createStore({ dataDir: dir, clock });
    receiver = await startReceiver();
    deps = { store, clock, log, pairwiseSalt: SALT, policy: { allowPrivate: true }, webhookSecrets: webhookSecrets([COOKIE_KEY]) };
    await seedPartners(store, clock, [partner('alpha'), partner('beta')]);
  });
  afterEach(async () => {
    await receiver.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("delivers a link to each shop the shopper uses, signed, with that shop's own pairwise sub", async () => {
    const alpha = await createEndpoint(deps, OPERATOR, 'alpha', { url: receiver.url, events: ['identity.linked', 'identity.unlinked'] });
    const beta = await createEndpoint(deps, OPERATOR, 'beta', { url: `${receiver.url}?beta`, events: ['identity.linked'] });
    await createEndpoint(deps, OPERATOR, 'beta', { url: `${receiver.url}?phase-only`, events: ['integration.phase_changed'] });
    await store.create('accounts', 'acc-1', shopper('acc-1', ['alpha', 'beta']));
    await linkIdentity(store, clock, 'acc-1', { provider: 'qq', subject: 'q-1', keys: ['qq:openid:q-1'], displayName: 'Q' } as never);

    const run = await dispatchWebhooks(deps);
    assert.deepEqual(run, { ran: true, created: 2, attempted: 2 });
    assert.equal(receiver.received.length, 2);
    const byShop = Object.fromEntries(receiver.received.map((r) => [JSON.parse(r.body).data.partner, r]));
    const a = verify(alpha.secret, byShop.alpha!) as { type: string; data: Record<string, unknown> };
    const b = verify(beta.secret, byShop.beta!) as { type: string; data: Record<string, unknown> };
    assert.equal(a.type, 'identity.linked');
    assert.deepEqual(a.data, { partner: 'alpha', provider: 'qq', sub: pairwiseSubject(SALT, 'alpha', 'acc-1') });
    assert.deepEqual(b.data, { partner: 'beta', provider: 'qq', sub: pairwiseSubject(SALT, 'beta', 'acc-1') });
    assert.ok(!byShop.alpha!.body.includes(String(b.data.sub)) && !byShop.alpha!.body.includes('acc-1'), "never another shop's sub nor the account id");
    assert.match(String(byShop.alpha!.headers['webhook-id']), /^msg_/);
    assert.equal(byShop.alpha!.headers['webhook-timestamp'], String(clock.now() / 1000));

    await unlinkIdentity(store, clock, 'acc-1', 'qq', 'q-1');
    await dispatchWebhooks(deps);
    assert.equal(receiver.received.length, 3, 'only alpha subscribed to identity.unlinked');
    assert.equal(JSON.parse(receiver.received[2]!.body).type, 'identity.unlinked');
    const log = (await store.list<Delivery>(DELIVERIES_COLLECTION)).map((d) => d.value);
    assert.ok(log.every((d) => d.state === 'delivered' && d.attempts[0]!.status === 200));
    assert.equal((await store.list(EVENTS_COLLECTION)).length, 0, 'events are gone once fanned out');
  });

  it('tells no shop the account never used', async () => {
    await createEndpoint(deps, OPERATOR, 'beta', { url: receiver.url, events: ['identity.linked'] });
    await store.create('accounts', 'acc-2', shopper('acc-2', ['alpha']));
    await linkIdentity(store, clock, 'acc-2', { provider: 'qq', subject: 'q-2', keys: ['qq:openid:q-2'], displayName: 'Q' } as never);
    await dispatchWebhooks(deps);
    assert.equal(receiver.received.length, 0);
  });

  it('adds no store call to a link: the event is written in the batch the link already is', async () => {
    await store.create('accounts', 'acc-3', shopper('acc-3', ['alpha']));
    const calls: string[] = [];
    const counting = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function'
          ? (...args: unknown[]) => {
              calls.push(String(prop));
              return value.apply(target, args);
            }
          : value;
      },
    });
    await linkIdentity(counting, clock, 'acc-3', { provider: 'qq', subject: 'q-3', keys: ['qq:openid:q-3'], displayName: 'Q' } as never);
    // After the link's batch, the ways its shop summaries list are rewritten (src/events/shop-ways.ts): the
    // account read back and the summaries of every shop it used rewritten in one upsertMany. The webhook event
    // adds nothing: it rides in the batch.
    assert.deepEqual(calls, ['findOne', 'batch', 'get', 'upsertMany'], 'the identity lookup and one write (the event in it), then the ways of its shops');
    assert.equal((await store.list(EVENTS_COLLECTION)).length, 1);
  });

  it('retries a failing endpoint with exponential backoff for 24 hours, then gives up', async () => {
    await createEndpoint(deps, OPERATOR, 'alpha', { url: receiver.url, events: ['identity.linked'] });
    await store.create('accounts', 'acc-4', shopper('acc-4', ['alpha']));
    await linkIdentity(store, clock, 'acc-4', { provider: 'qq', subject: 'q-4', keys: ['qq:openid:q-4'], displayName: 'Q' } as never);
    const start = clock.now();
    receiver.status = 503;
    const gaps: number[] = [];
    let last = start;
    for (let i = 0; i < 40; i++) {
      await dispatchWebhooks(deps);
      const [d] = (await store.list<Delivery>(DELIVERIES_COLLECTION)).map((x) => x.value);
      if (d!.state !== 'pending') break;
      // Nothing happens before the next attempt is due.
      clock.set(d!.nextAttemptAt! - 1);
      assert.equal((await dispatchWebhooks(deps)).attempted, 0);
      clock.set(d!.nextAttemptAt!);
      gaps.push(d!.nextAttemptAt! - last);
      last = d!.nextAttemptAt!;
    }
    const [d] = (await store.list<Delivery>(DELIVERIES_COLLECTION)).map((x) => x.value);
    assert.equal(d!.state, 'failed');
    assert.deepEqual(gaps.slice(0, 5), [30_000, 60_000, 120_000, 240_000, 480_000], 'doubling');
    assert.ok(
      gaps.every((g) => g <= 4 * 3_600_000),
      'at most 4 h apart',
    );
    assert.equal(d!.attempts.at(-1)!.at, start + RETRY_WINDOW_MS, 'the last attempt 24 h after the event');
    assert.equal(receiver.received.length, d!.attempts.length);
    assert.ok(d!.attempts.every((a) => a.status === 503));
    assert.equal(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size, 1, 'the same idempotency key on every retry');
  });

  it('delivers after a retry once the endpoint answers 2xx', async () => {
    await createEndpoint(deps, OPERATOR, 'alpha', { url: receiver.url, events: ['identity.linked'] });
    await store.create('accounts', 'acc-5', shopper('acc-5', ['alpha']));
    await linkIdentity(store, clock, 'acc-5', { provider: 'qq', subject: 'q-5', keys: ['qq:openid:q-5'], displayName: 'Q' } as never);
    receiver.status = 500;
    await dispatchWebhooks(deps);
    receiver.status = 204;
    clock.advance(30_000);
    await dispatchWebhooks(deps);
    const [d] = (await store.list<Delivery>(DELIVERIES_COLLECTION)).map((x) => x.value);
    assert.equal(d!.state, 'delivered');
    assert.deepEqual(
      d!.attempts.map((a) => a.status),
      [500, 204],
    );
  });

  it('keeps its queue across a restart of the store', async () => {
    await createEndpoint(deps, OPERATOR, 'alpha', { url: receiver.url, events: ['identity.linked'] });
    await store.create('accounts', 'acc-6', shopper('acc-6', ['alpha']));
    await linkIdentity(store, clock, 'acc-6', { provider: 'qq', subject: 'q-6', keys: ['qq:openid:q-6'], displayName: 'Q' } as never);
    receiver.status = 500;
    await dispatchWebhooks(deps);
    await store.close();

    store = await createStore({ dataDir: dir, clock });
    deps = { ...deps, store };
    receiver.status = 200;
    clock.advance(30_000);
    await dispatchWebhooks(deps);
    const [d] = (await store.list<Delivery>(DELIVERIES_COLLECTION)).map((x) => x.value);
    assert.equal(d!.state, 'delivered');
    assert.equal(receiver.received.length, 2);
  });

  it('runs once when two dispatchers tick together', async () => {
    await createEndpoint(deps, OPERATOR, 'alpha', { url: receiver.url, events: ['identity.linked'] });
    await store.create('accounts', 'acc-7', shopper('acc-7', ['alpha']));
    await linkIdentity(store, clock, 'acc-7', { provider: 'qq', subject: 'q-7', keys: ['qq:openid:q-7'], displayName: 'Q' } as never);
    const runs = await Promise.all([dispatchWebhooks(deps), dispatchWebhooks(deps), dispatchWebhooks(deps)]);
    assert.equal(runs.filter((r) => r.ran).length, 1);
    await Promise.all([dispatchWebhooks(deps), dispatchWebhooks(deps)]);
    assert.equal(receiver.received.length, 1);
  });

  it('emits phase changes at their instant with no sign-in traffic, each once', async () => {
    const notice = Date.parse('2013-09-20T16:00:00Z');
    const cutoff = Date.parse('2013-09-24T16:00:00Z');
    await store.put('partners', 'gamma', {
      ...partner('gamma', [{ provider: 'weibo', noticeAt: notice, cutoffAt: cutoff, newAccountsDuringNotice: true, atCutoff: 'keep' }]),
      createdAt: 0,
      updatedAt: 0,
    });
    const ep = await createEndpoint(deps, OPERATOR, 'gamma', { url: receiver.url, events: ['integration.phase_changed'] });
    await tickWebhooks(deps); // the first run starts the cursor now
    clock.set(notice - 1);
    await tickWebhooks(deps);
    assert.equal(receiver.received.length, 0, 'nothing before the instant');
    clock.set(notice + 2_000); // the next tick after the instant
    await tickWebhooks(deps);
    await tickWebhooks(deps);
    assert.equal(receiver.received.length, 1, 'once');
    const body = verify(ep.secret, receiver.received[0]!) as { type: string; timestamp: string; data: Record<string, unknown> };
    assert.equal(body.type, 'integration.phase_changed');
    assert.equal(body.timestamp, new Date(notice).toISOString());
    assert.equal(body.data.phase, 'notice');
    assert.equal(body.data.previousPhase, 'live');
    assert.equal(body.data.provider, 'weibo');
    clock.set(cutoff + 5 * 86_400_000); // a long quiet time: the cutoff still goes out, once
    await tickWebhooks(deps);
    assert.equal(receiver.received.length, 2);
    assert.equal((JSON.parse(receiver.received[1]!.body) as { data: { phase: string } }).data.phase, 'grace');
  });

  it('records a phase change once when two instances tick together', async () => {
    const notice = Date.parse('2013-09-21T00:00:00Z');
    await store.put('partners', 'gamma', {
      ...partner('gamma', [{ provider: 'weibo', noticeAt: notice, newAccountsDuringNotice: true, atCutoff: 'keep' }]),
      createdAt: 0,
      updatedAt: 0,
    });
    await recordPhaseChanges(deps);
    clock.set(notice);
    const counts = await Promise.all([recordPhaseChanges(deps), recordPhaseChanges(deps)]);
    assert.deepEqual(
      counts.filter((c) => c !== undefined).reduce((a, b) => a! + b!, 0),
      1,
    );
    assert.equal((await store.list(EVENTS_COLLECTION)).length, 1);
  });
});
