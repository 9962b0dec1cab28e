// The provider contract suite: what the broker relies on from every provider module, checked through the
// real Broker (flow saved in a real store, state and PKCE from the flow) against the provider's emulator
// over HTTP. Each `<id>.test.ts` calls providerContractSuite() once and keeps only its provider's quirks;
// the common faults of the identity endpoints (token check, profile) are here too, by the spec's list.
// Every failure is checked twice: the step it is classified under, and what the shopper is told (the
// failure page's message and the protocol error the shop receives on "back to shop").

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculatePKCECodeChallenge } from 'openid-client';
import { systemClock } from '../../src/clock.ts';
import { type GatewayError, UpstreamError, type UpstreamStep } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { Broker, type CallbackResult } from '../../src/broker/broker.ts';
import type { Flow } from '../../src/broker/flow.ts';
import { failureMessage, shopError } from '../../src/broker/failure-page.ts';
import type { LoginContext } from '../../src/broker/login-context.ts';
import { translator } from '../../src/i18n/messages.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import type { Locale, ProviderModule } from '../contract.ts';
import { COMMON_FAULT_MODES } from './emulator/fault-switch.ts';
import { authorizeAt, serveEmulator, type ServedEmulator } from './testing.ts';

export interface ContractSpec {
  /** The app registered at the emulator and used by the adapter (ids in the provider's own shape). */
  app: { clientId: string; clientSecret: string; extra?: Record<string, string | number | boolean> };
  /** A login among the emulator's default test users. */
  login: string;
  /** The fault switch's name for the token endpoint. */
  tokenEndpoint: string;
  /**
   * How a shopper's refusal reaches the callback: `redirect` — the emulator's deny button redirects back
   * (RFC 6749 `error=access_denied`); `bare-state` — the provider sends back only `state` (its page
   * offers no redirect on cancel, so the callback is built the way the provider documents it).
   */
  denial: 'redirect' | 'bare-state';
  /**
   * The provider's calls after the token exchange (token check, profile), in the order the adapter makes
   * them, by fault switch name: the step of an HTTP 500 (`failStep`) and of an HTML or truncated answer
   * (`decodeStep`); a hang is always `timeout`.
   */
  identityEndpoints?: { endpoint: string; failStep: UpstreamStep; decodeStep: UpstreamStep }[];
}

const ISSUER = 'http://127.0.0.1:1';
const BINDING = 'contract-suite-browser';
const LOCALES: Locale[] = ['zh-CN', 'en'];

export function providerContractSuite(module: ProviderModule, spec: ContractSpec): void {
  const { descriptor } = module;
  const id = descriptor.id;
  const callbackUrl = `${ISSUER}/cb/${id}`;

  describe(`${id}: the provider contract`, () => {
    let served: ServedEmulator;
    let store: Store;
    let dataDir: string;
    const flows: Flow[] = [];

    before(async () => {
      served = await serveEmulator(module.createEmulator({ apps: [{ ...spec.app, redirectUris: [callbackUrl] }] }));
      dataDir = await mkdtemp(join(tmpdir(), `denglu-contract-${id}-`));
      store = await createStore({ dataDir, clock: systemClock });
    });
    after(async () => {
      await served.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    afterEach(() => served.emulator.faults.clear());

    function broker(upstream: { timeoutMs?: number; maxBodyBytes?: number } = {}): Broker {
      const { clientId, clientSecret, extra } = spec.app;
      const baseUrls = Object.fromEntries(Object.keys(descriptor.baseUrls).map((role) => [role, served.url]));
      return new Broker({
        store,
        clock: systemClock,
        log: createLogger({ level: 'silent' }),
        issuer: ISSUER,
        flowTtlSeconds: 600,
        upstream: { timeoutMs: upstream.timeoutMs ?? 5000, maxBodyBytes: upstream.maxBodyBytes ?? 256 * 1024 },
        providers: new Map([[id, { module, credentials: { clientId, clientSecret, baseUrls, ...(extra ? { extra } : {}) } }]]),
        flowStarted: async (flow) => {
          flows.push(flow);
        },
      });
    }

    async function start(b: Broker, reauthenticate = false, locale: Locale = 'zh-CN'): Promise<URL> {
      return new URL(await b.start({ provider: id, purpose: 'login', binding: BINDING, locale, ...(reauthenticate ? { reauthenticate } : {}) }));
    }

    /** Begins a flow, approves as the spec's login, and delivers the callback to the broker. */
    async function roundTrip(b: Broker): Promise<CallbackResult> {
      const { location } = await authorizeAt(await start(b), spec.login);
      assert.ok(location, 'the emulator redirected back');
      return b.callback(id, Object.fromEntries(location.searchParams), BINDING);
    }

    /** The failure is an UpstreamError of this provider at `step`, and the shopper is told `messageKey`. */
    function expectFailure(result: CallbackResult, step: UpstreamStep, messageKey: string, shop: 'access_denied' | 'temporarily_unavailable') {
      assert.equal(result.ok, false, 'no identity comes out of a failed round trip');
      const error = (result as { error: GatewayError }).error;
      assert.ok(error instanceof UpstreamError, `expected an UpstreamError, got ${error}`);
      assert.equal(error.providerId, id);
      assert.equal(error.step, step, `expected step ${step}, got ${error.step}: ${error.message}`);
      assert.equal(error.status, 502);
      assert.equal(error.expose, false, 'upstream text never reaches the shopper as is');
      expectPage(error, messageKey, shop);
    }

    function expectPage(error: unknown, messageKey: string, shop: 'access_denied' | 'temporarily_unavailable') {
      const ctx = { descriptors: new Map([[id, descriptor]]) } as unknown as LoginContext;
      for (const locale of LOCALES) {
        const expected = translator(locale)(messageKey as never, { provider: descriptor.label[locale], shop: '', hint: '' });
        assert.equal(failureMessage(ctx, error, { locale, requestId: 'r', provider: id }), expected, `the ${locale} page says ${messageKey}`);
      }
      assert.equal(shopError(error), shop);
    }

    it('sends the browser to the provider with the flow as state, the callback, and PKCE exactly when the descriptor says so', async () => {
      flows.length = 0;
      const url = await start(broker());
      const flow = flows.at(-1)!;
      assert.equal(url.searchParams.get('state'), flow.id, 'state is the saved flow');
      assert.ok(await store.get('flows', flow.id), 'the broker saved the flow before redirecting');
      assert.equal(url.searchParams.get('redirect_uri'), callbackUrl);
      assert.ok(url.href.startsWith(served.url), 'the authorize URL is built from the configured base URL');
      if (descriptor.pkce) {
        assert.ok(flow.codeVerifier, 'the flow keeps a PKCE verifier');
        assert.equal(url.searchParams.get('code_challenge'), await calculatePKCECodeChallenge(flow.codeVerifier));
        assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      } else {
        assert.equal(flow.codeVerifier, undefined);
        assert.equal(url.searchParams.get('code_challenge'), null);
      }
    });

    it("a forced re-authentication adds exactly the descriptor's reauthentication parameters", async () => {
      const b = broker();
      const plain = await start(b);
      const forced = await start(b, true);
      const added = Object.fromEntries([...forced.searchParams].filter(([k]) => !plain.searchParams.has(k)));
      assert.deepEqual(added, descriptor.reauthentication ?? {});
    });

    it("sends the shopper's language as the descriptor's display-language parameter, and nothing else that depends on it", async () => {
      const b = broker();
      // Values of each flow's own (an OpenID Connect nonce is derived from the flow's state).
      const perFlow = new Set(['state', 'code_challenge', 'nonce']);
      const [zh, en] = [await start(b, false, 'zh-CN'), await start(b, false, 'en')];
      const language = descriptor.displayLanguage;
      const differing = [...new Set([...zh.searchParams.keys(), ...en.searchParams.keys()])].filter(
        (k) => !perFlow.has(k) && zh.searchParams.get(k) !== en.searchParams.get(k),
      );
      if (language) {
        assert.equal(zh.searchParams.get(language.parameter), language.values['zh-CN'] ?? null);
        assert.equal(en.searchParams.get(language.parameter), language.values.en ?? null);
        assert.ok(
          differing.every((k) => k === language.parameter),
          `only ${language.parameter} follows the locale, not ${differing}`,
        );
      } else {
        assert.deepEqual(differing, [], 'a provider without a display-language parameter gets the same request in every locale');
      }
    });

    it('a sign-in gives the identity with keys prefixed by the provider, as the emulator derives them', async () => {
      const result = await roundTrip(broker());
      assert.ok(result.ok, result.ok ? '' : result.error.message);
      const { identity } = result;
      assert.equal(identity.provider, id);
      assert.ok(identity.subject, 'a subject');
      assert.ok(identity.keys.length > 0);
      for (const key of identity.keys) assert.ok(key.startsWith(`${id}:`), `${key} is prefixed with "${id}:"`);
      assert.deepEqual(identity.keys, served.emulator.identityKeysFor(spec.login, spec.app.clientId));
      assert.ok(identity.displayName, 'a display name');
      assert.equal(typeof identity.accessToken, 'string');
    });

    it("a shopper's refusal is provider_denied: the page says they cancelled, the shop gets access_denied", async () => {
      const b = broker();
      const authorize = await start(b);
      let params: Record<string, string>;
      if (spec.denial === 'redirect') {
        const { location } = await authorizeAt(authorize, spec.login, 'deny');
        assert.ok(location, 'the emulator redirected back');
        params = Object.fromEntries(location.searchParams);
      } else {
        params = { state: authorize.searchParams.get('state')! };
      }
      served.emulator.faults.set(spec.tokenEndpoint, 'status500', 1);
      expectFailure(await b.callback(id, params, BINDING), 'provider_denied', 'error.ERR_UPSTREAM.provider_denied', 'access_denied');
      assert.ok(served.emulator.faults.list()[spec.tokenEndpoint], 'the token endpoint was never called');
    });

    it('a state that names no flow is refused before any call upstream: the page says the request could not be verified', async () => {
      const b = broker();
      const { location } = await authorizeAt(await start(b), spec.login);
      assert.ok(location);
      location.searchParams.set('state', `forged-${location.searchParams.get('state')}`);
      served.emulator.faults.set(spec.tokenEndpoint, 'status500', 1);
      const result = await b.callback(id, Object.fromEntries(location.searchParams), BINDING);
      assert.equal(result.ok, false);
      const error = (result as { error: GatewayError }).error;
      assert.equal(error.code, 'ERR_FLOW_STATE_MISMATCH');
      assert.equal(error.status, 403);
      expectPage(error, 'error.ERR_FLOW_STATE_MISMATCH', 'access_denied');
      assert.ok(served.emulator.faults.list()[spec.tokenEndpoint], 'the token endpoint was never called');
    });

    const tokenFaults: [mode: string, step: UpstreamStep, messageKey: string][] = [
      ['status500', 'token_exchange', 'error.ERR_UPSTREAM.default'],
      ['html', 'token_exchange', 'error.ERR_UPSTREAM.default'],
      ['malformed', 'token_exchange', 'error.ERR_UPSTREAM.default'],
      ['hang', 'timeout', 'error.ERR_UPSTREAM.timeout'],
    ];
    for (const [mode, step, messageKey] of tokenFaults) {
      it(`a token endpoint answering ${mode} is ${step}: the page says ${messageKey.split('.').pop()}, the shop gets temporarily_unavailable`, async () => {
        // A short deadline only where the deadline is what is tested (a busy host may answer slowly).
        const b = broker({ timeoutMs: mode === 'hang' ? 300 : 5000 });
        served.emulator.faults.set(spec.tokenEndpoint, mode, 1);
        const started = performance.now();
        const result = await roundTrip(b);
        expectFailure(result, step, messageKey, 'temporarily_unavailable');
        if (mode === 'hang') assert.ok(performance.now() - started >= 280, 'ended by the deadline');
        assert.deepEqual(served.emulator.faults.list(), {}, 'the fault was served');
      });
    }

    it('an answer over the size cap is token_exchange, never read whole', async () => {
      const result = await roundTrip(broker({ maxBodyBytes: 40 }));
      expectFailure(result, 'token_exchange', 'error.ERR_UPSTREAM.default', 'temporarily_unavailable');
      assert.match((result as { error: Error }).error.message, /exceeded 40 bytes/);
    });

    it('an unreachable token endpoint is token_exchange, never a crash', async () => {
      const b = broker();
      const { location } = await authorizeAt(await start(b), spec.login);
      assert.ok(location);
      const running = served;
      served = await serveEmulator(module.createEmulator({ apps: [{ ...spec.app, redirectUris: [callbackUrl] }] }));
      await running.close();
      expectFailure(
        await b.callback(id, Object.fromEntries(location.searchParams), BINDING),
        'token_exchange',
        'error.ERR_UPSTREAM.default',
        'temporarily_unavailable',
      );
    });

    for (const { endpoint, failStep, decodeStep } of spec.identityEndpoints ?? []) {
      for (const mode of COMMON_FAULT_MODES) {
        const step: UpstreamStep = mode === 'hang' ? 'timeout' : mode === 'status500' ? failStep : decodeStep;
        const messageKey = mode === 'hang' ? 'error.ERR_UPSTREAM.timeout' : 'error.ERR_UPSTREAM.default';
        it(`${endpoint} answering ${mode} after a good token is ${step}: the page says ${messageKey.split('.').pop()}`, async () => {
          const b = broker({ timeoutMs: mode === 'hang' ? 300 : 5000 });
          served.emulator.faults.set(endpoint, mode, 1);
          const started = performance.now();
          expectFailure(await roundTrip(b), step, messageKey, 'temporarily_unavailable');
          // A hang never answers: that the flow ended at all shows the deadline ended it, not earlier.
          if (mode === 'hang') assert.ok(performance.now() - started >= 280, 'ended by the deadline');
          assert.deepEqual(served.emulator.faults.list(), {}, 'the fault was served');
        });
      }
    }
  });
}
