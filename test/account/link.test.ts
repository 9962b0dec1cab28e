// Linking another provider from the account console (security.md L2, L4–L6): a POST with the CSRF token
// and a recent sign-in starts a flow of purpose `link`; the identity joins the account, and a shop gets
// the same `sub` with either. Every refusal leaves every account and the audit log as they were.

import assert from 'node:assert/strict';
import { decode } from '../support/browser.ts';
import { loginWith, startGateway, type Gateway, e2eClientId } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import {
  accountOf,
  accountPage,
  adoptSession,
  approveUntilCallback,
  assertNothingChanged,
  browserIn,
  identitiesOn,
  inLockstep,
  linkWith,
  MINUTE,
  mustAccountOf,
  openConsole,
  snapshot,
  startLink,
} from './account-support.ts';

const CONFLICT_EN = 'This QQ account is linked to a different account, so it was not linked and nothing changed.';

async function flowCount(gw: Gateway): Promise<number> {
  return (await gw.store.list('flows')).length;
}

/** Posts the link form without going through the page (a forged or broken form). */
async function postLink(gw: Gateway, browser: ReturnType<typeof browserIn>, provider: string, fields: Record<string, string>) {
  return browser.go(`${gw.issuer}/account/link/${provider}`, { method: 'POST', body: new URLSearchParams(fields) });
}

describe('account console: linking a provider', function () {
  let gw: Gateway;
  let clock: ManualClock;

  before(async () => {
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    gw = await startGateway({ clock });
  });
  after(async () => {
    await gw.close();
  });

  it('links QQ to a Weibo account; a shop then gets the same sub with either', async () => {
    const shopper = browserIn('en');
    const alpha = (await loginWith(gw, shopper, 'alpha-basic', 'weibo', 'alice')).claims.sub;
    const beta = (await loginWith(gw, shopper, 'beta-basic', 'weibo', 'alice')).claims.sub;
    await openConsole(gw, shopper, 'weibo', 'alice');
    const before = await mustAccountOf(gw, 'weibo', 'alice');
    const page = await linkWith(gw, shopper, 'qq', 'alice-qq');
    assert.equal(page.url.pathname, '/account');
    assert.equal(page.url.search, '?notice=linked&provider=qq');
    assert.match(page.html, /<p class="notice-ok" role="status">QQ is linked\.<\/p>/);
    assert.deepEqual(identitiesOn(page), ['weibo', 'qq']);
    const after = await mustAccountOf(gw, 'qq', 'alice-qq');
    assert.equal(after.id, before.id, 'QQ joined the Weibo account');

    const withQq = browserIn('en');
    assert.equal((await loginWith(gw, withQq, 'alpha-basic', 'qq', 'alice-qq')).claims.sub, alpha);
    assert.equal((await loginWith(gw, withQq, 'beta-basic', 'qq', 'alice-qq')).claims.sub, beta);
    assert.notEqual(alpha, beta, 'pairwise: each shop its own sub');
  });

  it("refuses a POST without the CSRF token or with another session's token: 403, no flow, nothing changed", async () => {
    const shopper = browserIn('en');
    await loginWith(gw, shopper, 'alpha-basic', 'weibo', 'csrf-fan');
    await openConsole(gw, shopper, 'weibo', 'csrf-fan');
    const other = browserIn('en');
    await loginWith(gw, other, 'alpha-basic', 'weibo', 'csrf-other');
    const othersToken = /name="_csrf" value="([^"]+)"/.exec((await openConsole(gw, other, 'weibo', 'csrf-other')).html)![1]!;
    const before = await snapshot(gw);
    const flows = await flowCount(gw);

    for (const [what, fields] of [
      ['missing token', {}],
      ['empty token', { _csrf: '' }],
      ["another session's token", { _csrf: decode(othersToken) }],
    ] as const) {
      const page = await postLink(gw, shopper, 'qq', fields);
      assert.equal(page.status, 403, what);
      assert.equal(page.url.pathname, '/account/link/qq', `${what}: not sent to the provider`);
      assert.match(page.html, /data-error-code="ERR_CSRF"/, what);
      assert.match(page.html, /The form has expired or did not come from this site/, what);
    }
    assert.equal(await flowCount(gw), flows, 'no link flow was started');
    await assertNothingChanged(gw, before, 'CSRF refusals');
    assert.equal(await accountOf(gw, 'qq', 'csrf-fan-qq'), undefined);
  });

  it('a session older than ACCOUNT_REAUTH_SECONDS (default 300) is sent to sign in again (prompt=login); then linking works', async () => {
    const shopper = browserIn('en');
    await loginWith(gw, shopper, 'alpha-basic', 'weibo', 'carol');
    const page = await openConsole(gw, shopper, 'weibo', 'carol');
    clock.advance(5 * MINUTE + 1000);
    const before = await snapshot(gw);
    const flows = await flowCount(gw);

    const asked = await shopper.submit(page, {}, '/account/link/qq');
    assert.equal(asked.hops[0]!.status, 303);
    assert.equal(asked.hops[0]!.location, '/account/login?reauth=1');
    const auth = asked.hops.map((h) => new URL(h.url)).find((u) => u.pathname === '/auth')!;
    assert.equal(auth.searchParams.get('prompt'), 'login', 'a real sign-in, not single sign-on');
    assert.ok(asked.url.pathname.startsWith('/interaction/'), `the chooser, not ${asked.url.href}`);
    assert.ok(!asked.hops.some((h) => h.url.startsWith(gw.emulators.qq!.url)), 'not sent to QQ');
    assert.equal(await flowCount(gw), flows, 'no link flow was started');
    await assertNothingChanged(gw, before, 'stale session');

    // Signing in again (the chooser of the re-authentication) makes the session recent.
    const atWeibo = await shopper.click(asked, '/start/weibo');
    const back = await shopper.submit(atWeibo, { login: 'carol', decision: 'approve' });
    assert.equal(back.url.href, `${gw.issuer}/account?notice=reauthed`);
    // Exactly ACCOUNT_REAUTH_SECONDS later it is still recent enough.
    clock.advance(5 * MINUTE);
    const linked = await linkWith(gw, shopper, 'qq', 'carol-qq');
    assert.equal(linked.url.search, '?notice=linked&provider=qq', linked.html.slice(0, 300));
    assert.equal((await mustAccountOf(gw, 'qq', 'carol-qq')).id, (await mustAccountOf(gw, 'weibo', 'carol')).id);
  });

  it('refuses an identity that belongs to another account, explains it, and merges nothing', async () => {
    await loginWith(gw, browserIn('en'), 'alpha-basic', 'qq', 'bob-qq');
    const bob = await mustAccountOf(gw, 'qq', 'bob-qq');
    const dave = browserIn('en');
    await loginWith(gw, dave, 'alpha-basic', 'weibo', 'dave');
    await openConsole(gw, dave, 'weibo', 'dave');
    const before = await snapshot(gw);

    const page = await linkWith(gw, dave, 'qq', 'bob-qq');
    assert.equal(page.status, 409);
    assert.match(page.html, /data-error-code="ERR_LINK_CONFLICT"/);
    assert.ok(page.html.includes(CONFLICT_EN), page.html);
    await assertNothingChanged(gw, before, 'link conflict');
    assert.equal((await mustAccountOf(gw, 'qq', 'bob-qq')).id, bob.id, 'the QQ identity stays with its account');
    assert.deepEqual(
      (await mustAccountOf(gw, 'weibo', 'dave')).identities.map((i) => i.provider),
      ['weibo'],
    );
    // In Chinese too.
    const zh = browserIn('zh-CN');
    await loginWith(gw, zh, 'alpha-basic', 'weibo', 'dave');
    await openConsole(gw, zh, 'weibo', 'dave');
    const zhPage = await linkWith(gw, zh, 'qq', 'bob-qq');
    assert.equal(zhPage.status, 409);
    assert.match(zhPage.html, /这个QQ账号已经绑定在另一个账号上，所以没有绑定，也没有做任何更改。/);
  });

  it('refuses when the signed-in account changed between starting the link and the callback (L5)', async () => {
    const frank = browserIn('en');
    await loginWith(gw, frank, 'alpha-basic', 'weibo', 'frank');
    await openConsole(gw, frank, 'weibo', 'frank');
    const browser = browserIn('en');
    await loginWith(gw, browser, 'alpha-basic', 'weibo', 'erin');
    await openConsole(gw, browser, 'weibo', 'erin');
    const authorize = await startLink(gw, browser, 'qq'); // started as erin
    // Before QQ answers, the browser's Denglu session becomes frank's (recent, so only the switch matters).
    await adoptSession(gw, frank, browser);
    assert.match((await accountPage(gw, browser)).html, /<p class="lead">frank<\/p>/);
    const before = await snapshot(gw);

    const page = await browser.submit(authorize, { login: 'erin-qq', decision: 'approve' });
    assert.equal(page.status, 403);
    assert.match(page.html, /data-error-code="ERR_REAUTH_REQUIRED"/);
    assert.match(page.html, /Who is signed in has changed; please sign in again and retry\./);
    await assertNothingChanged(gw, before, 'changed session');
    assert.equal(await accountOf(gw, 'qq', 'erin-qq'), undefined, 'linked to neither erin nor frank');
  });

  it("refuses an attacker's link callback delivered in the victim's browser (L4a)", async () => {
    const mallory = browserIn('en');
    await loginWith(gw, mallory, 'alpha-basic', 'weibo', 'mallory');
    await openConsole(gw, mallory, 'weibo', 'mallory');
    const callback = await approveUntilCallback(gw, mallory, await startLink(gw, mallory, 'qq'), 'mallory-qq');
    const victim = browserIn('en');
    await loginWith(gw, victim, 'alpha-basic', 'weibo', 'victim');
    await openConsole(gw, victim, 'weibo', 'victim');
    const before = await snapshot(gw);

    const page = await victim.go(callback);
    assert.equal(page.status, 403);
    assert.match(page.html, /data-error-code="ERR_FLOW_STATE_MISMATCH"/);
    await assertNothingChanged(gw, before, 'replayed callback');
    assert.equal(await accountOf(gw, 'qq', 'mallory-qq'), undefined);
    assert.deepEqual((await accountPage(gw, victim)).html.match(/data-identity="[^"]+"/g), ['data-identity="weibo"']);
  });

  it('two accounts linking the same QQ identity at the same moment: exactly one wins, the other sees the conflict (L6)', async () => {
    const [gina, hank] = [browserIn('en'), browserIn('en')];
    await loginWith(gw, gina, 'alpha-basic', 'weibo', 'gina');
    await loginWith(gw, hank, 'alpha-basic', 'weibo', 'hank');
    await openConsole(gw, gina, 'weibo', 'gina');
    await openConsole(gw, hank, 'weibo', 'hank');
    const ginaCallback = await approveUntilCallback(gw, gina, await startLink(gw, gina, 'qq'), 'shared-qq');
    const hankCallback = await approveUntilCallback(gw, hank, await startLink(gw, hank, 'qq'), 'shared-qq');
    const before = await snapshot(gw);

    // Both callbacks look the identity up before either links it: only the store's unique index decides.
    const keys = gw.emulators.qq!.emulator.identityKeysFor('shared-qq', e2eClientId('qq'));
    const lockstep = inLockstep(gw, 'findOne', (collection, index, key) => collection === 'accounts' && index === 'identity' && keys.includes(String(key)));
    const pages = await Promise.all([gina.go(ginaCallback), hank.go(hankCallback)]).finally(lockstep.restore);
    assert.ok(lockstep.met() >= 1, 'the two links looked the identity up at the same moment');
    const won = pages.filter((p) => p.url.search === '?notice=linked&provider=qq');
    const lost = pages.filter((p) => p.status === 409);
    assert.equal(won.length, 1, `one winner: ${pages.map((p) => `${p.status} ${p.url.pathname}${p.url.search}`).join(', ')}`);
    assert.equal(lost.length, 1, 'one conflict');
    assert.ok(lost[0]!.html.includes(CONFLICT_EN));

    const owner = await mustAccountOf(gw, 'qq', 'shared-qq');
    const winner = pages[0] === won[0] ? 'gina' : 'hank';
    const loser = winner === 'gina' ? 'hank' : 'gina';
    assert.equal(owner.id, (await mustAccountOf(gw, 'weibo', winner)).id);
    const loserAccount = await mustAccountOf(gw, 'weibo', loser);
    assert.deepEqual(
      loserAccount.identities.map((i) => i.provider),
      ['weibo'],
    );
    assert.deepEqual(
      JSON.parse(before.accounts).find((a: { id: string }) => a.id === loserAccount.id),
      loserAccount,
      "the loser's account is untouched",
    );
    assert.equal((await snapshot(gw)).audit, before.audit + 1, 'one identity.link entry');
  });

  it('two tabs of one account linking two different QQ identities at once: exactly one is linked, the other tab is told why', async () => {
    const ivy = browserIn('en');
    await loginWith(gw, ivy, 'alpha-basic', 'weibo', 'ivy');
    await openConsole(gw, ivy, 'weibo', 'ivy');
    // Both tabs press "Link QQ" before either comes back, then sign in at QQ as two different people.
    const first = await approveUntilCallback(gw, ivy, await startLink(gw, ivy, 'qq'), 'ivy-qq-one');
    const second = await approveUntilCallback(gw, ivy, await startLink(gw, ivy, 'qq'), 'ivy-qq-two');
    const before = await snapshot(gw);

    // Both callbacks look their identity up before either links it.
    const keys = ['ivy-qq-one', 'ivy-qq-two'].flatMap((login) => gw.emulators.qq!.emulator.identityKeysFor(login, e2eClientId('qq')));
    const lockstep = inLockstep(gw, 'findOne', (collection, index, key) => collection === 'accounts' && index === 'identity' && keys.includes(String(key)), 1);
    const pages = await Promise.all([ivy.go(first), ivy.go(second)]).finally(lockstep.restore);
    assert.equal(lockstep.met(), 1, 'the two links looked their identities up at the same moment');
    const won = pages.filter((p) => p.url.search === '?notice=linked&provider=qq');
    const lost = pages.filter((p) => p.status === 409);
    assert.equal(won.length, 1, `one winner: ${pages.map((p) => `${p.status} ${p.url.pathname}${p.url.search}`).join(', ')}`);
    assert.equal(lost.length, 1, 'one refusal');
    assert.match(lost[0]!.html, /data-error-code="ERR_PROVIDER_ALREADY_LINKED"/);
    assert.ok(lost[0]!.html.includes('Your Denglu account already has a QQ account linked, so this one was not linked and nothing changed.'), lost[0]!.html);

    const account = await mustAccountOf(gw, 'weibo', 'ivy');
    assert.deepEqual(
      account.identities.map((i) => i.provider),
      ['weibo', 'qq'],
      'one QQ identity',
    );
    const winner = pages[0] === won[0] ? 'ivy-qq-one' : 'ivy-qq-two';
    const loser = winner === 'ivy-qq-one' ? 'ivy-qq-two' : 'ivy-qq-one';
    assert.equal((await mustAccountOf(gw, 'qq', winner)).id, account.id);
    assert.equal(await accountOf(gw, 'qq', loser), undefined, 'the other QQ identity is linked nowhere');
    assert.equal((await snapshot(gw)).audit, before.audit + 1, 'one identity.link entry');
  });

  it('refuses a second identity of a provider the account already has, even when the link started before the first was linked', async () => {
    const jay = browserIn('zh-CN');
    await loginWith(gw, jay, 'alpha-basic', 'weibo', 'jay');
    await openConsole(gw, jay, 'weibo', 'jay');
    const late = await approveUntilCallback(gw, jay, await startLink(gw, jay, 'qq'), 'jay-qq-late');
    await linkWith(gw, jay, 'qq', 'jay-qq-first');
    const before = await snapshot(gw);

    const page = await jay.go(late);
    assert.equal(page.status, 409);
    assert.match(page.html, /data-error-code="ERR_PROVIDER_ALREADY_LINKED"/);
    assert.match(page.html, /您的 Denglu 账号已经绑定了一个QQ账号，所以这个没有绑定，也没有做任何更改。/);
    await assertNothingChanged(gw, before, 'second QQ identity');
    assert.equal(await accountOf(gw, 'qq', 'jay-qq-late'), undefined);
  });
});
