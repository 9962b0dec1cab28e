// How a failed sign-in attempt is classed in its login event: the shopper or the provider said no
// (`denied`), the upstream round trip failed at a step (`upstream_failure`), or the integration's lifecycle
// refused it (`refused`: ended, in grace, closed to new accounts, unavailable). Anything else (a lost
// interaction, an internal error) is not an attempt the shop could learn from: undefined.

import { GatewayError, UpstreamError } from '../errors.ts';
import type { LoginOutcome } from './login-event.ts';

const LIFECYCLE_CODES = new Set(['ERR_PROVIDER_UNAVAILABLE', 'ERR_INTEGRATION_ENDED', 'ERR_NEW_ACCOUNTS_CLOSED']);

export function failedOutcome(err: unknown): { outcome: Exclude<LoginOutcome, 'success'>; step?: string } | undefined {
  if (err instanceof UpstreamError) {
    if (err.step === 'provider_denied') return { outcome: 'denied', step: err.step };
    return { outcome: 'upstream_failure', step: err.step };
  }
  if (err instanceof GatewayError && LIFECYCLE_CODES.has(err.code)) return { outcome: 'refused', step: err.code };
  return undefined;
}
