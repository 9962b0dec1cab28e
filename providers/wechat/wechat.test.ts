// WeChat website login: the shared provider contract, then only WeChat's quirks — the QR page and its
// phone confirmation, the in-WeChat official-account variant chosen by User-Agent, the short
// alphanumeric state, denial as a bare `state`, GET token with appid/secret, JSON as text/plain, errcodes
// with the live rid suffix and the step each maps to, lifetimes and refresh, sns/auth, and the
// unionid-first identity (and an app without unionid).

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import type { UpstreamError } from '../../src/errors.ts';
import type { EmulatorApp, EmulatorOptions, KnownProfile, ProviderAdapter } from '../contract.ts';
import { providerContractSuite } from '../shared/contract-suite.ts';
import { adapterOptions, authorizeAt, beginFlow, CALLBACK, completeFlow, type ServedEmulator, serveEmulator, signInUpstream } from '../shared/testing.ts';
import { openidFor, unionidFor } from './emulator-world.ts';
import { wechat } from './index.ts';

const WEBSITE = { clientId: 'wx1a2b3c4d5e6f7a8b', clientSecret: 'website-secret-0123456789abcdef' };
const MP = { mpAppId: 'wx9f8e7d6c5b4a3921', mpAppSecret: 'mp-secret-0123456789abcdef' };
const WEBSITE_APP: EmulatorApp = { ...WEBSITE, redirectUris: [CALLBACK], name: '京东商城', extra: MP };
const UNBOUND_APP: EmulatorApp = { clientId: 'wx00000000000000aa', clientSecret: 'unbound-secret', redirectUris: [CALLBACK], extra: { openPlatform: false } };
const IPHONE_WECHAT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN';
const DESKTOP_CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

providerContractSuite(wechat, { app: WEBSITE, login: 'chenhao', tokenEndpoint: 'access_token', denial: 'redirect' });

describe('wechat provider', () => {
  let served: ServedEmulator;
  let clock: ManualClock;

  async function serve(options: Partial<EmulatorOptions> = {}): Promise<void> {
    served = await serveEmulator(wechat.createEmulator({ apps: [WEBSITE_APP, UNBOUND_APP], clock, ...options }));
  }
  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    await serve();
  });
  afterEach(() => served.close());

  function adapter(
    overrides: { app?: EmulatorApp; mp?: boolean; knownProfile?: (keys: string[]) => Promise<KnownProfile | undefined>; timeoutMs?: number } = {},
  ): ProviderAdapter {
    const app = overrides.app ?? WEBSITE_APP;
    return wechat.createAdapter(
      adapterOptions(['open', 'api'], served.url, {
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        ...(overrides.mp === false ? {} : { extra: MP }),
        ...(overrides.knownProfile ? { knownProfile: overrides.knownProfile } : {}),
      }),
    );
  }

  async function failed(a: ProviderAdapter, login = 'chenhao'): Promise<UpstreamError> {
    const { location } = await authorizeAt(await beginFlow(a), login);
    assert.ok(location, 'the emulator redirected back');
    const outcome = await completeFlow(a, location);
    assert.notEqual(outcome.kind, 'success', 'the round trip failed');
    return (outcome as { error: UpstreamError }).error;
  }

  /** A code for `login`, obtained through the QR page's sandbox button. */
  async function codeFor(login = 'chenhao', appid = WEBSITE.clientId): Promise<string> {
    const url = new URL('/connect/qrconnect', served.url);
    url.search = new URLSearchParams({ appid, redirect_uri: CALLBACK, response_type: 'code', scope: 'snsapi_login', state: 'abc123' }).toString();
    const { location } = await authorizeAt(url, login);
    assert.ok(location);
    return location.searchParams.get('code')!;
  }

  async function sns(path: string, params: Record<string, string>, method = 'GET'): Promise<{ type: string; status: number; json: Record<string, any> }> {
    const url = new URL(path, served.url);
    url.search = new URLSearchParams(params).toString();
    const res = await fetch(url, { method });
    return { type: res.headers.get('content-type') ?? '', status: res.status, json: JSON.parse(await res.text()) };
  }

  const exchange = (code: string, secret = WEBSITE.clientSecret, appid = WEBSITE.clientId) =>
    sns('/sns/oauth2/access_token', { appid, secret, code, grant_type: 'authorization_code' });

  describe('the authorize link', () => {
    it('outside WeChat: qrconnect with appid (no client_id), the documented order, snsapi_login, a short alphanumeric state, #wechat_redirect', async () => {
      const url = await beginFlow(adapter(), { userAgent: DESKTOP_CHROME });
      assert.equal(url.pathname, '/connect/qrconnect');
      assert.deepEqual([...url.searchParams.keys()], ['appid', 'redirect_uri', 'response_type', 'scope', 'state']);
      assert.equal(url.searchParams.get('appid'), WEBSITE.clientId);
      assert.equal(url.searchParams.get('redirect_uri'), CALLBACK);
      assert.equal(url.searchParams.get('scope'), 'snsapi_login');
      assert.match(url.searchParams.get('state')!, /^[A-Za-z0-9]{1,128}$/);
      assert.equal(url.hash, '#wechat_redirect');
    });

    it("inside WeChat's browser with an official account: oauth2/authorize, its app id, snsapi_userinfo, the callback marked", async () => {
      const url = await beginFlow(adapter(), { userAgent: IPHONE_WECHAT });
      assert.equal(url.pathname, '/connect/oauth2/authorize');
      assert.deepEqual([...url.searchParams.keys()], ['appid', 'redirect_uri', 'response_type', 'scope', 'state']);
      assert.equal(url.searchParams.get('appid'), MP.mpAppId);
      assert.equal(url.searchParams.get('scope'), 'snsapi_userinfo');
      assert.equal(url.searchParams.get('redirect_uri'), `${CALLBACK}?wechat_app=official_account`);
      assert.equal(url.hash, '#wechat_redirect');
      const without = await beginFlow(adapter({ mp: false }), { userAgent: IPHONE_WECHAT });
      assert.equal(without.pathname, '/connect/qrconnect', 'no official account configured: the QR page everywhere');
    });

    it('refuses a state WeChat would refuse, and an official account id without its secret', async () => {
      await assert.rejects(adapter().authorizationUrl({ state: 'has-dash_and_underscore', callbackUrl: CALLBACK, locale: 'en' }), /128 letters and digits/);
      await assert.rejects(adapter().authorizationUrl({ state: 'a'.repeat(129), callbackUrl: CALLBACK, locale: 'en' }), /128 letters and digits/);
      const options = adapterOptions(['open', 'api'], served.url, { ...WEBSITE, extra: { mpAppId: MP.mpAppId } });
      assert.throws(() => wechat.createAdapter(options), /WECHAT_MP_APP_ID and WECHAT_MP_APP_SECRET must be set together/);
    });
  });

  describe('sign-in', () => {
    it('by the sandbox scan button: unionid first, openid scoped by app id, nickname, headimgurl, language', async () => {
      const identity = await signInUpstream(adapter(), 'chenhao');
      const openid = openidFor(WEBSITE.clientId, 'chenhao');
      assert.match(openid, /^o[\w-]{27}$/);
      assert.match(unionidFor('chenhao'), /^o[\w-]{28}$/);
      assert.deepEqual(identity.keys, [`wechat:unionid:${unionidFor('chenhao')}`, `wechat:openid:${WEBSITE.clientId}:${openid}`]);
      assert.equal(identity.subject, unionidFor('chenhao'));
      assert.equal(identity.displayName, '陈浩');
      assert.equal(identity.avatar, `${served.url}/mmopen/vi_32/${openid}/132`);
      assert.equal(identity.locale, 'zh-CN');
      const avatar = await fetch(identity.avatar!);
      assert.equal(avatar.headers.get('content-type'), 'image/svg+xml; charset=utf-8');
    });

    it('by the QR code: the page shows a QR image of the confirmation URL; the phone confirms; the polling page goes back', async () => {
      const a = adapter();
      const page = await fetch(await beginFlow(a));
      const html = await page.text();
      const image = /<img class="qr" src="data:image\/svg\+xml;base64,([^"]+)"/.exec(html)?.[1];
      assert.ok(image, 'a QR image');
      assert.match(Buffer.from(image, 'base64').toString(), /^<svg[\s\S]*<path/);
      const confirmUrl = /<a href="([^"]+\/connect\/confirm\?uuid=[^"]+)"/.exec(html)?.[1];
      const poll = /<meta http-equiv="refresh" content="3;url=([^"]+)">/.exec(html)?.[1];
      assert.ok(confirmUrl && poll, 'the confirmation link and the poll');
      const waiting = await fetch(new URL(poll, served.url), { redirect: 'manual' });
      assert.equal(waiting.status, 200, 'nothing scanned yet: the QR page again');
      const { location: done } = await authorizeAt(new URL(confirmUrl), 'linxue');
      assert.equal(done, undefined, 'the phone shows "confirmed", no redirect');
      const back = await fetch(new URL(poll, served.url), { redirect: 'manual' });
      assert.equal(back.status, 302);
      const outcome = await completeFlow(a, new URL(back.headers.get('location')!));
      assert.equal(outcome.kind, 'success');
      assert.equal((outcome as { identity: { displayName: string } }).identity.displayName, '林雪');
    });

    it("inside WeChat: the official account's openid, the same unionid and subject as on the website", async () => {
      const onWebsite = await signInUpstream(adapter(), 'linxue');
      const a = adapter();
      const authorize = await beginFlow(a, { userAgent: IPHONE_WECHAT });
      const { location } = await authorizeAt(authorize, 'linxue');
      assert.ok(location);
      assert.equal(location.searchParams.get('wechat_app'), 'official_account');
      const outcome = await completeFlow(a, location);
      assert.equal(outcome.kind, 'success');
      const inApp = (outcome as { identity: typeof onWebsite }).identity;
      assert.equal(inApp.subject, onWebsite.subject);
      assert.deepEqual(inApp.keys, [`wechat:unionid:${unionidFor('linxue')}`, `wechat:openid:${MP.mpAppId}:${openidFor(MP.mpAppId, 'linxue')}`]);
      assert.notEqual(openidFor(MP.mpAppId, 'linxue'), openidFor(WEBSITE.clientId, 'linxue'), 'openids are per app');
    });

    it('an app outside an open-platform account gets no unionid (subject appid:openid), and so does the no_unionid mode', async () => {
      const unbound = await signInUpstream(adapter({ app: UNBOUND_APP, mp: false }), 'tom');
      const openid = openidFor(UNBOUND_APP.clientId, 'tom');
      assert.deepEqual(unbound.keys, [`wechat:openid:${UNBOUND_APP.clientId}:${openid}`]);
      assert.equal(unbound.subject, `${UNBOUND_APP.clientId}:${openid}`);
      assert.equal(unbound.locale, 'en');
      assert.deepEqual(served.emulator.identityKeysFor('tom', UNBOUND_APP.clientId), unbound.keys);
      served.emulator.faults.set('access_token', 'no_unionid', 1);
      const mode = await signInUpstream(adapter(), 'tom');
      assert.deepEqual(mode.keys, [`wechat:openid:${WEBSITE.clientId}:${openidFor(WEBSITE.clientId, 'tom')}`]);
    });

    it('a known profile skips sns/userinfo and asks sns/auth; a refused sns/auth is token_verify', async () => {
      const knownProfile = async () => ({ displayName: '老朋友' });
      served.emulator.faults.set('userinfo', 'status500');
      const identity = await signInUpstream(adapter({ knownProfile }), 'chenhao');
      assert.equal(identity.displayName, '老朋友');
      assert.equal(identity.profileFromCache, true);
      assert.deepEqual(served.emulator.faults.served(), {}, 'sns/userinfo was not called');
      served.emulator.faults.clear();
      served.emulator.faults.set('auth', 'invalid_credential', 1);
      const error = await failed(adapter({ knownProfile }));
      assert.equal(error.step, 'token_verify');
      assert.match(error.message, /^sns\/auth answered errcode 40001 "invalid credential, access_token is invalid or not latest" \(rid [0-9a-f-]+\)/);
    });
  });

  describe('refusals', () => {
    it('the refuse button comes back with state and no code; code=authdeny too: provider_denied without a token call', async () => {
      const a = adapter();
      const { location } = await authorizeAt(await beginFlow(a), 'chenhao', 'deny');
      assert.ok(location);
      assert.deepEqual([...location.searchParams.keys()], ['state']);
      served.emulator.faults.set('access_token', 'status500', 1);
      assert.equal((await completeFlow(a, location)).kind, 'fail');
      await beginFlow(a);
      const outcome = await a.completeCallback({ params: { code: 'authdeny', state: 'x' }, callbackUrl: CALLBACK });
      assert.equal(outcome.ok ? '' : outcome.error.step, 'provider_denied');
      assert.ok(served.emulator.faults.list().access_token, 'the token endpoint was never called');
    });

    for (const [mode, errcode] of [
      ['invalid_code', 40029],
      ['code_been_used', 40163],
      ['code_expired', 42003],
    ] as const) {
      it(`token errcode ${errcode} (${mode}) at HTTP 200 is token_exchange, with WeChat's errcode and rid and never the code`, async () => {
        served.emulator.faults.set('access_token', mode, 1);
        const a = adapter();
        const { location } = await authorizeAt(await beginFlow(a), 'chenhao');
        const code = location!.searchParams.get('code')!;
        const outcome = await completeFlow(a, location!);
        assert.equal(outcome.kind, 'error');
        const error = (outcome as { error: UpstreamError }).error;
        assert.equal(error.step, 'token_exchange');
        assert.match(error.message, new RegExp(`errcode ${errcode} "[a-z ]+" \\(rid [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}\\) \\(HTTP 200\\)$`));
        assert.ok(!error.message.includes(code));
      });
    }

    for (const [mode, errcode, step] of [
      ['invalid_credential', 40001, 'userinfo'],
      ['invalid_access_token', 40014, 'userinfo'],
      ['api_unauthorized', 48001, 'userinfo'],
    ] as const) {
      it(`sns/userinfo errcode ${errcode} (${mode}) is ${step}`, async () => {
        served.emulator.faults.set('userinfo', mode, 1);
        const error = await failed(adapter());
        assert.equal(error.step, step);
        assert.match(error.message, new RegExp(`^sns/userinfo answered errcode ${errcode} `));
      });
    }

    it('a userinfo for another openid is userinfo; an unreadable one profile_decode; the generic profile is 微信用户 without avatar', async () => {
      served.emulator.faults.set('userinfo', 'other_openid', 1);
      assert.equal((await failed(adapter())).step, 'userinfo');
      served.emulator.faults.set('userinfo', 'malformed', 1);
      assert.equal((await failed(adapter())).step, 'profile_decode');
      served.emulator.faults.set('userinfo', 'generic_profile', 1);
      const generic = await signInUpstream(adapter(), 'chenhao');
      assert.equal(generic.displayName, '微信用户');
      assert.equal(generic.avatar, undefined);
    });

    it('a wrong app secret (40125) is token_exchange and names no secret', async () => {
      const a = wechat.createAdapter(adapterOptions(['open', 'api'], served.url, { clientId: WEBSITE.clientId, clientSecret: 'wrong-secret-value' }));
      const error = await failed(a);
      assert.equal(error.step, 'token_exchange');
      assert.match(error.message, /errcode 40125 "invalid appsecret"/);
      assert.ok(!error.message.includes('wrong-secret-value'));
    });
  });

  describe('the emulated sns API', () => {
    it('answers the token by GET only, as JSON served text/plain: 7,200 s, snsapi_login, openid and unionid', async () => {
      const { type, status, json } = await exchange(await codeFor());
      assert.equal(status, 200);
      assert.equal(type, 'text/plain');
      assert.equal(json.expires_in, 7200);
      assert.equal(json.scope, 'snsapi_login');
      assert.equal(json.openid, openidFor(WEBSITE.clientId, 'chenhao'));
      assert.equal(json.unionid, unionidFor('chenhao'));
      assert.match(json.access_token, /^[\w-]{16,}$/);
      const post = await sns('/sns/oauth2/access_token', { appid: WEBSITE.clientId }, 'POST');
      assert.equal(post.json.errcode, 43001);
    });

    it('codes: single use (40163), bound to their app (40029), 10 minutes (42003); unknown appid 40013, wrong secret 40125', async () => {
      const code = await codeFor();
      assert.equal((await exchange(code, WEBSITE.clientSecret, UNBOUND_APP.clientId)).json.errcode, 40125);
      assert.equal((await exchange(code, UNBOUND_APP.clientSecret, UNBOUND_APP.clientId)).json.errcode, 40029, "another app's code");
      assert.ok((await exchange(code)).json.access_token);
      const reused = (await exchange(code)).json;
      assert.equal(reused.errcode, 40163);
      assert.match(reused.errmsg, /^code been used, rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
      const late = await codeFor();
      clock.advance(600_000);
      assert.equal((await exchange(late)).json.errcode, 42003);
      assert.equal((await exchange('nonsense')).json.errcode, 40029);
      assert.equal((await exchange(await codeFor(), WEBSITE.clientSecret, 'wx-unknown')).json.errcode, 40013);
    });

    it('tokens live 7,200 s (then 42001); refresh (no secret) extends a live one and renews an expired one for 30 days (then 42002)', async () => {
      const { json: token } = await exchange(await codeFor());
      const who = { openid: token.openid };
      assert.equal((await sns('/sns/auth', { access_token: token.access_token, ...who })).json.errmsg, 'ok');
      assert.equal((await sns('/sns/auth', { access_token: token.access_token, openid: openidFor(WEBSITE.clientId, 'linxue') })).json.errcode, 40003);
      const refresh = { appid: WEBSITE.clientId, grant_type: 'refresh_token', refresh_token: token.refresh_token };
      clock.advance(7000_000);
      const kept = (await sns('/sns/oauth2/refresh_token', refresh)).json;
      assert.equal(kept.access_token, token.access_token, 'a live token is kept');
      clock.advance(7000_000);
      assert.equal((await sns('/sns/userinfo', { access_token: token.access_token, ...who })).json.nickname, '陈浩', 'its expiry was extended');
      clock.advance(7200_000);
      assert.equal((await sns('/sns/userinfo', { access_token: token.access_token, ...who })).json.errcode, 42001);
      const renewed = (await sns('/sns/oauth2/refresh_token', refresh)).json;
      assert.notEqual(renewed.access_token, token.access_token);
      assert.equal(renewed.refresh_token, token.refresh_token, 'the refresh token is not renewed');
      assert.equal((await sns('/sns/userinfo', { access_token: renewed.access_token, ...who })).json.unionid, unionidFor('chenhao'));
      clock.advance(30 * 86_400_000);
      assert.equal((await sns('/sns/oauth2/refresh_token', refresh)).json.errcode, 42002);
      assert.equal((await sns('/sns/oauth2/refresh_token', { ...refresh, refresh_token: 'nope' })).json.errcode, 40030);
      assert.equal((await sns('/sns/userinfo', { access_token: 'short', ...who })).json.errcode, 40014);
      assert.equal((await sns('/sns/userinfo', { access_token: 'x'.repeat(40), ...who })).json.errcode, 40001);
    });

    it('userinfo: sex a number, privilege an array, headimgurl empty for a person without a picture, no email', async () => {
      const { json: token } = await exchange(await codeFor('wuyu'));
      const { json } = await sns('/sns/userinfo', { access_token: token.access_token, openid: token.openid, lang: 'zh_CN' });
      assert.deepEqual(Object.keys(json), ['openid', 'nickname', 'sex', 'language', 'city', 'province', 'country', 'headimgurl', 'privilege', 'unionid']);
      assert.equal(json.sex, 0);
      assert.deepEqual(json.privilege, []);
      assert.equal(json.headimgurl, '');
    });
  });

  describe('the emulated authorize pages', () => {
    async function page(path: string, params: [string, string][], userAgent?: string): Promise<{ status: number; html: string; location: string | null }> {
      const url = new URL(path, served.url);
      url.search = new URLSearchParams(params).toString();
      const res = await fetch(url, { redirect: 'manual', headers: userAgent ? { 'user-agent': userAgent } : {} });
      return { status: res.status, html: await res.text(), location: res.headers.get('location') };
    }
    const qr = (o: Record<string, string> = {}): [string, string][] =>
      Object.entries({ appid: WEBSITE.clientId, redirect_uri: CALLBACK, response_type: 'code', scope: 'snsapi_login', state: 'abc', ...o });

    it('shows WeChat error pages, never redirects, for a bad link', async () => {
      const cases: [string, [string, string][], RegExp][] = [
        ['/connect/qrconnect', qr({ appid: 'wx-unknown' }), /AppID 参数错误/],
        ['/connect/qrconnect', qr({ redirect_uri: 'https://evil.example/cb' }), /redirect_uri 参数错误/],
        ['/connect/qrconnect', qr({ scope: 'snsapi_userinfo' }), /Scope 参数错误或没有 Scope 权限/],
        ['/connect/qrconnect', qr({ appid: MP.mpAppId }), /Scope 参数错误或没有 Scope 权限/],
        ['/connect/qrconnect', qr({ state: 'a'.repeat(129) }), /state 参数过长/],
        ['/connect/oauth2/authorize', qr({ scope: 'snsapi_userinfo' }), /Scope 参数错误或没有 Scope 权限/],
        ['/connect/oauth2/authorize', [...qr({ appid: MP.mpAppId, scope: 'snsapi_userinfo' })].reverse(), /该链接无法访问/],
      ];
      for (const [path, params, message] of cases) {
        const answer = await page(path, params);
        assert.equal(answer.status, 200, `${path} ${message}`);
        assert.equal(answer.location, null);
        assert.match(answer.html, message);
      }
    });

    it('accepts any callback under the registered domain, and snsapi_base redirects at once', async () => {
      const other = `${new URL(CALLBACK).origin}/elsewhere?x=1`;
      assert.match((await page('/connect/qrconnect', qr({ redirect_uri: other }))).html, /微信登录/);
      const base = await page('/connect/oauth2/authorize', qr({ appid: MP.mpAppId, scope: 'snsapi_base', state: 's1' }), IPHONE_WECHAT);
      assert.equal(base.status, 302);
      const back = new URL(base.location!);
      assert.match(back.searchParams.get('code')!, /^[A-Za-z0-9]{32}$/);
      assert.equal(back.searchParams.get('state'), 's1');
    });

    it('the in-WeChat page says "open in WeChat" to other browsers; the QR code expires after 5 minutes', async () => {
      const params = qr({ appid: MP.mpAppId, scope: 'snsapi_userinfo' });
      assert.match((await page('/connect/oauth2/authorize', params, DESKTOP_CHROME)).html, /请在微信客户端打开链接/);
      assert.doesNotMatch((await page('/connect/oauth2/authorize', params, IPHONE_WECHAT)).html, /请在微信客户端打开链接/);
      const first = await page('/connect/qrconnect', qr());
      const poll = /url=([^"]+)"/.exec(first.html)![1]!;
      clock.advance(300_000);
      assert.match((await fetch(new URL(poll, served.url))).headers.get('content-type') ?? '', /html/);
      assert.match(await (await fetch(new URL(poll, served.url))).text(), /二维码已失效/);
    });
  });
});
