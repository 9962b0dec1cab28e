// A schedule change and a removal of the same integration, sent together through two instances: each
// is checked against the partner as its own atomic write finds it, so the removal of an integration that
// the other change just made live is refused, and the audit log holds exactly the changes made.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.ts';
import { ValidationError } from '../../src/errors.ts';
import { removeIntegration, scheduleIntegration } from '../../src/partners/integration-service.ts';
import type { Partner } from '../../src/partners/partner.ts';
import { seedPartners } from '../../src/partners/partners.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { withLatency } from '../support/store-wrapper.ts';

describe('integration changes: checked inside their atomic write', () => {
  const clock = new ManualClock('2013-09-01T10:00:00+08:00');
  let dir: string;
  let opened: Store;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'denglu-race-'));
    opened = await createStore({ dataDir: dir, clock });
    store = withLatency(opened);
    await seedPartners(store, clock, [
      {
        id: 'shop',
        name: { 'zh-CN': '商店', en: 'Shop' },
        timeZone: 'Asia/Shanghai',
        locales: ['zh-CN', 'en'],
        firstParty: true,
        clients: [
          {
            client_id: 'shop-basic',
            client_secret: 'shop-basic-secret-0123456789abcdef',
            redirect_uris: ['https://shop.test/cb'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        integrations: [{ provider: 'qq', newAccountsDuringNotice: true, atCutoff: 'keep', startsAt: Date.parse('2013-10-01T00:00:00+08:00') }],
      },
    ]);
  });
  after(async () => {
    await opened.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a removal racing a change that makes the integration live is refused, not applied to the live one', async () => {
    const actor = { kind: 'operator' as const, id: 'operator' };
    const deps = { store, clock, knownProviders: new Set(['qq', 'weibo']) };
    const [scheduled, removed] = await Promise.allSettled([
      scheduleIntegration(deps, actor, 'shop', 'qq', { startsAt: null }),
      removeIntegration(deps, actor, 'shop', 'qq'),
    ]);
    assert.equal(scheduled.status, 'fulfilled', String((scheduled as PromiseRejectedResult).reason?.message));
    assert.equal(removed.status, 'rejected', 'the removal saw the live integration');
    assert.ok((removed as PromiseRejectedResult).reason instanceof ValidationError);
    const partner = (await store.get<Partner>('partners', 'shop'))!;
    assert.ok(
      partner.integrations.some((i) => i.provider === 'qq'),
      'the live integration is still there',
    );
    const actions = (await store.list<{ action: string }>('audit')).map((e) => e.value.action);
    assert.deepEqual(actions, ['integration.schedule']);
  });
});
