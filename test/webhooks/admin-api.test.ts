// The webhook admin API: a manager registers and removes endpoints of their own partners only (403 for
// another partner, changing nothing), the secret is answered once, bad URLs and events are 400 with a
// problem per field, and the delivery log shows each attempt's response code.

import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { ManualClock } from '../../src/clock.ts';
import { linkIdentity } from '../../src/accounts/link.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { client, OPERATOR } from '../admin/admin-client.ts';
import { shopper } from './shopper.ts';
import { ENDPOINTS_COLLECTION } from '../../src/webhooks/endpoints.ts';
import { secretFormsIn } from './secret-bytes.ts';
import { startReceiver, type Receiver } from './receiver.ts';

describe('webhooks: admin API', () => {
  let gw: Gateway;
  let receiver: Receiver;
  let op: ReturnType<typeof client>;
  let alpha: ReturnType<typeof client>;
  const clock = new ManualClock('2013-09-20T10:00:00+08:00');

  before(async () => {
    gw = await startGateway({ clock });
    receiver = await startReceiver();
    op = client(gw, OPERATOR);
    alpha = client(gw, (await op.post('/managers', { name: 'Alpha manager', partners: ['alpha'] })).body.token);
  });
  after(async () => {
    await receiver.close();
    await gw.close();
  });

  it('registers an endpoint for a managed partner, answering the secret once', async () => {
    const created = await alpha.post('/partners/alpha/webhooks', { url: receiver.url, events: ['identity.linked'], description: 'shop backend' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.secret, /^whsec_/);
    assert.match(created.body.id, /^we_/);
    const listed = await alpha.get('/partners/alpha/webhooks');
    assert.equal(listed.status, 200);
    assert.equal(listed.body.endpoints.length, 1);
    assert.equal(listed.body.endpoints[0].url, receiver.url);
    assert.ok(!JSON.stringify(listed.body).includes(created.body.secret), 'the secret is never shown again');
    const audit = (await op.get('/audit?partner=alpha&action=webhook&limit=1')).body.entries[0];
    assert.equal(audit.action, 'webhook.create');
    assert.ok(!JSON.stringify(audit).includes(created.body.secret), 'nor in the audit log');
    const stored = await gw.store.get(ENDPOINTS_COLLECTION, created.body.id);
    assert.deepEqual(secretFormsIn(JSON.stringify(stored), created.body.secret), [], 'nor in the store: it is kept sealed');

    // A link by a shopper of alpha shows up in the log with the response code, signed with that secret.
    await gw.store.create('accounts', 'acc-api', shopper('acc-api', ['alpha'], clock.now()));
    await linkIdentity(gw.store, clock, 'acc-api', { provider: 'qq', subject: 'q', keys: ['qq:openid:q'], displayName: 'Q' } as never);
    await gw.denglu.webhooks.tick();
    assert.equal(receiver.received.length, 1);
    const r = receiver.received[0]!;
    assert.equal(
      r.headers['webhook-signature'],
      new Webhook(created.body.secret).sign(String(r.headers['webhook-id']), new Date(Number(r.headers['webhook-timestamp']) * 1000), r.body),
    );
    const log = await alpha.get('/partners/alpha/webhooks/deliveries');
    assert.equal(log.status, 200);
    assert.equal(log.body.deliveries.length, 1);
    assert.equal(log.body.deliveries[0].state, 'delivered');
    assert.equal(log.body.deliveries[0].lastStatus, 200);
    assert.equal(log.body.deliveries[0].webhookId, r.headers['webhook-id']);
    assert.equal(log.body.deliveries[0].payload.data.provider, 'qq');
  });

  it('refuses a manager any webhook route of a partner they do not manage, changing nothing', async () => {
    const before = (await op.get('/partners/beta/webhooks')).body;
    const theirs = await op.post('/partners/beta/webhooks', { url: receiver.url, events: ['account.deleted'] });
    assert.equal(theirs.status, 201);
    for (const res of [
      await alpha.get('/partners/beta/webhooks'),
      await alpha.post('/partners/beta/webhooks', { url: receiver.url, events: ['identity.linked'] }),
      await alpha.delete(`/partners/beta/webhooks/${theirs.body.id}`),
      await alpha.get('/partners/beta/webhooks/deliveries'),
    ]) {
      assert.equal(res.status, 403, JSON.stringify(res.body));
    }
    // Naming beta's endpoint under alpha finds nothing there.
    assert.equal((await alpha.delete(`/partners/alpha/webhooks/${theirs.body.id}`)).status, 404);
    const after = (await op.get('/partners/beta/webhooks')).body;
    assert.equal(after.endpoints.length, before.endpoints.length + 1, "beta's endpoint is still there");
  });

  it('refuses bad URLs and events with a problem per field', async () => {
    const res = await alpha.post('/partners/alpha/webhooks', { url: 'ftp://x', events: ['order.paid'] });
    assert.equal(res.status, 400);
    const fields = res.body.problems.map((p: { field: string }) => p.field).sort();
    assert.deepEqual(fields, ['events[0]', 'url']);
    const none = await alpha.post('/partners/alpha/webhooks', { url: receiver.url, events: [] });
    assert.equal(none.status, 400);
  });

  it('removes an endpoint, audited', async () => {
    const created = await alpha.post('/partners/alpha/webhooks', { url: `${receiver.url}?2`, events: ['integration.phase_changed'] });
    assert.equal((await alpha.delete(`/partners/alpha/webhooks/${created.body.id}`)).status, 204);
    assert.ok(!(await alpha.get('/partners/alpha/webhooks')).body.endpoints.some((e: { id: string }) => e.id === created.body.id));
    assert.equal((await op.get('/audit?partner=alpha&action=webhook.delete&limit=1')).body.entries.length, 1);
  });
});
