// The base every provider adapter extends: a passport-oauth2 Strategy wired to the broker (its state
// store supplies `state` and the PKCE verifier; nothing lives in an express session), to UpstreamHttp
// for deadlines and size caps, and to a verify step that hands the adapter's UpstreamIdentity back.
// Subclasses override only their provider's quirks (token parsing, profile calls, identity checks).

import { Strategy as OAuth2Strategy } from 'passport-oauth2';
import type { AdapterOptions, ProviderDescriptor, UpstreamIdentity } from '../contract.ts';
import { installUpstreamHttp, UpstreamHttp } from './upstream-http.ts';

export interface StrategyEndpoints {
  authorizationURL: string;
  tokenURL: string;
}

export abstract class BrokerStrategy extends OAuth2Strategy {
  readonly descriptor: ProviderDescriptor;
  readonly options: AdapterOptions;
  readonly http: UpstreamHttp;

  constructor(descriptor: ProviderDescriptor, options: AdapterOptions, endpoints: StrategyEndpoints, extra: { scopeSeparator?: string } = {}) {
    super(
      {
        clientID: options.clientId,
        clientSecret: options.clientSecret,
        authorizationURL: endpoints.authorizationURL,
        tokenURL: endpoints.tokenURL,
        callbackURL: options.callbackUrl,
        scope: descriptor.scope,
        scopeSeparator: extra.scopeSeparator ?? ' ',
        pkce: descriptor.pkce,
        state: true,
        store: options.stateStore as any,
        skipUserProfile: false,
      } as any,
      // verify: the adapter's userProfile already produced the identity; pass it through.
      (_accessToken: string, _refreshToken: string, _params: unknown, profile: UpstreamIdentity, done: (err: unknown, user?: UpstreamIdentity) => void) =>
        done(null, profile),
    );
    this.name = descriptor.id;
    this.descriptor = descriptor;
    this.options = options;
    this.http = new UpstreamHttp({ timeoutMs: options.timeoutMs, maxBodyBytes: options.maxBodyBytes });
    installUpstreamHttp((this as any)._oauth2, this.http);
  }

  /** Base URL for a role from the descriptor, as configured for this deployment. */
  protected baseUrl(role: string): string {
    const url = this.options.baseUrls[role];
    if (!url) throw new TypeError(`provider ${this.descriptor.id} has no base URL for "${role}"`);
    return url.replace(/\/+$/, '');
  }

  /** passport-oauth2 hook: produce the UpstreamIdentity (throw UpstreamError for provider failures). */
  abstract loadIdentity(accessToken: string): Promise<UpstreamIdentity>;

  override userProfile(accessToken: string, done: (err?: unknown, profile?: any) => void): void {
    this.loadIdentity(accessToken).then(
      (identity) => done(null, { ...identity, accessToken }),
      (err) => done(err),
    );
  }
}
