// QQ Connect: the adapter against the emulator over real HTTP (round trips, every quirk, every fault
// mode → its error step) and the emulator's own protocol rules (validation, codes, formats, control routes).

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { UpstreamError } from '../../src/errors.ts';
import type { EmulatorApp, EmulatorOptions, ProviderAdapter } from '../contract.ts';
import { providerContractSuite } from '../shared/contract-suite.ts';
import {
  adapterOptions,
  authorizeAt,
  beginFlow,
  CALLBACK,
  completeFlow,
  type FlowOutcome,
  pendingFlow,
  serveEmulator,
  setPendingFlow,
  signInUpstream,
  type ServedEmulator,
} from '../shared/testing.ts';
import { until } from '../../test/support/until.ts';
import { openidFor } from './emulator-users.ts';
import { qq } from './index.ts';
import { parseJsonp } from './jsonp.ts';
import { parseTokenBody } from './token-response.ts';

const APP_A: EmulatorApp = { clientId: '101000001', clientSecret: 'secret-a', redirectUris: [CALLBACK], name: '京东商城', extra: { unionid: true } };
const APP_B: EmulatorApp = { clientId: '101000002', clientSecret: 'secret-b', redirectUris: [CALLBACK], name: '京东手机', extra: { unionid: true } };
const APP_C: EmulatorApp = { clientId: '101000003', clientSecret: 'secret-c', redirectUris: [CALLBACK], name: '无 unionid 的应用' };
/** An app registered the way QQ registers callbacks: root domains separated by semicolons. */
const APP_D: EmulatorApp = {
  clientId: '101000004',
  clientSecret: 'secret-d',
  redirectUris: [],
  name: '多域名商城',
  extra: { callbackDomains: 'mysite.test;example.test' },
};
/** QQ's codes and tokens: 32 uppercase hex characters. */
const QQ_OPAQUE = /^[0-9A-F]{32}$/;

let served: ServedEmulator;

async function serve(options: Partial<EmulatorOptions> = {}): Promise<ServedEmulator> {
  return serveEmulator(qq.createEmulator({ apps: [APP_A, APP_B, APP_C, APP_D], ...options }));
}

function strategy(app: EmulatorApp = APP_A, overrides: { timeoutMs?: number; clientSecret?: string; unionid?: boolean } = {}): ProviderAdapter {
  const options = adapterOptions(['graph'], served.url, {
    clientId: app.clientId,
    clientSecret: overrides.clientSecret ?? app.clientSecret,
    extra: { unionid: overrides.unionid ?? app.extra?.unionid === true },
    ...(overrides.timeoutMs ? { timeoutMs: overrides.timeoutMs } : {}),
  });
  return qq.createAdapter(options);
}

/** One round trip that is expected to fail; returns the UpstreamError. */
async function failedSignIn(s: ProviderAdapter, login = 'xiaoming'): Promise<UpstreamError> {
  const { location } = await authorizeAt(await beginFlow(s), login);
  assert.ok(location, 'the emulator redirected back');
  return outcomeError(await completeFlow(s, location));
}

function outcomeError(outcome: FlowOutcome): UpstreamError {
  assert.ok(outcome.kind === 'error' || outcome.kind === 'fail', `expected a failure, got ${outcome.kind}`);
  assert.ok(outcome.error instanceof UpstreamError);
  assert.equal(outcome.error.providerId, 'qq');
  return outcome.error;
}

function authorizeUrl(params: Record<string, string>): URL {
  const url = new URL('/oauth2.0/authorize', served.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url;
}

/** A code for `login` at `app`, obtained the way a browser would. */
async function codeFor(app: EmulatorApp, login = 'xiaoming'): Promise<string> {
  const url = authorizeUrl({ response_type: 'code', client_id: app.clientId, redirect_uri: CALLBACK, state: 'st-1', scope: 'get_user_info' });
  const { location } = await authorizeAt(url, login);
  assert.ok(location);
  assert.equal(location.searchParams.get('state'), 'st-1');
  return location.searchParams.get('code')!;
}

async function tokenCall(params: Record<string, string>, method: 'GET' | 'POST' = 'POST'): Promise<{ status: number; type: string; body: string }> {
  const form = new URLSearchParams(params);
  const res =
    method === 'POST'
      ? await fetch(new URL('/oauth2.0/token', served.url), { method, body: form })
      : await fetch(new URL(`/oauth2.0/token?${form}`, served.url));
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

function codeExchange(app: EmulatorApp, code: string, extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code, redirect_uri: CALLBACK, ...extra };
}

async function getText(path: string, params: Record<string, string>): Promise<{ status: number; type: string; body: string }> {
  const url = new URL(path, served.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

async function meJson(accessToken: string, unionid = false): Promise<Record<string, any>> {
  const { body } = await getText('/oauth2.0/me', { access_token: accessToken, fmt: 'json', ...(unionid ? { unionid: '1' } : {}) });
  return JSON.parse(body);
}

async function userInfo(accessToken: string, appId: string, openid: string): Promise<Record<string, any>> {
  const { body } = await getText('/user/get_user_info', { access_token: accessToken, oauth_consumer_key: appId, openid });
  return JSON.parse(body);
}

async function control(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(new URL(path, served.url), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

// QQ's page offers no redirect on cancel; a cancelled sign-in that comes back carries only `state`.
providerContractSuite(qq, {
  app: { clientId: APP_A.clientId, clientSecret: APP_A.clientSecret, extra: { unionid: true } },
  login: 'xiaoming',
  tokenEndpoint: 'token',
  denial: 'bare-state',
  // An unreadable /me cannot verify the token (token_verify); an unreadable profile is profile_decode.
  identityEndpoints: [
    { endpoint: 'me', failStep: 'token_verify', decodeStep: 'token_verify' },
    { endpoint: 'get_user_info', failStep: 'userinfo', decodeStep: 'profile_decode' },
  ],
});

describe('qq provider', () => {
  beforeEach(async () => {
    served = await serve();
  });
  afterEach(async () => {
    await served.close();
  });

  describe('adapter round trip', () => {
    it('signs in with openid, unionid, nickname and the 100px QQ avatar, as the emulator reports them', async () => {
      const identity = await signInUpstream(strategy(APP_A), 'xiaoming');
      assert.ok(identity.accessToken);
      const me = await meJson(identity.accessToken, true);
      assert.equal(me.client_id, APP_A.clientId);
      assert.match(me.openid, /^[0-9A-F]{32}$/);
      assert.equal(me.openid, openidFor(APP_A.clientId, 'xiaoming'));
      const info = await userInfo(identity.accessToken, APP_A.clientId, me.openid);
      assert.equal(identity.provider, 'qq');
      assert.equal(identity.subject, `${APP_A.clientId}:${me.openid}`);
      assert.deepEqual(identity.keys, [`qq:openid:${APP_A.clientId}:${me.openid}`, `qq:unionid:${me.unionid}`]);
      assert.deepEqual(identity.keys, served.emulator.identityKeysFor('xiaoming', APP_A.clientId));
      assert.equal(identity.displayName, info.nickname);
      assert.equal(identity.displayName, served.emulator.users.find((u) => u.login === 'xiaoming')!.name);
      assert.equal(identity.avatar, info.figureurl_qq_2);
      assert.ok(!identity.keys.some((k) => k.includes('小明')), 'no nickname in keys');
    });

    it('without unionid permission the identity has only the openid key', async () => {
      const identity = await signInUpstream(strategy(APP_C), 'lihua');
      const me = await meJson(identity.accessToken!);
      assert.equal(me.unionid, undefined);
      assert.deepEqual(identity.keys, [`qq:openid:${APP_C.clientId}:${me.openid}`]);
      assert.deepEqual(identity.keys, served.emulator.identityKeysFor('lihua', APP_C.clientId));
      assert.equal(identity.displayName, '李华');
    });

    it('asking for a unionid the app may not have fails at token_verify naming error 100048', async () => {
      const err = await failedSignIn(strategy(APP_C, { unionid: true }));
      assert.equal(err.step, 'token_verify');
      assert.match(err.message, /100048/);
      assert.match(err.message, /"extra\.unionid"/);
    });

    it('falls back to figureurl_qq_1 when the user has no 100px QQ avatar', async () => {
      const identity = await signInUpstream(strategy(APP_A), 'wangfang');
      const me = await meJson(identity.accessToken!);
      const info = await userInfo(identity.accessToken!, APP_A.clientId, me.openid);
      assert.equal(info.figureurl_qq_2, undefined);
      assert.ok(info.figureurl_qq_1);
      assert.equal(identity.avatar, info.figureurl_qq_1);
      const avatar = await fetch(identity.avatar!);
      assert.equal(avatar.status, 200);
      assert.match(avatar.headers.get('content-type') ?? '', /^image\/svg\+xml/);
      assert.match(await avatar.text(), /^<svg /);
    });

    it('the same login gets the same subject, another login another one', async () => {
      const first = await signInUpstream(strategy(APP_A), 'zhangwei');
      const again = await signInUpstream(strategy(APP_A), 'zhangwei');
      const other = await signInUpstream(strategy(APP_A), 'lihua');
      assert.equal(again.subject, first.subject);
      assert.deepEqual(again.keys, first.keys);
      assert.notEqual(other.subject, first.subject);
      assert.notEqual(again.accessToken, first.accessToken);
    });

    it('one person through two app ids: different openids, the same unionid key', async () => {
      const viaA = await signInUpstream(strategy(APP_A), 'xiaoming');
      const viaB = await signInUpstream(strategy(APP_B), 'xiaoming');
      assert.notEqual(viaA.subject, viaB.subject);
      assert.notEqual(viaA.keys[0], viaB.keys[0]);
      assert.equal(viaA.keys[1], viaB.keys[1]);
      assert.match(viaA.keys[1]!, /^qq:unionid:UID_[0-9A-F]{28}$/);
    });

    it('a typed login unknown to the emulator becomes a user', async () => {
      const identity = await signInUpstream(strategy(APP_A), 'newcomer-42');
      assert.equal(identity.displayName, 'newcomer-42');
      assert.ok(served.emulator.users.some((u) => u.login === 'newcomer-42'));
      assert.deepEqual(identity.keys, served.emulator.identityKeysFor('newcomer-42', APP_A.clientId));
    });

    it('sends QQ the authorize parameters it documents, scopes joined by commas', async () => {
      const url = await beginFlow(strategy(APP_A));
      assert.equal(url.origin + url.pathname, `${served.url}/oauth2.0/authorize`);
      assert.equal(url.searchParams.get('response_type'), 'code');
      assert.equal(url.searchParams.get('client_id'), APP_A.clientId);
      assert.equal(url.searchParams.get('redirect_uri'), CALLBACK);
      assert.equal(url.searchParams.get('scope'), 'get_user_info');
      assert.ok(url.searchParams.get('state'));
      const many = await beginFlow(strategy(APP_A), { scope: ['get_user_info', 'list_album'] });
      assert.equal(many.searchParams.get('scope'), 'get_user_info,list_album');
    });
  });

  describe('adapter quirks', () => {
    it('reads the form-encoded token with a string expires_in', async () => {
      const raw = await tokenCall(codeExchange(APP_A, await codeFor(APP_A)));
      assert.equal(raw.status, 200);
      assert.match(raw.type, /^text\/html/);
      assert.match(raw.body, /^access_token=[^&]+&expires_in=5184000&refresh_token=[^&]+$/);
      const parsed = parseTokenBody(raw.body);
      assert.ok(parsed.ok);
      assert.equal(parsed.accessToken, new URLSearchParams(raw.body).get('access_token'));
      assert.equal(parsed.refreshToken, new URLSearchParams(raw.body).get('refresh_token'));
      assert.equal(parsed.params.expires_in, 5184000);
      const json = parseTokenBody('{"access_token":"A852","expires_in":"7776000","refresh_token":"3EBC"}');
      assert.ok(json.ok);
      assert.equal(json.params.expires_in, 7776000);
    });

    it('a reused code: JSONP error at HTTP 200 becomes token_exchange carrying QQ code 100020', async () => {
      const s = strategy(APP_A);
      const { location } = await authorizeAt(await beginFlow(s), 'xiaoming');
      assert.ok(location);
      const state = location.searchParams.get('state')!;
      const first = await completeFlow(s, location);
      assert.equal(first.kind, 'success');
      // Replay the same callback as if the flow were still pending.
      setPendingFlow(s, { state });
      const err = outcomeError(await completeFlow(s, location));
      assert.equal(err.step, 'token_exchange');
      assert.match(err.message, /error 100020 \(code is reused error\)/);
      assert.doesNotMatch(err.message, /Failed to obtain access token/);
      assert.ok(!err.message.includes(location.searchParams.get('code')!), 'the code is not in the message');
    });

    it('the token fault jsonp_error surfaces QQ code 100019', async () => {
      served.emulator.faults.set('token', 'jsonp_error', 1);
      const err = await failedSignIn(strategy(APP_A));
      assert.equal(err.step, 'token_exchange');
      assert.match(err.message, /100019/);
    });

    it('a wrong client secret fails at token_exchange with QQ code 100009', async () => {
      const err = await failedSignIn(strategy(APP_A, { clientSecret: 'not-the-secret' }));
      assert.equal(err.step, 'token_exchange');
      assert.match(err.message, /100009/);
      assert.ok(!err.message.includes('not-the-secret'));
    });

    it('/me naming another app id is refused at token_verify before any profile call', async () => {
      served.emulator.faults.set('me', 'foreign_client_id', 1);
      served.emulator.faults.set('get_user_info', 'ret_error', 1);
      const err = await failedSignIn(strategy(APP_A));
      assert.equal(err.step, 'token_verify');
      assert.match(err.message, /"client_id"/);
      assert.equal(served.emulator.faults.list().get_user_info?.mode, 'ret_error', 'get_user_info was never called');
    });

    for (const mode of ['extra_js', 'two_objects'] as const) {
      it(`/me answering ${mode} is refused at token_verify and no upstream code runs`, async () => {
        delete (globalThis as Record<string, unknown>).__qqEmulatorInjected;
        served.emulator.faults.set('me', mode, 1);
        const err = await failedSignIn(strategy(APP_A));
        assert.equal(err.step, 'token_verify');
        assert.equal((globalThis as Record<string, unknown>).__qqEmulatorInjected, undefined);
      });
    }

    it('the extra_js body really is JavaScript that would run under eval', async () => {
      const code = await codeFor(APP_A);
      const token = new URLSearchParams((await tokenCall(codeExchange(APP_A, code))).body).get('access_token')!;
      served.emulator.faults.set('me', 'extra_js', 1);
      const { body } = await getText('/oauth2.0/me', { access_token: token });
      assert.match(body, /^callback\( \{.*\} \); globalThis\.__qqEmulatorInjected = true; alert\(1\);\n$/);
      assert.equal(parseJsonp(body), undefined);
    });

    it('parses JSONP strictly', () => {
      const ok = 'callback( {"client_id":"101","openid":"ABC"} );\n';
      assert.deepEqual(parseJsonp(ok), { client_id: '101', openid: 'ABC' });
      assert.deepEqual(parseJsonp('callback({"a":1});'), { a: 1 });
      const refused = [
        '',
        '{"client_id":"101"}',
        'callback( {"a":1} ); alert(1);',
        'callback( {"a":1} ) ; evil()',
        'callback( {"a":1}, {"b":2} );',
        'callback( {"a":1} );callback( {"b":2} );',
        'callback( [1,2] );',
        'callback( "x" );',
        'callback( {"a":1} )',
        'alert(1);callback( {"a":1} );',
        'callback( {"a":1 );',
        'callback( null );',
      ];
      for (const body of refused) assert.equal(parseJsonp(body), undefined, body);
    });

    it('get_user_info with ret != 0 fails at userinfo carrying ret and msg', async () => {
      served.emulator.faults.set('get_user_info', 'ret_error', 1);
      const err = await failedSignIn(strategy(APP_A));
      assert.equal(err.step, 'userinfo');
      assert.match(err.message, /ret 100030 \(user has not authorized this api\)/);
    });

    it('cancel on the QQ page: the emulator does not redirect, and the flow stays pending', async () => {
      const s = strategy(APP_A);
      const result = await authorizeAt(await beginFlow(s), 'xiaoming', 'deny');
      assert.equal(result.location, undefined);
      assert.equal(result.status, 200);
      assert.match(result.html ?? '', /已取消登录/);
      assert.ok(pendingFlow(s)?.state, 'no callback consumed the flow');
    });

    it('the older error form code=<number>&msg=… fails as provider_denied without a token call', async () => {
      const s = strategy(APP_A);
      const url = await beginFlow(s);
      served.emulator.faults.set('token', 'status500', 1);
      const outcome = await completeFlow(s, { code: '100010', msg: 'redirect uri is illegal', state: url.searchParams.get('state')! });
      const err = outcomeError(outcome);
      assert.equal(err.step, 'provider_denied');
      assert.match(err.message, /error 100010 \(redirect uri is illegal\)/);
      assert.equal(served.emulator.faults.list().token?.mode, 'status500', 'the token endpoint was not called');
    });
  });

  describe('faults → error steps', () => {
    // The common faults of the token endpoint, /me and get_user_info: the provider contract suite.
    it('authorize status500 is shown to the browser, not redirected', async () => {
      served.emulator.faults.set('authorize', 'status500', 1);
      const result = await authorizeAt(await beginFlow(strategy(APP_A)), 'xiaoming');
      assert.equal(result.status, 500);
      assert.equal(result.location, undefined);
    });
  });

  describe('emulator: authorize', () => {
    const valid = () => ({ response_type: 'code', client_id: APP_A.clientId, redirect_uri: CALLBACK, state: 'abc', scope: 'get_user_info' });

    async function errorPageFor(params: Record<string, string>): Promise<string> {
      const res = await fetch(authorizeUrl(params), { redirect: 'manual' });
      assert.equal(res.headers.get('location'), null);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      return res.text();
    }

    it('renders the QQ page with Chinese test users', async () => {
      const res = await fetch(authorizeUrl(valid()));
      const html = await res.text();
      assert.equal(res.status, 200);
      for (const user of served.emulator.users) assert.ok(html.includes(user.name), user.name);
      assert.ok(served.emulator.users.length >= 3 && served.emulator.users.length <= 4);
      assert.ok(html.includes(APP_A.name!));
      // Chinese as QQ's page is, with English beside it as on the other emulators' pages (for the sandbox's testers).
      const buttons = [...html.matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map((b) => b[1]!);
      assert.deepEqual(buttons, ['授权并登录 / Authorize and sign in', '取消 / Cancel']);
    });

    it('accepts any redirect_uri under a registered root domain, as QQ documents (another path, a query, a subdomain)', async () => {
      const origin = new URL(CALLBACK).origin;
      for (const redirect of [`${CALLBACK}/`, `${CALLBACK}?x=1`, `${origin}/elsewhere`, CALLBACK.toUpperCase()]) {
        const res = await fetch(authorizeUrl({ ...valid(), redirect_uri: redirect }));
        assert.ok((await res.text()).includes('name="decision"'), redirect);
      }
      for (const redirect of ['http://mysite.test/qqlogin.php?a=1', 'http://bbs.mysite.test/qqlogin.php?a=1', 'https://www.example.test/cb']) {
        const { location } = await authorizeAt(authorizeUrl({ ...valid(), client_id: APP_D.clientId, redirect_uri: redirect }), 'lihua');
        assert.ok(location, redirect);
        assert.equal(location.origin + location.pathname, new URL(redirect).origin + new URL(redirect).pathname);
        assert.match(location.searchParams.get('code') ?? '', QQ_OPAQUE);
      }
    });

    it('refuses a redirect_uri outside the registered domains, not http(s), or over 500 bytes, and a state over 500 bytes, with 100010 and no Location', async () => {
      const outside = [
        'http://evil.example/cb',
        'http://othersite.test/qqlogin.php?a=1',
        'http://evilmysite.test/cb',
        'http://mysite.test.evil.example/cb',
        'javascript:alert(1)',
      ];
      for (const redirect of outside) {
        const html = await errorPageFor({ ...valid(), client_id: APP_D.clientId, redirect_uri: redirect });
        assert.match(html, /error: 100010/, redirect);
        assert.ok(!html.includes('name="decision"'));
      }
      const refused = await errorPageFor({ ...valid(), redirect_uri: 'http://evil.example/cb' });
      assert.match(refused, /error: 100010/);
      assert.match(refused, /<h2>很抱歉！出现了错误 \/ Sorry, something went wrong<\/h2>/);
      assert.match(await errorPageFor({ ...valid(), redirect_uri: `${CALLBACK}?pad=${'x'.repeat(500)}` }), /error: 100010/);
      assert.match(await errorPageFor({ ...valid(), state: 's'.repeat(501) }), /error: 100010/);
      const form = new URLSearchParams({ ...valid(), redirect_uri: 'http://evil.example/cb', login: 'xiaoming', decision: 'approve' });
      const post = await fetch(new URL('/oauth2.0/authorize', served.url), { method: 'POST', body: form, redirect: 'manual' });
      assert.equal(post.headers.get('location'), null);
      assert.match(await post.text(), /error: 100010/);
    });

    it('refuses a bad response_type (100000), a missing or unknown client_id (100001/100008) and a missing state', async () => {
      assert.match(await errorPageFor({ ...valid(), response_type: 'token' }), /error: 100000/);
      const { client_id: _ignored, ...noClient } = valid();
      assert.match(await errorPageFor(noClient), /error: 100001/);
      assert.match(await errorPageFor({ ...valid(), client_id: '999' }), /error: 100008/);
      assert.match(await errorPageFor({ ...valid(), client_id: 'denglu-sandbox-qq' }), /error: 100008/);
      const { state: _state, ...noState } = valid();
      assert.match(await errorPageFor(noState), /state is lost/);
    });

    it('approving redirects with code and state, keeping the redirect_uri query', async () => {
      const { location, status } = await authorizeAt(authorizeUrl(valid()), 'lihua');
      assert.equal(status, 302);
      assert.ok(location);
      assert.equal(location.origin + location.pathname, CALLBACK);
      assert.equal(location.searchParams.get('state'), 'abc');
      assert.match(location.searchParams.get('code') ?? '', QQ_OPAQUE);
    });

    it('cannot register an app whose id is not a number: QQ app ids are numbers', () => {
      for (const clientId of ['denglu-sandbox-qq', 'test-client', '', '18446744073709551616']) {
        assert.throws(() => qq.createEmulator({ apps: [{ ...APP_A, clientId }] }), /QQ app ids are numbers/, clientId);
      }
      assert.doesNotThrow(() => qq.createEmulator({ apps: [{ ...APP_A, clientId: '18446744073709551615' }] }));
    });
  });

  describe('emulator: token', () => {
    it('accepts GET as documented and POST as observed', async () => {
      const viaGet = await tokenCall(codeExchange(APP_A, await codeFor(APP_A)), 'GET');
      assert.match(viaGet.body, /^access_token=/);
      const tokens = new URLSearchParams(viaGet.body);
      assert.match(tokens.get('access_token') ?? '', QQ_OPAQUE, 'access tokens are 32 uppercase hex characters');
      assert.match(tokens.get('refresh_token') ?? '', QQ_OPAQUE, 'refresh tokens are 32 uppercase hex characters');
      const viaPost = await tokenCall(codeExchange(APP_A, await codeFor(APP_A)), 'POST');
      assert.match(viaPost.body, /^access_token=/);
    });

    it('answers JSON with a string expires_in under fmt=json, and adds openid with need_openid=1', async () => {
      const raw = await tokenCall(codeExchange(APP_A, await codeFor(APP_A, 'lihua'), { fmt: 'json', need_openid: '1' }));
      const body = JSON.parse(raw.body);
      assert.equal(typeof body.expires_in, 'string');
      assert.equal(body.expires_in, '5184000');
      assert.equal(body.openid, (await meJson(body.access_token)).openid);
      const form = await tokenCall(codeExchange(APP_A, await codeFor(APP_A), { need_openid: '1' }));
      assert.match(new URLSearchParams(form.body).get('openid') ?? '', /^[0-9A-F]{32}$/);
    });

    it('a wrong client_secret: JSONP 100009 at HTTP 200', async () => {
      const raw = await tokenCall(codeExchange({ ...APP_A, clientSecret: 'wrong' }, await codeFor(APP_A)));
      assert.equal(raw.status, 200);
      assert.match(raw.type, /^text\/html/);
      assert.equal(raw.body, 'callback( {"error":100009,"error_description":"client secret is illegal"} );\n');
    });

    it('a redirect_uri different from the authorize one: 100010', async () => {
      const raw = await tokenCall(codeExchange(APP_A, await codeFor(APP_A), { redirect_uri: `${CALLBACK}/other` }));
      assert.deepEqual(parseJsonp(raw.body), { error: 100010, error_description: 'redirect uri is illegal' });
    });

    it('a code works once: the second use gets 100020 (JSONP, or JSON with a numeric error under fmt=json)', async () => {
      const code = await codeFor(APP_A);
      assert.match((await tokenCall(codeExchange(APP_A, code))).body, /^access_token=/);
      const again = await tokenCall(codeExchange(APP_A, code));
      assert.equal(again.status, 200);
      assert.equal(again.body, 'callback( {"error":100020,"error_description":"code is reused error"} );\n');
      const asJson = JSON.parse((await tokenCall(codeExchange(APP_A, code, { fmt: 'json' }))).body);
      assert.deepEqual(asJson, { error: 100020, error_description: 'code is reused error' });
    });

    it('refuses missing parameters with their QQ codes', async () => {
      const code = await codeFor(APP_A);
      const errorOf = async (params: Record<string, string>) => parseJsonp((await tokenCall(params)).body)?.error;
      const full = codeExchange(APP_A, code);
      assert.equal(await errorOf({ ...full, grant_type: 'password' }), 100004);
      assert.equal(await errorOf({ ...full, client_id: '' }), 100001);
      assert.equal(await errorOf({ ...full, client_id: '42' }), 100008);
      assert.equal(await errorOf({ ...full, client_secret: '' }), 100002);
      assert.equal(await errorOf({ ...full, code: '' }), 100005);
      assert.equal(await errorOf({ ...full, code: 'no-such-code' }), 100019);
      assert.match((await tokenCall(full)).body, /^access_token=/, 'none of the refusals spent the code');
    });

    it('refreshes with grant_type=refresh_token, once per refresh token', async () => {
      const first = new URLSearchParams((await tokenCall(codeExchange(APP_A, await codeFor(APP_A)))).body);
      const refresh = { grant_type: 'refresh_token', client_id: APP_A.clientId, client_secret: APP_A.clientSecret, refresh_token: first.get('refresh_token')! };
      const second = new URLSearchParams((await tokenCall(refresh, 'GET')).body);
      assert.ok(second.get('access_token'));
      assert.notEqual(second.get('access_token'), first.get('access_token'));
      assert.equal((await meJson(second.get('access_token')!)).openid, (await meJson(first.get('access_token')!)).openid);
      assert.equal(parseJsonp((await tokenCall(refresh)).body)?.error, 100036);
      assert.equal(parseJsonp((await tokenCall({ ...refresh, refresh_token: '' })).body)?.error, 100006);
    });
  });

  describe('emulator: time', () => {
    it('codes expire after 10 minutes and tokens after 60 days (ManualClock)', async () => {
      await served.close();
      const clock = new ManualClock('2013-09-25T00:00:00+08:00');
      served = await serve({ clock });

      const late = await codeFor(APP_A);
      clock.advance(10 * 60 * 1000 + 1000);
      assert.equal(parseJsonp((await tokenCall(codeExchange(APP_A, late))).body)?.error, 100019);

      const inTime = await codeFor(APP_A);
      clock.advance(9 * 60 * 1000);
      const token = new URLSearchParams((await tokenCall(codeExchange(APP_A, inTime))).body).get('access_token')!;
      assert.ok(token);
      assert.ok((await meJson(token)).openid);
      clock.advance(5184000 * 1000);
      assert.deepEqual(await meJson(token), { error: 100014, error_description: 'access token expired' });
    });
  });

  describe('emulator: /oauth2.0/me and get_user_info', () => {
    async function freshToken(app: EmulatorApp = APP_A, login = 'xiaoming'): Promise<string> {
      return new URLSearchParams((await tokenCall(codeExchange(app, await codeFor(app, login)))).body).get('access_token')!;
    }

    it('/me answers JSONP by default, unionid only with the permission, plain JSON with fmt=json', async () => {
      const token = await freshToken();
      const jsonp = await getText('/oauth2.0/me', { access_token: token });
      assert.match(jsonp.type, /^text\/html/);
      assert.match(jsonp.body, /^callback\( \{"client_id":"101000001","openid":"[0-9A-F]{32}"\} \);\n$/);
      const withUnion = parseJsonp((await getText('/oauth2.0/me', { access_token: token, unionid: '1' })).body);
      assert.match(String(withUnion?.unionid), /^UID_[0-9A-F]{28}$/);
      const denied = await getText('/oauth2.0/me', { access_token: await freshToken(APP_C), unionid: '1' });
      assert.equal(denied.body, 'callback( {"error":100048,"error_description":"companyid not set"} );\n');
      assert.deepEqual(parseJsonp((await getText('/oauth2.0/me', { access_token: 'bogus' })).body), {
        error: 100016,
        error_description: 'access token check failed',
      });
      assert.equal((await meJson(token)).client_id, APP_A.clientId);
    });

    it('get_user_info answers QQ fields as JSON served as text/html, flags as strings, no email', async () => {
      const token = await freshToken(APP_A, 'lihua');
      const { openid } = await meJson(token);
      const res = await getText('/user/get_user_info', { access_token: token, oauth_consumer_key: APP_A.clientId, openid });
      assert.match(res.type, /^text\/html; charset=utf-8/);
      const info = JSON.parse(res.body);
      assert.equal(info.ret, 0);
      assert.equal(info.msg, '');
      assert.equal(info.is_lost, 0);
      assert.equal(info.nickname, '李华');
      assert.equal(info.gender, '女');
      for (const flag of ['is_yellow_vip', 'vip', 'yellow_vip_level', 'level', 'is_yellow_year_vip']) assert.equal(info[flag], '0', flag);
      for (const field of ['province', 'city', 'year', 'constellation', 'figureurl', 'figureurl_1', 'figureurl_2', 'figureurl_qq_1', 'figureurl_qq_2']) {
        assert.equal(typeof info[field], 'string', field);
      }
      assert.ok(info.figureurl_qq_2.startsWith(`${served.url}/__avatars/${openid}.svg`));
      assert.equal(info.email, undefined);
      assert.equal(info.openid, undefined);
    });

    it('get_user_info refuses a foreign openid, another app key and a bad token through ret', async () => {
      const token = await freshToken();
      const { openid } = await meJson(token);
      const ret = async (params: Record<string, string>) => JSON.parse((await getText('/user/get_user_info', params)).body).ret;
      const otherOpenid = (await meJson(await freshToken(APP_B))).openid;
      assert.equal(await ret({ access_token: token, oauth_consumer_key: APP_A.clientId, openid: otherOpenid }), 100050);
      assert.equal(await ret({ access_token: token, oauth_consumer_key: APP_B.clientId, openid }), -1);
      assert.equal(await ret({ access_token: 'bogus', oauth_consumer_key: APP_A.clientId, openid }), 100016);
      assert.equal(await ret({ access_token: token, oauth_consumer_key: APP_A.clientId, openid }), 0);
    });

    it('get_user_info decodes oauth_consumer_key as an unsigned 64-bit integer: a word, an overflow or a repeat gets the codec error', async () => {
      const token = await freshToken();
      const { openid } = await meJson(token);
      const info = async (query: string) =>
        JSON.parse(await (await fetch(new URL(`/user/get_user_info?access_token=${token}&openid=${openid}&${query}`, served.url))).text());
      const word = await info('oauth_consumer_key=denglu-sandbox-qq');
      assert.equal(word.ret, 1);
      assert.equal(
        word.msg,
        'service codec Unmarshal: 1 error(s) decoding:\n\n* cannot parse \'oauth_consumer_key\' as uint: strconv.ParseUint: parsing "denglu-sandbox-qq": invalid syntax',
      );
      assert.match((await info('oauth_consumer_key=18446744073709551616')).msg, /value out of range$/);
      // Observed (qdsang/passport-qq#2): the key sent twice.
      const twice = await info(`oauth_consumer_key=${APP_A.clientId}&oauth_consumer_key=${APP_A.clientId}`);
      assert.deepEqual(twice, {
        ret: 1,
        msg: `service codec Unmarshal: 1 error(s) decoding:\n\n* oauth_consumer_key expected type uint64, got unconvertible type []string, value: [${APP_A.clientId} ${APP_A.clientId}]`,
      });
      assert.equal((await info(`oauth_consumer_key=${APP_A.clientId}`)).ret, 0);
    });
  });

  describe('emulator: control routes over HTTP', () => {
    it('sets, lists and clears faults', async () => {
      const set = await control('POST', '/__emulator/faults', { endpoint: 'me', mode: 'foreign_client_id', times: 1 });
      assert.equal(set.status, 200);
      assert.deepEqual((await control('GET', '/__emulator')).json.faults, { me: { mode: 'foreign_client_id', remaining: 1 } });
      assert.equal((await failedSignIn(strategy(APP_A))).step, 'token_verify');
      assert.deepEqual((await control('GET', '/__emulator')).json.faults, {}, 'the single use was consumed');
      assert.ok((await signInUpstream(strategy(APP_A), 'xiaoming')).subject);

      await control('POST', '/__emulator/faults', { endpoint: 'get_user_info', mode: 'ret_error' });
      assert.equal((await failedSignIn(strategy(APP_A))).step, 'userinfo');
      assert.equal((await failedSignIn(strategy(APP_A))).step, 'userinfo', 'no times: until cleared');
      assert.deepEqual((await control('DELETE', '/__emulator/faults')).json, { faults: {} });
      assert.ok((await signInUpstream(strategy(APP_A), 'xiaoming')).subject);
      assert.equal((await control('POST', '/__emulator/faults', { endpoint: 'me' })).status, 400);
    });

    it('auto-approves as a fixed login, as @random:N, and stops when cleared', async () => {
      assert.equal((await control('POST', '/__emulator/auto-approve', { login: 'lihua' })).status, 200);
      assert.equal((await control('GET', '/__emulator')).json.autoApprove, 'lihua');
      const s = strategy(APP_A);
      const redirect = await fetch(await beginFlow(s), { redirect: 'manual' });
      assert.equal(redirect.status, 302);
      const identity = await completeFlow(s, new URL(redirect.headers.get('location')!));
      assert.equal(identity.kind, 'success');
      assert.equal((identity as { identity: { displayName: string } }).identity.displayName, '李华');

      await control('POST', '/__emulator/auto-approve', { login: '@random:3' });
      const random = await signInUpstream(strategy(APP_A), 'ignored');
      const candidates = ['user00001', 'user00002', 'user00003'].map((login) => served.emulator.identityKeysFor(login, APP_A.clientId)[0]);
      assert.ok(candidates.includes(random.keys[0]), random.keys[0]);

      await control('POST', '/__emulator/auto-approve', { login: null });
      const page = await fetch(await beginFlow(strategy(APP_A)), { redirect: 'manual' });
      assert.equal(page.status, 200);
      assert.equal((await control('POST', '/__emulator/auto-approve', { login: 7 })).status, 400);
    });

    it('close() releases a hanging response', async () => {
      served.emulator.faults.set('token', 'hang');
      const pending = fetch(new URL('/oauth2.0/token', served.url), { method: 'POST', body: 'grant_type=authorization_code' }).then(
        () => 'answered',
        () => 'released',
      );
      await until(() => served.emulator.faults.hanging === 1, 'the request reached the emulator and hangs');
      // Closing waits for open connections: it returns at all only because the hanging response was released.
      await served.close();
      assert.equal(await pending, 'released');
      assert.equal(served.emulator.faults.hanging, 0);
      served = await serve();
    });
  });
});
