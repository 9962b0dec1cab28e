// What a provider's cutoff does to what shoppers already hold at a shop. While the provider signs in
// (live, notice) everything continues. From the cutoff no new sign-in at the shop rides on it: a Denglu
// session obtained through the provider (before the cutoff or elsewhere) must sign in again with a way
// that still works here, whatever the policy. The `atCutoff` policy decides only what the shop already
// holds: with `keep`, refresh tokens keep working until they expire; with `revoke`, they stop at the
// cutoff. A missing integration or an unconfigured provider stops both (fail closed).

import type { EpochMs } from '../clock.ts';
import { loginAvailability } from './availability.ts';
import type { Partner } from './partner.ts';

/** Whether a Denglu session obtained through `provider` may sign the shopper in to `partner` now. */
export function sessionMayContinue(partner: Partner, provider: string, configured: ReadonlySet<string>, now: EpochMs): boolean {
  return loginAvailability(partner, provider, configured, now).ok;
}

export function refreshMayContinue(partner: Partner, provider: string, configured: ReadonlySet<string>, now: EpochMs): boolean {
  const a = loginAvailability(partner, provider, configured, now);
  if (a.ok) return true;
  return (a.reason === 'grace' || a.reason === 'ended') && a.integration!.atCutoff === 'keep';
}
