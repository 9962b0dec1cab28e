// The upstream round trip, owned here and not by adapters: creating the flow (state, PKCE verifier,
// binding, expiry), sending the browser to the provider through its passport strategy, and on the
// provider's callback taking the flow once and checking provider, browser and expiry before any token
// request, then letting the strategy exchange the code and read the identity.

import type { Clock } from '../clock.ts';
import { GatewayError, UpstreamError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { AdapterOptions, BrokerStateStore, Locale, ProviderModule, UpstreamIdentity } from '../../providers/contract.ts';
import type { BrokerStrategy } from '../../providers/shared/broker-strategy.ts';
import { runStrategy, type StrategyRequest } from '../../providers/shared/run-strategy.ts';
import { knownProfile } from '../accounts/sign-in.ts';
import { bindingHash, FLOW_RETENTION_MS, newFlowId, type Flow, type FlowPurpose } from './flow.ts';

export interface BrokerOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  issuer: string;
  flowTtlSeconds: number;
  upstream: { timeoutMs: number; maxBodyBytes: number };
  /** Configured providers: module + this deployment's credentials. */
  providers: Map<string, { module: ProviderModule; credentials: Omit<AdapterOptions, 'callbackUrl' | 'timeoutMs' | 'maxBodyBytes' | 'stateStore'> }>;
  /** Sign-in methods Denglu handles itself (the native `password`): configured, but no upstream round trip. */
  methods?: readonly string[];
  /** Told of every flow created (a sign-in keeps only its newest few, see sign-in-admission.ts). */
  flowStarted?: (flow: Flow) => Promise<void>;
}

export interface StartFlow {
  provider: string;
  purpose: FlowPurpose;
  binding: string;
  locale: Locale;
  interactionUid?: string;
  partnerId?: string;
  clientId?: string;
  accountId?: string;
  /** The shop forced re-authentication: ask the provider to sign the person in again where it can. */
  reauthenticate?: boolean;
}

/** The request slot through which the state store sees the flow of this request. */
interface FlowRequest extends StrategyRequest {
  dengluFlow?: Flow;
}

export type CallbackResult = { ok: true; flow: Flow; identity: UpstreamIdentity } | { ok: false; flow?: Flow; error: GatewayError };

export class Broker {
  readonly #o: BrokerOptions;
  readonly #strategies = new Map<string, BrokerStrategy>();

  constructor(options: BrokerOptions) {
    this.#o = options;
    const stateStore = this.#stateStore();
    for (const [id, { module, credentials }] of options.providers) {
      this.#strategies.set(
        id,
        module.createStrategy({
          ...credentials,
          callbackUrl: this.callbackUrl(id),
          timeoutMs: options.upstream.timeoutMs,
          maxBodyBytes: options.upstream.maxBodyBytes,
          stateStore,
          knownProfile: (keys) => knownProfile(options.store, options.clock, keys),
        }),
      );
    }
  }

  /** One callback path per provider: the mix-up defence for providers that send no `iss`. */
  callbackUrl(providerId: string): string {
    return `${this.#o.issuer}/cb/${encodeURIComponent(providerId)}`;
  }

  /** Every sign-in method this deployment offers: the providers with credentials and Denglu's own methods. */
  configured(): ReadonlySet<string> {
    return new Set([...this.#strategies.keys(), ...(this.#o.methods ?? [])]);
  }

  /** Whether sign-in with `id` is a round trip to an upstream provider (false for the native password). */
  upstream(id: string): boolean {
    return this.#strategies.has(id);
  }

  module(providerId: string): ProviderModule | undefined {
    return this.#o.providers.get(providerId)?.module;
  }

  /** This deployment's credentials for a provider (for calls outside a flow, such as revocation). */
  credentials(providerId: string) {
    return this.#o.providers.get(providerId)?.credentials;
  }

  get timeoutMs(): number {
    return this.#o.upstream.timeoutMs;
  }

  /** Creates the flow and returns the provider's authorize URL for it. */
  async start(input: StartFlow): Promise<string> {
    const strategy = this.#strategies.get(input.provider);
    if (!strategy) throw new GatewayError('ERR_PROVIDER_UNKNOWN', `provider "${input.provider}" is not configured`, { status: 404 });
    const now = this.#o.clock.now();
    const flow: Flow = {
      id: newFlowId(),
      provider: input.provider,
      purpose: input.purpose,
      bindingHash: bindingHash(input.binding),
      locale: input.locale,
      createdAt: now,
      expiresAt: now + this.#o.flowTtlSeconds * 1000,
      ...(input.interactionUid ? { interactionUid: input.interactionUid } : {}),
      ...(input.partnerId ? { partnerId: input.partnerId } : {}),
      ...(input.clientId ? { clientId: input.clientId } : {}),
      ...(input.accountId ? { accountId: input.accountId } : {}),
    };
    const req: FlowRequest = { query: {}, dengluFlow: flow };
    const outcome = await runStrategy(strategy, req, input.reauthenticate ? { reauthenticate: true } : {});
    if (outcome.kind !== 'redirect') {
      throw outcome.kind === 'success' ? new UpstreamError(input.provider, 'state_validate', 'strategy did not redirect') : outcome.error;
    }
    await this.#o.flowStarted?.(flow);
    return outcome.url;
  }

  /**
   * Handles `/cb/<provider>`: takes the flow named by `state` (single use) and refuses, before any call
   * to the provider, a flow of another provider, another browser, or past its expiry.
   */
  async callback(providerId: string, query: Record<string, unknown>, binding: string | undefined): Promise<CallbackResult> {
    const strategy = this.#strategies.get(providerId);
    if (!strategy) return { ok: false, error: new GatewayError('ERR_PROVIDER_UNKNOWN', `provider "${providerId}" is not configured`, { status: 404 }) };
    const state = typeof query.state === 'string' ? query.state : undefined;
    // State failures are the caller's (4xx), not the provider's: no UpstreamError (502) here.
    if (!state) return { ok: false, error: new GatewayError('ERR_FLOW_STATE_MISMATCH', 'callback without "state"', { status: 403 }) };
    const flow = await this.#o.store.take<Flow>('flows', state);
    if (!flow) {
      return { ok: false, error: new GatewayError('ERR_FLOW_STATE_MISMATCH', '"state" names no pending flow (unknown or already used)', { status: 403 }) };
    }
    if (flow.provider !== providerId) {
      return { ok: false, error: new GatewayError('ERR_FLOW_STATE_MISMATCH', `flow belongs to "${flow.provider}", not "${providerId}"`, { status: 403 }) };
    }
    if (!binding || bindingHash(binding) !== flow.bindingHash) {
      // The flow is not this browser's: nothing of it (interaction, shop, language) goes into the answer.
      return { ok: false, error: new GatewayError('ERR_FLOW_STATE_MISMATCH', 'flow was started in another browser', { status: 403 }) };
    }
    if (this.#o.clock.now() >= flow.expiresAt) {
      return { ok: false, flow, error: new GatewayError('ERR_FLOW_EXPIRED', 'flow expired before the provider answered', { status: 400 }) };
    }
    if (typeof query.error === 'string' || typeof query.code !== 'string') {
      // Denials come as `error=…` (Weibo, Sohu) or as a bare `state` (WeChat-style); never restart the login.
      const detail = typeof query.error === 'string' ? query.error : 'no code';
      return { ok: false, flow, error: new UpstreamError(providerId, 'provider_denied', `provider answered ${detail}`) };
    }
    const req: FlowRequest = { query, dengluFlow: flow };
    const outcome = await runStrategy(strategy, req);
    if (outcome.kind === 'success') return { ok: true, flow, identity: outcome.identity };
    if (outcome.kind === 'redirect') {
      return { ok: false, flow, error: new UpstreamError(providerId, 'state_validate', 'strategy tried to restart the login') };
    }
    return { ok: false, flow, error: outcome.error };
  }

  #stateStore(): BrokerStateStore {
    const store = this.#o.store;
    return {
      store(req: FlowRequest, verifier, _state, _meta, cb) {
        const flow = req.dengluFlow;
        if (!flow) return cb(new TypeError('no flow attached to the request'));
        const saved: Flow = verifier ? { ...flow, codeVerifier: verifier } : flow;
        store.create('flows', saved.id, saved, { expiresAt: saved.expiresAt + FLOW_RETENTION_MS }).then(
          () => cb(null, saved.id),
          (err) => cb(err),
        );
      },
      verify(req: FlowRequest, providedState, _meta, cb) {
        const flow = req.dengluFlow;
        if (!flow || flow.id !== providedState) return cb(null, false, { message: '"state" does not match the stored flow' });
        cb(null, flow.codeVerifier ?? true);
      },
    };
  }
}
