// Counts how a sign-in attempt ended (src/metrics/sign-in-outcome.ts), once per request: the first
// decision a request reaches is its outcome (a failure page after a counted success, such as an
// interaction that expired in between, does not count again). Labels stay bounded: the partner only
// when the steps found it, the method only when Denglu knows it, `unknown` otherwise.

import { UpstreamError } from '../errors.ts';
import { UNKNOWN } from '../metrics/gateway-metrics.ts';
import { outcomeOfError, type SignInOutcome } from '../metrics/sign-in-outcome.ts';
import type { NextStep } from './continue-sign-in.ts';
import type { LoginContext } from './login-context.ts';
import type { SignInState } from './steps.ts';

export function recordSignIn(ctx: LoginContext, s: SignInState, outcome: SignInOutcome, provider = s.provider): void {
  if (s.outcome) return;
  s.outcome = outcome;
  // A link from the account page is no sign-in at a shop.
  if (s.fromAccountPage) return;
  ctx.metrics.signIn(s.partner?.id ?? UNKNOWN, provider !== undefined && ctx.descriptors.has(provider) ? provider : UNKNOWN, outcome);
}

/** A sign-in that ended with `err`; an upstream failure is also counted with its step. */
export function recordFailure(ctx: LoginContext, s: SignInState, err: unknown, provider = s.provider): void {
  if (s.outcome) return;
  if (err instanceof UpstreamError && ctx.broker.upstream(err.providerId)) ctx.metrics.upstreamFailures.labels(err.providerId, err.step).inc();
  recordSignIn(ctx, s, outcomeOfError(err), provider);
}

/** A proven sign-in's outcome by where it goes next: the shop or the notice (success), the migration page (refused by the lifecycle). */
export function outcomeOfNext(next: NextStep): SignInOutcome {
  if (next.kind === 'lost') return 'error';
  if (next.kind === 'held' && next.hold === 'migrate') return 'lifecycle_refused';
  return 'success';
}
