// A declared OpenID Connect provider against the demo OpenID Provider over real HTTP: the shared
// contract suite, then what is particular to OIDC — nonce and PKCE in the request, discovery refused
// (down, another issuer), and ID tokens refused (audience, nonce, signature, expiry, issuer, missing),
// each an UpstreamError with its step; and the declaration's one-line problems that never print secrets.

import assert from 'node:assert/strict';
import { UpstreamError } from '../../src/errors.ts';
import type { ProviderAdapter } from '../contract.ts';
import { providerContractSuite } from '../shared/contract-suite.ts';
import { adapterOptions, beginFlow, CALLBACK, completeFlow, serveEmulator, signInUpstream, authorizeAt, type ServedEmulator } from '../shared/testing.ts';
import { flowNonce } from './adapter.ts';
import { parseOidcDeclarations } from './declaration.ts';
import { forgetOidcMetadata } from './metadata.ts';
import { oidcProviderModule } from './index.ts';

const DECLARED = { id: 'example-oidc', label: { 'zh-CN': '示例 OIDC', en: 'Example OIDC' }, colors: { background: '#3b5bdb', foreground: '#ffffff' } };
const DECLARATION = parseOidcDeclarations(DECLARED, 'test', new Set()).declarations[0]!;
const module = oidcProviderModule(DECLARATION);
const APP = { clientId: 'test-client', clientSecret: 'test-secret' };

providerContractSuite(module, { app: APP, login: 'alice', tokenEndpoint: 'token', denial: 'redirect' });

describe('a declared OpenID Connect provider', () => {
  let served: ServedEmulator;
  before(async () => {
    served = await serveEmulator(module.createEmulator({ apps: [{ ...APP, redirectUris: [CALLBACK] }] }));
  });
  after(() => served.close());
  afterEach(() => {
    served.emulator.faults.clear();
    forgetOidcMetadata();
  });
  const adapter = (): ProviderAdapter => module.createAdapter(adapterOptions(['issuer'], served.url, APP));

  it('asks for openid with a nonce bound to the state, PKCE S256, and signs in as the subject', async () => {
    const a = adapter();
    const url = await beginFlow(a);
    assert.equal(url.origin + url.pathname, `${served.url}/authorize`);
    assert.equal(url.searchParams.get('nonce'), flowNonce(APP.clientSecret, url.searchParams.get('state')!));
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(url.searchParams.get('scope')!.split(' ').includes('openid'));
    const identity = await signInUpstream(adapter(), 'bob');
    assert.deepEqual(identity.keys, served.emulator.identityKeysFor('bob', APP.clientId));
    assert.equal(identity.displayName, 'Bob Example');
  });

  for (const [mode, why] of [
    ['wrong_audience', /claim "aud"/],
    ['wrong_nonce', /nonce/],
    ['bad_signature', /signature/],
    ['expired', /expired|claim "exp"/],
    ['wrong_issuer', /claim "iss"/],
    ['no_id_token', /no ID token/],
  ] as const) {
    it(`an ID token with ${mode.replace(/_/g, ' ')} is refused: token_verify`, async () => {
      const a = adapter();
      const { location } = await authorizeAt(await beginFlow(a), 'alice');
      served.emulator.faults.set('token', mode, 1);
      const outcome = await completeFlow(a, location!);
      assert.equal(outcome.kind, 'error');
      const error = (outcome as { error: UpstreamError }).error;
      assert.ok(error instanceof UpstreamError);
      assert.equal(error.step, 'token_verify', error.message);
      assert.match(error.message, why);
    });
  }

  it('a code minted for another flow does not pass: PKCE refuses it, and without PKCE the nonce does', async () => {
    for (const pkce of [true, false]) {
      const declared = parseOidcDeclarations({ ...DECLARED, pkce }, 'test', new Set()).declarations[0]!;
      const a = oidcProviderModule(declared).createAdapter(adapterOptions(['issuer'], served.url, APP));
      const first = await authorizeAt(await beginFlow(a), 'alice');
      const second = await beginFlow(a);
      // The first flow's code delivered under the second flow's state (an injected code).
      first.location!.searchParams.set('state', second.searchParams.get('state')!);
      const outcome = await completeFlow(a, first.location!);
      assert.equal(outcome.kind, 'error');
      const error = (outcome as { error: UpstreamError }).error;
      if (pkce) assert.equal(error.step, 'token_exchange', 'the token endpoint refuses the verifier');
      else assert.deepEqual([error.step, /nonce/.test(error.message)], ['token_verify', true], error.message);
    }
  });

  it('discovery that fails or names another issuer refuses to start: step discovery, nothing sent to the browser', async () => {
    for (const mode of ['status500', 'html', 'wrong_issuer']) {
      forgetOidcMetadata();
      served.emulator.faults.set('discovery', mode, 1);
      await assert.rejects(
        beginFlow(adapter()),
        (err: unknown) => err instanceof UpstreamError && err.step === 'discovery' && err.providerId === 'example-oidc',
        mode,
      );
    }
    forgetOidcMetadata();
    served.emulator.faults.set('discovery', 'hang', 1);
    const slow = module.createAdapter(adapterOptions(['issuer'], served.url, { ...APP, timeoutMs: 200 }));
    await assert.rejects(beginFlow(slow), (err: unknown) => err instanceof UpstreamError && err.step === 'timeout');
  });

  it('an issuer that is not there is step discovery', async () => {
    const nowhere = module.createAdapter(adapterOptions(['issuer'], 'http://127.0.0.1:1', APP));
    await assert.rejects(beginFlow(nowhere), (err: unknown) => err instanceof UpstreamError && err.step === 'discovery');
  });

  it('discovery is cached: a second sign-in does not ask again', async () => {
    await beginFlow(adapter());
    served.emulator.faults.set('discovery', 'status500');
    await signInUpstream(adapter(), 'alice');
  });

  it('a callback naming another issuer (RFC 9207) is refused before the token request', async () => {
    const a = adapter();
    const { location } = await authorizeAt(await beginFlow(a), 'alice');
    location!.searchParams.set('iss', 'https://issuer.invalid');
    served.emulator.faults.set('token', 'status500', 1);
    const outcome = await completeFlow(a, location!);
    assert.equal((outcome as { error: UpstreamError }).error.step, 'state_validate');
    assert.ok(served.emulator.faults.list().token, 'the token endpoint was not called');
  });
});

describe('OpenID Connect provider declarations', () => {
  const parse = (json: unknown) => parseOidcDeclarations(json, 'DENGLU_OIDC_PROVIDERS', new Set(['weibo']));
  const ok = {
    id: 'corp-sso',
    issuer: 'https://sso.example.com/realms/shop',
    clientId: 'denglu',
    clientSecret: 's3cr3t-value',
    label: { 'zh-CN': '企业', en: 'Corp' },
  };

  it('accepts a complete declaration, always asks for openid and defaults PKCE on', () => {
    const { declarations, problems } = parse([{ ...ok, scopes: ['profile', 'email'] }]);
    assert.deepEqual(problems, []);
    assert.deepEqual(declarations[0]!.scopes, ['openid', 'profile', 'email']);
    assert.equal(declarations[0]!.pkce, true);
  });

  it('names the entry and the field in one line each, and never prints the secret', () => {
    const { declarations, problems } = parse([
      { ...ok, id: 'weibo' },
      { ...ok, id: 'Bad Id' },
      { ...ok, issuer: 'ftp://x', clientSecret: 12, colors: { background: 'red;}', foreground: '#fff' } },
      { ...ok, id: 'two', label: { en: 'Only English' }, extra: true },
    ]);
    assert.equal(declarations.length, 0);
    assert.ok(problems.every((p) => !p.includes('\n') && !p.includes('s3cr3t')));
    assert.ok(problems.some((p) => p.includes('"weibo" is already a built-in')));
    assert.ok(problems.some((p) => p.includes('entry 2: "id"')));
    assert.ok(problems.some((p) => p.includes('"issuer" must be an http(s) URL')));
    assert.ok(problems.some((p) => p.includes('"clientSecret" must be a non-empty string (its value is not shown)')));
    assert.ok(problems.some((p) => p.includes('"colors"')));
    assert.ok(problems.some((p) => p.includes('"label"')));
    assert.ok(problems.some((p) => p.includes('unknown field "extra"')));
  });
});
