// What a provider's cutoff does to what shoppers already hold at a shop. While the provider signs in
// (live, notice) everything continues. After the cutoff, with `keep`, a Denglu session obtained through
// the provider before the cutoff still signs the shopper in to the shop until it expires, and refresh
// tokens keep working until they expire; with `revoke`, both stop at the cutoff. A missing integration
// or an unconfigured provider stops both (fail closed).

import type { EpochMs } from '../clock.ts';
import { loginAvailability } from './availability.ts';
import type { Partner } from './partner.ts';

export function sessionMayContinue(partner: Partner, provider: string, configured: ReadonlySet<string>, now: EpochMs, loginAt: EpochMs | undefined): boolean {
  const a = loginAvailability(partner, provider, configured, now);
  if (a.ok) return true;
  if (a.reason !== 'grace' && a.reason !== 'ended') return false;
  const { integration } = a;
  return integration!.atCutoff === 'keep' && integration!.cutoffAt !== undefined && loginAt !== undefined && loginAt < integration!.cutoffAt;
}

export function refreshMayContinue(partner: Partner, provider: string, configured: ReadonlySet<string>, now: EpochMs): boolean {
  const a = loginAvailability(partner, provider, configured, now);
  if (a.ok) return true;
  return (a.reason === 'grace' || a.reason === 'ended') && a.integration!.atCutoff === 'keep';
}
