// Runs a passport Strategy through one request with passport's own authenticate middleware (on a
// per-request copy of the strategy, so concurrent requests never share its success/fail/redirect
// actions), and returns the outcome instead of writing the response: the broker decides how to answer,
// and it can start a flow from places that have no express response (oidc-provider's interaction URL
// hook). passport's custom callback reports success, failure and errors; its redirect is caught from
// the response object it writes to.

import passport from 'passport';
import { InternalOAuthError, TokenError, AuthorizationError } from 'passport-oauth2';
import { UpstreamError, type UpstreamStep } from '../../src/errors.ts';
import type { UpstreamIdentity } from '../contract.ts';
import type { BrokerStrategy } from './broker-strategy.ts';
import { UpstreamBodyTooLargeError, UpstreamTimeoutError } from './upstream-http.ts';
import { withNormalisedUrls } from './profile-fields.ts';

export type StrategyOutcome =
  | { kind: 'redirect'; url: string }
  | { kind: 'success'; identity: UpstreamIdentity }
  | { kind: 'fail'; error: UpstreamError }
  | { kind: 'error'; error: UpstreamError };

/** The parts of a request a passport-oauth2 strategy reads. */
export interface StrategyRequest {
  query: Record<string, unknown>;
  body?: Record<string, unknown>;
  [key: string]: unknown;
}

export function runStrategy(strategy: BrokerStrategy, req: StrategyRequest, options: Record<string, unknown> = {}): Promise<StrategyOutcome> {
  const providerId = strategy.descriptor.id;
  return new Promise((resolve) => {
    const failed = (err: unknown) => resolve({ kind: 'error', error: toUpstreamError(providerId, err) });
    // passport answers a redirect by writing it to the response: a Location header, then end().
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
      else resolve({ kind: 'fail', error: new UpstreamError(providerId, failStep(challenge), describeChallenge(challenge)) });
    };
    // pass() (or an error given to next) means the strategy did not handle the request.
    const next = (err?: unknown) =>
      err ? failed(err) : resolve({ kind: 'error', error: new UpstreamError(providerId, 'state_validate', 'strategy passed the request on') });
    try {
      passport.authenticate(Object.create(strategy), { ...options, session: false }, done)(req, res, next);
    } catch (err) {
      failed(err);
    }
  });
}

/** passport-oauth2 calls fail() for a denied authorization and for a state the store refused. */
function failStep(challenge: unknown): UpstreamStep {
  const message = describeChallenge(challenge);
  return /state/i.test(message) ? 'state_validate' : 'provider_denied';
}

function describeChallenge(challenge: unknown): string {
  if (typeof challenge === 'string') return challenge;
  if (challenge && typeof challenge === 'object' && 'message' in challenge) return String((challenge as { message: unknown }).message ?? 'denied');
  return 'authorization denied';
}

/** Classifies anything a strategy reported into the broker's UpstreamError with its step. */
export function toUpstreamError(providerId: string, err: unknown): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const root = rootCause(err);
  if (root instanceof UpstreamTimeoutError) return new UpstreamError(providerId, 'timeout', root.message, { cause: err });
  if (err instanceof AuthorizationError) {
    return new UpstreamError(providerId, 'provider_denied', `authorization failed: ${(err as Error).message}`, { cause: err });
  }
  if (err instanceof TokenError || err instanceof InternalOAuthError || /access token/i.test(String((err as Error)?.message))) {
    return new UpstreamError(providerId, 'token_exchange', `token exchange failed: ${describe(err)}`, { cause: err });
  }
  if (root instanceof UpstreamBodyTooLargeError) return new UpstreamError(providerId, 'token_exchange', root.message, { cause: err });
  return new UpstreamError(providerId, 'profile_decode', describe(err), { cause: err });
}

function rootCause(err: unknown): unknown {
  // biome-ignore lint/suspicious/noExplicitAny: passport-oauth2's InternalOAuthError chain (oauthError, cause) is untyped
  let current = err as any;
  for (let i = 0; i < 5 && current; i++) {
    if (current instanceof UpstreamTimeoutError || current instanceof UpstreamBodyTooLargeError) return current;
    current = current.oauthError ?? current.cause;
  }
  return current;
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
