// The Sohu adapter against the Sohu emulator over real HTTP: the round trip, PKCE (a code from another
// flow cannot be redeemed), denial, state, every fault mode mapped to its UpstreamError step, the
// emulator's own validation (client, redirect_uri, codes, expiry, refresh) and its control routes.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { ManualClock } from '../../src/clock.ts';
import { UpstreamError } from '../../src/errors.ts';
import type { AdapterOptions, EmulatorApp, ProviderAdapter, UpstreamIdentity } from '../contract.ts';
import { providerContractSuite } from '../shared/contract-suite.ts';
import type { TestUser } from '../shared/emulator/test-users.ts';
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
import { createSohuEmulator } from './emulator.ts';
import { sohuUserId } from './emulator-users.ts';
import { sohu } from './index.ts';

const APP: EmulatorApp = { clientId: 'test-client', clientSecret: 'test-secret', redirectUris: [CALLBACK], name: '测试商城' };
const OTHER_APP: EmulatorApp = { clientId: 'other-client', clientSecret: 'other-secret', redirectUris: ['http://127.0.0.1:1/cb/other'] };
const START = '2013-09-01T00:00:00Z';

/** What the emulator promises: a 9-digit id derived from the login alone. */
const idOf = sohuUserId;

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

providerContractSuite(sohu, {
  app: { clientId: APP.clientId, clientSecret: APP.clientSecret },
  login: 'zhangwei',
  tokenEndpoint: 'access_token',
  denial: 'redirect',
  identityEndpoints: [{ endpoint: 'users/show', failStep: 'userinfo', decodeStep: 'profile_decode' }],
});

describe('sohu provider', () => {
  let served: ServedEmulator;
  let clock: ManualClock;

  async function serve(users?: TestUser[]): Promise<ServedEmulator> {
    clock = new ManualClock(START);
    served = await serveEmulator(createSohuEmulator({ apps: [APP, OTHER_APP], clock, ...(users ? { users } : {}) }));
    return served;
  }

  function strategy(overrides: Partial<AdapterOptions> = {}): ProviderAdapter {
    return sohu.createAdapter(adapterOptions(['api'], served.url, overrides));
  }

  function authorizeUrl(params: Record<string, string>): URL {
    const url = new URL('/oauth2/authorize', served.url);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url;
  }

  const validAuthorize = (extra: Record<string, string> = {}): Record<string, string> => ({
    client_id: APP.clientId,
    redirect_uri: CALLBACK,
    response_type: 'code',
    scope: 'basic',
    state: 'st-1',
    ...extra,
  });

  /** Approves `login` on the authorize page for a hand-built request; returns the code. */
  async function codeFor(login: string, extra: Record<string, string> = {}): Promise<string> {
    const { location } = await authorizeAt(authorizeUrl(validAuthorize(extra)), login);
    assert.ok(location, 'the emulator redirected back');
    const code = location.searchParams.get('code');
    assert.ok(code);
    return code;
  }

  async function token(params: Record<string, string>): Promise<{ status: number; contentType: string; json: any }> {
    const res = await fetch(new URL('/oauth2/access_token', served.url), { method: 'POST', body: new URLSearchParams(params) });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', json: await res.json() };
  }

  const redeem = (code: string, extra: Record<string, string> = {}) =>
    token({ grant_type: 'authorization_code', client_id: APP.clientId, client_secret: APP.clientSecret, redirect_uri: CALLBACK, code, ...extra });

  async function usersShow(accessToken: string | undefined): Promise<{ status: number; json: any }> {
    const url = new URL('/users/show.json', served.url);
    if (accessToken !== undefined) url.searchParams.set('access_token', accessToken);
    const res = await fetch(url);
    return { status: res.status, json: await res.json() };
  }

  /** Runs one flow as `login` and returns the UpstreamError it ended with, and how long completing took. */
  async function failingSignIn(s: ProviderAdapter, login = 'zhangwei'): Promise<{ error: UpstreamError; elapsed: number }> {
    const { location } = await authorizeAt(await beginFlow(s), login);
    assert.ok(location);
    const started = performance.now();
    const outcome = await completeFlow(s, location);
    const elapsed = performance.now() - started;
    assert.ok(outcome.kind === 'error' || outcome.kind === 'fail', `expected a failure, got ${outcome.kind}`);
    assert.ok(outcome.error instanceof UpstreamError);
    assert.equal(outcome.error.providerId, 'sohu');
    return { error: outcome.error, elapsed };
  }

  beforeEach(async () => {
    await serve();
  });
  afterEach(async () => {
    await served.close();
  });

  describe('module', () => {
    it('describes Sohu as the registry expects', () => {
      const { settings, ...described } = sohu.descriptor;
      assert.deepEqual(
        settings.map((s) => s.env),
        ['SOHU_CLIENT_ID', 'SOHU_CLIENT_SECRET', 'SOHU_BASE_URL'],
      );
      assert.deepEqual(described, {
        id: 'sohu',
        label: { 'zh-CN': '搜狐', en: 'Sohu' },
        colors: { background: '#FFD100', foreground: '#222' },
        baseUrls: { api: 'https://api.t.sohu.com' },
        scope: ['basic'],
        pkce: true,
        revocable: false,
        registrationUrl: 'http://open.t.sohu.com',
      });
      const adapter = sohu.createAdapter(adapterOptions(['api'], served.url));
      assert.equal(adapter.descriptor, sohu.descriptor);
      assert.equal(adapter.revoke, undefined);
    });

    it('refuses adapter options without an "api" base URL', () => {
      assert.throws(() => sohu.createAdapter(adapterOptions([], served.url)), /no base URL for "api"/);
    });
  });

  describe('adapter round trip', () => {
    it('signs in and reports the Sohu user as an UpstreamIdentity', async () => {
      const identity = await signInUpstream(strategy(), 'zhangwei');
      const id = idOf('zhangwei');
      assert.match(id, /^[1-9][0-9]{8}$/);
      assert.equal(identity.provider, 'sohu');
      assert.equal(identity.subject, id);
      assert.deepEqual(identity.keys, [`sohu:id:${id}`]);
      assert.equal(identity.displayName, '张伟');
      assert.equal(identity.avatar, `${served.url}/__avatars/${id}.svg`);
      assert.match(identity.accessToken ?? '', /^[0-9a-f]{48}$/);

      const avatar = await fetch(identity.avatar!);
      assert.equal(avatar.status, 200);
      assert.match(avatar.headers.get('content-type') ?? '', /^image\/svg\+xml/);
      assert.match(await avatar.text(), /<svg[^>]*>.*张<\/text><\/svg>$/);
      assert.equal((await fetch(`${served.url}/__avatars/100000000.svg`)).status, 404);
    });

    it('sends the documented authorize parameters plus an S256 code_challenge', async () => {
      const s = strategy();
      const url = await beginFlow(s);
      const store = adapterStore(s);
      assert.equal(`${url.origin}${url.pathname}`, `${served.url}/oauth2/authorize`);
      assert.equal(url.searchParams.get('client_id'), 'test-client');
      assert.equal(url.searchParams.get('response_type'), 'code');
      assert.equal(url.searchParams.get('redirect_uri'), CALLBACK);
      assert.equal(url.searchParams.get('scope'), 'basic');
      assert.equal(url.searchParams.get('state'), store.state);
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      assert.ok(store.verifier);
      assert.equal(url.searchParams.get('code_challenge'), createHash('sha256').update(store.verifier).digest('base64url'));
    });

    it('gives the same login the same subject every time, and another login another one', async () => {
      const first = await signInUpstream(strategy(), 'lina');
      const again = await signInUpstream(strategy(), 'lina');
      const other = await signInUpstream(strategy(), 'wangfang');
      assert.equal(first.subject, again.subject);
      assert.deepEqual(first.keys, again.keys);
      assert.notEqual(first.subject, other.subject);
      assert.equal(other.displayName, '王芳');
      assert.deepEqual(served.emulator.identityKeysFor('lina', APP.clientId), first.keys);
      assert.deepEqual(served.emulator.identityKeysFor('lina', OTHER_APP.clientId), first.keys, 'Sohu ids are global, not per app');
    });

    it('accepts a typed-in login that is not a default test user', async () => {
      const identity = await signInUpstream(strategy(), 'wangxiaoming');
      assert.equal(identity.subject, idOf('wangxiaoming'));
      assert.equal(identity.displayName, 'wangxiaoming');
    });

    it('falls back to "name" when "screen_name" is empty', async () => {
      await served.close();
      await serve([{ login: 'nonick', name: '无昵称用户', extra: { screen_name: '' } }]);
      const identity = await signInUpstream(strategy(), 'nonick');
      assert.equal(identity.displayName, '无昵称用户');
      assert.equal(identity.subject, idOf('nonick'));
    });

    it('reports token endpoint errors as token_exchange with the Sohu error', async () => {
      const { error } = await failingSignIn(strategy({ clientSecret: 'wrong-secret' }));
      assert.equal(error.step, 'token_exchange');
      assert.match(error.message, /invalid_client: client authentication failed, error_code 40101 \(HTTP 401\)/);
    });
  });

  describe('PKCE (a code from another flow cannot be redeemed)', () => {
    it('refuses a code delivered to another flow of the adapter', async () => {
      const victim = strategy();
      const { location: victimCallback } = await authorizeAt(await beginFlow(victim), 'zhangwei');
      assert.ok(victimCallback);
      const attacker = strategy();
      const attackerUrl = await beginFlow(attacker);
      const injected = new URL(CALLBACK);
      injected.searchParams.set('code', victimCallback.searchParams.get('code')!);
      injected.searchParams.set('state', attackerUrl.searchParams.get('state')!);
      const outcome = await completeFlow(attacker, injected);
      assert.equal(outcome.kind, 'error');
      assert.ok(outcome.kind === 'error');
      assert.equal(outcome.error.step, 'token_exchange');
      assert.match(outcome.error.message, /invalid_grant: "code_verifier" does not match the "code_challenge"/);
    });

    it('refuses a wrong verifier at the token endpoint, and the code is spent afterwards', async () => {
      const victim = strategy();
      const { location } = await authorizeAt(await beginFlow(victim), 'zhangwei');
      const code = location!.searchParams.get('code')!;
      const wrong = await redeem(code, { code_verifier: pkcePair().verifier });
      assert.equal(wrong.status, 400);
      assert.match(wrong.contentType, /^application\/json/);
      assert.deepEqual(wrong.json, {
        error: 'invalid_grant',
        error_description: '"code_verifier" does not match the "code_challenge"',
        error_code: 40003,
        request: '/oauth2/access_token',
      });
      const late = await redeem(code, { code_verifier: adapterStore(victim).verifier! });
      assert.equal(late.status, 400);
      assert.equal(late.json.error_description, '"code" has already been used');
    });

    it('refuses a missing or malformed verifier when the code carries a challenge', async () => {
      const { verifier, challenge } = pkcePair();
      const missing = await redeem(await codeFor('lina', { code_challenge: challenge, code_challenge_method: 'S256' }));
      assert.equal(missing.status, 400);
      assert.equal(missing.json.error_description, '"code_verifier" is required for this code');
      const short = await redeem(await codeFor('lina', { code_challenge: challenge, code_challenge_method: 'S256' }), { code_verifier: 'abc' });
      assert.equal(short.json.error_description, '"code_verifier" must be 43-128 unreserved characters');
      const ok = await redeem(await codeFor('lina', { code_challenge: challenge, code_challenge_method: 'S256' }), { code_verifier: verifier });
      assert.equal(ok.status, 200);
    });

    it('refuses a verifier for a code requested without a challenge (downgrade)', async () => {
      const downgrade = await redeem(await codeFor('lina'), { code_verifier: pkcePair().verifier });
      assert.equal(downgrade.status, 400);
      assert.equal(downgrade.json.error, 'invalid_grant');
      assert.equal(downgrade.json.error_description, '"code_verifier" sent but the authorization request had no "code_challenge"');
      const plainOAuth = await redeem(await codeFor('lina'));
      assert.equal(plainOAuth.status, 200, 'PKCE stays optional for clients that do not use it');
    });
  });

  describe('fault modes', () => {
    // The common faults (hang, status500, html, malformed) of access_token and users/show, and an unreachable
    // token endpoint: the provider contract suite. Here: Sohu's own modes and messages.
    it('users/show status500 → userinfo, saying so', async () => {
      served.emulator.faults.set('users/show', 'status500', 1);
      const { error } = await failingSignIn(strategy());
      assert.equal(error.step, 'userinfo');
      assert.equal(error.message, 'users/show answered HTTP 500');
    });

    it('users/show invalid_token → userinfo with the Sohu error', async () => {
      served.emulator.faults.set('users/show', 'invalid_token', 1);
      const { error } = await failingSignIn(strategy());
      assert.equal(error.step, 'userinfo');
      assert.equal(error.message, 'users/show answered HTTP 401 (error "invalid_token", error_code 40102)');
    });

    it('users/show missing_id → profile_decode', async () => {
      served.emulator.faults.set('users/show', 'missing_id', 1);
      const { error } = await failingSignIn(strategy());
      assert.equal(error.step, 'profile_decode');
      assert.equal(error.message, 'users/show answered no usable "id"');
    });

    it('users/show string_id → the same subject as a numeric id', async () => {
      served.emulator.faults.set('users/show', 'string_id', 1);
      const identity = await signInUpstream(strategy(), 'liuyang');
      assert.equal(identity.subject, idOf('liuyang'));
    });

    it('a users/show body over maxBodyBytes → userinfo', async () => {
      const { error } = await failingSignIn(strategy({ maxBodyBytes: 200 }));
      assert.equal(error.step, 'userinfo');
      assert.match(error.message, /^users\/show failed: answer from http:\/\/127\.0\.0\.1:\d+ exceeded 200 bytes$/);
    });
  });

  describe('emulator: authorize validation (an HTML page, never a redirect)', () => {
    const { challenge } = pkcePair();
    const cases: [string, Record<string, string | undefined>, string][] = [
      ['unknown client_id', { client_id: 'nobody' }, 'invalid_client'],
      ['missing client_id', { client_id: undefined }, 'invalid_client'],
      ['missing redirect_uri', { redirect_uri: undefined }, 'redirect_uri_mismatch'],
      ['redirect_uri with a trailing slash', { redirect_uri: `${CALLBACK}/` }, 'redirect_uri_mismatch'],
      ['redirect_uri with an added query', { redirect_uri: `${CALLBACK}?next=1` }, 'redirect_uri_mismatch'],
      ['redirect_uri on another host', { redirect_uri: 'http://evil.example/cb/test' }, 'redirect_uri_mismatch'],
      ['redirect_uri of another app', { redirect_uri: OTHER_APP.redirectUris[0] }, 'redirect_uri_mismatch'],
      ['response_type token', { response_type: 'token' }, 'unsupported_response_type'],
      ['scope other than basic', { scope: 'basic,all' }, 'invalid_scope'],
      ['code_challenge_method plain', { code_challenge: challenge, code_challenge_method: 'plain' }, 'invalid_request'],
      ['code_challenge without a method', { code_challenge: challenge }, 'invalid_request'],
      ['code_challenge_method without a challenge', { code_challenge_method: 'S256' }, 'invalid_request'],
      ['a malformed code_challenge', { code_challenge: 'short', code_challenge_method: 'S256' }, 'invalid_request'],
      ['state and wrap_client_state disagreeing', { wrap_client_state: 'other' }, 'invalid_request'],
    ];
    for (const [name, change, error] of cases) {
      it(`${name} → 400 ${error}`, async () => {
        const params: Record<string, string> = validAuthorize();
        for (const [k, v] of Object.entries(change)) {
          if (v === undefined) delete params[k];
          else params[k] = v;
        }
        const res = await fetch(authorizeUrl(params), { redirect: 'manual' });
        assert.equal(res.status, 400);
        assert.equal(res.headers.get('location'), null);
        assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
        const html = await res.text();
        assert.match(html, new RegExp(`<code id="error">${error}</code>`));
        assert.doesNotMatch(html, /<form/);
      });
    }

    it('refuses a tampered form post the same way', async () => {
      const form = new URLSearchParams({ ...validAuthorize(), redirect_uri: 'http://evil.example/cb', login: 'zhangwei', decision: 'approve' });
      const res = await fetch(authorizeUrl({}), { method: 'POST', body: form, redirect: 'manual' });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), /redirect_uri_mismatch/);
    });

    it('shows the default test users with Chinese names and the app name', async () => {
      const res = await fetch(authorizeUrl(validAuthorize()));
      assert.equal(res.status, 200);
      const html = await res.text();
      for (const name of ['张伟', '李娜', '王芳', '刘洋']) assert.ok(html.includes(name), name);
      assert.ok(html.includes('测试商城'));
      assert.ok(html.includes('name="typed_login"'));
      assert.equal(served.emulator.users.length, 4);
    });

    it('accepts scope omitted and echoes the WRAP-era wrap_client_state alias under its own name', async () => {
      const params = validAuthorize({ wrap_client_state: 'wrap-1' });
      delete params.state;
      delete params.scope;
      const { location } = await authorizeAt(authorizeUrl(params), 'zhangwei');
      assert.ok(location);
      assert.equal(location.searchParams.get('wrap_client_state'), 'wrap-1');
      assert.equal(location.searchParams.get('state'), null);
      assert.match(location.searchParams.get('code') ?? '', /^[0-9a-f]{32}$/);
    });

    it('refuses an empty login on the form', async () => {
      const form = new URLSearchParams({ ...validAuthorize(), login: '', typed_login: '  ', decision: 'approve' });
      const res = await fetch(authorizeUrl({}), { method: 'POST', body: form, redirect: 'manual' });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /invalid_login/);
    });
  });

  describe('emulator: token endpoint validation', () => {
    it('refuses a wrong secret or an unknown client with invalid_client 401', async () => {
      const code = await codeFor('zhangwei');
      const wrong = await redeem(code, { client_secret: 'nope' });
      assert.equal(wrong.status, 401);
      assert.deepEqual(wrong.json, {
        error: 'invalid_client',
        error_description: 'client authentication failed',
        error_code: 40101,
        request: '/oauth2/access_token',
      });
      const unknown = await redeem(code, { client_id: 'nobody' });
      assert.equal(unknown.status, 401);
      assert.equal(unknown.json.error, 'invalid_client');
      const base64Secret = await redeem(code, { client_secret: Buffer.from(APP.clientSecret).toString('base64') });
      assert.equal(base64Secret.status, 401, 'the base64 client_secret folklore is not accepted');
      assert.equal((await redeem(code)).status, 200, 'failed client authentication does not spend the code');
    });

    it('refuses a code issued to another client', async () => {
      const code = await codeFor('zhangwei');
      const stolen = await token({
        grant_type: 'authorization_code',
        client_id: OTHER_APP.clientId,
        client_secret: OTHER_APP.clientSecret,
        redirect_uri: OTHER_APP.redirectUris[0]!,
        code,
      });
      assert.equal(stolen.status, 400);
      assert.equal(stolen.json.error_description, '"code" was issued to another client');
    });

    it('refuses a redirect_uri that differs from the authorization request', async () => {
      const res = await redeem(await codeFor('zhangwei'), { redirect_uri: `${CALLBACK}/` });
      assert.equal(res.status, 400);
      assert.equal(res.json.error, 'invalid_grant');
      assert.equal(res.json.error_description, '"redirect_uri" does not match the authorization request');
    });

    it('answers the documented token fields, then refuses a replayed code and revokes what it bought', async () => {
      const code = await codeFor('lina');
      const first = await redeem(code);
      assert.equal(first.status, 200);
      assert.match(first.contentType, /^application\/json/);
      assert.deepEqual(Object.keys(first.json).sort(), ['access_token', 'expires_in', 'refresh_token']);
      assert.equal(first.json.expires_in, 86400);
      const shown = await usersShow(first.json.access_token);
      assert.equal(shown.status, 200);
      assert.equal(shown.json.id, Number(idOf('lina')));
      assert.equal(shown.json.screen_name, '李娜');
      assert.equal(shown.json.description, '网球和旅行');

      const replay = await redeem(code);
      assert.equal(replay.status, 400);
      assert.equal(replay.json.error_description, '"code" has already been used');
      const after = await usersShow(first.json.access_token);
      assert.equal(after.status, 401);
      assert.equal(after.json.error, 'invalid_token');
      const refresh = await token({
        grant_type: 'refresh_token',
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        refresh_token: first.json.refresh_token,
      });
      assert.equal(refresh.status, 400, 'the refresh token died with the replayed code');
    });

    it('lets a code live 60 seconds on the injected clock', async () => {
      const young = await codeFor('zhangwei');
      clock.advance(59_999);
      assert.equal((await redeem(young)).status, 200);
      const old = await codeFor('zhangwei');
      clock.advance(60_000);
      const expired = await redeem(old);
      assert.equal(expired.status, 400);
      assert.equal(expired.json.error_description, '"code" has expired');
    });

    it('expires access tokens after one day', async () => {
      const { json } = await redeem(await codeFor('zhangwei'));
      clock.advance(86_399_999);
      assert.equal((await usersShow(json.access_token)).status, 200);
      clock.advance(1);
      const expired = await usersShow(json.access_token);
      assert.equal(expired.status, 401);
      assert.deepEqual(expired.json, {
        error: 'expired_token',
        error_description: '"access_token" has expired',
        error_code: 40103,
        request: '/users/show.json',
      });
    });

    it('answers users/show without a token with invalid_token', async () => {
      const res = await usersShow(undefined);
      assert.equal(res.status, 401);
      assert.equal(res.json.error_description, '"access_token" is required');
      assert.equal((await usersShow('not-a-token')).json.error_description, '"access_token" is invalid');
    });

    it('refuses a missing or unknown grant_type and a missing code', async () => {
      const base = { client_id: APP.clientId, client_secret: APP.clientSecret };
      const missing = await token(base);
      assert.equal(missing.status, 400);
      assert.equal(missing.json.error, 'invalid_request');
      const unknown = await token({ ...base, grant_type: 'password' });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.json.error, 'unsupported_grant_type');
      assert.equal(unknown.json.error_code, 40002);
      const noCode = await token({ ...base, grant_type: 'authorization_code' });
      assert.equal(noCode.json.error_description, '"code" is required');
    });

    it('rotates refresh tokens', async () => {
      const first = await redeem(await codeFor('wangfang'));
      const refresh = (refresh_token: string, client = APP) =>
        token({ grant_type: 'refresh_token', client_id: client.clientId, client_secret: client.clientSecret, refresh_token });
      const other = await refresh(first.json.refresh_token, OTHER_APP);
      assert.equal(other.status, 400, 'another client cannot use it');
      const second = await refresh(first.json.refresh_token);
      assert.equal(second.status, 200);
      assert.notEqual(second.json.access_token, first.json.access_token);
      assert.notEqual(second.json.refresh_token, first.json.refresh_token);
      assert.equal((await usersShow(second.json.access_token)).json.screen_name, '王芳');
      const reused = await refresh(first.json.refresh_token);
      assert.equal(reused.status, 400);
      assert.equal(reused.json.error_description, '"refresh_token" is invalid or expired');
    });
  });

  describe('emulator: control routes over HTTP', () => {
    async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
      const res = await fetch(new URL(path, served.url), {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: await res.json() };
    }

    it('reports its state', async () => {
      assert.deepEqual((await control('GET', '/__emulator')).json, { provider: 'sohu', faults: {}, served: {}, autoApprove: null });
    });

    it('sets a counted fault, uses it up, and clears faults', async () => {
      const set = await control('POST', '/__emulator/faults', { endpoint: 'users/show', mode: 'status500', times: 1 });
      assert.equal(set.status, 200);
      assert.deepEqual((await control('GET', '/__emulator')).json.faults, { 'users/show': { mode: 'status500', remaining: 1 } });
      const { error } = await failingSignIn(strategy());
      assert.equal(error.step, 'userinfo');
      assert.equal((await signInUpstream(strategy(), 'zhangwei')).displayName, '张伟', 'the fault was used up');

      await control('POST', '/__emulator/faults', { endpoint: 'authorize', mode: 'html' });
      const page = await fetch(authorizeUrl(validAuthorize()));
      assert.match(await page.text(), /系统繁忙/);
      assert.deepEqual((await control('DELETE', '/__emulator/faults')).json, { faults: {} });
      assert.equal((await fetch(authorizeUrl(validAuthorize()))).status, 200);
      assert.equal((await control('POST', '/__emulator/faults', { endpoint: 'users/show' })).status, 400);
    });

    it('auto-approves as a fixed login, then stops', async () => {
      assert.deepEqual((await control('POST', '/__emulator/auto-approve', { login: 'lina' })).json, { autoApprove: 'lina' });
      const s = strategy();
      const res = await fetch(await beginFlow(s), { redirect: 'manual' });
      assert.equal(res.status, 302);
      const outcome = await completeFlow(s, new URL(res.headers.get('location')!));
      assert.equal(outcome.kind, 'success');
      assert.equal((outcome as { identity: UpstreamIdentity }).identity.displayName, '李娜');

      await control('POST', '/__emulator/auto-approve', { login: null });
      assert.equal((await fetch(await beginFlow(strategy()), { redirect: 'manual' })).status, 200);
    });

    it('auto-approves as a random generated user with @random:N', async () => {
      await control('POST', '/__emulator/auto-approve', { login: '@random:3' });
      const allowed = ['user00001', 'user00002', 'user00003'].map(idOf);
      for (let i = 0; i < 3; i++) {
        const s = strategy();
        const res = await fetch(await beginFlow(s), { redirect: 'manual' });
        const outcome = await completeFlow(s, new URL(res.headers.get('location')!));
        assert.ok(outcome.kind === 'success');
        assert.ok(allowed.includes(outcome.identity.subject), outcome.identity.subject);
        assert.match(outcome.identity.displayName, /^user0000[123]$/);
      }
    });

    it('still validates the request in auto-approve mode', async () => {
      served.emulator.setAutoApprove('lina');
      const res = await fetch(authorizeUrl(validAuthorize({ redirect_uri: 'http://evil.example/cb' })), { redirect: 'manual' });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
    });
  });
});

/** The flow the test broker holds for the adapter (state and PKCE verifier). */
function adapterStore(s: ProviderAdapter): { state?: string; verifier?: string } {
  return pendingFlow(s) ?? {};
}
