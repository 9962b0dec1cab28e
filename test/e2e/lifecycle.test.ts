// The founding case end to end, at simulated instants: JD warns Weibo shoppers from 10 September 2013,
// ends Weibo sign-in on 25 September and lets them migrate until 25 October; QQ and Sohu stay. The
// shopper keeps the same shop account (`sub`) through every step. Also: a flow straddling the cutoff,
// an immediate cutoff, the keep/revoke cutoff policies (no new sign-in rides on a session through an ended
// provider; `keep` lets refresh tokens live on), the provider hint naming the method, and closing new
// accounts during notice.

import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { TestBrowser, type Page } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, loginWith, redeem, startGateway, type Gateway, type TestShop, e2eClientId } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Account } from '../../src/accounts/account.ts';
import type { Partner } from '../../src/partners/partner.ts';
import type { PartnerSeed } from '../../src/partners/partners.ts';
import { scheduleIntegration } from '../../src/partners/integration-service.ts';
import { ValidationError } from '../../src/errors.ts';
import { listAudit } from '../../src/audit/audit.ts';

const at = (iso: string) => Date.parse(iso);
const NOTICE = at('2013-09-10T00:00:00+08:00');
const CUTOFF = at('2013-09-25T00:00:00+08:00');
const GRACE_END = at('2013-10-25T00:00:00+08:00');

/** alpha plays JD (Weibo keep policy), beta the same dates with the revoke policy and no new accounts in notice. */
function jdSchedules(gwPartners: PartnerSeed[]): PartnerSeed[] {
  return gwPartners.map((p) => ({
    ...p,
    integrations: p.integrations.map((i) =>
      i.provider === 'weibo' && (p.id === 'alpha' || p.id === 'beta')
        ? {
            ...i,
            noticeAt: NOTICE,
            cutoffAt: CUTOFF,
            graceEndsAt: GRACE_END,
            atCutoff: p.id === 'alpha' ? ('keep' as const) : ('revoke' as const),
            newAccountsDuringNotice: p.id === 'alpha',
          }
        : i,
    ),
  }));
}

async function openLogin(_gw: Gateway, browser: TestBrowser, shop: TestShop, params: Record<string, string> = {}) {
  const request = await authRequest(shop, params);
  const page = await browser.go(request.url, { stopAt: atShop(shop) });
  return { request, page };
}

async function accountOf(gw: Gateway, provider: string, login: string): Promise<Account | undefined> {
  const key = gw.emulators[provider]!.emulator.identityKeysFor(login, e2eClientId(provider))[0]!;
  return (await gw.store.findOne<Account>('accounts', 'identity', key))?.value;
}

describe('e2e: the JD case — a dated Weibo cutoff', function () {
  let gw: Gateway;
  let clock: ManualClock;
  let jd: TestShop;
  before(async () => {
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    gw = await startGateway({ clock, partners: jdSchedules });
    jd = gw.shops['alpha-basic']!;
  });
  after(async () => {
    await gw.close();
  });

  // The story's shoppers are made on first use, so each step also runs alone (mocha --grep).
  let sub: string;

  /** Signs a Weibo shopper in before the notice (making the account if it does not exist yet); returns the sub. */
  async function weiboShopper(login: string): Promise<string> {
    const now = clock.now();
    clock.set('2013-09-01T10:00:00+08:00');
    try {
      return String((await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', login)).claims.sub);
    } finally {
      clock.set(now);
    }
  }

  /** The JD shopper (Weibo), with QQ linked from the notice page as the story's third step does. */
  async function jdShopperWithQq(): Promise<void> {
    sub ??= await weiboShopper('jd-shopper');
    if ((await accountOf(gw, 'weibo', 'jd-shopper'))!.identities.some((i) => i.provider === 'qq')) return;
    const now = clock.now();
    clock.set('2013-09-21T12:00:00+08:00');
    try {
      const browser = new TestBrowser();
      const { page } = await openLogin(gw, browser, jd, { provider: 'weibo' });
      const notice = await approveAtProvider(browser, page, 'jd-shopper', jd);
      const back = await approveAtProvider(browser, await browser.click(notice, '/link/qq', atShop(jd)), 'jd-shopper-qq', jd);
      assert.equal(back.status, 0);
    } finally {
      clock.set(now);
    }
  }

  it('before the notice: Weibo is an ordinary button and signs the shopper in', async () => {
    clock.set('2013-09-01T10:00:00+08:00');
    const browser = new TestBrowser();
    const { page } = await openLogin(gw, browser, jd);
    assert.match(page.html, /data-provider="weibo"/);
    assert.doesNotMatch(page.html, /data-notice="weibo"/);
    const first = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'jd-shopper');
    sub = String(first.claims.sub);
  });

  it('during the notice: the button carries the notice, and after sign-in an interstitial offers to link another way or continue', async () => {
    sub ??= await weiboShopper('jd-shopper');
    clock.set('2013-09-20T10:00:00+08:00');
    const browser = new TestBrowser();
    browser.acceptLanguage = 'en';
    const { page: chooser } = await openLogin(gw, browser, jd);
    assert.match(chooser.html, /data-notice="weibo"[^>]*>Weibo sign-in stops at Alpha Shop on 25 September 2013 at 00:00 \(Beijing time\)\./);

    const { request, page } = await openLogin(gw, browser, jd, { provider: 'weibo' });
    const notice = await approveAtProvider(browser, page, 'jd-shopper', jd);
    assert.equal(notice.status, 200);
    assert.match(notice.html, /Weibo sign-in stops at Alpha Shop on 25 September 2013 at 00:00 \(Beijing time\)\. Link another way/);
    assert.match(notice.html, /data-link="qq"/);
    assert.match(notice.html, /data-link="sohu"/);
    const back = await browser.submit(notice, {}, '/continue', atShop(jd));
    assert.equal(back.status, 0);
    assert.equal((await redeem(jd, back.url, request)).claims()!.sub, sub, 'same shop account');

    // At most once a day per account and shop: the same day, the next sign-in goes straight to the shop.
    const second = new TestBrowser();
    const { request: againRequest, page: atWeibo } = await openLogin(gw, second, jd, { provider: 'weibo' });
    const again = await approveAtProvider(second, atWeibo, 'jd-shopper', jd);
    assert.equal(again.status, 0, `no notice the second time today (got ${again.url.href})`);
    assert.equal((await redeem(jd, again.url, againRequest)).claims()!.sub, sub);
  });

  it('the next day the notice shows again, and linking QQ from it keeps the same account', async () => {
    sub ??= await weiboShopper('jd-shopper');
    clock.set('2013-09-21T12:00:00+08:00');
    const browser = new TestBrowser();
    const { request, page } = await openLogin(gw, browser, jd, { provider: 'weibo' });
    const notice = await approveAtProvider(browser, page, 'jd-shopper', jd);
    assert.match(notice.html, /阿尔法商店将于9月25日 0:00（北京时间）起停止支持微博登录。/);
    const atQq = await browser.click(notice, '/link/qq', atShop(jd));
    const back = await approveAtProvider(browser, atQq, 'jd-shopper-qq', jd);
    assert.equal(back.status, 0, 'continued to the shop after linking');
    const claims = (await redeem(jd, back.url, request)).claims()!;
    assert.equal(claims.sub, sub);
    assert.equal(claims.idp, 'qq', 'the identity just proven');
    const account = (await accountOf(gw, 'weibo', 'jd-shopper'))!;
    assert.deepEqual(account.identities.map((i) => i.provider).sort(), ['qq', 'weibo']);
    const audit = await listAudit(gw.store, { action: 'identity.link' });
    assert.ok(audit.entries.some((e) => e.target.account === account.id && e.target.provider === 'qq'));
  });

  it('a flow started before the cutoff and returning after it is refused, and nothing changes', async () => {
    clock.set('2013-09-24T23:59:59+08:00');
    const browser = new TestBrowser();
    browser.acceptLanguage = 'en';
    const { page } = await openLogin(gw, browser, jd, { provider: 'weibo' });
    assert.ok(page.url.href.startsWith(gw.emulators.weibo!.url), 'sent to Weibo before the cutoff');
    const accounts = await gw.store.count('accounts');
    clock.set(CUTOFF + 1000);
    const result = await approveAtProvider(browser, page, 'straddler', jd);
    assert.notEqual(result.status, 0, 'not signed in to the shop');
    assert.match(result.html, /<h1 data-ended="weibo" data-phase="grace">Recover your Alpha Shop account with Weibo<\/h1>/, 'the page for what happened');
    assert.match(result.html, /\/start\/qq"/, 'names the ways that still work');
    assert.equal(await gw.store.count('accounts'), accounts, 'no account created');
  });

  it('in grace: no Weibo button, "recover your account with Weibo (until …)" first; the QQ-linked shopper signs in with QQ as the same account', async () => {
    await jdShopperWithQq();
    clock.set('2013-09-26T09:00:00+08:00');
    const browser = new TestBrowser();
    browser.acceptLanguage = 'en';
    const { page } = await openLogin(gw, browser, jd);
    assert.doesNotMatch(page.html, /data-provider="weibo"/);
    assert.match(page.html, /data-migrate="weibo"[^>]*>Recover your Alpha Shop account with Weibo \(until 25 October 2013\)/);
    assert.ok(page.html.indexOf('data-migrate="weibo"') < page.html.indexOf('data-provider="qq"'), 'the recovery comes before the other buttons');
    const withQq = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'qq', 'jd-shopper-qq');
    assert.equal(withQq.claims.sub, sub);
  });

  it('in grace: a Weibo-only shopper migrates — Weibo proves who they are, they link Sohu, and keep their account', async () => {
    clock.set('2013-09-15T09:00:00+08:00');
    const before = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'weibo-only');
    clock.set('2013-10-01T09:00:00+08:00');
    const browser = new TestBrowser();
    browser.acceptLanguage = 'en';
    const { request, page: chooser } = await openLogin(gw, browser, jd);
    const atWeibo = await browser.click(chooser, '/migrate/weibo', atShop(jd));
    const migrate = await approveAtProvider(browser, atWeibo, 'weibo-only', jd);
    assert.equal(migrate.status, 200, 'not signed in to the shop with Weibo');
    assert.match(migrate.html, /Keep your Alpha Shop account/);
    assert.match(migrate.html, /data-link="sohu"/);
    const atSohu = await browser.click(migrate, '/link/sohu', atShop(jd));
    const back = await approveAtProvider(browser, atSohu, 'weibo-only-sohu', jd);
    assert.equal(back.status, 0);
    const claims = (await redeem(jd, back.url, request)).claims()!;
    assert.equal(claims.sub, before.claims.sub, 'same shop account after migrating');
    assert.equal(claims.idp, 'sohu');
  });

  it('in grace: skipping the migration page (resuming the authorization directly) does not sign the shopper in', async () => {
    if (!(await accountOf(gw, 'weibo', 'weibo-only'))) await weiboShopper('weibo-only');
    clock.set('2013-10-01T10:00:00+08:00');
    const browser = new TestBrowser();
    const { page: chooser } = await openLogin(gw, browser, jd);
    const migrate = await approveAtProvider(browser, await browser.click(chooser, '/migrate/weibo', atShop(jd)), 'weibo-only', jd);
    const uid = migrate.url.pathname.split('/')[2];
    const resume = await browser.go(`${gw.issuer}/auth/${uid}`, { stopAt: atShop(jd) });
    assert.notEqual(resume.status, 0, 'no code reached the shop');
    assert.match(resume.html, /data-provider="qq"/, 'asked to sign in again');
  });

  it('in grace: migrating refuses to link an identity that belongs to another account, and changes nothing', async () => {
    clock.set('2013-09-05T09:00:00+08:00'); // both accounts made before the notice
    await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'conflicted');
    await loginWith(gw, new TestBrowser(), 'alpha-basic', 'qq', 'someone-elses-qq');
    clock.set('2013-10-02T09:00:00+08:00');
    const browser = new TestBrowser();
    browser.acceptLanguage = 'en';
    const { page: chooser } = await openLogin(gw, browser, jd);
    const migrate = await approveAtProvider(browser, await browser.click(chooser, '/migrate/weibo', atShop(jd)), 'conflicted', jd);
    const before = JSON.stringify(await accountOf(gw, 'weibo', 'conflicted'));
    const refused = await approveAtProvider(browser, await browser.click(migrate, '/link/qq', atShop(jd)), 'someone-elses-qq', jd);
    assert.equal(refused.status, 409);
    assert.match(refused.html, /<h1 data-link-conflict="qq">This QQ account belongs to another account<\/h1>/);
    assert.doesNotMatch(refused.html, /Sign-in did not complete/);
    assert.match(refused.html, /class="button primary" href="[^"]*\/migrate" data-action="methods"/, 'main action: another way to keep the account');
    assert.match(refused.html, /leads into a different Alpha Shop account/, 'the switch says where it leads');
    assert.equal(JSON.stringify(await accountOf(gw, 'weibo', 'conflicted')), before);
    assert.equal((await accountOf(gw, 'qq', 'someone-elses-qq'))!.identities.length, 1);
  });

  it('a shop hint for Weibo in grace gets "Recover your account with Weibo" as the main action, then QQ and Sohu', async () => {
    clock.set('2013-10-03T09:00:00+08:00');
    const browser = new TestBrowser();
    browser.acceptLanguage = 'en';
    const { page } = await openLogin(gw, browser, jd, { provider: 'weibo' });
    assert.equal(page.status, 200, 'not a failure page');
    assert.match(page.html, /<h1 data-ended="weibo" data-phase="grace">Recover your Alpha Shop account with Weibo<\/h1>/);
    assert.match(
      page.html,
      /class="button primary block recover"[^>]*data-migrate="weibo">Recover your Alpha Shop account with Weibo \(until 25 October 2013\)/,
    );
    assert.match(page.html, /\/start\/qq"/);
    assert.match(page.html, /\/start\/sohu"/);
    assert.match(page.html, /data-migrate="weibo"/);
  });

  it('after grace: Weibo is gone entirely, even the migration; QQ still signs the same shopper in', async () => {
    await jdShopperWithQq();
    clock.set(GRACE_END);
    const browser = new TestBrowser();
    const { page } = await openLogin(gw, browser, jd);
    assert.doesNotMatch(page.html, /weibo/);
    const hintedBrowser = new TestBrowser();
    hintedBrowser.acceptLanguage = 'en';
    const { page: hinted } = await openLogin(gw, hintedBrowser, jd, { provider: 'weibo' });
    assert.equal(hinted.status, 200);
    assert.match(
      hinted.html,
      /<h1 data-ended="weibo" data-phase="ended">Signing in with Weibo ended at Alpha Shop on 25 September 2013 at 00:00 \(Beijing time\)<\/h1>/,
    );
    assert.doesNotMatch(hinted.html, /data-migrate="weibo"/);
    assert.match(hinted.html, /href="\/account" data-recover-account/, 'the way through the sign-in settings page');
    assert.equal((await loginWith(gw, new TestBrowser(), 'alpha-basic', 'qq', 'jd-shopper-qq')).claims.sub, sub);
  });
});

describe('e2e: cutoff policies and immediate cutoffs', function () {
  let gw: Gateway;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock('2013-09-20T10:00:00+08:00');
    gw = await startGateway({ clock, partners: jdSchedules });
  });
  afterEach(async () => {
    await gw.close();
  });

  async function sessionLogin(clientId: string, login: string, scope = 'openid profile') {
    const browser = new TestBrowser();
    const shop = gw.shops[clientId]!;
    const params: Record<string, string> = { provider: 'weibo', scope };
    if (scope.includes('offline_access')) params.prompt = 'consent';
    const request = await authRequest(shop, params);
    let page: Page = await browser.go(request.url, { stopAt: atShop(shop) });
    page = await approveAtProvider(browser, page, login, shop);
    if (page.status === 200 && /\/continue/.test(page.html)) page = await browser.submit(page, {}, '/continue', atShop(shop));
    assert.equal(page.status, 0, `back at the shop: ${page.html.slice(0, 300)}`);
    return { browser, shop, tokens: await redeem(shop, page.url, request) };
  }

  it('keep: refresh tokens the shop holds keep working after the cutoff, but the pre-cutoff Weibo session no longer signs in (issue 13)', async () => {
    const { browser, shop, tokens } = await sessionLogin('alpha-basic', 'keeper', 'openid profile offline_access');
    assert.ok(tokens.refresh_token);
    clock.set(CUTOFF + 3600_000);
    browser.acceptLanguage = 'en';
    const request = await authRequest(shop);
    const page = await browser.go(request.url, { stopAt: atShop(shop) });
    assert.equal(page.status, 200, 'asked to sign in again, not signed in silently with Weibo');
    assert.match(page.html, /Signing in with Weibo, as you did before, no longer works at Alpha Shop/);
    // Even when the shop asks for QQ: the hint names the way to use, the Weibo session does not satisfy it.
    const hinted = await authRequest(shop, { provider: 'qq' });
    const atQq = await browser.go(hinted.url, { stopAt: atShop(shop) });
    assert.ok(atQq.url.href.startsWith(gw.emulators.qq!.url), `sent to QQ, not back to the shop: ${atQq.url.href}`);
    const refreshed = await oidc.refreshTokenGrant(shop.config, tokens.refresh_token!);
    assert.ok(refreshed.access_token);
  });

  it('a provider hint names the method: a live QQ session does not satisfy provider=sohu, the same provider does', async () => {
    clock.set('2013-09-05T10:00:00+08:00');
    const shop = gw.shops['alpha-basic']!;
    const browser = new TestBrowser();
    const first = await authRequest(shop, { provider: 'qq' });
    const back = await approveAtProvider(browser, await browser.go(first.url, { stopAt: atShop(shop) }), 'hinted-qq', shop);
    assert.equal(back.status, 0);
    const sub = (await redeem(shop, back.url, first)).claims()!.sub;
    const same = await authRequest(shop, { provider: 'qq' });
    const silent = await browser.go(same.url, { stopAt: atShop(shop) });
    assert.equal(silent.status, 0, 'the same provider: single sign-on');
    assert.equal((await redeem(shop, silent.url, same)).claims()!.sub, sub);
    const other = await authRequest(shop, { provider: 'sohu' });
    const atSohu = await browser.go(other.url, { stopAt: atShop(shop) });
    assert.ok(atSohu.url.href.startsWith(gw.emulators.sohu!.url), `another provider named: sent to Sohu, ${atSohu.url.href}`);
  });

  it('revoke: after the cutoff the Weibo session must sign in again (told why) and its refresh tokens are refused', async () => {
    clock.set('2013-09-01T10:00:00+08:00'); // beta closes new accounts during notice: create it before
    await loginWith(gw, new TestBrowser(), 'beta-basic', 'weibo', 'revoked');
    clock.set('2013-09-22T10:00:00+08:00'); // a session and refresh token from shortly before the cutoff
    const { browser, shop, tokens } = await sessionLogin('beta-basic', 'revoked', 'openid profile offline_access');
    const refreshedBefore = await oidc.refreshTokenGrant(shop.config, tokens.refresh_token!);
    assert.ok(refreshedBefore.refresh_token, 'refresh works before the cutoff');
    clock.set(CUTOFF + 3600_000);
    browser.acceptLanguage = 'en';
    const request = await authRequest(shop);
    const page = await browser.go(request.url, { stopAt: atShop(shop) });
    assert.equal(page.status, 200, 'shown the chooser');
    assert.match(page.html, /Signing in with Weibo, as you did before, no longer works at Beta Shop/);
    await assert.rejects(oidc.refreshTokenGrant(shop.config, refreshedBefore.refresh_token!), (err: any) => err.error === 'invalid_grant');
  });

  it('a session obtained elsewhere after the cutoff does not carry into the shop, even with keep', async () => {
    clock.set(CUTOFF + 3600_000);
    // gamma (third-party, asks consent) still offers Weibo: the shopper signs in there, after alpha's cutoff.
    const browser = new TestBrowser();
    browser.acceptLanguage = 'en';
    const gamma = gw.shops['gamma-basic']!;
    const atGamma = await authRequest(gamma, { provider: 'weibo' });
    let page = await approveAtProvider(browser, await browser.go(atGamma.url, { stopAt: atShop(gamma) }), 'late-weibo', gamma);
    assert.equal(page.status, 200, `the consent page at gamma: ${page.url.href}`);
    page = await browser.submit(page, {}, '/consent', atShop(gamma));
    assert.equal(page.status, 0, 'signed in at gamma');
    assert.equal((await redeem(gamma, page.url, atGamma)).claims()!.idp, 'weibo');

    const shop = gw.shops['alpha-basic']!;
    const request = await authRequest(shop);
    const atAlpha = await browser.go(request.url, { stopAt: atShop(shop) });
    assert.equal(atAlpha.status, 200, 'asked to sign in at the shop that ended Weibo, not sent back with a code');
    assert.match(atAlpha.html, /data-provider="qq"/, 'the chooser');
    assert.match(atAlpha.html, /Signing in with Weibo, as you did before, no longer works at Alpha Shop/, 'told why');
  });

  it('notice with new accounts closed: an unknown Weibo shopper is refused, nothing is created; a known one gets in', async () => {
    clock.set('2013-09-01T10:00:00+08:00');
    await loginWith(gw, new TestBrowser(), 'beta-basic', 'weibo', 'known-early');
    clock.set('2013-09-20T10:00:00+08:00');
    const browser = new TestBrowser();
    browser.acceptLanguage = 'en';
    const shop = gw.shops['beta-basic']!;
    const request = await authRequest(shop, { provider: 'weibo' });
    const refused = await approveAtProvider(browser, await browser.go(request.url, { stopAt: atShop(shop) }), 'brand-new', shop);
    assert.equal(refused.status, 403);
    assert.match(refused.html, /data-error-code="ERR_NEW_ACCOUNTS_CLOSED"/);
    assert.equal(await accountOf(gw, 'weibo', 'brand-new'), undefined);
    const known = new TestBrowser();
    const request2 = await authRequest(shop, { provider: 'weibo' });
    let page = await approveAtProvider(known, await known.go(request2.url, { stopAt: atShop(shop) }), 'known-early', shop);
    if (page.status === 200) page = await known.submit(page, {}, '/continue', atShop(shop));
    assert.equal(page.status, 0);
  });

  it('an immediate cutoff needs explicit confirmation, then ends sign-in at once and is audited', async () => {
    const deps = { store: gw.store, clock, knownProviders: new Set(['weibo', 'qq', 'sohu']) };
    const actor = { kind: 'operator' as const, id: 'test' };
    const partnerBefore = JSON.stringify(await gw.store.get<Partner>('partners', 'alpha'));
    await assert.rejects(
      scheduleIntegration(deps, actor, 'alpha', 'qq', { cutoffAt: '2013-09-19T00:00+08:00', graceEndsAt: '2013-10-19T00:00+08:00' }),
      (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        assert.equal(err.problems[0]!.field, 'cutoffAt');
        assert.match(err.problems[0]!.message, /effectiveImmediately/);
        return true;
      },
    );
    assert.equal(JSON.stringify(await gw.store.get<Partner>('partners', 'alpha')), partnerBefore, 'nothing changed');
    const change = await scheduleIntegration(deps, actor, 'alpha', 'qq', { effectiveImmediately: true, graceEndsAt: '2013-10-20T00:00+08:00' });
    assert.equal(change.immediate, true);
    assert.equal(change.integration.cutoffAt, clock.now());
    const shop = gw.shops['alpha-basic']!;
    const { page } = await openLogin(gw, new TestBrowser(), shop, { provider: 'qq' });
    assert.match(page.html, /data-ended="qq" data-phase="grace"/);
    const audit = await listAudit(gw.store, { partner: 'alpha', action: 'integration' });
    assert.equal(audit.entries[0]!.action, 'integration.schedule');
    assert.equal((audit.entries[0]!.after as any).effectiveImmediately, true);
  });
});
