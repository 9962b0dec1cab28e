// How a sign-in attempt at a shop ended, in the few words the metrics (and login events) use: the method
// proved the shopper and the shop gets them (`success`, the notice interstitial included); the shopper
// refused at the provider, or the password or code was wrong (`denied`); the provider failed at some step
// (`upstream_failure`); the shop's schedule for that method refused it — not yet live, past its cutoff,
// in grace where it only leads to the migration page, or closed to new accounts (`lifecycle_refused`);
// anything else, such as an expired flow, a lost interaction or a link conflict (`error`).

import { GatewayError, UpstreamError } from '../errors.ts';

export type SignInOutcome = 'success' | 'denied' | 'upstream_failure' | 'lifecycle_refused' | 'error';

export const SIGN_IN_OUTCOMES: readonly SignInOutcome[] = ['success', 'denied', 'upstream_failure', 'lifecycle_refused', 'error'];

/** Error codes that mean "the shop's schedule for this method refused it". */
const LIFECYCLE_CODES = new Set(['ERR_PROVIDER_UNAVAILABLE', 'ERR_INTEGRATION_ENDED', 'ERR_NEW_ACCOUNTS_CLOSED']);

/** The outcome of a sign-in that ended with this error. */
export function outcomeOfError(err: unknown): SignInOutcome {
  if (err instanceof UpstreamError) return err.step === 'provider_denied' ? 'denied' : 'upstream_failure';
  if (err instanceof GatewayError && LIFECYCLE_CODES.has(err.code)) return 'lifecycle_refused';
  return 'error';
}
