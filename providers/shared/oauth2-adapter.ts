// The one bridge between the provider contract and passport-oauth2, for OAuth2-shaped providers. An
// adapter supplies its endpoints and typed hooks (token exchange, token error bodies, identity loading,
// callback refusals, revocation); this module runs passport-oauth2 through passport's own authenticate
// middleware the documented way — `state`, `callbackURL` and PKCE given per request as options and
// through the authorizationParams/tokenParams hooks, no state store — and turns what it reports into
// the contract's outcome. This is the only file that reaches inside passport-oauth2 (its node-oauth
// client, to route every call through UpstreamHttp and to plug a provider's own token exchange).

import passport from 'passport';
import { displayLanguageOf } from './display-language.ts';
import { AuthorizationError, InternalOAuthError, Strategy as OAuth2Strategy, TokenError } from 'passport-oauth2';
import { UpstreamError, type UpstreamStep } from '../../src/errors.ts';
import type {
  AdapterOptions,
  AuthorizationRequest,
  CallbackOutcome,
  CallbackRequest,
  Locale,
  ProviderAdapter,
  ProviderDescriptor,
  UpstreamIdentity,
} from '../contract.ts';
import { withNormalisedUrls } from './profile-fields.ts';
import { UpstreamBodyTooLargeError, UpstreamHttp, UpstreamTimeoutError } from './upstream-http.ts';

/** What an adapter's hooks can use: its settings, the deadline- and size-capped transport, base URLs. */
export interface OAuth2Context {
  descriptor: ProviderDescriptor;
  options: AdapterOptions;
  http: UpstreamHttp;
  /** The configured base URL for a descriptor role, without a trailing slash. */
  baseUrl(role: string): string;
}

/** A token request as passport-oauth2 prepared it (grant_type, redirect_uri, code_verifier…). */
export interface TokenRequest {
  code: string;
  params: Record<string, string>;
}

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  params: Record<string, unknown>;
}

/** The provider's answer was an HTTP failure or an error body: `describeTokenError` explains it. */
export class TokenEndpointError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(status: number, body: string) {
    super(`token endpoint answered an error (HTTP ${status})`);
    this.name = 'TokenEndpointError';
    this.status = status;
    this.body = body;
  }
}

export interface OAuth2Hooks {
  /** Authorize and token endpoint URLs (absolute, without a query of their own). */
  endpoints(context: OAuth2Context): { authorizationURL: string; tokenURL: string };
  /** How scopes are joined in the authorize URL (default a space; Weibo and QQ use a comma). */
  scopeSeparator?: string;
  /** The callback parameter that carries the authorization code (default `code`). */
  codeParameter?: string;
  /**
   * A callback that is the provider's own refusal form rather than RFC 6749's `error=` (QQ's
   * `code=<6 digits>&msg=…`): the failure to report, checked before any call upstream.
   */
  callbackRefusal?(params: Record<string, unknown>): UpstreamError | undefined;
  /**
   * Replaces passport-oauth2's token request (form POST, JSON or form-encoded answer) for a provider
   * whose token endpoint differs. Throw TokenEndpointError for an error answer, UpstreamError for
   * anything else the provider refused.
   */
  exchangeCode?(request: TokenRequest, context: OAuth2Context): Promise<TokenSet>;
  /**
   * Describes a token endpoint error answer in the provider's own shape (never echoing a code or a
   * token); undefined when the body is not one. passport-oauth2's RFC 6749 reading is the fallback.
   */
  describeTokenError?(body: string, status: number): string | undefined;
  /** Verifies the token and reads the person (throw UpstreamError with the step that failed). */
  loadIdentity(accessToken: string, context: OAuth2Context): Promise<UpstreamIdentity>;
  /** Revokes a grant, where the provider has an endpoint for it. */
  revoke?(accessToken: string, context: OAuth2Context): Promise<void>;
}

/** Builds the contract's adapter for an OAuth2-shaped provider from its descriptor and hooks. */
export function createOAuth2Adapter(descriptor: ProviderDescriptor, options: AdapterOptions, hooks: OAuth2Hooks): ProviderAdapter {
  const context = oauth2Context(descriptor, options);
  const strategy = createStrategy(context, hooks);
  const id = descriptor.id;
  const codeParameter = hooks.codeParameter ?? 'code';
  const revoke = hooks.revoke;
  return {
    descriptor,
    async authorizationUrl(request: AuthorizationRequest): Promise<string> {
      const outcome = await run(strategy, { query: {} }, { ...request, callbackURL: request.callbackUrl, state: request.state });
      if (outcome.kind === 'redirect') return outcome.url;
      throw outcome.kind === 'error' ? outcome.error : new UpstreamError(id, 'state_validate', 'the strategy did not redirect');
    },
    async completeCallback(request: CallbackRequest): Promise<CallbackOutcome> {
      const params = request.params;
      // An RFC 6749 `error=` goes to passport-oauth2 (fail() for access_denied, AuthorizationError else).
      if (typeof params.error !== 'string') {
        const refusal = hooks.callbackRefusal?.(params);
        if (refusal) return failure(refusal);
        // Without a code passport-oauth2 would restart the login: a bare `state` is a cancelled sign-in.
        if (typeof params[codeParameter] !== 'string' || params[codeParameter] === '') {
          return failure(new UpstreamError(id, 'provider_denied', `${id} returned to the callback without a "${codeParameter}"`));
        }
      }
      const query: Record<string, unknown> = { ...params, code: params[codeParameter] };
      const outcome = await run(strategy, { query }, { callbackURL: request.callbackUrl, codeVerifier: request.codeVerifier });
      if (outcome.kind === 'success') return { ok: true, identity: outcome.identity };
      if (outcome.kind === 'redirect') return failure(new UpstreamError(id, 'state_validate', 'the strategy tried to restart the login'));
      return failure(outcome.error);
    },
    ...(revoke ? { revoke: (accessToken: string) => revoke(accessToken, context) } : {}),
  };
}

/** The context hooks run with (exported so that tests can call a provider's hooks directly). */
export function oauth2Context(descriptor: ProviderDescriptor, options: AdapterOptions): OAuth2Context {
  return {
    descriptor,
    options,
    http: new UpstreamHttp({ timeoutMs: options.timeoutMs, maxBodyBytes: options.maxBodyBytes, provider: descriptor.id, observe: options.observeUpstream }),
    baseUrl(role) {
      const url = options.baseUrls[role];
      if (!url) throw new TypeError(`provider ${descriptor.id} has no base URL for "${role}"`);
      return url.replace(/\/+$/, '');
    },
  };
}

function failure(error: UpstreamError): CallbackOutcome {
  return { ok: false, error };
}

/** Per-request options passport hands to the hooks below (passport-oauth2 passes them through). */
interface RunOptions {
  callbackURL: string;
  state?: string;
  codeChallenge?: string;
  codeVerifier?: string;
  reauthenticate?: boolean;
  locale?: Locale;
  scope?: string[];
}

type NodeOAuthCallback = (err: unknown, data?: string, response?: unknown) => void;
type TokenCallback = (err: unknown, accessToken?: string, refreshToken?: string, params?: Record<string, unknown>) => void;

function createStrategy(context: OAuth2Context, hooks: OAuth2Hooks): OAuth2Strategy {
  const { descriptor, options } = context;
  const endpoints = hooks.endpoints(context);
  const strategy = new (class extends OAuth2Strategy {
    /** passport-oauth2 hook: PKCE challenge, re-authentication and display-language parameters. */
    override authorizationParams(run: RunOptions): object {
      const params: Record<string, string> = {};
      if (run.reauthenticate && descriptor.reauthentication) Object.assign(params, descriptor.reauthentication);
      Object.assign(params, displayLanguageOf(descriptor, run.locale));
      if (run.codeChallenge) {
        params.code_challenge = run.codeChallenge;
        params.code_challenge_method = 'S256';
      }
      return params;
    }

    /** passport-oauth2 hook: the flow's PKCE verifier goes with the code. */
    override tokenParams(run: RunOptions): object {
      return run.codeVerifier ? { code_verifier: run.codeVerifier } : {};
    }

    /** passport-oauth2 hook for a token endpoint error answer: the provider's description, typed. */
    override parseErrorResponse(body: string, status: number): Error | null {
      const described = hooks.describeTokenError?.(body, status);
      if (described !== undefined) return new UpstreamError(descriptor.id, 'token_exchange', described);
      const standard = super.parseErrorResponse(body, status) as Error | null;
      return standard ? new UpstreamError(descriptor.id, 'token_exchange', `${standard.message} (HTTP ${status})`, { cause: standard }) : null;
    }

    // biome-ignore lint/suspicious/noExplicitAny: passport-oauth2's userProfile callback (profile?: any)
    override userProfile(accessToken: string, done: (err?: unknown, profile?: any) => void): void {
      hooks.loadIdentity(accessToken, context).then(
        (identity) => done(null, { ...identity, accessToken }),
        (err) => done(err instanceof UpstreamError ? err : new IdentityLoadError(err)),
      );
    }
  })(
    {
      clientID: options.clientId,
      clientSecret: options.clientSecret,
      authorizationURL: endpoints.authorizationURL,
      tokenURL: endpoints.tokenURL,
      scope: descriptor.scope,
      scopeSeparator: hooks.scopeSeparator ?? ' ',
      skipUserProfile: false,
      // biome-ignore lint/suspicious/noExplicitAny: @types/passport-oauth2 requires callbackURL, given per request here
    } as any,
    (_accessToken: string, _refreshToken: string, _params: unknown, identity: UpstreamIdentity, done: (err: unknown, user?: UpstreamIdentity) => void) =>
      done(null, identity),
  );
  strategy.name = descriptor.id;
  // biome-ignore lint/suspicious/noExplicitAny: passport-oauth2's node-oauth client (_oauth2) has no public type for its transport
  const oauth2 = (strategy as any)._oauth2;
  routeThrough(oauth2, context.http);
  const standardExchange = oauth2.getOAuthAccessToken.bind(oauth2);
  oauth2.getOAuthAccessToken = (code: string, params: Record<string, string>, callback: TokenCallback) => {
    const exchange: Promise<TokenSet> = hooks.exchangeCode
      ? hooks.exchangeCode({ code, params }, context)
      : new Promise((resolve, reject) =>
          standardExchange(code, params, (err: unknown, accessToken?: string, refreshToken?: string, result?: Record<string, unknown>) => {
            if (err) reject(err);
            else resolve({ accessToken: accessToken ?? '', ...(refreshToken ? { refreshToken } : {}), params: result ?? {} });
          }),
        );
    exchange.then(
      (tokens) => {
        if (!tokens.accessToken) return callback(new UpstreamError(descriptor.id, 'token_exchange', 'the token endpoint answered no access token'));
        callback(null, tokens.accessToken, tokens.refreshToken, tokens.params);
      },
      // node-oauth's failure shape, so that passport-oauth2 asks parseErrorResponse about the body.
      (err) => callback(err instanceof TokenEndpointError ? { statusCode: err.status, data: err.body || '\n' } : err),
    );
  };
  return strategy;
}

/** A failure while loading the identity that the adapter did not classify itself. */
class IdentityLoadError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'IdentityLoadError';
  }
}

/**
 * Replaces node-oauth's transport with UpstreamHttp (passport-oauth2 uses it for the token request only:
 * identities load through the adapter's hook), keeping its contract: the access token goes in the
 * query string, a non-2xx answer is reported as `{ statusCode, data }`, a transport failure as an Error.
 */
// biome-ignore lint/suspicious/noExplicitAny: node-oauth's _request, _accessTokenName and _customHeaders
function routeThrough(oauth2: any, http: UpstreamHttp): void {
  oauth2._request = (
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string> | undefined,
    postBody: string | undefined | null,
    accessToken: string | undefined | null,
    callback: NodeOAuthCallback,
  ) => {
    let target = url;
    if (accessToken) {
      const u = new URL(url);
      u.searchParams.set(oauth2._accessTokenName ?? 'access_token', accessToken);
      target = u.toString();
    }
    const merged: Record<string, string> = { ...(oauth2._customHeaders ?? {}), ...(headers ?? {}) };
    http
      .request({ method, url: target, headers: merged, body: postBody ?? undefined, step: 'token_exchange' })
      .then((res) => {
        if (res.status >= 200 && res.status <= 299) callback(null, res.body, res);
        else callback({ statusCode: res.status, data: res.body });
      })
      .catch((err) => callback(err));
  };
}

type RunOutcome = { kind: 'redirect'; url: string } | { kind: 'success'; identity: UpstreamIdentity } | { kind: 'error'; error: UpstreamError };

/**
 * One request through passport's authenticate middleware, on a per-request copy of the strategy (so
 * concurrent requests never share its success/fail/redirect actions); the outcome is returned instead of
 * written: passport's custom callback reports success, failure and errors, its redirect is caught from
 * the response object it writes to.
 */
function run(strategy: OAuth2Strategy, req: { query: Record<string, unknown> }, options: RunOptions): Promise<RunOutcome> {
  const id = strategy.name!;
  return new Promise((resolve) => {
    const failed = (err: unknown) => resolve({ kind: 'error', error: classify(id, err) });
    let location: string | undefined;
    const res = {
      statusCode: 200,
      setHeader(name: string, value: unknown) {
        if (name.toLowerCase() === 'location') location = String(value);
      },
      end() {
        if (location) resolve({ kind: 'redirect', url: location });
        else failed(new Error('the strategy ended the response without a redirect'));
      },
    };
    const done = (err: unknown, identity?: UpstreamIdentity | false, challenge?: unknown) => {
      if (err) failed(err);
      // Whatever an adapter reports, its URLs pass the one normaliser before the broker sees them.
      else if (identity) resolve({ kind: 'success', identity: withNormalisedUrls(identity) });
      // passport-oauth2 calls fail() only for `error=access_denied` (there is no state store to refuse).
      else resolve({ kind: 'error', error: new UpstreamError(id, 'provider_denied', describeChallenge(challenge)) });
    };
    const next = (err?: unknown) => failed(err ?? new Error('the strategy passed the request on'));
    try {
      passport.authenticate(Object.create(strategy), { ...options, session: false }, done)(req, res, next);
    } catch (err) {
      failed(err);
    }
  });
}

function describeChallenge(challenge: unknown): string {
  if (typeof challenge === 'string') return challenge;
  if (challenge && typeof challenge === 'object' && 'message' in challenge) return String((challenge as { message: unknown }).message ?? 'denied');
  return 'authorization denied';
}

/** Classifies what passport-oauth2 reported by the type of the error and of its causes. */
function classify(id: string, err: unknown): UpstreamError {
  const chain = causes(err);
  const timeout = chain.find((e) => e instanceof UpstreamTimeoutError);
  if (timeout) return new UpstreamError(id, 'timeout', (timeout as Error).message, { cause: err });
  const typed = chain.find((e) => e instanceof UpstreamError);
  if (typed) return typed as UpstreamError;
  if (err instanceof AuthorizationError) return new UpstreamError(id, 'provider_denied', `authorization failed: ${err.message}`, { cause: err });
  // Token exchange failures reach passport-oauth2 as its TokenError or InternalOAuthError; anything else
  // came from loading the identity (IdentityLoadError) or is not an upstream answer we could read.
  const step: UpstreamStep = err instanceof TokenError || err instanceof InternalOAuthError ? 'token_exchange' : 'profile_decode';
  const tooLarge = chain.find((e) => e instanceof UpstreamBodyTooLargeError);
  return new UpstreamError(id, step, tooLarge ? (tooLarge as Error).message : describe(err), { cause: err });
}

/** The error and what it wraps (passport-oauth2's InternalOAuthError keeps its cause in `oauthError`). */
function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: oauthError and cause are untyped
  let current = err as any;
  for (let i = 0; i < 5 && current; i++) {
    out.push(current);
    current = current.oauthError ?? current.cause;
  }
  return out;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    // biome-ignore lint/suspicious/noExplicitAny: passport-oauth2's InternalOAuthError.oauthError is untyped
    const inner = (err as any).oauthError;
    if (inner && typeof inner === 'object' && 'statusCode' in inner) return `${err.message} (HTTP ${inner.statusCode})`;
    if (inner instanceof Error) return `${err.message} (${inner.message})`;
    return err.message;
  }
  return String(err);
}
