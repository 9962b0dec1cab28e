// Two gateway instances sharing one PostgreSQL database: their dispatchers and phase-change jobs tick at
// the same moments, and each delivery and phase change still goes out once.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { seedPartners } from '../../src/partners/partners.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { DELIVERIES_COLLECTION, type Delivery } from '../../src/webhooks/deliveries.ts';
import { createEndpoint } from '../../src/webhooks/endpoints.ts';
import { webhookSecrets } from '../../src/webhooks/stored-secret.ts';
import { tickWebhooks } from '../../src/webhooks/webhook-jobs.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';
import { startReceiver, type Receiver } from './receiver.ts';

describe('webhooks: once per cluster on PostgreSQL', () => {
  let db: TestDatabase | undefined;
  let stores: Store[] = [];
  let receiver: Receiver;
  const clock = new ManualClock('2013-09-09T15:00:00Z');
  const log = createLogger({ level: 'silent' });

  before(async function () {
    if (!(await postgresAvailable())) return this.skip();
    db = await freshDatabase('webhooks');
    stores = [await createStore({ dataDir: '', databaseUrl: db.url, clock }), await createStore({ dataDir: '', databaseUrl: db.url, clock })];
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver?.close();
    for (const s of stores) await s.close();
    await db?.drop();
  });

  it('delivers each phase change once while two instances tick together', async () => {
    const notice = Date.parse('2013-09-09T16:00:00Z');
    const [a, b] = stores as [Store, Store];
    await seedPartners(a, clock, [
      {
        id: 'jd',
        name: { 'zh-CN': '京东', en: 'JD' },
        timeZone: 'Asia/Shanghai',
        locales: ['zh-CN', 'en'],
        firstParty: true,
        clients: [],
        integrations: [{ provider: 'weibo', noticeAt: notice, newAccountsDuringNotice: true, atCutoff: 'keep' }],
      },
    ]);
    const secrets = webhookSecrets(['pg-test-cookie-key-0123456789abcdef0123']);
    await createEndpoint({ store: a, clock, webhookSecrets: secrets }, { kind: 'operator', id: 'operator' }, 'jd', {
      url: receiver.url,
      events: ['integration.phase_changed'],
    });
    const deps = (store: Store) => ({
      store,
      clock,
      log,
      pairwiseSalt: 'pg-test-salt-0123456789abcdef0123456',
      policy: { allowPrivate: true },
      webhookSecrets: secrets,
    });
    await tickWebhooks(deps(a));
    clock.set(notice + 1000);
    for (let i = 0; i < 3; i++) await Promise.all([tickWebhooks(deps(a)), tickWebhooks(deps(b))]);
    assert.equal(receiver.received.length, 1);
    const delivery = (await b.list<Delivery>(DELIVERIES_COLLECTION))[0]!.value;
    assert.equal(delivery.state, 'delivered');
    assert.equal(delivery.attempts.length, 1);
  });
});
