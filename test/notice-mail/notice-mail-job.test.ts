// The notice-mail job on its own (embedded store, JD's sandbox schedule: Weibo in notice from 10 September
// 2013, cut off 25 September): who is mailed (Weibo identity, used JD, verified email, mail not turned off,
// no way into JD already linked that outlasts the cutoff)
// and in which language; never twice — not when it runs again, not when two instances tick at once, not
// after a crash after the hand-over or before the page's progress was saved; a mailer that refuses
// leaves the shopper to the next run; pages of accounts, with progress in the log; nothing outside notice;
// shoppers who verify an address later are reached by the next walk.

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
import { NOTICE_MAILS, noticeMailId, noticeMailJob, type NoticeMailDeps, type NoticeMailRecord } from '../../src/notice-mail/notice-mail-job.ts';
import { unsubscribeTokens } from '../../src/notice-mail/unsubscribe-token.ts';
import { seedPartners } from '../../src/partners/partners.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { wrapStore } from '../support/store-wrapper.ts';

const IN_NOTICE = '2013-09-20T10:00:00+08:00';
const ISSUER = 'https://denglu.test';

interface Shopper {
  id: string;
  providers?: string[];
  shops?: string[];
  email?: string;
  verified?: boolean;
  locale?: string;
  chosen?: 'zh-CN' | 'en';
  off?: boolean;
}

function account(s: Shopper, now: number): Account {
  return {
    id: s.id,
    createdAt: now,
    identities: (s.providers ?? ['weibo']).map((provider) => ({
      provider,
      subject: `${provider}-${s.id}`,
      keys: [`${provider}:uid:${s.id}`],
      displayName: `name-${s.id}`,
      linkedAt: now,
      lastUsedAt: now,
    })),
    profile: { name: `name-${s.id}`, ...(s.locale ? { locale: s.locale } : {}) },
    shops: Object.fromEntries((s.shops ?? ['jd']).map((p) => [p, { firstAt: now, lastAt: now, lastProvider: 'weibo' }])),
    ...(s.email ? { native: { email: s.email, ...(s.verified === false ? {} : { emailVerifiedAt: now }) } } : {}),
    ...(s.off || s.chosen ? { noticeMail: { ...(s.off ? { offAt: now } : {}), ...(s.chosen ? { locale: s.chosen } : {}) } } : {}),
  };
}

class RecordingMailer implements Mailer {
  readonly transport = 'outbox' as const;
  sent: MailMessage[] = [];
  refuse = false;
  async send(message: MailMessage): Promise<void> {
    if (this.refuse) throw new Error('smtp down');
    this.sent.push(message);
  }
  to(address: string): MailMessage[] {
    return this.sent.filter((m) => m.to === address);
  }
}

describe('notice mail: the job', () => {
  let dir: string;
  let store: Store;
  let clock: ManualClock;
  let mailer: RecordingMailer;
  let logs: string[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'denglu-notice-mail-'));
    clock = new ManualClock(IN_NOTICE);
    store = await createStore({ dataDir: dir, clock });
    await seedPartners(store, clock, sandboxPartners({ jd: 'https://jd.shop.test', taobao: 'https://taobao.shop.test' }));
    mailer = new RecordingMailer();
    logs = [];
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  function job(overrides: Partial<NoticeMailDeps> = {}) {
    const log = createLogger({ level: 'info', destination: { write: (line: string) => logs.push(line) } as unknown as NodeJS.WritableStream });
    return noticeMailJob({
      store,
      clock,
      log,
      mailer,
      issuer: ISSUER,
      tokens: unsubscribeTokens(['k'.repeat(32)], clock),
      label: (id) => DESCRIPTORS.find((d) => d.id === id)?.label,
      configured: () => new Set(['weibo', 'qq', 'sohu', 'wechat']),
      ...overrides,
    });
  }
  async function add(...shoppers: Shopper[]): Promise<void> {
    for (const s of shoppers) await store.create('accounts', s.id, account(s, clock.now()));
  }
  const progress = () => logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'notice mail progress');

  it('mails each affected shopper with a verified email once, in their language, and nobody else', async () => {
    await add(
      { id: 'a1', email: 'en@example.com', locale: 'en' },
      { id: 'a2', email: 'zh@example.com' },
      { id: 'a3', email: 'chosen@example.com', locale: 'zh-CN', chosen: 'en' },
      { id: 'a4', email: 'unverified@example.com', verified: false },
      { id: 'a5' },
      { id: 'a6', email: 'qq-only@example.com', providers: ['qq'] },
      { id: 'a7', email: 'taobao-only@example.com', shops: ['taobao'] },
      { id: 'a8', email: 'off@example.com', off: true },
    );
    assert.equal(await job().run(), 3);
    assert.deepEqual(mailer.sent.map((m) => m.to).sort(), ['chosen@example.com', 'en@example.com', 'zh@example.com']);
    const en = mailer.to('en@example.com')[0]!;
    assert.equal(en.subject, 'Weibo sign-in at JD.com (demo) ends on 25 September 2013 at 00:00 (Beijing time); link another way now');
    assert.match(en.text, /^Hello name-a1,/);
    assert.match(en.text, new RegExp(`${ISSUER}/account\\?ui_locales=en\\n`));
    assert.match(en.text, new RegExp(`${ISSUER}/notice-mail/unsubscribe\\?token=[\\w.-]+$`));
    const zh = mailer.to('zh@example.com')[0]!;
    assert.equal(zh.subject, '京东（演示）将于9月25日 0:00（北京时间）起停止支持微博登录，请现在绑定另一种登录方式');
    assert.match(zh.text, /ui_locales=zh-CN/);
    assert.match(mailer.to('chosen@example.com')[0]!.subject, /^Weibo sign-in at JD\.com/, "the language chosen on the account page wins over the profile's");
    const record = await store.get<NoticeMailRecord>(NOTICE_MAILS, noticeMailId('a1', 'jd', 'weibo'));
    assert.equal(record?.state, 'sent');
  });

  it('does not mail a shopper who already linked a way that still signs in at JD after the cutoff', async () => {
    // JD keeps QQ after Weibo's cutoff (the sandbox schedule); both shoppers used JD with Weibo.
    await add({ id: 'm1', email: 'moved@example.com', providers: ['weibo', 'qq'] }, { id: 'm2', email: 'still@example.com' });
    assert.equal(await job().run(), 1);
    assert.deepEqual(
      mailer.sent.map((m) => m.to),
      ['still@example.com'],
    );
    assert.equal(await store.get(NOTICE_MAILS, noticeMailId('m1', 'jd', 'weibo')), undefined, 'no record either: a later walk looks again');
  });

  it('still mails a shopper whose other way is not configured in this deployment', async () => {
    await add({ id: 'n1', email: 'alipay@example.com', providers: ['weibo', 'alipay'] });
    assert.equal(await job().run(), 1, 'alipay is not among the configured providers of this deployment');
  });

  it('sends nothing more when it runs again, or when two instances tick at once', async () => {
    await add({ id: 'b1', email: 'b1@example.com' }, { id: 'b2', email: 'b2@example.com' });
    const tick = () => runOncePerPeriod(store, clock, 'notice-mail', 60_000, () => job({ rewalkMs: 0 }).run());
    assert.deepEqual((await Promise.all([tick(), tick()])).sort(), [false, true], 'one of two instances runs it');
    assert.equal(mailer.sent.length, 2);
    clock.advance(60_000);
    assert.equal(await tick(), true, 'it runs again a minute later, walking every account again');
    assert.equal(await job({ rewalkMs: 0 }).run(), 0);
    assert.equal(mailer.sent.length, 2, 'still one message each');
  });

  it('resumes after a crash between the hand-over and "sent", or before a page was saved, without sending twice', async () => {
    await add(...['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => ({ id, email: `${id}@example.com` })));
    // Dies right after the mailer took c3's message, before its record says so.
    let crashAfterSend = true;
    const crashing = wrapStore(store, (method, args) => {
      if (crashAfterSend && method === 'put' && args[0] === NOTICE_MAILS && args[1] === noticeMailId('c3', 'jd', 'weibo')) throw new Error('crash');
    });
    await assert.rejects(job({ store: crashing, pageSize: 2 }).run(), /crash/);
    assert.deepEqual(
      mailer.sent.map((m) => m.to),
      ['c1@example.com', 'c2@example.com', 'c3@example.com'],
    );
    crashAfterSend = false;
    // Dies after mailing c4 and c5, before their page's progress is saved: the page is walked again.
    let crashOnProgress = true;
    const crashingAgain = wrapStore(store, (method, args) => {
      if (crashOnProgress && method === 'put' && args[0] === 'notice_mail_runs' && mailer.sent.length === 5) throw new Error('crash');
    });
    await assert.rejects(job({ store: crashingAgain, pageSize: 2 }).run(), /crash/);
    crashOnProgress = false;
    assert.equal(await job({ pageSize: 2 }).run(), 0);
    assert.deepEqual(mailer.sent.map((m) => m.to).sort(), ['c1@example.com', 'c2@example.com', 'c3@example.com', 'c4@example.com', 'c5@example.com']);
  });

  it('leaves a shopper whose message the mailer refused to the next run', async () => {
    await add({ id: 'd1', email: 'd1@example.com' });
    mailer.refuse = true;
    await assert.rejects(job().run(), /smtp down/);
    assert.equal(await store.get(NOTICE_MAILS, noticeMailId('d1', 'jd', 'weibo')), undefined);
    mailer.refuse = false;
    assert.equal(await job().run(), 1);
    assert.equal(mailer.to('d1@example.com').length, 1);
  });

  it('walks the accounts a page at a time and logs its progress', async () => {
    await add(...Array.from({ length: 7 }, (_, i) => ({ id: `p${i}`, email: `p${i}@example.com` })));
    const limits: (number | undefined)[] = [];
    const listing = wrapStore(store, (method, args) => {
      if (method === 'dump' && args[0] === 'accounts') limits.push((args[1] as { limit?: number }).limit);
      assert.notEqual(method === 'list' && args[0] === 'accounts', true, 'never lists every account');
    });
    assert.equal(await job({ store: listing, pageSize: 3 }).run(), 7);
    assert.deepEqual(limits, [3, 3, 3]);
    assert.deepEqual(
      progress().map((p) => [p.partner, p.provider, p.scanned, p.sent, p.done]),
      [
        ['jd', 'weibo', 3, 3, false],
        ['jd', 'weibo', 6, 6, false],
        ['jd', 'weibo', 7, 7, true],
      ],
    );
    assert.ok(!logs.some((l) => l.includes('@example.com')), 'no address in the log');
  });

  it('sends nothing before the notice or once Weibo is cut off', async () => {
    await add({ id: 'e1', email: 'e1@example.com' });
    clock.set('2013-09-09T23:59:00+08:00');
    assert.equal(await job().run(), 0);
    clock.set('2013-09-25T00:00:00+08:00');
    assert.equal(await job().run(), 0);
    assert.equal(mailer.sent.length, 0);
  });

  it('reaches a shopper who verified an address after the walk, on the next walk', async () => {
    await add({ id: 'f1', email: 'f1@example.com', verified: false });
    assert.equal(await job().run(), 0);
    await store.update<Account>('accounts', 'f1', (a) => ({ ...a, native: { ...a.native, emailVerifiedAt: clock.now() } }));
    clock.advance(60 * 60 * 1000);
    assert.equal(await job().run(), 0, 'a finished walk waits for its period');
    clock.advance(6 * 60 * 60 * 1000);
    assert.equal(await job().run(), 1);
    assert.equal(mailer.to('f1@example.com').length, 1);
  });
});
