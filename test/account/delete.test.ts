// "Delete my account / 注销账号" end to end: a shopper signed in at two shops confirms on a page of its own
// (zh-CN and en) naming the sign-in methods that go and the shops that are told; a POST without the CSRF
// token or from a stale sign-in changes nothing; the deletion sends each shop's endpoint `account.deleted`
// with the `sub` that shop got (signature checked with the standardwebhooks library), ends the session and
// the refresh token, and the same Weibo identity then signs in as a new account (new `sub`). The
// operator's path (admin API and `denglu account delete`) runs the same deletion and is safe to repeat.

import { tombstoneId } from '../../src/audit/forget-account.ts';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { Webhook } from 'standardwebhooks';
import { ManualClock } from '../../src/clock.ts';
import { runCli } from '../../src/cli/run.ts';
import { decode, type Page, type TestBrowser } from '../support/browser.ts';
import { loginWith, startGateway, type Gateway } from '../support/gateway.ts';
import { client, OPERATOR } from '../admin/admin-client.ts';
import { startReceiver, type Receiver } from '../webhooks/receiver.ts';
import {
  accountOf,
  accountPage,
  assertNothingChanged,
  browserIn,
  csrfOn,
  MINUTE,
  mustAccountOf,
  openConsole,
  snapshot,
  weiboTokenWorks,
} from './account-support.ts';
import { tokenSealer } from '../../src/accounts/upstream-token.ts';

const COOKIE_KEY = 'account-delete-test-cookie-key-0123456789';

function postDelete(gw: Gateway, browser: TestBrowser, fields: Record<string, string>): Promise<Page> {
  return browser.go(`${gw.issuer}/account/delete`, { method: 'POST', body: new URLSearchParams(fields) });
}

/** The body of a delivery, after checking its signature with the endpoint's secret. */
function verified(secret: string, r: Receiver['received'][number]): { type: string; data: Record<string, unknown> } {
  const expected = new Webhook(secret).sign(String(r.headers['webhook-id']), new Date(Number(r.headers['webhook-timestamp']) * 1000), r.body);
  assert.equal(r.headers['webhook-signature'], expected, 'signed with this endpoint’s secret');
  return JSON.parse(r.body);
}

describe('account console: deleting the account', function () {
  let gw: Gateway;
  let receiver: Receiver;
  const secrets: Record<string, string> = {};
  const clock = new ManualClock('2013-09-01T10:00:00+08:00');
  let shopper: TestBrowser;
  const subs: Record<string, string> = {};
  let refresh: string;

  before(async () => {
    gw = await startGateway({ clock, env: { ACCOUNT_REAUTH_SECONDS: '120', COOKIE_KEYS: COOKIE_KEY } });
    receiver = await startReceiver();
    const op = client(gw, OPERATOR);
    for (const p of ['alpha', 'beta', 'gamma']) {
      const created = await op.post(`/partners/${p}/webhooks`, { url: `${receiver.url}?${p}`, events: ['account.deleted', 'identity.linked'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      secrets[p] = created.body.secret;
    }
    shopper = browserIn('en');
    const atAlpha = await loginWith(gw, shopper, 'alpha-basic', 'weibo', 'leaver', { scope: 'openid profile offline_access', prompt: 'consent' });
    assert.ok(atAlpha.tokens.refresh_token, 'alpha holds a refresh token');
    refresh = atAlpha.tokens.refresh_token;
    subs.alpha = atAlpha.claims.sub;
    subs.beta = (await loginWith(gw, shopper, 'beta-basic', 'weibo', 'leaver')).claims.sub;
    await openConsole(gw, shopper, 'weibo', 'leaver');
    await gw.denglu.webhooks.tick();
    receiver.received.length = 0;
  });
  after(async () => {
    await receiver?.close();
    await gw?.close();
  });

  it('offers "Delete my account" on the account page and confirms on a page naming the methods and the shops told, in English and Chinese', async () => {
    const page = await accountPage(gw, shopper);
    assert.match(page.html, /<h2 id="delete-account-title">Delete my account<\/h2>/);
    const confirm = await shopper.click(page, '/account/delete');
    assert.equal(confirm.status, 200);
    assert.match(confirm.html, /<h1 id="confirm-title">Delete your Denglu account\?<\/h1>/);
    assert.match(confirm.html, /<ul class="risks" data-methods="1"><li>Weibo<\/li><\/ul>/);
    assert.match(confirm.html, /data-shops="1"><li>[^<]+<\/li><li>[^<]+<\/li><\/ul>/, 'the two shops used');
    assert.match(decode(confirm.html), /This cannot be undone\. Signing in later with the same Weibo/);
    shopper.acceptLanguage = 'zh-CN';
    const zh = await shopper.go(`${gw.issuer}/account/delete`);
    assert.match(zh.html, /确定注销您的 Denglu 账号？/);
    assert.match(zh.html, /注销无法撤销/);
    assert.match((await accountPage(gw, shopper)).html, /<h2 id="delete-account-title">注销账号<\/h2>/);
    shopper.acceptLanguage = 'en';
  });

  it('refuses a POST without the CSRF token, without confirm=yes, or from a stale sign-in: nothing changed', async () => {
    const token = csrfOn(await shopper.go(`${gw.issuer}/account/delete`));
    const before = await snapshot(gw);
    const missing = await postDelete(gw, shopper, { confirm: 'yes' });
    assert.equal(missing.status, 403);
    assert.match(missing.html, /data-error-code="ERR_CSRF"/);
    const wrong = await postDelete(gw, shopper, { confirm: 'yes', _csrf: `${token.slice(0, -4)}0000` });
    assert.equal(wrong.status, 403);
    const unconfirmed = await postDelete(gw, shopper, { _csrf: token });
    assert.equal(unconfirmed.status, 200);
    assert.match(unconfirmed.html, /data-confirm="delete-account"/, 'the confirmation again');
    clock.advance(2 * MINUTE + 1000);
    const stale = await shopper.go(`${gw.issuer}/account/delete`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: token, confirm: 'yes' }),
      stopAt: (u) => u.pathname === '/account/login',
    });
    assert.equal(stale.hops[0]!.location, '/account/login?reauth=1');
    await assertNothingChanged(gw, before, 'refused deletions');
    await gw.denglu.webhooks.tick();
    assert.equal(receiver.received.length, 0, 'no shop told');
    assert.ok(await accountOf(gw, 'weibo', 'leaver'));
    await openConsole(gw, shopper, 'weibo', 'leaver', true);
  });

  it('deletes on confirmation: each shop gets account.deleted with its own sub, the session and refresh token end, the same Weibo makes a new account', async () => {
    const old = await mustAccountOf(gw, 'weibo', 'leaver');
    const confirm = await shopper.go(`${gw.issuer}/account/delete`);
    const done = await shopper.submit(confirm, {}, '/account/delete');
    assert.equal(done.url.pathname, '/account/deleted');
    assert.equal(done.status, 200);
    assert.match(done.html, /data-account-deleted="1"/);
    assert.equal(await accountOf(gw, 'weibo', 'leaver'), undefined);

    await gw.denglu.webhooks.tick();
    const deliveries = receiver.received.filter((r) => JSON.parse(r.body).type === 'account.deleted');
    assert.equal(deliveries.length, 2, 'alpha and beta; gamma was never used');
    for (const r of deliveries) {
      const partner = JSON.parse(r.body).data.partner as string;
      const body = verified(secrets[partner]!, r);
      assert.deepEqual(body.data, { partner, sub: subs[partner] }, `${partner} gets the sub it knows`);
      const other = partner === 'alpha' ? subs.beta! : subs.alpha!;
      assert.ok(!r.body.includes(other) && !r.body.includes(old.id), "never another shop's sub nor the account id");
    }

    // The console session is gone, and the shop's refresh token no longer works.
    const signedOut = await shopper.go(`${gw.issuer}/account`);
    assert.doesNotMatch(signedOut.html, /data-delete-account/, 'not the account page');
    assert.match(signedOut.html, /href="\/account\/login"/, 'the sign-in page');
    await assert.rejects(oidc.refreshTokenGrant(gw.shops['alpha-basic']!.config, refresh), (err: { error?: string }) => err.error === 'invalid_grant');

    const audit = (await client(gw, OPERATOR).get('/audit?action=account.delete')).body.entries;
    assert.deepEqual(
      audit.map((e: { actor: unknown; target: unknown }) => [e.actor, e.target]),
      [[{ kind: 'shopper', id: tombstoneId(old.id) }, { account: tombstoneId(old.id) }]],
      'the deletion is audited under the tombstone id',
    );
    const byTombstone = (await client(gw, OPERATOR).get(`/audit?account=${tombstoneId(old.id)}`)).body.entries;
    assert.deepEqual(
      byTombstone
        .map((e: { action: string; actor: { id: string }; after: unknown }) => [e.action, e.actor.id, e.after])
        .sort((x: string[], y: string[]) => x[0]!.localeCompare(y[0]!)),
      [
        ['account.delete', tombstoneId(old.id), null],
        ['account.upstream_revoke', tombstoneId(old.id), { outcome: 'revoked' }],
      ],
      "found by the tombstone id, Weibo's grant revoked after the deletion",
    );
    assert.equal((await client(gw, OPERATOR).get(`/audit?account=${old.id}`)).body.entries.length, 0);

    const again = await loginWith(gw, browserIn('en'), 'alpha-basic', 'weibo', 'leaver');
    assert.notEqual(again.claims.sub, subs.alpha, 'a new account: a new sub');
    assert.notEqual((await mustAccountOf(gw, 'weibo', 'leaver')).id, old.id);
  });

  it('lets the operator delete an account (admin API and `denglu account delete`), safe to repeat; managers may not', async () => {
    await loginWith(gw, browserIn('en'), 'beta-basic', 'weibo', 'support-case');
    const account = await mustAccountOf(gw, 'weibo', 'support-case');
    const token = await tokenSealer([COOKIE_KEY]).open(account.identities[0]!.upstreamToken!);
    assert.ok(token && (await weiboTokenWorks(gw, token)), 'the stored token works at Weibo before');
    const manager = (await client(gw, OPERATOR).post('/managers', { name: 'Beta manager', partners: ['beta'] })).body.token as string;
    const before = await snapshot(gw);
    assert.equal((await client(gw, manager).delete(`/accounts/${account.id}`)).status, 403);
    await assertNothingChanged(gw, before, "a manager's request");

    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    const argv = ['account', 'delete', account.id, '--url', gw.issuer, '--token', OPERATOR];
    assert.equal(await runCli(argv, {}, io), 0, out.join('\n'));
    assert.match(out.join('\n'), /Deleted account .*; 1 shop\(s\) get account\.deleted\. The audit log names it deleted-[0-9a-f]{32}\./);
    assert.match(out.join('\n'), /Provider grants: weibo revoked\./);
    assert.equal(await accountOf(gw, 'weibo', 'support-case'), undefined);
    assert.equal(await weiboTokenWorks(gw, token), false, "the operator's deletion revoked the grant at Weibo");
    const revokes = (await client(gw, OPERATOR).get(`/audit?account=${tombstoneId(account.id)}&action=account.upstream_revoke`)).body.entries;
    assert.deepEqual(
      revokes.map((e: { actor: unknown; target: unknown; after: unknown }) => [e.actor, e.target, e.after]),
      [[{ kind: 'operator', id: 'operator' }, { account: tombstoneId(account.id), provider: 'weibo' }, { outcome: 'revoked' }]],
    );
    const repeat = await client(gw, OPERATOR).delete(`/accounts/${account.id}`);
    assert.deepEqual(repeat.body, { account: account.id, deleted: false, partnersTold: 0, auditAccount: tombstoneId(account.id), upstream: {} });
    receiver.received.length = 0;
    await gw.denglu.webhooks.tick();
    assert.deepEqual(
      receiver.received.map((r) => JSON.parse(r.body).data.partner),
      ['beta'],
      'told once, by the first deletion',
    );
  });

  it("the operator's deletion stands when Weibo fails to revoke the grant: answered, audited and logged without the token", async () => {
    await loginWith(gw, browserIn('en'), 'beta-basic', 'weibo', 'support-fail');
    const account = await mustAccountOf(gw, 'weibo', 'support-fail');
    const token = (await tokenSealer([COOKIE_KEY]).open(account.identities[0]!.upstreamToken!))!;
    gw.emulators.weibo!.emulator.faults.set('revokeoauth2', 'status500', 1);
    const answer = await client(gw, OPERATOR).delete(`/accounts/${account.id}`);
    assert.equal(answer.status, 200);
    assert.deepEqual([answer.body.deleted, answer.body.upstream], [true, { weibo: 'failed' }]);
    assert.equal(await accountOf(gw, 'weibo', 'support-fail'), undefined, 'deleted all the same');
    assert.equal(await weiboTokenWorks(gw, token), true, 'the grant is still at Weibo');
    const revokes = (await client(gw, OPERATOR).get(`/audit?account=${tombstoneId(account.id)}&action=account.upstream_revoke`)).body.entries;
    assert.deepEqual(
      revokes.map((e: { after: unknown }) => e.after),
      [{ outcome: 'failed' }],
    );
    const failed = gw.logs.map((line) => JSON.parse(line) as { msg?: string; step?: string }).findLast((l) => l.msg === 'upstream revoke failed');
    assert.equal(failed?.step, 'revoke', 'the log names the step');
    assert.ok(!gw.logs.some((line) => line.includes(token)), 'never the token');
  });
});
