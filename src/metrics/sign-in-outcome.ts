// How a sign-in attempt at a shop ended, in the few words the metrics (and login events) use: the method
// proved the shopper and the shop gets them (`success`, the notice interstitial included); the shopper
// refused at the provider, or the password or code was wrong (`denied`); the provider failed at some step
// (`upstream_failure`); the shop's schedule for that method refused it — not yet live, past its cutoff,
// in grace where it only leads to the migration page, or closed to new accounts (`lifecycle_refused`);
// anything else, such as an expired flow, a lost interaction or a link conflict (`error`).

import { failedOutcome } from '../events/attempt-outcome.ts';

export type SignInOutcome = 'success' | 'denied' | 'upstream_failure' | 'lifecycle_refused' | 'error';

export const SIGN_IN_OUTCOMES: readonly SignInOutcome[] = ['success', 'denied', 'upstream_failure', 'lifecycle_refused', 'error'];

/** The outcome of a sign-in that ended with this error (classed like its login event, src/events/attempt-outcome.ts). */
export function outcomeOfError(err: unknown): SignInOutcome {
  const failed = failedOutcome(err);
  if (!failed) return 'error';
  return failed.outcome === 'refused' ? 'lifecycle_refused' : failed.outcome;
}
