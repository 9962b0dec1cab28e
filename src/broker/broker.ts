// The upstream round trip, owned here and not by adapters: creating and saving the flow (state, PKCE
// verifier, binding, expiry), asking the provider's adapter for the authorization redirect, and on the
// provider's callback taking the flow once and checking provider, browser and expiry before any token
// request, then letting the adapter complete the callback into an identity (providers/contract.ts).

import { calculatePKCECodeChallenge, randomPKCECodeVerifier } from 'openid-client';
import type { Clock } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { AdapterOptions, Locale, ProviderAdapter, ProviderModule, UpstreamIdentity, UpstreamObserver } from '../../providers/contract.ts';
import { knownProfile } from '../accounts/sign-in.ts';
import { bindingHash, FLOW_RETENTION_MS, newFlowId, type Flow, type FlowPurpose, type PlannedFlow } from './flow.ts';
import { timeUpstream, timingObserver } from './upstream-time.ts';

export interface BrokerOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  issuer: string;
  flowTtlSeconds: number;
  upstream: { timeoutMs: number; maxBodyBytes: number };
  /** Configured providers: module + this deployment's credentials. */
  providers: Map<string, { module: ProviderModule; credentials: Omit<AdapterOptions, 'timeoutMs' | 'maxBodyBytes' | 'knownProfile' | 'clock'> }>;
  /** Sign-in methods Denglu handles itself (the native `password`): configured, but no upstream round trip. */
  methods?: readonly string[];
  /** Told of every flow created (a sign-in keeps only its newest few, see sign-in-admission.ts). */
  flowStarted?: (flow: Flow) => Promise<void>;
  /** Told of every HTTP call an adapter makes (the gateway's metrics). */
  observeUpstream?: UpstreamObserver;
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
  /** The shopper's User-Agent, handed to the adapter (AuthorizationRequest.userAgent). */
  userAgent?: string | undefined;
  /** Made by `plan` and already counted by the sign-in's admission: the flow gets its id and expiry, and `flowStarted` is not told. */
  counted?: PlannedFlow;
}

/** `upstreamMs`: how long the provider's calls took together, when the callback made any (upstream-time.ts). */
export type CallbackResult =
  | { ok: true; flow: Flow; identity: UpstreamIdentity; upstreamMs?: number }
  | { ok: false; flow?: Flow; error: GatewayError; upstreamMs?: number };

export class Broker {
  readonly #o: BrokerOptions;
  readonly #adapters = new Map<string, ProviderAdapter>();

  constructor(options: BrokerOptions) {
    this.#o = options;
    for (const [id, { module, credentials }] of options.providers) {
      this.#adapters.set(
        id,
        module.createAdapter({
          ...credentials,
          clock: options.clock,
          timeoutMs: options.upstream.timeoutMs,
          maxBodyBytes: options.upstream.maxBodyBytes,
          knownProfile: (keys) => knownProfile(options.store, options.clock, keys),
          observeUpstream: timingObserver(options.observeUpstream),
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
    return new Set([...this.#adapters.keys(), ...(this.#o.methods ?? [])]);
  }

  /** Whether sign-in with `id` is a round trip to an upstream provider (false for the native password). */
  upstream(id: string): boolean {
    return this.#adapters.has(id);
  }

  module(providerId: string): ProviderModule | undefined {
    return this.#o.providers.get(providerId)?.module;
  }

  /** Revokes an upstream grant; false when the provider has no revocation (rejects when it fails). */
  async revoke(providerId: string, accessToken: string): Promise<boolean> {
    const adapter = this.#adapters.get(providerId);
    if (!adapter?.revoke) return false;
    await adapter.revoke(accessToken);
    return true;
  }

  /** The id and expiry of a flow about to start (StartFlow.counted). */
  plan(): PlannedFlow {
    return { id: newFlowId(), expiresAt: this.#o.clock.now() + this.#o.flowTtlSeconds * 1000 };
  }

  /** Creates the flow and returns the provider's authorize URL for it. */
  async start(input: StartFlow): Promise<string> {
    const adapter = this.#adapters.get(input.provider);
    if (!adapter) throw new GatewayError('ERR_PROVIDER_UNKNOWN', `provider "${input.provider}" is not configured`, { status: 404 });
    const now = this.#o.clock.now();
    const { id, expiresAt } = input.counted ?? this.plan();
    const flow: Flow = {
      id,
      provider: input.provider,
      purpose: input.purpose,
      bindingHash: bindingHash(input.binding),
      locale: input.locale,
      createdAt: now,
      expiresAt,
      ...(input.interactionUid ? { interactionUid: input.interactionUid } : {}),
      ...(input.partnerId ? { partnerId: input.partnerId } : {}),
      ...(input.clientId ? { clientId: input.clientId } : {}),
      ...(input.accountId ? { accountId: input.accountId } : {}),
      ...(adapter.descriptor.pkce ? { codeVerifier: randomPKCECodeVerifier() } : {}),
    };
    const url = await adapter.authorizationUrl({
      state: flow.id,
      callbackUrl: this.callbackUrl(input.provider),
      locale: input.locale,
      ...(flow.codeVerifier ? { codeChallenge: await calculatePKCECodeChallenge(flow.codeVerifier) } : {}),
      ...(input.reauthenticate ? { reauthenticate: true } : {}),
      ...(input.userAgent ? { userAgent: input.userAgent } : {}),
    });
    await this.#o.store.create('flows', flow.id, flow, { expiresAt: flow.expiresAt + FLOW_RETENTION_MS });
    if (!input.counted) await this.#o.flowStarted?.(flow);
    return url;
  }

  /**
   * Handles `/cb/<provider>`: takes the flow named by `state` (single use) and refuses, before any call
   * to the provider, a flow of another provider, another browser, or past its expiry.
   */
  async callback(providerId: string, query: Record<string, unknown>, binding: string | undefined): Promise<CallbackResult> {
    const adapter = this.#adapters.get(providerId);
    if (!adapter) {
      // Behind a load balancer this is an instance missing a provider the one that started the flow has.
      const why = `provider "${providerId}" is not configured on this instance (several instances need the same provider settings)`;
      return { ok: false, error: new GatewayError('ERR_PROVIDER_UNKNOWN', why, { status: 404 }) };
    }
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
    const { value: outcome, upstreamMs } = await timeUpstream(() =>
      adapter.completeCallback({
        params: query,
        callbackUrl: this.callbackUrl(providerId),
        ...(flow.codeVerifier ? { codeVerifier: flow.codeVerifier } : {}),
      }),
    );
    const timed = upstreamMs !== undefined ? { upstreamMs } : {};
    return outcome.ok ? { ok: true, flow, identity: outcome.identity, ...timed } : { ok: false, flow, error: outcome.error, ...timed };
  }
}
