// Drives a passport Strategy through one request the way passport's authenticate middleware does
// (a per-request copy of the strategy with success/fail/redirect/error/pass attached), but returns the
// outcome instead of writing the response: the broker decides how to answer, and it can start a flow
// from places that have no express response (oidc-provider's interaction URL hook).

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
    const s = Object.create(strategy);
    // Whatever an adapter reports, its URLs pass the one normaliser before the broker sees them.
    s.success = (identity: UpstreamIdentity) => resolve({ kind: 'success', identity: withNormalisedUrls(identity) });
    s.fail = (challenge: unknown) => resolve({ kind: 'fail', error: new UpstreamError(providerId, failStep(challenge), describeChallenge(challenge)) });
    s.redirect = (url: string) => resolve({ kind: 'redirect', url });
    s.pass = () => resolve({ kind: 'error', error: new UpstreamError(providerId, 'state_validate', 'strategy passed the request on') });
    s.error = (err: unknown) => resolve({ kind: 'error', error: toUpstreamError(providerId, err) });
    try {
      s.authenticate(req, options);
    } catch (err) {
      resolve({ kind: 'error', error: toUpstreamError(providerId, err) });
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
