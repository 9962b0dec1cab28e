// The one pure function that decides where an integration's lifecycle stands at an instant.
// Boundaries are start-inclusive: at exactly cutoffAt the phase is already `grace`.
//   upcoming ──startsAt──▶ live ──noticeAt──▶ notice ──cutoffAt──▶ grace ──graceEndsAt──▶ ended

import type { EpochMs } from '../clock.ts';
import type { Integration } from './partner.ts';

export type Phase = 'upcoming' | 'live' | 'notice' | 'grace' | 'ended';

export interface PhaseAt {
  phase: Phase;
  /** When the current phase began (undefined: since forever). */
  since?: EpochMs;
  /** The next change, if one is scheduled. */
  next?: { phase: Phase; at: EpochMs };
}

type Dates = Pick<Integration, 'startsAt' | 'noticeAt' | 'cutoffAt' | 'graceEndsAt'>;

/** The boundaries in lifecycle order, each with the phase that starts there. */
export function boundaries(dates: Dates): { phase: Phase; at: EpochMs }[] {
  const out: { phase: Phase; at: EpochMs }[] = [];
  if (dates.startsAt !== undefined) out.push({ phase: 'live', at: dates.startsAt });
  if (dates.noticeAt !== undefined) out.push({ phase: 'notice', at: dates.noticeAt });
  if (dates.cutoffAt !== undefined) out.push({ phase: 'grace', at: dates.cutoffAt });
  if (dates.graceEndsAt !== undefined) out.push({ phase: 'ended', at: dates.graceEndsAt });
  return out;
}

export function phaseAt(dates: Dates, now: EpochMs): PhaseAt {
  const steps = boundaries(dates);
  let phase: Phase = dates.startsAt !== undefined ? 'upcoming' : 'live';
  let since: EpochMs | undefined;
  for (const step of steps) {
    if (now >= step.at) {
      phase = step.phase;
      since = step.at;
    } else {
      return since === undefined ? { phase, next: step } : { phase, since, next: step };
    }
  }
  // A cutoff without a grace end keeps the migration path open indefinitely: nobody is stranded.
  return since === undefined ? { phase } : { phase, since };
}

/** Phases in which the provider signs shoppers into the shop. */
export function signsIn(phase: Phase): boolean {
  return phase === 'live' || phase === 'notice';
}
