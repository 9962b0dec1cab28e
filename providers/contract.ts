// The small contract between the broker and a provider folder. A provider is data (its descriptor),
// one passport-oauth2 Strategy subclass that overrides only the provider's quirks, an optional revoke
// call, and an emulator of its real wire protocol for tests, the sandbox and the benchmark.

import type { Express } from 'express';
import type { Clock } from '../src/clock.ts';
import type { BrokerStrategy } from './shared/broker-strategy.ts';
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
}

export interface ProviderCredentials {
  clientId: string;
  clientSecret: string;
  baseUrls: Record<string, string>;
  /** Provider-specific settings (for example QQ `{ unionid: true }` when the app holds that permission). */
  extra?: Record<string, string | number | boolean>;
}

/** passport-oauth2 state store protocol with PKCE (arity 5 store, arity 4 verify), owned by the broker. */
export interface BrokerStateStore {
  store(req: unknown, verifier: string | undefined, state: unknown, meta: unknown, cb: (err: unknown, handle?: string) => void): void;
  verify(req: unknown, providedState: string, meta: unknown, cb: (err: unknown, ok: string | boolean, info?: unknown) => void): void;
}

/** Display data Denglu already holds for an identity, fresh enough to skip the provider's profile call. */
export interface KnownProfile {
  displayName: string;
  avatar?: string;
  locale?: string;
}

export interface AdapterOptions extends ProviderCredentials {
  /** Absolute callback URL registered with the provider: `<issuer>/cb/<id>`. */
  callbackUrl: string;
  /** Abort any upstream HTTP call after this long. */
  timeoutMs: number;
  /** Refuse upstream bodies larger than this. */
  maxBodyBytes: number;
  stateStore: BrokerStateStore;
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
  /** Exact redirect URIs accepted. */
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

export interface ProviderModule {
  descriptor: ProviderDescriptor;
  createStrategy(options: AdapterOptions): BrokerStrategy;
  /** Revokes an upstream grant where the provider has an endpoint for it. */
  revoke?(credentials: ProviderCredentials & { timeoutMs: number }, accessToken: string): Promise<void>;
  createEmulator(options: EmulatorOptions): Emulator;
}
