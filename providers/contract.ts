// The contract the broker owns and every provider folder implements, in the spirit of dex's connectors.
// A provider is data (its descriptor), an adapter the broker calls — build the authorization redirect
// for a flow, complete the callback into an identity or an UpstreamError with its step, optionally
// revoke a grant — and an emulator of its real wire protocol for tests, the sandbox and the benchmark.
// The broker creates, saves and checks the flow (state, PKCE verifier, browser, expiry); an adapter
// never stores anything. OAuth2-shaped providers build their adapter with shared/oauth2-adapter.ts.

import type { Express } from 'express';
import type { Clock } from '../src/clock.ts';
import type { UpstreamError } from '../src/errors.ts';
import type { FaultSwitch } from './shared/emulator/fault-switch.ts';
import type { TestUser } from './shared/emulator/test-users.ts';

export type Locale = 'zh-CN' | 'en';

export interface ProviderDescriptor {
  /** Registry key, folder name and callback path segment (`/cb/<id>`). */
  id: string;
  label: Record<Locale, string>;
  /** Button colours (CSS colours). */
  colors: { background: string; foreground: string };
  /**
   * Production base URLs by role (for example `{ api: 'https://api.weibo.com' }`). Deployments override
   * them per provider; the sandbox points them at the emulator. Adapters build every URL from these.
   */
  baseUrls: Record<string, string>;
  scope: string[];
  /** Whether the provider verifies RFC 7636 PKCE (S256); the broker then sends a challenge. */
  pkce: boolean;
  /** Whether unlinking can revoke the upstream grant (`ProviderModule.revoke`). */
  revocable: boolean;
  /** Where an operator registers an app with this provider. */
  registrationUrl: string;
  /**
   * Authorization parameters that make the provider ask the person to sign in again even when they are
   * signed in there (Weibo `forcelogin=true`). The broker adds them when the shop forced
   * re-authentication (`prompt=login`, `max_age`); absent when the provider has no such parameter.
   */
  reauthentication?: Record<string, string>;
  /**
   * The provider's display-language parameter for its authorize page, and its value per shopper locale
   * (Weibo `language=en`; a locale without a value is the provider's default). Absent: the provider has
   * no such parameter (its README says so), and the shopper's locale is not sent.
   */
  displayLanguage?: { parameter: string; values: Partial<Record<Locale, string>> };
  /**
   * The sandbox app's id in the provider's real shape (QQ app ids and Weibo app keys are numbers).
   * Absent: `denglu-sandbox-<id>`, for a provider whose id shape is unknown.
   */
  sandboxClientId?: string;
  /**
   * The environment variables an operator sets for this provider: the app's credentials and keys, one
   * base URL per host role (`baseUrls`), provider options. config/provider-settings.ts reads, validates
   * and documents them from this list; nothing in config/ names a provider.
   */
  settings: ProviderSetting[];
}

/** One setting of a provider: its variable, what it fills in ProviderCredentials, and its documentation. */
export interface ProviderSetting {
  /** Environment variable (`WEIBO_CLIENT_ID`). */
  env: string;
  /** One sentence for `.env.example` and the README. */
  description: string;
  /**
   * `clientId` / `clientSecret`: the app's credentials (the sandbox app when unset outside production);
   * `{ baseUrl: role }`: the base URL of one host role of `baseUrls` (the emulator in the sandbox);
   * `{ extra, type }`: a provider option or key in `ProviderCredentials.extra`.
   */
  fills: 'clientId' | 'clientSecret' | { baseUrl: string } | { extra: string; type: 'boolean' | 'string' };
  /** Never printed or logged (secrets and private keys). */
  secret?: boolean;
  /**
   * For an `extra` option: the value when unset, and when unset in the sandbox. A function is called only
   * when its value is needed (throwaway sandbox keys generated at start).
   */
  default?: boolean | string;
  sandboxDefault?: boolean | string | (() => string);
  /** An `extra` string the provider cannot work without (a private key): refused when missing in production. */
  required?: boolean;
}

export interface ProviderCredentials {
  clientId: string;
  clientSecret: string;
  baseUrls: Record<string, string>;
  /** Provider-specific settings (for example QQ `{ unionid: true }` when the app holds that permission). */
  extra?: Record<string, string | number | boolean>;
}

/**
 * One HTTP call to a provider, as measured: the provider, the step it served (`token_exchange`, `userinfo`,
 * …; `other` when the caller named none), its duration, and why it got no usable answer, if it did not.
 */
export type UpstreamObserver = (provider: string, step: string, seconds: number, error?: 'timeout' | 'transport' | 'http_status' | 'too_large') => void;

/** Display data Denglu already holds for an identity, fresh enough to skip the provider's profile call. */
export interface KnownProfile {
  displayName: string;
  avatar?: string;
  locale?: string;
}

export interface AdapterOptions extends ProviderCredentials {
  /**
   * The gateway's clock, for adapters that check or send upstream times (ID token expiry, Alipay's signed
   * `timestamp`) or cache with a deadline; the system clock when absent.
   */
  clock?: Clock;
  /** Abort any upstream HTTP call after this long. */
  timeoutMs: number;
  /** Refuse upstream bodies larger than this. */
  maxBodyBytes: number;
  /** Told of every HTTP call to the provider (the gateway's metrics); see providers/shared/upstream-http.ts. */
  observeUpstream?: UpstreamObserver;
  /**
   * Looks up a recently fetched profile for verified identity keys. An adapter whose provider needs a
   * separate profile call (Weibo users/show, QQ get_user_info) skips that call when this answers: one
   * round trip less for returning shoppers. Identity verification (uid, openid, appkey) always runs.
   */
  knownProfile?: (keys: string[]) => Promise<KnownProfile | undefined>;
}

/** What an adapter reports about the person who signed in upstream. */
export interface UpstreamIdentity {
  provider: string;
  /** The provider's stable id for this person and this app (Weibo uid; QQ `<appid>:<openid>`). */
  subject: string;
  /**
   * Every key the account may be found under, most specific first, each prefixed with the provider id
   * (`weibo:uid:1404376560`, `qq:openid:101:ABC…`, `qq:unionid:UID…`). Never an email or a nickname.
   */
  keys: string[];
  displayName: string;
  avatar?: string;
  locale?: string;
  /** The upstream access token, kept only so that unlinking can revoke it. */
  accessToken?: string;
  /** True when displayName/avatar came from AdapterOptions.knownProfile rather than the provider. */
  profileFromCache?: boolean;
}

export interface EmulatorApp {
  clientId: string;
  clientSecret: string;
  /**
   * The app's registered redirect URIs. Most providers accept exactly these; a provider that registers
   * domains (QQ: any address under a registered root domain) derives its domains from them.
   */
  redirectUris: string[];
  name?: string;
  /** Provider-specific app permissions (for example QQ `{ unionid: true }`). */
  extra?: Record<string, string | number | boolean>;
}

export interface EmulatorOptions {
  apps: EmulatorApp[];
  /** Replaces the provider's default test users. */
  users?: TestUser[];
  clock?: Clock;
  /** A line shown on the emulator's pages (the sandbox shows its simulated time there). */
  banner?: () => string | undefined;
}

export interface Emulator {
  app: Express;
  faults: FaultSwitch;
  users: TestUser[];
  /**
   * Approve every authorization request at once as this test user (benchmark, browser-less tests).
   * `@random:N` approves as a random one of `generatedUsers(N)` (see resolveAutoApprove).
   */
  setAutoApprove(login: string | undefined): void;
  /** The identity keys Denglu's adapter derives for this test user and app (benchmark seeding). */
  identityKeysFor(login: string, clientId: string): string[];
  /** Ends hanging responses (call before closing the server). */
  close(): void;
}

/** What the broker hands an adapter to start a sign-in: everything comes from the flow it saved. */
export interface AuthorizationRequest {
  /** The flow's opaque handle; the provider must send it back unchanged. */
  state: string;
  /** Absolute callback URL registered with the provider: `<issuer>/cb/<id>`. */
  callbackUrl: string;
  /** RFC 7636 S256 challenge of the flow's verifier; present exactly when the descriptor says `pkce`. */
  codeChallenge?: string;
  /** The shopper's language (an adapter may ask the provider for its pages in it). */
  locale: Locale;
  /**
   * The shopper's browser (`User-Agent`), for a provider whose sign-in differs by browser (WeChat sends
   * its own in-app browser to another endpoint). Never stored.
   */
  userAgent?: string;
  /** The shop forced re-authentication: add the descriptor's `reauthentication` parameters. */
  reauthenticate?: boolean;
  /** Scopes instead of the descriptor's (rarely: the descriptor's are what sign-in needs). */
  scope?: string[];
}

/** The provider's callback, after the broker matched its `state` to a pending flow of this browser. */
export interface CallbackRequest {
  /** The callback's parameters as received (query string). Which one carries the code is the adapter's business. */
  params: Record<string, unknown>;
  /** The same callback URL the authorization request named. */
  callbackUrl: string;
  /** The flow's PKCE verifier, when the descriptor says `pkce`. */
  codeVerifier?: string;
}

/** The end of an upstream round trip: the identity, or the failure with the step where it happened. */
export type CallbackOutcome = { ok: true; identity: UpstreamIdentity } | { ok: false; error: UpstreamError };

/** The interface the broker calls. Implementations hold no per-flow state. */
export interface ProviderAdapter {
  readonly descriptor: ProviderDescriptor;
  /** The URL the shopper's browser is sent to; rejects only for a misconfiguration. */
  authorizationUrl(request: AuthorizationRequest): Promise<string>;
  /** Exchanges the callback for an identity; never rejects: every failure is an outcome with its step. */
  completeCallback(request: CallbackRequest): Promise<CallbackOutcome>;
  /** Revokes an upstream grant where the provider has an endpoint for it (descriptor `revocable`). */
  revoke?(accessToken: string): Promise<void>;
}

export interface ProviderModule {
  descriptor: ProviderDescriptor;
  createAdapter(options: AdapterOptions): ProviderAdapter;
  createEmulator(options: EmulatorOptions): Emulator;
}
