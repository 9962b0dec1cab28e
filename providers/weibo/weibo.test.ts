// The Weibo adapter against the Weibo emulator over real HTTP: the round trip, each Weibo quirk, every
// fault mode mapped to its step, the emulator's own validation (secrets, redirect URIs, codes, expiry),
// revocation and the /__emulator control routes.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { UpstreamError, type UpstreamStep } from '../../src/errors.ts';
import type { AdapterOptions, ProviderAdapter } from '../contract.ts';
import { oauth2Context } from '../shared/oauth2-adapter.ts';
import { providerContractSuite } from '../shared/contract-suite.ts';
import {
  adapterOptions,
  authorizeAt,
  beginFlow,
  CALLBACK,
  completeFlow,
  pendingFlow,
  serveEmulator,
  signInUpstream,
  type ServedEmulator,
} from '../shared/testing.ts';
import { generatedUsers } from '../shared/emulator/test-users.ts';
import { until } from '../../test/support/until.ts';
import { createWeiboEmulator } from './emulator.ts';
import { CODE_TTL_SECONDS, DEFAULT_TOKEN_TTL_SECONDS } from './emulator-world.ts';
import { weibo } from './index.ts';
import { loadWeiboIdentity } from './adapter.ts';

const CLIENT_ID = '3254018913';
const SECRET = 'weibo-app-secret-7f3a';
const OTHER_CLIENT = '2011223344';
const OTHER_SECRET = 'test-secret';

let served: ServedEmulator;

async function start(withClock?: ManualClock): Promise<void> {
  served = await serveEmulator(
    createWeiboEmulator({
      apps: [
        { clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [CALLBACK], name: '京东商城' },
        { clientId: OTHER_CLIENT, clientSecret: OTHER_SECRET, redirectUris: [CALLBACK, 'http://127.0.0.1:1/cb/other'] },
      ],
      clock: withClock,
    }),
  );
}

function options(overrides: Partial<AdapterOptions> = {}): AdapterOptions {
  return adapterOptions(['api'], served.url, { clientId: CLIENT_ID, clientSecret: SECRET, ...overrides });
}

function strategy(overrides: Partial<AdapterOptions> = {}): ProviderAdapter {
  return weibo.createAdapter(options(overrides));
}

/** The identity hook alone, for a token obtained elsewhere. */
function loadIdentity(token: string): Promise<unknown> {
  return loadWeiboIdentity(token, oauth2Context(weibo.descriptor, options()));
}

function authorizeUrl(query: Record<string, string>): URL {
  const url = new URL('/oauth2/authorize', served.url);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url;
}

/** A code for `login`, obtained the way a browser would (authorize page, approve). */
async function codeFor(login: string, clientId = CLIENT_ID): Promise<string> {
  const { location } = await authorizeAt(authorizeUrl({ client_id: clientId, redirect_uri: CALLBACK, response_type: 'code', state: 's1' }), login);
  const code = location?.searchParams.get('code');
  assert.ok(code, 'the emulator redirected back with a code');
  return code;
}

function post(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(new URL(path, served.url), { method: 'POST', body: new URLSearchParams(fields) });
}

function exchange(code: string, overrides: Record<string, string> = {}): Promise<Response> {
  return post('/oauth2/access_token', {
    client_id: CLIENT_ID,
    client_secret: SECRET,
    grant_type: 'authorization_code',
    code,
    redirect_uri: CALLBACK,
    ...overrides,
  });
}

async function tokenFor(login: string): Promise<string> {
  const res = await exchange(await codeFor(login));
  assert.equal(res.status, 200);
  return ((await res.json()) as { access_token: string }).access_token;
}

function expectError(outcome: Awaited<ReturnType<typeof completeFlow>>, step: UpstreamStep): UpstreamError {
  assert.notEqual(outcome.kind, 'success', 'no identity may come out of a failed round trip');
  assert.notEqual(outcome.kind, 'redirect');
  const error = (outcome as { error: UpstreamError }).error;
  assert.ok(error instanceof UpstreamError);
  assert.equal(error.providerId, 'weibo');
  assert.equal(error.step, step, `expected step ${step}, got ${error.step}: ${error.message}`);
  return error;
}

/** Begins a flow, approves as `login`, completes; returns the outcome and the time completion took. */
async function roundTrip(s: ProviderAdapter, login: string) {
  const { location } = await authorizeAt(await beginFlow(s), login);
  assert.ok(location);
  const started = performance.now();
  const outcome = await completeFlow(s, location);
  return { outcome, elapsed: performance.now() - started };
}

providerContractSuite(weibo, {
  app: { clientId: CLIENT_ID, clientSecret: SECRET },
  login: 'lina',
  tokenEndpoint: 'access_token',
  denial: 'redirect',
  // Without a trustworthy get_token_info answer the token is not verified; users/show is the profile.
  identityEndpoints: [
    { endpoint: 'get_token_info', failStep: 'token_verify', decodeStep: 'token_verify' },
    { endpoint: 'users/show', failStep: 'userinfo', decodeStep: 'profile_decode' },
  ],
});

describe('weibo', () => {
  afterEach(async () => {
    await served.close();
  });

  describe('module', () => {
    beforeEach(() => start());

    it('describes Weibo as the registry expects', () => {
      assert.equal(weibo.descriptor.id, 'weibo');
      assert.deepEqual(weibo.descriptor.label, { 'zh-CN': '微博', en: 'Weibo' });
      assert.deepEqual(weibo.descriptor.baseUrls, { api: 'https://api.weibo.com' });
      assert.equal(weibo.descriptor.pkce, false);
      assert.equal(weibo.descriptor.revocable, true);
      const s = strategy();
      assert.equal(s.descriptor, weibo.descriptor);
      assert.ok(s.revoke, 'Weibo can revoke a grant');
    });

    it('refuses adapter options without an "api" base URL', () => {
      assert.throws(() => weibo.createAdapter(adapterOptions([], served.url)), TypeError);
    });
  });

  describe('adapter round trip', () => {
    beforeEach(() => start());

    it('sends the browser to /oauth2/authorize with client_id, exact redirect_uri, state and comma-joined scopes', async () => {
      const s = strategy();
      const url = await beginFlow(s, { scope: ['email', 'follow_app_official_microblog'] });
      assert.equal(url.origin + url.pathname, `${served.url}/oauth2/authorize`);
      assert.equal(url.searchParams.get('client_id'), CLIENT_ID);
      assert.equal(url.searchParams.get('redirect_uri'), CALLBACK);
      assert.equal(url.searchParams.get('response_type'), 'code');
      assert.equal(url.searchParams.get('scope'), 'email,follow_app_official_microblog');
      assert.equal(url.searchParams.get('state'), pendingFlow(s)?.state);
    });

    it("asks for Weibo's English page with language=en for an English-speaking shopper, and sends nothing for Chinese (the default)", async () => {
      const english = await beginFlow(strategy(), { locale: 'en' });
      assert.equal(english.searchParams.get('language'), 'en');
      const chinese = await beginFlow(strategy(), { locale: 'zh-CN' });
      assert.equal(chinese.searchParams.has('language'), false);
    });

    it('returns the uid vouched for by get_token_info, the screen name and the avatar', async () => {
      const identity = await signInUpstream(strategy(), 'xiaowang');
      assert.ok(identity.accessToken);
      const info = (await (await post('/oauth2/get_token_info', { access_token: identity.accessToken })).json()) as { uid: number };
      const show = await fetch(`${served.url}/2/users/show.json?uid=${info.uid}&access_token=${identity.accessToken}`);
      const user = (await show.json()) as { idstr: string; screen_name: string; avatar_large: string };
      assert.equal(identity.provider, 'weibo');
      assert.equal(identity.subject, String(info.uid));
      assert.equal(identity.subject, user.idstr);
      assert.deepEqual(identity.keys, [`weibo:uid:${info.uid}`]);
      assert.deepEqual(identity.keys, served.emulator.identityKeysFor('xiaowang', CLIENT_ID));
      assert.equal(identity.displayName, served.emulator.users.find((u) => u.login === 'xiaowang')!.name);
      assert.equal(identity.displayName, user.screen_name);
      assert.equal(identity.avatar, user.avatar_large);
      assert.equal(identity.locale, 'zh-CN');
      const avatar = await fetch(identity.avatar!);
      assert.equal(avatar.status, 200);
      assert.match(avatar.headers.get('content-type') ?? '', /^image\/svg\+xml/);
      assert.match(await avatar.text(), /^<svg /);
    });

    it('gives the same subject to the same login and different subjects to different logins', async () => {
      const first = await signInUpstream(strategy(), 'lina');
      const again = await signInUpstream(strategy(), 'lina');
      const other = await signInUpstream(strategy(), 'zhangwei');
      assert.equal(first.subject, again.subject);
      assert.notEqual(first.accessToken, again.accessToken);
      assert.notEqual(first.subject, other.subject);
      assert.notDeepEqual(first.keys, other.keys);
    });

    it('keys a person by the global uid whichever app they sign in to', async () => {
      const viaShop = await signInUpstream(strategy(), 'chenjing');
      const viaOther = await signInUpstream(strategy({ clientId: OTHER_CLIENT, clientSecret: OTHER_SECRET }), 'chenjing');
      assert.equal(viaShop.subject, viaOther.subject);
      assert.deepEqual(served.emulator.identityKeysFor('chenjing', OTHER_CLIENT), viaOther.keys);
    });

    it('turns a typed login nobody used before into a user named after it', async () => {
      const s = strategy();
      const authorize = await beginFlow(s);
      const page = await (await fetch(authorize)).text();
      const form = new URLSearchParams();
      for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(m[1]!, m[2]!.replace(/&amp;/g, '&'));
      form.set('login', 'xiaowang');
      form.set('typed_login', '  new_shopper_42 ');
      form.set('decision', 'approve');
      const res = await fetch(new URL('/oauth2/authorize', served.url), { method: 'POST', body: form, redirect: 'manual' });
      assert.equal(res.status, 302);
      const outcome = await completeFlow(s, new URL(res.headers.get('location')!));
      assert.equal(outcome.kind, 'success');
      const identity = (outcome as { identity: { subject: string; displayName: string; keys: string[] } }).identity;
      assert.equal(identity.displayName, 'new_shopper_42');
      assert.deepEqual(identity.keys, served.emulator.identityKeysFor('new_shopper_42', CLIENT_ID));
      assert.ok(served.emulator.users.some((u) => u.login === 'new_shopper_42'));
      const xiaowang = await signInUpstream(strategy(), 'xiaowang');
      assert.notEqual(identity.subject, xiaowang.subject);
    });

    it('reports a denial as a fail with step provider_denied, from Weibo’s exact denial redirect', async () => {
      const s = strategy();
      const { location } = await authorizeAt(await beginFlow(s), 'xiaowang', 'deny');
      assert.ok(location);
      const state = location.searchParams.get('state');
      assert.ok(state);
      assert.equal(
        location.search,
        `?error_uri=%2Foauth2%2Fauthorize&error=access_denied&error_description=user%20denied%20your%20request.&error_code=21330&state=${encodeURIComponent(state)}`,
      );
      const outcome = await completeFlow(s, location);
      assert.equal(outcome.kind, 'fail');
      const error = expectError(outcome, 'provider_denied');
      assert.match(error.message, /user denied your request/);
    });

    it('reports an authorize-time error redirect (21331) as provider_denied', async () => {
      served.emulator.faults.set('authorize', 'temporarily_unavailable', 1);
      const s = strategy();
      const { location } = await authorizeAt(await beginFlow(s), 'lina');
      assert.ok(location);
      assert.equal(location.searchParams.get('error_code'), '21331');
      expectError(await completeFlow(s, location), 'provider_denied');
    });
  });

  describe('adapter quirks', () => {
    beforeEach(() => start());

    it('token endpoint: JSON as text/plain, expires_in a number, remind_in and uid strings', async () => {
      const res = await exchange(await codeFor('lina'));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/plain;charset=UTF-8');
      const body = (await res.json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body), ['access_token', 'remind_in', 'expires_in', 'uid', 'isRealName']);
      assert.match(body.access_token as string, /^2\.00[A-Za-z0-9]{20,}$/);
      assert.equal(typeof body.expires_in, 'number');
      assert.ok((body.expires_in as number) > 0 && (body.expires_in as number) <= DEFAULT_TOKEN_TTL_SECONDS);
      assert.equal(body.remind_in, String(body.expires_in));
      assert.equal(typeof body.uid, 'string');
      assert.deepEqual([`weibo:uid:${body.uid}`], served.emulator.identityKeysFor('lina', CLIENT_ID));
      assert.equal(body.isRealName, 'true');
    });

    it('get_token_info: numbers for uid and appkey, scope null', async () => {
      const token = await tokenFor('zhangwei');
      const res = await post('/oauth2/get_token_info', { access_token: token });
      assert.equal(res.status, 200);
      const info = (await res.json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(info), ['uid', 'appkey', 'scope', 'create_at', 'expire_in']);
      assert.equal(info.appkey, Number(CLIENT_ID));
      assert.equal(typeof info.uid, 'number');
      assert.deepEqual([`weibo:uid:${info.uid}`], served.emulator.identityKeysFor('zhangwei', CLIENT_ID));
      assert.equal(info.scope, null);
      assert.equal(typeof info.create_at, 'number');
      assert.ok((info.expire_in as number) > DEFAULT_TOKEN_TTL_SECONDS - 60 && (info.expire_in as number) <= DEFAULT_TOKEN_TTL_SECONDS);
    });

    it('accepts the all-strings shapes of the token response and of get_token_info', async () => {
      const expected = await signInUpstream(strategy(), 'lina');
      served.emulator.faults.set('access_token', 'string_types', 1);
      served.emulator.faults.set('get_token_info', 'string_types', 1);
      const identity = await signInUpstream(strategy(), 'lina');
      assert.deepEqual(served.emulator.faults.list(), {}, 'both string_types faults were served');
      assert.equal(identity.subject, expected.subject);
    });

    it('the emulator cannot register an app key that is not a number: Weibo app keys are numbers', () => {
      for (const clientId of ['denglu-sandbox-weibo', 'test-client', '']) {
        assert.throws(
          () => createWeiboEmulator({ apps: [{ clientId, clientSecret: SECRET, redirectUris: [CALLBACK] }] }),
          /Weibo app keys are numbers/,
          clientId,
        );
      }
    });

    it('refuses a token that get_token_info says belongs to another app, before reading any profile', async () => {
      served.emulator.faults.set('get_token_info', 'foreign_appkey', 1);
      served.emulator.faults.set('users/show', 'status500', 1);
      const { outcome } = await roundTrip(strategy(), 'xiaowang');
      const error = expectError(outcome, 'token_verify');
      assert.match(error.message, /"appkey"/);
      assert.deepEqual(Object.keys(served.emulator.faults.list()), ['users/show'], 'users/show was never called');
    });

    it('surfaces token endpoint errors with their error_code and without the code value', async () => {
      const wrongSecret = await roundTrip(strategy({ clientSecret: 'not-the-secret' }), 'lina');
      const secretError = expectError(wrongSecret.outcome, 'token_exchange');
      assert.match(secretError.message, /invalid_client/);
      assert.match(secretError.message, /21324/);
      assert.match(secretError.message, /HTTP 401/);

      const s = strategy();
      const { location } = await authorizeAt(await beginFlow(s), 'lina');
      assert.ok(location);
      assert.equal((await completeFlow(s, location)).kind, 'success');
      const replay = await beginFlow(s);
      location.searchParams.set('state', replay.searchParams.get('state')!);
      const reused = expectError(await completeFlow(s, location), 'token_exchange');
      assert.match(reused.message, /invalid_grant/);
      assert.match(reused.message, /21325/);
      assert.ok(!reused.message.includes(location.searchParams.get('code')!), 'the code is not in the message');
    });
  });

  describe('fault modes', () => {
    beforeEach(() => start());

    const cases: [endpoint: string, mode: string, step: UpstreamStep, message?: RegExp][] = [
      // hang, status500, html and malformed at access_token, get_token_info and users/show: the contract suite.
      ['access_token', 'json_body_refused', 'token_exchange', /21323/],
      ['get_token_info', 'status500', 'token_verify', /HTTP 500/],
      ['get_token_info', 'foreign_appkey', 'token_verify', /appkey/],
      ['get_token_info', 'expired_token', 'token_verify', /21327/],
      ['users/show', 'status500', 'userinfo', /HTTP 500/],
      ['users/show', 'expired_token', 'userinfo', /21327/],
      ['users/show', 'user_not_found', 'userinfo', /20003/],
      ['users/show', 'other_uid', 'userinfo', /another uid/],
    ];
    for (const [endpoint, mode, step, message] of cases) {
      it(`${endpoint} ${mode} → step ${step}`, async () => {
        // A short deadline only where the deadline is what is tested: on a busy host a prompt fault
        // answer can take longer than 300 ms and would be misread as a timeout.
        const timeoutMs = mode === 'hang' ? 300 : 5000;
        served.emulator.faults.set(endpoint, mode, 1);
        const { outcome, elapsed } = await roundTrip(strategy({ timeoutMs }), 'lina');
        const error = expectError(outcome, step);
        if (message) assert.match(error.message, message);
        // A hanging endpoint never answers: ending at all shows the timeout ended it; not earlier than it.
        if (mode === 'hang') assert.ok(elapsed >= timeoutMs - 20, `gave up after ${Math.round(elapsed)} ms`);
        assert.deepEqual(served.emulator.faults.list(), {}, 'the fault was served');
      });
    }

    it('refuses a users/show body over maxBodyBytes (step userinfo)', async () => {
      const { outcome } = await roundTrip(strategy({ maxBodyBytes: 400 }), 'lina');
      assert.match(expectError(outcome, 'userinfo').message, /exceeded 400 bytes/);
    });

    it('recovers once the fault is used up', async () => {
      served.emulator.faults.set('users/show', 'status500', 1);
      expectError((await roundTrip(strategy(), 'lina')).outcome, 'userinfo');
      assert.equal((await roundTrip(strategy(), 'lina')).outcome.kind, 'success');
    });
  });

  describe('emulator validation', () => {
    it('answers a wrong client secret with 401 invalid_client in Weibo’s error shape', async () => {
      await start();
      const res = await exchange(await codeFor('lina'), { client_secret: 'wrong' });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('content-type'), 'text/plain;charset=UTF-8');
      assert.deepEqual(await res.json(), {
        error: 'invalid_client',
        error_code: 21324,
        request: '/oauth2/access_token',
        error_uri: '/oauth2/access_token',
        error_description: 'client_secret error.',
      });
    });

    it('shows an error page and never redirects for an unknown app or an unregistered redirect_uri', async () => {
      await start();
      const lookalikes = [
        `${CALLBACK}/`,
        `${CALLBACK}?x=1`,
        `${CALLBACK}#frag`,
        CALLBACK.replace('http:', 'https:'),
        'http://127.0.0.1:1/cb/other', // registered for another app only
        'https://evil.example/cb/test',
      ];
      for (const redirectUri of lookalikes) {
        const res = await fetch(authorizeUrl({ client_id: CLIENT_ID, redirect_uri: redirectUri, response_type: 'code', state: 's' }), { redirect: 'manual' });
        assert.equal(res.headers.get('location'), null, redirectUri);
        assert.equal(res.status, 400);
        const html = await res.text();
        assert.match(html, /21322/);
        assert.match(html, /redirect_uri_mismatch/);
      }
      const unknown = await fetch(authorizeUrl({ client_id: '999', redirect_uri: CALLBACK, response_type: 'code' }), { redirect: 'manual' });
      assert.equal(unknown.headers.get('location'), null);
      assert.match(await unknown.text(), /21324/);
    });

    it('redirects a valid app with an unsupported response_type (21329)', async () => {
      await start();
      const res = await fetch(authorizeUrl({ client_id: CLIENT_ID, redirect_uri: CALLBACK, response_type: 'token', state: 'st' }), { redirect: 'manual' });
      assert.equal(res.status, 302);
      const location = new URL(res.headers.get('location')!);
      assert.equal(location.searchParams.get('error'), 'unsupported_response_type');
      assert.equal(location.searchParams.get('error_code'), '21329');
      assert.equal(location.searchParams.get('state'), 'st');
    });

    it('binds a code to its exact redirect_uri (21322) and to its app', async () => {
      await start();
      const mismatch = await exchange(await codeFor('lina'), { redirect_uri: `${CALLBACK}/` });
      assert.equal(mismatch.status, 400);
      assert.deepEqual(
        { ...((await mismatch.json()) as object), error_description: undefined },
        { error: 'redirect_uri_mismatch', error_code: 21322, request: '/oauth2/access_token', error_uri: '/oauth2/access_token', error_description: undefined },
      );
      const otherApp = await exchange(await codeFor('lina'), { client_id: OTHER_CLIENT, client_secret: OTHER_SECRET });
      assert.equal(otherApp.status, 400);
      assert.equal(((await otherApp.json()) as { error_code: number }).error_code, 21325);
    });

    it('honours a code once (second use: 400 invalid_grant 21325)', async () => {
      await start();
      const code = await codeFor('lina');
      assert.equal((await exchange(code)).status, 200);
      const again = await exchange(code);
      assert.equal(again.status, 400);
      const body = (await again.json()) as Record<string, unknown>;
      assert.equal(body.error, 'invalid_grant');
      assert.equal(body.error_code, 21325);
      assert.equal(body.error_description, `invalid authorization code:${code}`);
    });

    it(`expires codes after ${CODE_TTL_SECONDS} s on the injected clock`, async () => {
      const manual = new ManualClock('2013-09-24T12:00:00+08:00');
      await start(manual);
      const fresh = await codeFor('lina');
      manual.advance(CODE_TTL_SECONDS * 1000 - 1000);
      assert.equal((await exchange(fresh)).status, 200);
      const stale = await codeFor('lina');
      manual.advance(CODE_TTL_SECONDS * 1000);
      const res = await exchange(stale);
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error_code: number }).error_code, 21325);
    });

    it('expires tokens after one day on the injected clock (21327 expired_token)', async () => {
      const manual = new ManualClock('2013-09-24T12:00:00+08:00');
      await start(manual);
      const token = await tokenFor('lina');
      const info = (await (await post('/oauth2/get_token_info', { access_token: token })).json()) as { create_at: number; expire_in: number };
      assert.equal(info.create_at, manual.now() / 1000);
      assert.equal(info.expire_in, DEFAULT_TOKEN_TTL_SECONDS);
      manual.advance(DEFAULT_TOKEN_TTL_SECONDS * 1000);
      const show = await fetch(`${served.url}/2/users/show.json?uid=1&access_token=${token}`);
      assert.equal(show.status, 403);
      assert.deepEqual(await show.json(), { error: 'expired_token', error_code: 21327, request: '/2/users/show.json' });
      const again = await post('/oauth2/get_token_info', { access_token: token });
      assert.equal(again.status, 400);
      assert.equal(((await again.json()) as { error_code: number }).error_code, 21327);
      expectError(
        {
          kind: 'error',
          error: await loadIdentity(token).then(
            () => assert.fail('loaded'),
            (e) => e,
          ),
        },
        'token_verify',
      );
    });

    it('does not read a JSON body at the token endpoint (21323 miss client id or secret)', async () => {
      await start();
      const code = await codeFor('lina');
      const res = await fetch(`${served.url}/oauth2/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: CLIENT_ID, client_secret: SECRET, grant_type: 'authorization_code', code, redirect_uri: CALLBACK }),
      });
      assert.equal(res.status, 400);
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(body.error, 'invalid_request');
      assert.equal(body.error_code, 21323);
      assert.equal(body.error_description, 'miss client id or secret');
      assert.equal((await exchange(code)).status, 200, 'the code was not consumed by the refused request');
    });

    it('answers API calls without a usable token in Weibo’s API error shape', async () => {
      await start();
      const none = await fetch(`${served.url}/2/users/show.json?uid=1`);
      assert.equal(none.status, 403);
      assert.deepEqual(await none.json(), { error: 'auth by Null spi!', error_code: 21301, request: '/2/users/show.json' });
      const unknown = await fetch(`${served.url}/2/account/get_uid.json?access_token=2.00nope`);
      assert.equal(unknown.status, 403);
      assert.deepEqual(await unknown.json(), { error: 'invalid_access_token', error_code: 21332, request: '/2/account/get_uid.json' });
    });

    it('serves users/show by uid or screen_name and get_uid with the token’s uid', async () => {
      await start();
      const token = await tokenFor('chenjing');
      const { uid } = (await (await fetch(`${served.url}/2/account/get_uid.json?access_token=${token}`)).json()) as { uid: number };
      assert.deepEqual([`weibo:uid:${uid}`], served.emulator.identityKeysFor('chenjing', CLIENT_ID));
      const byUid = (await (await fetch(`${served.url}/2/users/show.json?uid=${uid}&access_token=${token}`)).json()) as Record<string, unknown>;
      assert.equal(byUid.id, uid);
      assert.equal(byUid.idstr, String(uid));
      assert.match(byUid.created_at as string, /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \+0800 20(09|1\d)$/);
      assert.ok(['m', 'f', 'n'].includes(byUid.gender as string));
      assert.deepEqual(byUid.status, {});
      const byName = await fetch(`${served.url}/2/users/show.json?screen_name=${encodeURIComponent(byUid.screen_name as string)}`, {
        headers: { authorization: `OAuth2 ${token}` },
      });
      assert.equal(((await byName.json()) as { idstr: string }).idstr, byUid.idstr);
    });
  });

  describe('revoke', () => {
    beforeEach(() => start());

    it('revokes the grant: the token stops working everywhere', async () => {
      const identity = await signInUpstream(strategy(), 'lina');
      const adapter = strategy();
      await adapter.revoke!(identity.accessToken!);
      const show = await fetch(`${served.url}/2/users/show.json?uid=${identity.subject}&access_token=${identity.accessToken}`);
      assert.equal(show.status, 403);
      assert.equal(((await show.json()) as { error_code: number }).error_code, 21332);
      const loaded = await loadIdentity(identity.accessToken!).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(loaded instanceof UpstreamError);
      assert.equal(loaded.step, 'token_verify');
      assert.match(loaded.message, /21332/);
      await assert.rejects(adapter.revoke!(identity.accessToken!), (err: UpstreamError) => err.step === 'revoke' && /21332/.test(err.message));
    });

    it('fails on an unexpected answer and on a deadline', async () => {
      const token = await tokenFor('lina');
      const adapter = strategy({ timeoutMs: 5000 });
      served.emulator.faults.set('revokeoauth2', 'malformed', 1);
      await assert.rejects(adapter.revoke!(token), (err: UpstreamError) => err instanceof UpstreamError && err.step === 'revoke');
      served.emulator.faults.set('revokeoauth2', 'status500', 1);
      await assert.rejects(
        adapter.revoke!(token),
        (err: UpstreamError) => err instanceof UpstreamError && err.step === 'revoke' && /HTTP 500/.test(err.message),
      );
      served.emulator.faults.set('revokeoauth2', 'hang', 1);
      await assert.rejects(strategy({ timeoutMs: 300 }).revoke!(token), (err: UpstreamError) => err instanceof UpstreamError && err.step === 'timeout');
      await adapter.revoke!(token);
    });
  });

  describe('control routes', () => {
    beforeEach(() => start());

    it('sets, lists and clears faults over HTTP', async () => {
      const set = await fetch(`${served.url}/__emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ endpoint: 'users/show', mode: 'status500', times: 1 }),
      });
      assert.equal(set.status, 200);
      const state = (await (await fetch(`${served.url}/__emulator`)).json()) as { provider: string; faults: Record<string, { mode: string }> };
      assert.equal(state.provider, 'weibo');
      assert.equal(state.faults['users/show']?.mode, 'status500');
      expectError((await roundTrip(strategy(), 'lina')).outcome, 'userinfo');
      await fetch(`${served.url}/__emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ endpoint: 'get_token_info', mode: 'foreign_appkey' }),
      });
      await fetch(`${served.url}/__emulator/faults`, { method: 'DELETE' });
      assert.equal((await roundTrip(strategy(), 'lina')).outcome.kind, 'success');
    });

    it('close() releases a hanging response', async () => {
      served.emulator.faults.set('get_uid', 'hang', 1);
      const pending = fetch(`${served.url}/2/account/get_uid.json`).then(
        () => 'answered',
        () => 'released',
      );
      await until(() => served.emulator.faults.hanging === 1, 'the request reached the emulator and hangs');
      served.emulator.close();
      assert.equal(await pending, 'released');
    });

    it('auto-approves a fixed login or a random generated user, and stops when cleared', async () => {
      const setAuto = (login: string | null) =>
        fetch(`${served.url}/__emulator/auto-approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login }) });
      assert.equal((await setAuto('lina')).status, 200);
      const s = strategy();
      const direct = await fetch(await beginFlow(s), { redirect: 'manual' });
      assert.equal(direct.status, 302);
      const outcome = await completeFlow(s, new URL(direct.headers.get('location')!));
      assert.equal(outcome.kind, 'success');
      assert.deepEqual((outcome as { identity: { keys: string[] } }).identity.keys, served.emulator.identityKeysFor('lina', CLIENT_ID));

      await setAuto('@random:3');
      const random = await signInUpstream(strategy(), 'ignored-by-auto-approve');
      const generated = generatedUsers(3).map((u) => served.emulator.identityKeysFor(u.login, CLIENT_ID)[0]);
      assert.ok(generated.includes(random.keys[0]), `${random.keys[0]} is one of the generated users`);

      await setAuto(null);
      const page = await fetch(await beginFlow(strategy()), { redirect: 'manual' });
      assert.equal(page.status, 200);
      assert.match(await page.text(), /京东买家小王/);
    });
  });
});
