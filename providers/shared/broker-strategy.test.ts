// BrokerStrategy builds the start-of-sign-in redirect itself (without passport-oauth2's legacy URL
// parsing): for every provider it must be the redirect passport-oauth2 would have made, byte for byte
// apart from the random PKCE challenge and state, with the verifier and state saved the same way. A
// forced re-authentication adds the descriptor's parameters (Weibo `forcelogin=true`) and nothing else.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Strategy as OAuth2Strategy } from 'passport-oauth2';
import { PROVIDERS } from '../index.ts';
import { adapterOptions } from './testing.ts';
import { runStrategy } from './run-strategy.ts';
import type { BrokerStrategy } from './broker-strategy.ts';

/** The redirect passport-oauth2's own authenticate() makes for this strategy. */
function passportRedirect(strategy: BrokerStrategy, options: Record<string, unknown> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = Object.create(strategy);
    // BrokerStrategy hands passport-oauth2 no callback URL of its own (see its constructor).
    s._callbackURL = strategy.options.callbackUrl;
    s.redirect = resolve;
    s.error = reject;
    s.fail = () => reject(new Error('fail'));
    OAuth2Strategy.prototype.authenticate.call(s, { query: {} } as any, options);
  });
}

/** The URL with the random parameters replaced by placeholders, plus their values. */
function withoutRandom(url: string): { shape: string; state: string | null; challenge: string | null } {
  const q = url.indexOf('?');
  const params = new URLSearchParams(url.slice(q + 1));
  const state = params.get('state');
  const challenge = params.get('code_challenge');
  const shape = url.replace(`state=${state}`, 'state=STATE').replace(`code_challenge=${challenge}`, 'code_challenge=CHALLENGE');
  return { shape, state, challenge };
}

describe('BrokerStrategy: the redirect that starts a sign-in', () => {
  for (const [id, module] of PROVIDERS) {
    for (const options of [{}, { scope: ['email', 'all'] }]) {
      it(`${id}${'scope' in options ? ' (scope given)' : ''}: is the redirect passport-oauth2 makes`, async () => {
        const adapter = adapterOptions(Object.keys(module.descriptor.baseUrls), 'http://127.0.0.1:4100/base');
        const strategy = module.createStrategy(adapter);
        const ours = await runStrategy(strategy, { query: {} }, options);
        assert.equal(ours.kind, 'redirect');
        const oursUrl = (ours as { url: string }).url;
        const ourState = adapter.stateStore.state;
        const ourVerifier = adapter.stateStore.verifier;
        const theirs = withoutRandom(await passportRedirect(strategy, options));
        const mine = withoutRandom(oursUrl);
        assert.equal(mine.shape, theirs.shape);
        assert.equal(mine.state, ourState, 'the state is the one the state store saved');
        if (module.descriptor.pkce) {
          assert.ok(ourVerifier && /^[\w-]{43}$/.test(ourVerifier), 'a 32-byte base64url verifier was saved');
          assert.equal(mine.challenge, createHash('sha256').update(ourVerifier).digest('base64url'));
        } else {
          assert.equal(ourVerifier, undefined);
          assert.equal(mine.challenge, null);
        }
      });
    }
  }

  for (const [id, module] of PROVIDERS) {
    it(`${id}: a forced re-authentication adds exactly the descriptor's reauthentication parameters, the way passport-oauth2 would`, async () => {
      const adapter = adapterOptions(Object.keys(module.descriptor.baseUrls), 'http://127.0.0.1:4100/base');
      const strategy = module.createStrategy(adapter);
      const start = async (options: Record<string, unknown>) => new URL(((await runStrategy(strategy, { query: {} }, options)) as { url: string }).url);
      const plain = await start({});
      const forced = await start({ reauthenticate: true });
      const added = Object.fromEntries([...forced.searchParams].filter(([k]) => !plain.searchParams.has(k)));
      assert.deepEqual(added, module.descriptor.reauthentication ?? {});
      assert.equal(withoutRandom(forced.href).shape, withoutRandom(await passportRedirect(strategy, { reauthenticate: true })).shape);
    });
  }

  it('Weibo declares forcelogin=true as its re-authentication parameter', () => {
    assert.deepEqual(PROVIDERS.get('weibo')!.descriptor.reauthentication, { forcelogin: 'true' });
  });

  it('leaves an authorize URL with a query of its own to passport-oauth2 (it merges the two)', async () => {
    const [, module] = [...PROVIDERS][0]!;
    const strategy = module.createStrategy(adapterOptions(Object.keys(module.descriptor.baseUrls), 'http://127.0.0.1:4100'));
    (strategy as any)._oauth2._authorizeUrl = 'http://127.0.0.1:4100/authorize?tenant=a';
    Object.defineProperty(strategy, 'authorizeBase', { value: undefined });
    const ours = await runStrategy(strategy, { query: {} });
    assert.equal(ours.kind, 'redirect');
    const url = new URL((ours as { url: string }).url);
    assert.equal(url.searchParams.get('tenant'), 'a');
    assert.ok(url.searchParams.get('state'));
  });

  it('reports a state store failure as an error, not a redirect', async () => {
    const [, module] = [...PROVIDERS][0]!;
    const adapter = adapterOptions(Object.keys(module.descriptor.baseUrls), 'http://127.0.0.1:4100');
    adapter.stateStore.store = (_req, _verifier, _state, _meta, cb) => cb(new Error('store down'));
    const outcome = await runStrategy(module.createStrategy(adapter), { query: {} });
    assert.equal(outcome.kind, 'error');
  });
});
