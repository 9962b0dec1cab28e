// Resetting a forgotten password through the verified email: the same answer whether or not the address
// is known, a single-use link that expires, a new password the rules accept, and afterwards every
// session and shop token of the account ended. Also the CSRF token on the reset forms.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import type { TestBrowser } from '../support/browser.ts';
import { atShop, authRequest, loginWith, redeem, startGateway, type Gateway } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import {
  accountOf,
  accountById,
  accountPage,
  actions,
  comparable,
  mailCount,
  mailedLink,
  openConsole,
  passwordAtShop,
  passwordLogin,
  setFirstPassword,
  verifyEmail,
  english,
} from './native-support.ts';

const EMAIL = 'carol@example.com';

describe('native sign-in: password reset by email', function () {
  let gw: Gateway;
  let clock: ManualClock;
  let carol: TestBrowser;
  let carolId: string;
  let shopRefresh: string;

  before(async () => {
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    gw = await startGateway({ clock });
    carol = english();
    // Carol signs in at a shop that keeps a refresh token, then sets her email and password.
    const first = await loginWith(gw, carol, 'alpha-basic', 'sohu', 'carol', { scope: 'openid offline_access', prompt: 'consent' });
    shopRefresh = first.tokens.refresh_token!;
    assert.ok(shopRefresh, 'the shop got a refresh token');
    carolId = (await accountOf(gw, 'sohu', 'carol')).id;
    await openConsole(gw, carol, 'sohu', 'carol');
    await verifyEmail(gw, carol, EMAIL);
    assert.equal((await setFirstPassword(gw, carol, 'carol original pw')).url.search, '?notice=passwordSet');
    // The refresh token works until the reset (rotated: keep the new one).
    shopRefresh = (await oidc.refreshTokenGrant(gw.shops['alpha-basic']!.config, shopRefresh)).refresh_token!;
    assert.ok(shopRefresh);
  });
  after(async () => {
    await gw.close();
  });

  async function askReset(browser: TestBrowser, email: string) {
    const form = await browser.go(`${gw.issuer}/account/password/reset`);
    assert.equal(form.status, 200);
    return browser.submit(form, { email }, '/account/password/reset');
  }

  it('is linked from the chooser and answers the same for a known and an unknown address', async () => {
    const { chooser } = await passwordAtShop(gw, english(), 'alpha-basic', 'x@example.com', 'whatever123');
    assert.match(chooser.html, /href="\/account\/password\/reset\?return=%2Finteraction%2F[\w-]+"/);
    const known = await askReset(english(), EMAIL);
    const unknown = await askReset(english(), 'nobody@example.com');
    assert.equal(known.status, 200);
    assert.equal(unknown.status, 200);
    assert.match(known.html, /data-sent="1"/);
    assert.equal(comparable(known.html).replace(/name="_csrf" value="[^"]*"/g, ''), comparable(unknown.html).replace(/name="_csrf" value="[^"]*"/g, ''));
    assert.equal(await mailCount(gw, EMAIL), 2, 'the verification and one reset mail');
    assert.equal(await mailCount(gw, 'nobody@example.com'), 0);
  });

  it('refuses the reset forms without a CSRF token (403) and sends nothing', async () => {
    const mails = await mailCount(gw, EMAIL);
    const res = await english().request('POST', `${gw.issuer}/account/password/reset`, new URLSearchParams({ email: EMAIL }));
    assert.equal(res.status, 403);
    assert.equal(await mailCount(gw, EMAIL), mails);
  });

  it('an expired link is refused', async () => {
    const browser = english();
    await askReset(browser, EMAIL);
    const link = await mailedLink(gw, browser, EMAIL, '/account/password/reset/confirm?token=');
    assert.ok(link);
    clock.advance(31 * 60_000);
    const page = await english().go(link);
    assert.equal(page.status, 400);
    assert.match(page.html, /has expired or was used already/);
  });

  it('a new link sets a new password once: rules first (the link stays good), then single use', async () => {
    const browser = english();
    await askReset(browser, EMAIL);
    const link = (await mailedLink(gw, browser, EMAIL, '/account/password/reset/confirm?token='))!;
    const form = await browser.go(link);
    assert.equal(form.status, 200);
    assert.match(form.html, /Choose a new password for carol@example.com/);
    // The store keeps the token's hash, never the token (the sandbox outbox keeps the mail, of course).
    const raw = new URL(link).searchParams.get('token')!;
    const tokens = await gw.store.list('native_tokens');
    assert.deepEqual(
      tokens.map((t) => t.id),
      [createHash('sha256').update(raw).digest('base64url')],
    );
    assert.ok(!JSON.stringify(tokens).includes(raw));

    const weak = await browser.submit(form, { password: 'short' }, '/reset/confirm');
    assert.equal(weak.status, 400);
    assert.match(weak.html, /at least 10 characters/);
    const before = (await accountById(gw, carolId)).native!.passwordHash;

    const done = await browser.submit(weak, { password: 'carol brand new pw' }, '/reset/confirm');
    assert.equal(done.status, 200);
    assert.match(done.html, /Your password is reset/);
    assert.notEqual((await accountById(gw, carolId)).native!.passwordHash, before);

    const again = await browser.submit(form, { password: 'carol another new pw' }, '/reset/confirm');
    assert.equal(again.status, 400);
    assert.match(again.html, /has expired or was used already/);
    assert.ok((await actions(gw, carolId)).includes('password.reset'));
  });

  it('ends every session and shop token of the account; the new password signs in, the old does not', async () => {
    if (!(await actions(gw, carolId)).includes('password.reset')) {
      // The reset the test before makes, made here when this test runs alone.
      const browser = english();
      await askReset(browser, EMAIL);
      const link = (await mailedLink(gw, browser, EMAIL, '/account/password/reset/confirm?token='))!;
      const done = await browser.submit(await browser.go(link), { password: 'carol brand new pw' }, '/reset/confirm');
      assert.match(done.html, /Your password is reset/);
    }
    const console = await carol.go(`${gw.issuer}/account`);
    assert.match(console.html, /Sign in to see and manage/, "Carol's browser is signed out");
    const sessions = (await gw.store.list<{ model: string; payload: { accountId?: string } }>('oidc')).filter(
      (d) => d.value.model === 'Session' && d.value.payload.accountId === carolId,
    );
    assert.equal(sessions.length, 0);
    await assert.rejects(oidc.refreshTokenGrant(gw.shops['alpha-basic']!.config, shopRefresh), (err: any) => err.error === 'invalid_grant');
    assert.equal((await passwordAtShop(gw, english(), 'alpha-basic', EMAIL, 'carol original pw')).page.status, 401);
    await passwordLogin(gw, english(), 'alpha-basic', EMAIL, 'carol brand new pw');
  });

  it('reset links mailed to a previous address stop working when the email changes', async () => {
    const browser = english();
    await askReset(browser, EMAIL);
    const link = (await mailedLink(gw, browser, EMAIL, '/reset/confirm?token='))!;
    await openConsole(gw, carol, 'sohu', 'carol');
    await verifyEmail(gw, carol, 'carol.new@example.com');
    assert.equal((await browser.go(link)).status, 400);
    assert.match((await accountPage(gw, carol)).html, /data-email="carol.new@example.com"/);
  });

  it('"Forgot password?" on the chooser returns to that sign-in, the email filled in, and signs in with the new password', async () => {
    const dora = english();
    const sub = String((await loginWith(gw, dora, 'alpha-basic', 'qq', 'dora')).claims.sub);
    await openConsole(gw, dora, 'qq', 'dora');
    await verifyEmail(gw, dora, 'dora@example.com');
    await setFirstPassword(gw, dora, 'dora remembered this');
    const browser = english();
    const shop = gw.shops['alpha-basic']!;
    const request = await authRequest(shop);
    const chooser = await browser.go(request.url, { stopAt: atShop(shop) });
    const uid = /^\/interaction\/([\w-]+)/.exec(chooser.url.pathname)![1]!;
    const refused = await browser.submit(chooser, { email: 'dora@example.com', password: 'not what she set' }, '/password');
    assert.equal(refused.status, 401);
    const form = await browser.click(refused, '/account/password/reset?return=');
    assert.match(form.html, new RegExp(`name="return" value="/interaction/${uid}"`));
    assert.match(form.html, /name="email" value="dora@example.com"/);
    await browser.submit(form, { email: 'dora@example.com' }, '/account/password/reset');
    const link = (await mailedLink(gw, browser, 'dora@example.com', '/reset/confirm?token='))!;
    const back = await browser.submit(await browser.go(link), { password: 'dora forgot and reset' }, '/reset/confirm');
    assert.equal(back.url.pathname, `/interaction/${uid}`, 'back on the chooser of the sign-in in progress');
    assert.match(back.html, /name="email" value="dora@example.com"/);
    const done = await browser.submit(back, { email: 'dora@example.com', password: 'dora forgot and reset' }, '/password', atShop(shop));
    assert.equal(
      done.status,
      0,
      `back at the shop, not ${done.status} ${done.url.href} ${done.html.slice(done.html.indexOf('<main'), done.html.indexOf('<main') + 600)}`,
    );
    assert.equal((await redeem(shop, done.url, request)).claims()!.sub, sub, 'the same shop account');
  });

  it('"Forgot password?" returns only to a sign-in path on this gateway', async () => {
    const browser = english();
    for (const target of ['https://evil.example/interaction/abcdefghijkl', '//evil.example/x', '/interaction/abc/../../account', '/account']) {
      const form = await browser.go(`${gw.issuer}/account/password/reset?return=${encodeURIComponent(target)}`);
      assert.equal(form.status, 200);
      assert.doesNotMatch(form.html, /name="return"/, target);
    }
  });
});
