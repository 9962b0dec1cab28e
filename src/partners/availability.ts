// Whether a partner offers a provider at an instant, for each kind of entry: the chooser shows live and
// notice integrations; signing in to the shop needs one of those two phases; anything missing,
// unconfigured or unreadable counts as unavailable (fail closed).

import type { EpochMs } from '../clock.ts';
import type { Integration, Partner } from './partner.ts';
import { phaseAt, signsIn, type PhaseAt } from './phase.ts';

export type Unavailable = 'not_offered' | 'not_configured' | 'upcoming' | 'grace' | 'ended';

export type Availability =
  | { ok: true; integration: Integration; phase: PhaseAt }
  | { ok: false; reason: Unavailable; integration?: Integration; phase?: PhaseAt };

export function integrationFor(partner: Partner, providerId: string): Integration | undefined {
  return partner.integrations.find((i) => i.provider === providerId);
}

/** Can `providerId` sign a shopper in to `partner` at `now`? */
export function loginAvailability(partner: Partner, providerId: string, configured: ReadonlySet<string>, now: EpochMs): Availability {
  const integration = integrationFor(partner, providerId);
  if (!integration) return { ok: false, reason: 'not_offered' };
  if (!configured.has(providerId)) return { ok: false, reason: 'not_configured', integration };
  let phase: PhaseAt;
  try {
    phase = phaseAt(integration, now);
  } catch {
    return { ok: false, reason: 'not_offered', integration };
  }
  if (signsIn(phase.phase)) return { ok: true, integration, phase };
  return { ok: false, reason: phase.phase as Unavailable, integration, phase };
}

/** The providers a chooser shows, in the partner's order. */
export function chooserProviders(partner: Partner, configured: ReadonlySet<string>, now: EpochMs): { integration: Integration; phase: PhaseAt }[] {
  const out: { integration: Integration; phase: PhaseAt }[] = [];
  for (const integration of partner.integrations) {
    const a = loginAvailability(partner, integration.provider, configured, now);
    if (a.ok) out.push({ integration: a.integration, phase: a.phase });
  }
  return out;
}

/** The ways of signing in ending at this partner at `now` (notice or grace), other than `excluding`, in the partner's order. */
export function endingProviders(
  partner: Partner,
  configured: ReadonlySet<string>,
  now: EpochMs,
  excluding: string,
): { id: string; phase: 'notice' | 'grace' }[] {
  const out: { id: string; phase: 'notice' | 'grace' }[] = [];
  for (const integration of partner.integrations) {
    if (integration.provider === excluding || !configured.has(integration.provider)) continue;
    let phase: PhaseAt['phase'];
    try {
      phase = phaseAt(integration, now).phase;
    } catch {
      continue;
    }
    if (phase === 'notice' || phase === 'grace') out.push({ id: integration.provider, phase });
  }
  return out;
}
