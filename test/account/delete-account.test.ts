// Deleting an account at the store level, on both backends (embedded, and PostgreSQL like the contract
// suite): everything tied to the account goes (its document with its unique identity, email and phone
// keys, OIDC artifacts, notice-mail records, mailed links, raw login events, per-shop usage) while other
// accounts keep theirs and the per-day counts stay; every audit entry that named the account keeps the
// action under a one-way tombstone id, without the personal data it held, and the deletion's own entry
// names the tombstone only; one `account.deleted` event names the shops it used,
// each delivered with that shop's own pairwise sub. A crash at any step leaves an account that either
// still fully exists or can no longer sign in, and a re-run finishes the job without telling anyone twice.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import type { Account } from '../../src/accounts/account.ts';
import { ACCOUNT_DELETE_ACTION, deleteAccount } from '../../src/accounts/delete-account.ts';
import { TOKENS_COLLECTION } from '../../src/accounts/native-tokens.ts';
import { appendAudit, type AuditEntry, listAudit } from '../../src/audit/audit.ts';
import { tombstoneId } from '../../src/audit/forget-account.ts';
import { LOGIN_EVENTS_COLLECTION, rawEventPrefix } from '../../src/events/forget-account.ts';
import { LOGIN_DAYS_COLLECTION, loginDayId } from '../../src/events/login-days.ts';
import { ManualClock } from '../../src/clock.ts';
import { SHOP_USAGE_COLLECTION, shopUsageId } from '../../src/events/shop-usage.ts';
import { createLogger } from '../../src/log.ts';
import { NOTICE_MAILS, noticeMailId } from '../../src/notice-mail/notice-mail-job.ts';
import { pairwiseSubject } from '../../src/oidc/pairwise.ts';
import { seedPartners, type PartnerSeed } from '../../src/partners/partners.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { dispatchWebhooks } from '../../src/webhooks/dispatcher.ts';
import { createEndpoint } from '../../src/webhooks/endpoints.ts';
import { EVENTS_COLLECTION, type PendingEvent } from '../../src/webhooks/events.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';
import { startReceiver, type Receiver } from '../webhooks/receiver.ts';
import { shopper } from '../webhooks/shopper.ts';
import { webhookSecrets } from '../../src/webhooks/stored-secret.ts';

const SECRETS = webhookSecrets(['delete-test-cookie-key-0123456789abcdef']);
const SALT = 'test-pairwise-salt-0123456789abcdef0123';
const SUPPORT = { kind: 'operator' as const, id: 'operator' };
const log = createLogger({ level: 'silent' });

function partner(id: string): PartnerSeed {
  return { id, name: { 'zh-CN': id, en: id }, timeZone: 'Asia/Shanghai', locales: ['zh-CN', 'en'], firstParty: true, clients: [], integrations: [] };
}

/** A shopper with a verified email and password, a phone, an OIDC session, grant and refresh token, a notice mail, a mailed link and shop usage. */
async function richShopper(store: Store, id: string, shops: string[]): Promise<Account> {
  const base = shopper(id, shops);
  const account: Account = {
    ...base,
    native: { email: `${id}@example.com`, emailVerifiedAt: base.createdAt, passwordHash: 'scrypt$x', passwordSetAt: base.createdAt },
    phone: { number: `+861380000${id.length}${id.charCodeAt(id.length - 1)}`, verifiedAt: base.createdAt },
    noticeMail: { locale: 'en' },
  };
  await store.create('accounts', id, account);
  const oidc = (model: string, key: string, payload: Record<string, unknown>) =>
    store.put('oidc', `${model}:${key}`, { model, payload: { accountId: id, ...payload } }, { expiresAt: base.createdAt + 86_400_000 * 400 });
  await oidc('Session', `s-${id}`, { uid: `u-${id}`, amr: ['fed', 'weibo'], authorizations: { c: { grantId: `g-${id}` } } });
  await oidc('Grant', `g-${id}`, { jti: `g-${id}` });
  await oidc('RefreshToken', `r-${id}`, { grantId: `g-${id}`, amr: ['fed', 'weibo'] });
  await store.create(NOTICE_MAILS, noticeMailId(id, shops[0]!, 'weibo'), { accountId: id, partner: shops[0], provider: 'weibo', state: 'sent', at: 0 });
  await store.put(TOKENS_COLLECTION, `t-${id}`, { purpose: 'password-reset', accountId: id, email: account.native!.email, createdAt: 0, expiresAt: 0 });
  for (const p of shops) await store.put(SHOP_USAGE_COLLECTION, shopUsageId(p, id), { partner: p, account: id, methods: {}, lastAt: 0 });
  for (const n of [1, 2]) {
    await store.put(LOGIN_EVENTS_COLLECTION, `${rawEventPrefix(id)}00000000${n}-ab`, {
      at: n,
      partner: shops[0],
      method: 'weibo',
      outcome: 'success',
      account: id,
    });
  }
  const me = { kind: 'shopper' as const, id };
  const weibo = { provider: 'weibo', subject: `w-${id}`, displayName: `微博用户 ${id}` };
  await appendAudit(store, clock0, { actor: me, action: 'identity.link', target: { account: id, provider: 'weibo' }, before: null, after: weibo });
  await appendAudit(store, clock0, { actor: me, action: 'email.verify', target: { account: id }, before: null, after: { email: account.native!.email } });
  await appendAudit(store, clock0, {
    actor: SUPPORT,
    action: 'account.unlock',
    target: { account: id },
    before: { email: account.native!.email },
    after: null,
  });
  return account;
}

const clock0 = new ManualClock('2013-09-01T00:00:00Z');

/** Everything stored about `id`, by collection (ids only); audit entries naming it in any field. */
async function traces(store: Store, id: string): Promise<Record<string, string[]>> {
  const ids = async (collection: string, keep: (docId: string, value: unknown) => boolean) =>
    (await store.list(collection)).filter((d) => keep(d.id, d.value)).map((d) => d.id);
  return {
    accounts: await ids('accounts', (d) => d === id),
    oidc: await ids('oidc', (_d, v) => (v as { payload: { accountId?: string } }).payload.accountId === id),
    [NOTICE_MAILS]: await ids(NOTICE_MAILS, (d) => d.startsWith(`${id}|`)),
    [TOKENS_COLLECTION]: await ids(TOKENS_COLLECTION, (_d, v) => (v as { accountId: string }).accountId === id),
    [SHOP_USAGE_COLLECTION]: await ids(SHOP_USAGE_COLLECTION, (d) => d.endsWith(`:${id}`)),
    [LOGIN_EVENTS_COLLECTION]: await ids(LOGIN_EVENTS_COLLECTION, (_d, v) => JSON.stringify(v).includes(id)),
    audit: await ids('audit', (_d, v) => JSON.stringify(v).includes(id)),
  };
}

const NONE = { accounts: [], oidc: [], [NOTICE_MAILS]: [], [TOKENS_COLLECTION]: [], [SHOP_USAGE_COLLECTION]: [], [LOGIN_EVENTS_COLLECTION]: [], audit: [] };

/** `store`, except that the first call of `method` whose arguments `at` picks fails, as a crash there would. */
function crashingAt(store: Store, method: string, at: (args: unknown[]) => boolean): Store {
  let crashed = false;
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === method && !crashed && at(args)) {
          crashed = true;
          return Promise.reject(new Error(`crash at ${method}`));
        }
        return value.apply(target, args);
      };
    },
  });
}

/** The atomic write removing the account. */
const removingAccount = (args: unknown[]) => (args[0] as { op: string; collection: string }[]).some((o) => o.op === 'delete' && o.collection === 'accounts');
/** The sweep after it (mailed links first). */
const sweeping = (args: unknown[]) => args[0] === TOKENS_COLLECTION;

for (const backend of ['embedded', 'postgres'] as const) {
  describe(`deleting an account (${backend} store)`, () => {
    let dir: string;
    let db: TestDatabase | undefined;
    let store: Store;
    let clock: ManualClock;
    let receiver: Receiver;

    beforeEach(async function () {
      if (backend === 'postgres' && !(await postgresAvailable())) return this.skip();
      dir = await mkdtemp(join(tmpdir(), 'denglu-delete-'));
      db = backend === 'postgres' ? await freshDatabase('delete_account') : undefined;
      clock = new ManualClock('2013-09-20T02:00:00Z');
      store = await createStore({ dataDir: dir, clock, ...(db ? { databaseUrl: db.url } : {}) });
      receiver = await startReceiver();
      await seedPartners(store, clock, [partner('alpha'), partner('beta'), partner('gamma')]);
    });
    afterEach(async () => {
      await receiver?.close();
      await store?.close();
      await db?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('removes the account and all tied to it, keeps others, audits the id only, and tells each shop it used its own sub', async () => {
      const alpha = await createEndpoint({ store, clock, webhookSecrets: SECRETS }, SUPPORT, 'alpha', { url: receiver.url, events: ['account.deleted'] });
      await createEndpoint({ store, clock, webhookSecrets: SECRETS }, SUPPORT, 'beta', { url: `${receiver.url}?beta`, events: ['account.deleted'] });
      await createEndpoint({ store, clock, webhookSecrets: SECRETS }, SUPPORT, 'gamma', { url: `${receiver.url}?gamma`, events: ['account.deleted'] });
      const gone = await richShopper(store, 'acc-gone', ['alpha', 'beta']);
      await richShopper(store, 'acc-kept', ['alpha']);
      const keptBefore = await traces(store, 'acc-kept');
      assert.equal(keptBefore.audit.length, 3);
      const counts = { partner: 'alpha', day: 15968, zone: 'Asia/Shanghai', counts: { 'weibo|success': 2 }, created: {} };
      await store.put(LOGIN_DAYS_COLLECTION, loginDayId('alpha', 15968), counts);

      const result = await deleteAccount(store, clock, 'acc-gone', { kind: 'shopper', id: 'acc-gone' });
      assert.equal(result.deleted?.id, 'acc-gone');
      assert.deepEqual(await traces(store, 'acc-gone'), NONE);
      assert.deepEqual(await traces(store, 'acc-kept'), keptBefore, 'another account keeps everything');
      // The unique keys are free: the same Weibo uid, email and phone can belong to a new account.
      assert.equal(await store.findOne('accounts', 'identity', gone.identities[0]!.keys[0]!), undefined);
      assert.equal(await store.findOne('accounts', 'email', gone.native!.email!), undefined);
      assert.equal(await store.findOne('accounts', 'phone', gone.phone!.number), undefined);
      await store.create('accounts', 'acc-new', { ...gone, id: 'acc-new' });

      assert.deepEqual(await store.get(LOGIN_DAYS_COLLECTION, loginDayId('alpha', 15968)), counts, 'the per-day counts stay');
      const tombstone = tombstoneId('acc-gone');
      assert.match(tombstone, /^deleted-[0-9a-f]{32}$/);
      assert.notEqual(tombstone, tombstoneId('acc-kept'));
      assert.equal((await listAudit(store, { account: 'acc-gone' })).entries.length, 0, 'no entry names the account any more');
      const entries = (await listAudit(store, { account: tombstone })).entries;
      const shape = (e: AuditEntry) => ({
        action: e.action,
        actor: e.actor,
        target: e.target,
        before: e.before,
        after: e.after,
        erased: e.erasedAt !== undefined,
      });
      assert.deepEqual(
        entries.map(shape).sort((x, y) => x.action.localeCompare(y.action)),
        [
          {
            action: ACCOUNT_DELETE_ACTION,
            actor: { kind: 'shopper', id: tombstone },
            target: { account: tombstone },
            before: null,
            after: null,
            erased: false,
          },
          { action: 'account.unlock', actor: SUPPORT, target: { account: tombstone }, before: null, after: null, erased: true },
          { action: 'email.verify', actor: { kind: 'shopper', id: tombstone }, target: { account: tombstone }, before: null, after: null, erased: true },
          {
            action: 'identity.link',
            actor: { kind: 'shopper', id: tombstone },
            target: { account: tombstone, provider: 'weibo' },
            before: null,
            after: null,
            erased: true,
          },
        ],
      );
      const text = JSON.stringify(entries);
      assert.ok(!text.includes('example.com') && !text.includes('w-acc-gone') && !text.includes('微博用户'), 'no personal data left in the audit');

      const [event] = (await store.list<PendingEvent>(EVENTS_COLLECTION)).map((e) => e.value);
      assert.deepEqual([event?.type, event?.partners.sort()], ['account.deleted', ['alpha', 'beta']]);
      await dispatchWebhooks({ store, clock, log, pairwiseSalt: SALT, policy: { allowPrivate: true }, webhookSecrets: SECRETS });
      assert.equal(receiver.received.length, 2, 'alpha and beta, not gamma (never used)');
      const bodies = receiver.received.map((r) => JSON.parse(r.body) as { type: string; data: { partner: string; sub: string } });
      for (const b of bodies) {
        assert.equal(b.type, 'account.deleted');
        assert.deepEqual(b.data, { partner: b.data.partner, sub: pairwiseSubject(SALT, b.data.partner, 'acc-gone') });
      }
      const toAlpha = receiver.received.find((r) => r.body.includes('"partner":"alpha"'))!;
      const expected = new Webhook(alpha.secret).sign(
        String(toAlpha.headers['webhook-id']),
        new Date(Number(toAlpha.headers['webhook-timestamp']) * 1000),
        toAlpha.body,
      );
      assert.equal(toAlpha.headers['webhook-signature'], expected, "signed with alpha's secret (standardwebhooks)");
      assert.ok(!receiver.received.some((r) => r.body.includes('acc-gone')), 'never the account id');
    });

    it('a crash before the account is removed leaves it whole; one after leaves it unable to sign in; a re-run finishes once', async () => {
      await richShopper(store, 'acc-1', ['alpha']);
      // Crash in the atomic write: sessions ended, the account and its keys intact.
      await assert.rejects(deleteAccount(crashingAt(store, 'batch', removingAccount), clock, 'acc-1', SUPPORT), /crash at batch/);
      const left = await traces(store, 'acc-1');
      assert.deepEqual(left.accounts, ['acc-1'], 'the account still exists');
      assert.equal(left[NOTICE_MAILS].length, 1, 'with its notice-mail record');
      assert.equal((await store.list(EVENTS_COLLECTION)).length, 0, 'no shop told yet');
      assert.equal((await listAudit(store, { account: tombstoneId('acc-1') })).entries.length, 0);

      // Crash after the atomic write: the account can no longer sign in; leftovers remain.
      await assert.rejects(deleteAccount(crashingAt(store, 'list', sweeping), clock, 'acc-1', SUPPORT), /crash at list/);
      assert.deepEqual((await traces(store, 'acc-1')).accounts, []);
      assert.notDeepEqual(await traces(store, 'acc-1'), NONE, 'leftovers of the crash');

      const again = await deleteAccount(store, clock, 'acc-1', SUPPORT);
      assert.equal(again.deleted, undefined, 'already gone');
      assert.deepEqual(await traces(store, 'acc-1'), NONE, 'the re-run finished the job');
      assert.equal((await store.list(EVENTS_COLLECTION)).length, 1, 'the shops are told once');
      const entries = (await listAudit(store, { account: tombstoneId('acc-1') })).entries;
      assert.equal(entries.filter((e) => e.action === ACCOUNT_DELETE_ACTION).length, 1, 'audited once');
      assert.equal(entries.length, 4, 'and its earlier entries de-identified');
    });
  });
}
