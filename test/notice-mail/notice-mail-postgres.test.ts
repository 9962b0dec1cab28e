// The notice-mail job on PostgreSQL with two gateway instances sharing one database: both tick at once
// (and again a minute later), and every affected shopper is mailed exactly once, page by page.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxPartners } from '../../config/sandbox-seed.ts';
import { DESCRIPTORS } from '../../providers/index.ts';
import type { Account } from '../../src/accounts/account.ts';
import { ManualClock } from '../../src/clock.ts';
import { runOncePerPeriod } from '../../src/jobs/cluster-job.ts';
import { createLogger } from '../../src/log.ts';
import type { Mailer, MailMessage } from '../../src/mail/mailer.ts';
import { noticeMailJob } from '../../src/notice-mail/notice-mail-job.ts';
import { unsubscribeTokens } from '../../src/notice-mail/unsubscribe-token.ts';
import { seedPartners } from '../../src/partners/partners.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';

describe('notice mail: two instances on PostgreSQL', function () {
  const clock = new ManualClock('2013-09-20T10:00:00+08:00');
  let db: TestDatabase;
  const dirs: string[] = [];
  const stores: Store[] = [];
  before(async function () {
    if (!(await postgresAvailable())) return this.skip();
    db = await freshDatabase('notice_mail');
    for (let i = 0; i < 2; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'denglu-notice-pg-'));
      dirs.push(dir);
      stores.push(await createStore({ dataDir: dir, clock, databaseUrl: db.url }));
    }
  });
  after(async () => {
    for (const s of stores) await s.close();
    await db?.drop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('mails each affected shopper once however the instances tick', async () => {
    const [a, b] = stores as [Store, Store];
    await seedPartners(a, clock, sandboxPartners({ jd: 'https://jd.shop.test', taobao: 'https://taobao.shop.test' }));
    const now = clock.now();
    for (let i = 0; i < 11; i++) {
      const id = `pg-${String(i).padStart(2, '0')}`;
      const account: Account = {
        id,
        createdAt: now,
        identities: [{ provider: 'weibo', subject: id, keys: [`weibo:uid:${id}`], displayName: id, linkedAt: now, lastUsedAt: now }],
        profile: { name: id },
        shops: { jd: { firstAt: now, lastAt: now, lastProvider: 'weibo' } },
        native: { email: `${id}@example.com`, emailVerifiedAt: now },
      };
      await a.create('accounts', id, account);
    }
    const sent: MailMessage[] = [];
    const mailer: Mailer = { transport: 'outbox', send: async (m) => void sent.push(m) };
    const log = createLogger({ level: 'warn' });
    const instance = (store: Store) =>
      noticeMailJob({
        store,
        clock,
        log,
        mailer,
        issuer: 'https://denglu.test',
        tokens: unsubscribeTokens(['k'.repeat(32)], clock),
        label: (id) => DESCRIPTORS.find((d) => d.id === id)?.label,
        configured: () => new Set(['weibo', 'qq']),
        pageSize: 4,
        rewalkMs: 0,
      });
    const tick = (store: Store) => runOncePerPeriod(store, clock, 'notice-mail', 60_000, () => instance(store).run());
    const ran = await Promise.all([tick(a), tick(b)]);
    assert.deepEqual(ran.sort(), [false, true]);
    assert.equal(sent.length, 11);
    clock.advance(60_000);
    await Promise.all([tick(a), tick(b)]);
    await Promise.all([instance(a).run(), instance(b).run()]);
    assert.equal(sent.length, 11, 'nobody twice, even when both walk at once outside the job lock');
    assert.equal(new Set(sent.map((m) => m.to)).size, 11);
  });
});
