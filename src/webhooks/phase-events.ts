// Integration phase changes as webhook events, at the instant they happen even when nobody signs in:
// a cluster-once job (store.exclusive) keeps a cursor in the `jobs` collection and, on each tick, records
// an `integration.phase_changed` event for every schedule boundary (start, notice, cutoff, grace end) of
// every partner's integrations that falls after the cursor and at or before now, moving the cursor in
// the same batch (so a crash neither skips nor repeats one). A first run starts the cursor at now: past
// changes are not replayed (the sandbox seed sets an earlier cursor, see seedSandboxWebhooks).

import type { Clock, EpochMs } from '../clock.ts';
import { JOBS_COLLECTION } from '../jobs/cluster-job.ts';
import { listPartners } from '../partners/partners.ts';
import { boundaries, phaseAt } from '../partners/phase.ts';
import type { BatchOp, Store } from '../store/store.ts';
import { eventOp } from './events.ts';

export const PHASE_JOB = 'webhook-phase-changes';
export const PHASE_CURSOR_ID = 'webhook-phase-cursor';

export interface PhaseCursor {
  /** Boundaries at or before this instant have been recorded. */
  upTo: EpochMs;
}

const iso = (ms: EpochMs | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** Records the phase changes since the cursor; resolves to how many (undefined when another run is in progress). */
export async function recordPhaseChanges(deps: { store: Store; clock: Clock }): Promise<number | undefined> {
  const outcome = await deps.store.exclusive(PHASE_JOB, async () => {
    const now = deps.clock.now();
    const cursor = await deps.store.get<PhaseCursor>(JOBS_COLLECTION, PHASE_CURSOR_ID);
    const ops: BatchOp[] = [];
    if (cursor) {
      for (const partner of await listPartners(deps.store)) {
        if (partner.internal) continue;
        for (const integration of partner.integrations) {
          for (const b of boundaries(integration)) {
            if (b.at <= cursor.upTo || b.at > now) continue;
            ops.push(
              eventOp({ now: () => b.at }, () => ({
                type: 'integration.phase_changed',
                partners: [partner.id],
                data: {
                  provider: integration.provider,
                  phase: b.phase,
                  previousPhase: phaseAt(integration, b.at - 1).phase,
                  at: iso(b.at),
                  schedule: {
                    startsAt: iso(integration.startsAt),
                    noticeAt: iso(integration.noticeAt),
                    cutoffAt: iso(integration.cutoffAt),
                    graceEndsAt: iso(integration.graceEndsAt),
                  },
                },
              })),
            );
          }
        }
      }
    }
    ops.push({ op: 'put', collection: JOBS_COLLECTION, id: PHASE_CURSOR_ID, value: { upTo: Math.max(now, cursor?.upTo ?? now) } satisfies PhaseCursor });
    await deps.store.batch(ops);
    return ops.length - 1;
  });
  return outcome.ran ? outcome.value : undefined;
}
