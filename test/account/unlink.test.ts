// Unlinking from the account console (security.md L3, L4, L7): always confirmed first on a page of its own
// (GET /account/unlink/<provider>), then a POST with the CSRF token and a recent sign-in; the last way to
// sign in is never offered nor removed; shops that would become unreachable (counting scheduled phases)
// are listed on the confirmation; unlinking the way this session signed in with warns first, then signs
// out and says so; afterwards the sessions, grants and refresh tokens obtained through the identity are
// gone and Weibo's grant is revoked with the stored token.

import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { wiretap, type Wiretap } from '../e2e/e2e-checks.ts';
import { decode, type Page, type TestBrowser } from '../support/browser.ts';
import { weiboTokenWorks } from './account-support.ts';
import { atShop, authRequest, loginWith, startGateway, type Gateway } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import type { PartnerSeed } from '../../src/partners/partners.ts';
import { tokenSealer } from '../../src/accounts/upstream-token.ts';
import {
  accountOf,
  accountPage,
  assertNothingChanged,
  browserIn,
  csrfOn,
  errorOn,
  eventsOn,
  identitiesOn,
  inLockstep,
  linkWith,
  MINUTE,
  mustAccountOf,
  openConsole,
  snapshot,
} from './account-support.ts';

const at = (iso: string) => Date.parse(iso);
const COOKIE_KEY = 'account-console-test-cookie-key-0123456789';

/** Alpha ends QQ on 25 September 2013 (notice from the 10th); Beta does not offer QQ at all. */
function schedules(partners: PartnerSeed[]): PartnerSeed[] {
  return partners.map((p) => {
    if (p.id === 'alpha') {
      return {
        ...p,
        integrations: p.integrations.map((i) =>
          i.provider === 'qq' ? { ...i, noticeAt: at('2013-09-10T00:00:00+08:00'), cutoffAt: at('2013-09-25T00:00:00+08:00') } : i,
        ),
      };
    }
    if (p.id === 'beta') return { ...p, integrations: p.integrations.filter((i) => i.provider !== 'qq') };
    return p;
  });
}

/** The confirmation's unlink form on `page`, submitted with `fields` replacing its own. */
function unlink(browser: TestBrowser, page: Page, fields: Record<string, string> = {}): Promise<Page> {
  return browser.submit(page, fields, '/account/unlink');
}

/** Follows the account page's "Unlink" of `provider` to its confirmation page. */
async function askUnlink(gw: Gateway, browser: TestBrowser, provider: string): Promise<Page> {
  const confirm = await browser.click(await accountPage(gw, browser), `/account/unlink/${provider}`);
  assert.equal(confirm.status, 200, `the confirmation, not ${confirm.status} ${confirm.url.href}`);
  assert.equal(confirm.url.pathname, `/account/unlink/${provider}`);
  return confirm;
}

/** A form posted to /account/unlink with exactly these fields (a forged or broken form). */
function postUnlink(gw: Gateway, browser: TestBrowser, fields: Record<string, string>): Promise<Page> {
  return browser.go(`${gw.issuer}/account/unlink`, { method: 'POST', body: new URLSearchParams(fields) });
}

/** The hidden fields of the unlink form on a confirmation page (`confirm=yes` included). */
function confirmFields(page: Page): Record<string, string> {
  const block = /<form method="post" action="\/account\/unlink">([\s\S]*?)<\/form>/.exec(page.html)?.[1];
  assert.ok(block, 'an unlink form on the confirmation');
  return Object.fromEntries([...block.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, decode(m[2]!)]));
}

describe('account console: unlinking a provider', function () {
  let gw: Gateway;
  let clock: ManualClock;
  let tap: Wiretap;
  /** The shopper: Weibo at Alpha and Beta, QQ linked; the console signed in with QQ. */
  let shopper: TestBrowser;
  /** Someone else holding the shopper's Weibo: signed in through it at Alpha, with a refresh token. */
  let attacker: TestBrowser;
  let attackerRefresh: string;

  before(async () => {
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    gw = await startGateway({ clock, partners: schedules, env: { ACCOUNT_REAUTH_SECONDS: '120', COOKIE_KEYS: COOKIE_KEY } });
    tap = wiretap(gw.emulators.weibo!);
    shopper = browserIn('en');
    await loginWith(gw, shopper, 'alpha-basic', 'weibo', 'victim');
    await loginWith(gw, browserIn('en'), 'beta-basic', 'weibo', 'victim');
    await openConsole(gw, shopper, 'weibo', 'victim');
    assert.equal((await linkWith(gw, shopper, 'qq', 'victim-qq')).url.search, '?notice=linked&provider=qq');
    clock.advance(MINUTE);
    await openConsole(gw, shopper, 'qq', 'victim-qq', true);
    attacker = browserIn('en');
    const { tokens } = await loginWith(gw, attacker, 'alpha-basic', 'weibo', 'victim', { scope: 'openid profile offline_access', prompt: 'consent' });
    assert.ok(tokens.refresh_token, 'the attacker holds a refresh token');
    attackerRefresh = tokens.refresh_token;
    await loginWith(gw, browserIn('en'), 'alpha-basic', 'weibo', 'solo'); // an account with Weibo only
  });
  after(async () => {
    await gw.close();
  });

  it('refuses a POST without the CSRF token or with a wrong one: 403, nothing changed', async () => {
    const fields = confirmFields(await askUnlink(gw, shopper, 'qq'));
    const before = await snapshot(gw);
    for (const [what, csrf] of [
      ['missing token', undefined],
      ['wrong token', `${fields._csrf!.slice(0, -4)}0000`],
    ] as const) {
      const { _csrf, ...rest } = fields;
      const refused = await postUnlink(gw, shopper, csrf === undefined ? rest : { ...rest, _csrf: csrf });
      assert.equal(refused.status, 403, what);
      assert.match(refused.html, /data-error-code="ERR_CSRF"/, what);
    }
    await assertNothingChanged(gw, before, 'CSRF refusals');
    assert.deepEqual(identitiesOn(await accountPage(gw, shopper)), ['weibo', 'qq']);
  });

  it('a session older than ACCOUNT_REAUTH_SECONDS (here 120) is sent to sign in again, nothing changed', async () => {
    const confirm = await askUnlink(gw, shopper, 'qq');
    clock.advance(2 * MINUTE + 1000);
    const before = await snapshot(gw);
    const again = await shopper.go(`${gw.issuer}/account/unlink/qq`, { stopAt: (url) => url.pathname === '/account/login' });
    assert.equal(again.hops[0]!.location, '/account/login?reauth=1', 'even the confirmation asks to sign in again first');
    const asked = await unlink(shopper, confirm);
    assert.equal(asked.hops[0]!.status, 303);
    assert.equal(asked.hops[0]!.location, '/account/login?reauth=1');
    assert.equal(
      asked.hops
        .map((h) => new URL(h.url))
        .find((u) => u.pathname === '/auth')!
        .searchParams.get('prompt'),
      'login',
    );
    assert.ok(asked.url.pathname.startsWith('/interaction/'), `the chooser, not ${asked.url.href}`);
    await assertNothingChanged(gw, before, 'stale session');
    // Signing in again with QQ makes it recent.
    await openConsole(gw, shopper, 'qq', 'victim-qq', true);
  });

  it('refuses to remove the last way to sign in: 409 with the reason, nothing changed', async () => {
    const solo = browserIn('en');
    const page = await openConsole(gw, solo, 'weibo', 'solo');
    assert.deepEqual(identitiesOn(page), ['weibo']);
    assert.doesNotMatch(page.html, /data-unlink=/, 'no "Unlink" on the only way to sign in');
    assert.match(page.html, /data-only-method="weibo">Your only way to sign in: add another before you can remove it\.</);
    const subject = (await mustAccountOf(gw, 'weibo', 'solo')).identities[0]!.subject;
    const before = await snapshot(gw);
    const asked = await solo.go(`${gw.issuer}/account/unlink/weibo`);
    assert.equal(asked.status, 409, 'no confirmation for the only way either');
    assert.equal(decode(errorOn(asked) ?? ''), 'This is your only way to sign in; add another before unlinking it.');
    const forged = { _csrf: csrfOn(page), provider: 'weibo', subject, confirm: 'yes' };
    const refused = await postUnlink(gw, solo, forged);
    assert.equal(refused.status, 409);
    assert.equal(refused.url.pathname, '/account/unlink');
    assert.equal(decode(errorOn(refused) ?? ''), 'This is your only way to sign in; add another before unlinking it.');
    assert.deepEqual(identitiesOn(refused), ['weibo'], 'still listed');
    await assertNothingChanged(gw, before, 'last method');
    assert.equal(tap.count('/oauth2/revokeoauth2'), 0, 'nothing revoked at Weibo');
    // And in Chinese.
    solo.acceptLanguage = 'zh-CN';
    const zh = await postUnlink(gw, solo, { ...forged, _csrf: csrfOn(await accountPage(gw, solo)) });
    assert.equal(zh.status, 409);
    assert.equal(errorOn(zh), '这是您唯一的登录方式，请先添加另一种方式再解除绑定。');
    await assertNothingChanged(gw, before, 'last method (zh-CN)');
  });

  it("refuses another account's identity as not found (no IDOR), nothing changed", async () => {
    const solo = await mustAccountOf(gw, 'weibo', 'solo');
    const page = await askUnlink(gw, shopper, 'weibo');
    const before = await snapshot(gw);
    const refused = await unlink(shopper, page, { provider: 'weibo', subject: solo.identities[0]!.subject });
    assert.equal(refused.status, 404);
    assert.ok(errorOn(refused), 'an explanation on the account page');
    await assertNothingChanged(gw, before, "another account's identity");
  });

  it('a POST without confirm=yes (an old form, a script) removes nothing and shows the confirmation', async () => {
    const { confirm: _yes, ...unconfirmed } = confirmFields(await askUnlink(gw, shopper, 'qq'));
    const before = await snapshot(gw);
    const asked = await postUnlink(gw, shopper, unconfirmed);
    assert.equal(asked.status, 200);
    assert.match(asked.html, /<h1 id="confirm-title">Unlink QQ\?<\/h1>/);
    assert.match(asked.html, /data-signs-out="1"/, 'this session signed in with QQ');
    await assertNothingChanged(gw, before, 'unconfirmed POST');
  });

  it('asks for confirmation, listing the shops that would become unreachable (now or by schedule)', async () => {
    const before = await snapshot(gw);
    const confirm = await askUnlink(gw, shopper, 'weibo');
    assert.match(confirm.html, /<h1 id="confirm-title">Unlink Weibo\?<\/h1>/);
    assert.match(confirm.html, /<p class="lead">Afterwards you can no longer sign in with Weibo\.<\/p>/);
    assert.match(confirm.html, /<button type="submit" class="danger" data-confirm-unlink="1">Unlink anyway<\/button>/, 'destructive, in red');
    assert.doesNotMatch(confirm.html, /data-signs-out/, 'this session signed in with QQ: it stays');
    const risks = [...confirm.html.matchAll(/<ul class="risks">([\s\S]*?)<\/ul>/g)].flatMap((m) =>
      [...m[1]!.matchAll(/<li>([^<]*)<\/li>/g)].map((r) => decode(r[1]!)),
    );
    assert.deepEqual(risks, [
      'Alpha Shop: your remaining ways to sign in stop there on 25 September 2013',
      'Beta Shop: none of your remaining ways to sign in works there',
    ]);
    assert.match(confirm.html, /<a class="button" href="\/account" data-cancel="1">Cancel<\/a>/);
    // The same question in Chinese.
    shopper.acceptLanguage = 'zh-CN';
    const zh = await askUnlink(gw, shopper, 'weibo').finally(() => {
      shopper.acceptLanguage = 'en';
    });
    assert.match(zh.html, /<h1 id="confirm-title">确定解除绑定微博？<\/h1>/);
    assert.match(zh.html, /<p class="lead">解除后，您将不能再用微博登录。<\/p>/);
    assert.match(zh.html, /data-confirm-unlink="1">仍然解除绑定<\/button>/);
    await assertNothingChanged(gw, before, 'asking for confirmation');
    assert.equal(tap.count('/oauth2/revokeoauth2'), 0);
  });

  it('on confirmation removes Weibo, ends what was obtained through it, and revokes the grant at Weibo', async () => {
    clock.advance(MINUTE); // the unlink happens after the link: events are ordered by time
    const stored = (await mustAccountOf(gw, 'weibo', 'victim')).identities.find((i) => i.provider === 'weibo')!;
    assert.ok(stored.upstreamToken, 'the Weibo token is kept, sealed');
    const token = await tokenSealer([COOKIE_KEY]).open(stored.upstreamToken);
    assert.ok(token && (await weiboTokenWorks(gw, token)), 'the stored token works at Weibo before');
    const shop = gw.shops['alpha-basic']!;
    const silent = async (browser: TestBrowser) => {
      const request = await authRequest(shop, { prompt: 'none' });
      const back = await browser.go(request.url, { stopAt: atShop(shop) });
      assert.equal(back.status, 0);
      return back.url.searchParams;
    };
    assert.ok((await silent(attacker)).get('code'), "before: the attacker's Denglu session signs in silently");
    const auditBefore = (await snapshot(gw)).audit;

    const confirm = await askUnlink(gw, shopper, 'weibo');
    const done = await unlink(shopper, confirm);
    assert.equal(done.url.search, '?notice=unlinked&provider=weibo', done.html.slice(0, 400));
    assert.match(done.html, /Weibo is unlinked; sign-ins and grants obtained through it have ended\./);
    assert.deepEqual(identitiesOn(done), ['qq']);
    assert.equal(await accountOf(gw, 'weibo', 'victim'), undefined, 'no account holds that Weibo identity');
    assert.equal((await snapshot(gw)).audit, auditBefore + 1, 'one audit entry');

    // L3: the attacker's session no longer signs in silently, and the refresh token is dead.
    assert.equal((await silent(attacker)).get('error'), 'login_required');
    assert.match((await accountPage(gw, attacker)).html, /Sign in to see and manage the ways you sign in\./);
    await assert.rejects(oidc.refreshTokenGrant(shop.config, attackerRefresh), (err: any) => err.error === 'invalid_grant');
    // The shopper's own session (signed in with QQ) is untouched.
    assert.match((await accountPage(gw, shopper)).html, /data-identity="qq"/);

    // Weibo's revokeoauth2 was called once and the stored token stopped working.
    const revokes = tap.requests.filter((r) => r.path === '/oauth2/revokeoauth2');
    assert.equal(revokes.length, 1);
    assert.equal(revokes[0]!.status, 200);
    assert.deepEqual(JSON.parse(revokes[0]!.body), { result: 'true' });
    assert.equal(await weiboTokenWorks(gw, token), false, 'the token no longer works at Weibo');
  });

  it("link and unlink are on the account page's recent security events, newest first (en and zh-CN)", async () => {
    // A shopper of its own: Weibo, then QQ linked, then Weibo unlinked (confirmed) a minute later.
    const events = browserIn('en');
    await loginWith(gw, events, 'alpha-basic', 'weibo', 'events');
    await openConsole(gw, events, 'weibo', 'events');
    await linkWith(gw, events, 'qq', 'events-qq');
    await openConsole(gw, events, 'qq', 'events-qq', true);
    clock.advance(MINUTE); // events are ordered by time
    const done = await unlink(events, await askUnlink(gw, events, 'weibo'));
    assert.equal(done.url.search, '?notice=unlinked&provider=weibo', done.html.slice(0, 400));
    assert.deepEqual(eventsOn(await accountPage(gw, events)), ['unlinked Weibo', 'linked QQ']);
    const zh = browserIn('zh-CN');
    await openConsole(gw, zh, 'qq', 'events-qq');
    assert.deepEqual(eventsOn(await accountPage(gw, zh)), ['解除绑定微博', '绑定了QQ']);
  });

  it('two tabs unlinking the last two ways at the same moment: one is refused, one way remains', async () => {
    const tabs = browserIn('en');
    await loginWith(gw, tabs, 'alpha-basic', 'weibo', 'two-tabs');
    await openConsole(gw, tabs, 'weibo', 'two-tabs');
    await linkWith(gw, tabs, 'sohu', 'two-tabs-sohu');
    const account = await mustAccountOf(gw, 'weibo', 'two-tabs');
    const [weibo, sohu] = [confirmFields(await askUnlink(gw, tabs, 'weibo')), confirmFields(await askUnlink(gw, tabs, 'sohu'))];
    const auditBefore = (await snapshot(gw)).audit;

    // Both requests read the account (two ways to sign in) before either removes one.
    const lockstep = inLockstep(gw, 'get', (collection, id) => collection === 'accounts' && id === account.id, 1);
    const pages = await Promise.all([postUnlink(gw, tabs, { ...weibo, confirm: 'yes' }), postUnlink(gw, tabs, { ...sohu, confirm: 'yes' })]).finally(
      lockstep.restore,
    );
    assert.ok(lockstep.met() >= 1, 'the two unlinks read the account at the same moment');
    const refused = pages.filter((p) => p.status === 409);
    assert.equal(refused.length, 1, `one refused: ${pages.map((p) => `${p.status} ${p.url.pathname}${p.url.search}`).join(', ')}`);
    assert.equal(decode(errorOn(refused[0]!) ?? ''), 'This is your only way to sign in; add another before unlinking it.');
    assert.equal(identitiesOn(refused[0]!).length, 1, 'the refusal shows the account as it is now');
    assert.equal((await gw.store.get<{ identities: unknown[] }>('accounts', account.id))!.identities.length, 1, 'one way to sign in remains');
    assert.equal((await snapshot(gw)).audit, auditBefore + 1, 'one identity.unlink entry');
  });

  it('unlinking the way this session signed in with warns first, then signs out and says so (not a success)', async () => {
    const other = browserIn('en');
    await loginWith(gw, other, 'alpha-basic', 'weibo', 'other');
    await openConsole(gw, other, 'weibo', 'other');
    await linkWith(gw, other, 'sohu', 'other-sohu');
    const confirm = await askUnlink(gw, other, 'weibo');
    assert.match(
      confirm.html,
      /<p class="alert warn-signout" role="alert" data-signs-out="1">You signed in with Weibo this time: unlinking it signs you out, and sign-ins made with it end\. Then sign in again another way\.<\/p>/,
    );
    assert.match(confirm.html, /class="danger" data-confirm-unlink="1">Unlink and sign out<\/button>/);
    // Cancel changes nothing and keeps the session.
    const before = await snapshot(gw);
    const cancelled = await other.click(confirm, '/account');
    assert.deepEqual(identitiesOn(cancelled), ['weibo', 'sohu']);
    await assertNothingChanged(gw, before, 'cancel');
    // Weibo fails to revoke this time: the shopper is told to revoke it at Weibo.
    gw.emulators.weibo!.emulator.faults.set('revokeoauth2', 'status500', 1);
    const done = await unlink(other, confirm);
    assert.equal(done.url.pathname, '/account/signed-out');
    assert.equal(done.url.search, '?provider=weibo&revoke=failed');
    const revokeLog = gw.logs.map((line) => JSON.parse(line) as { msg?: string; step?: string }).findLast((l) => l.msg === 'upstream revoke failed');
    assert.equal(revokeLog?.step, 'revoke', 'the operator log names the revoke step');
    assert.match(done.html, /<h1>You are signed out<\/h1>/);
    assert.match(done.html, /data-signed-out="weibo">Weibo is unlinked\. You had signed in with Weibo, so you are now signed out\.<\/p>/);
    assert.match(done.html, /Its authorization at Weibo could not be revoked; you can revoke it in your Weibo settings\./);
    assert.doesNotMatch(done.html, /notice-ok/, 'no green success banner');
    assert.match((await other.go(`${gw.issuer}/account`)).html, /Sign in to see and manage the ways you sign in\./, 'the Weibo session has ended');
    assert.deepEqual(
      (await mustAccountOf(gw, 'sohu', 'other-sohu')).identities.map((i) => i.provider),
      ['sohu'],
    );
    // And in Chinese; the page names only a known provider, and only to someone signed out.
    other.acceptLanguage = 'zh-CN';
    const zh = await other.go(`${gw.issuer}/account/signed-out?provider=weibo`);
    assert.match(zh.html, /<h1>您已退出登录<\/h1>/);
    assert.match(zh.html, /已解除绑定微博。您这次是用微博登录的，所以已经退出登录。/);
    const unknown = await other.go(`${gw.issuer}/account/signed-out?provider=${encodeURIComponent('your bank')}`);
    assert.equal(unknown.url.pathname, '/account');
    assert.doesNotMatch(unknown.html, /your bank/);
    const signedIn = await shopper.go(`${gw.issuer}/account/signed-out?provider=weibo`);
    assert.equal(signedIn.url.pathname, '/account', 'someone signed in is not told they are signed out');
    // The query cannot put words of its own on the page.
    const forged = await other.go(`${gw.issuer}/account?notice=unlinked&provider=${encodeURIComponent('your bank')}`);
    assert.doesNotMatch(forged.html, /your bank/);
  });
});
