// The seed story, end to end on the sandbox's own partners (config/sandbox-seed.ts): Taobao offered
// WeChat, and the operator cut it with immediate effect — one admin API call, `effectiveImmediately`
// with the `revoke` policy, no notice — at the walk-through's illustrative August 2013 instant. From that
// instant Taobao's chooser and provider hint refuse WeChat, the WeChat session and the refresh tokens the
// shop holds stop working there, a new WeChat shopper is turned away; JD still accepts WeChat (same
// session, same refresh token, new shoppers). The change is in the audit log as the operator's. On
// PostgreSQL a second instance refuses WeChat at Taobao too.

import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import request from 'supertest';
import { PROVIDERS } from '../../providers/index.ts';
import { sandboxPartners, TAOBAO_WECHAT_CUTOFF_STORY } from '../../config/sandbox-seed.ts';
import { createApp, type DengluApp } from '../../src/app.ts';
import { listAudit } from '../../src/audit/audit.ts';
import { ManualClock } from '../../src/clock.ts';
import type { ShopSignInMethods } from '../../src/partners/sign-in-methods.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { call, OPERATOR } from '../admin/admin-client.ts';
import { TestBrowser } from '../support/browser.ts';
import { atShop, authRequest, loginWith, redeem, startGateway, type Gateway } from '../support/gateway.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';

const SHOP_URLS = { jd: 'https://jd.demo-shop.test', taobao: 'https://taobao.demo-shop.test' };
const TAOBAO = 'taobao-demo-shop';
const JD = 'jd-demo-shop';
const BEFORE_CUT = Date.parse(TAOBAO_WECHAT_CUTOFF_STORY) - 3600_000;

/** The gateway with exactly the sandbox's partners (JD and Taobao as `npm start` seeds them). */
const sandboxSeed = () => sandboxPartners(SHOP_URLS);

/** Signs `login` in with WeChat at a demo shop (consenting at Taobao, a third-party shop). */
async function weChatSignIn(gw: Gateway, browser: TestBrowser, clientId: string, login: string, scope = 'openid profile') {
  const params: Record<string, string> = { scope, ...(scope.includes('offline_access') ? { prompt: 'consent' } : {}) };
  return (await loginWith(gw, browser, clientId, 'wechat', login, params)).tokens;
}

/** The operator's emergency cutoff, as the README's one command sends it. */
const EMERGENCY_CUT = { effectiveImmediately: true, atCutoff: 'revoke' };

describe('story: Taobao cuts WeChat with immediate effect; JD keeps it', function () {
  let gw: Gateway;
  let clock: ManualClock;
  before(async () => {
    clock = new ManualClock(BEFORE_CUT);
    gw = await startGateway({ clock, partners: sandboxSeed });
  });
  after(() => gw.close());

  /** The operator's cut at the story's instant (once: each test also runs alone, mocha --grep). */
  let cutDone = false;
  async function cut(): Promise<void> {
    if (cutDone) return;
    clock.set(Date.parse(TAOBAO_WECHAT_CUTOFF_STORY));
    const answer = await call(gw, OPERATOR, 'PUT', '/partners/taobao/integrations/wechat', EMERGENCY_CUT);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.immediate, true);
    cutDone = true;
  }

  it('before the cut Taobao offers WeChat; at the cut the operator ends it at once, and the shopper at Taobao and JD lives through it', async () => {
    const browser = new TestBrowser();
    browser.acceptLanguage = 'en';
    const taobao = gw.shops[TAOBAO]!;
    const jd = gw.shops[JD]!;
    const atTaobao = await weChatSignIn(gw, browser, TAOBAO, 'chenhao', 'openid profile offline_access');
    assert.equal(atTaobao.claims()!.idp, 'wechat');
    assert.ok(atTaobao.refresh_token, 'Taobao holds a refresh token');
    const atJd = await weChatSignIn(gw, browser, JD, 'chenhao', 'openid profile offline_access');
    assert.ok(atJd.refresh_token, 'JD holds one too');
    const taobaoRefresh = (await oidc.refreshTokenGrant(taobao.config, atTaobao.refresh_token!)).refresh_token!;
    assert.ok(taobaoRefresh, 'refresh works at Taobao before the cut');

    await cut();
    // The clock does not move: "from that instant".

    await assert.rejects(
      oidc.refreshTokenGrant(taobao.config, taobaoRefresh),
      (err: any) => err.error === 'invalid_grant',
      "Taobao's refresh token is refused",
    );

    const chooser = await browser.go((await authRequest(taobao)).url, { stopAt: atShop(taobao) });
    assert.equal(chooser.status, 200, 'the WeChat session no longer signs in at Taobao: the chooser');
    assert.match(chooser.html, /Signing in with WeChat, as you did before, no longer works at Taobao \(demo\)/);
    assert.doesNotMatch(chooser.html, /data-provider="wechat"/, 'no WeChat button');
    assert.match(chooser.html, /data-provider="weibo"/, 'the other ways remain');

    const hinted = await browser.go((await authRequest(taobao, { provider: 'wechat' })).url, { stopAt: atShop(taobao) });
    // No grace end was set: WeChat still proves who a Taobao shopper is, to add another way (nobody is stranded).
    assert.match(hinted.html, /data-ended="wechat" data-phase="grace"/, 'the hint lands on the recovery page, not at WeChat');
    assert.match(hinted.html, /Taobao \(demo\) stopped signing in with WeChat on 5 August 2013 at 10:00 \(Beijing time\)\. You can still confirm/);
    assert.match(hinted.html, />Recover your Taobao \(demo\) account with WeChat</, 'no "until" without a grace end');
    assert.ok(!hinted.hops.some((h) => h.url.startsWith(gw.emulators.wechat!.url)), 'never sent to WeChat');

    const described = (await (await fetch(`${gw.issuer}/clients/${TAOBAO}/sign-in-methods`)).json()) as ShopSignInMethods;
    const wechat = described.methods.find((m) => m.id === 'wechat')!;
    assert.equal(wechat.show, 'recovery', "Taobao's own WeChat button becomes a recovery entry");
    assert.equal(wechat.text!.en, 'Recover your account with WeChat');
    assert.match(wechat.notice?.en ?? '', /stopped at Taobao \(demo\) on 5 August 2013 at 10:00/);

    // JD: the same session signs in silently, the refresh token works, WeChat is a button.
    const jdAuth = await authRequest(jd, { provider: 'wechat' });
    const silent = await browser.go(jdAuth.url, { stopAt: atShop(jd) });
    assert.equal(silent.status, 0, 'JD still signs the WeChat session in');
    assert.equal((await redeem(jd, silent.url, jdAuth)).claims()!.sub, atJd.claims()!.sub);
    assert.ok((await oidc.refreshTokenGrant(jd.config, atJd.refresh_token!)).access_token, "JD's refresh token works");
    const jdMethods = (await (await fetch(`${gw.issuer}/clients/${JD}/sign-in-methods`)).json()) as ShopSignInMethods;
    assert.equal(jdMethods.methods.find((m) => m.id === 'wechat')?.show, 'button');
  });

  it('after the cut a new WeChat shopper signs in at JD but is never sent to WeChat from Taobao', async () => {
    await cut();
    const fresh = new TestBrowser();
    const atJd = await weChatSignIn(gw, fresh, JD, 'linxue');
    assert.equal(atJd.claims()!.idp, 'wechat');
    const taobao = gw.shops[TAOBAO]!;
    fresh.acceptLanguage = 'zh-CN,zh;q=0.9';
    const page = await fresh.go((await authRequest(taobao, { provider: 'wechat' })).url, { stopAt: atShop(taobao) });
    assert.match(page.html, /data-ended="wechat"/);
    assert.ok(page.html.includes('淘宝（演示）已于8月5日 10:00（北京时间）起停止支持微信登录。您仍可以用微信确认身份'), 'in Chinese, with no end date');
    assert.ok(page.html.includes('data-migrate="wechat">用微信找回您的淘宝（演示）账号<'));
  });

  it("the audit log holds the operator's emergency cutoff: before live with keep, after cut now with revoke", async () => {
    await cut();
    const audit = await listAudit(gw.store, { partner: 'taobao', action: 'integration' });
    const entry = audit.entries.find((e) => e.target?.provider === 'wechat')!;
    assert.ok(entry, 'an entry for the WeChat change');
    assert.equal(entry.action, 'integration.schedule');
    assert.equal(entry.actor.kind, 'operator');
    assert.equal((entry.before as any).atCutoff, 'keep');
    assert.equal((entry.before as any).cutoffAt, undefined);
    assert.equal((entry.after as any).atCutoff, 'revoke');
    assert.equal((entry.after as any).cutoffAt, Date.parse(TAOBAO_WECHAT_CUTOFF_STORY));
    assert.equal((entry.after as any).noticeAt, undefined, 'no notice period');
    assert.equal((entry.after as any).effectiveImmediately, true);
  });
});

describe('story: the emergency cutoff on every instance (two gateways on one PostgreSQL database)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let gw: Gateway;
  let secondStore: Store;
  let second: DengluApp;
  const clock = new ManualClock(BEFORE_CUT);

  before(async function () {
    if (!(await postgresAvailable())) {
      console.warn('    SKIPPED: PostgreSQL is not reachable; the every-instance cutoff test did not run');
      return this.skip();
    }
    db = await freshDatabase('taobao-wechat');
    gw = await startGateway({ clock, databaseUrl: db.url, partners: sandboxSeed });
    secondStore = await createStore({ dataDir: gw.dataDir, databaseUrl: db.url, clock });
    second = await createApp({ config: gw.config, store: secondStore, clock, providers: PROVIDERS, log: gw.log });
  });
  after(async () => {
    second?.signingKeys.close();
    await secondStore?.close();
    await gw?.close();
    await db?.drop();
  });

  it('cut through one instance, the other stops offering WeChat at Taobao and refuses its refresh token, and still offers it at JD', async () => {
    const tokens = await weChatSignIn(gw, new TestBrowser(), TAOBAO, 'chenhao', 'openid profile offline_access');
    const refresh = (form: Record<string, string>) =>
      request(second.app)
        .post('/token')
        .type('form')
        .send(
          new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: TAOBAO,
            client_secret: 'taobao-demo-shop-secret-sandbox-only-0001',
            ...form,
          }).toString(),
        );
    const before = await refresh({ refresh_token: tokens.refresh_token! });
    assert.equal(before.status, 200, 'the second instance refreshes before the cut');

    clock.set(Date.parse(TAOBAO_WECHAT_CUTOFF_STORY));
    assert.equal((await call(gw, OPERATOR, 'PUT', '/partners/taobao/integrations/wechat', EMERGENCY_CUT)).status, 200);

    // The second instance hears the change (LISTEN/NOTIFY; its copy of partners is never more than a second old).
    let wechatAtTaobao: string | undefined = 'button';
    const describe = async () => {
      const res = await request(second.app).get(`/clients/${TAOBAO}/sign-in-methods`);
      wechatAtTaobao = (res.body as ShopSignInMethods).methods.find((m) => m.id === 'wechat')?.show;
    };
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && wechatAtTaobao === 'button') {
      await describe();
      if (wechatAtTaobao === 'button') await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.notEqual(wechatAtTaobao, 'button', "the second instance stopped offering WeChat at Taobao within the copy's second");
    const jdMethods = (await request(second.app).get(`/clients/${JD}/sign-in-methods`)).body as ShopSignInMethods;
    assert.equal(jdMethods.methods.find((m) => m.id === 'wechat')?.show, 'button', 'and still offers it at JD');
    const answer = await refresh({ refresh_token: before.body.refresh_token });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'invalid_grant');
  });
});
