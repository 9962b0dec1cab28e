// The webhook work every gateway instance ticks (src/main.ts, every few seconds): record the phase
// changes that came due, then dispatch. Each step runs once per cluster at a time (store.exclusive),
// whichever instance gets there; the others skip.

import type { Logger } from '../log.ts';
import { dispatchWebhooks, type DispatcherDeps } from './dispatcher.ts';
import { recordPhaseChanges } from './phase-events.ts';

/** How often each instance ticks the webhook work. */
export const WEBHOOK_TICK_MS = 5_000;

export async function tickWebhooks(deps: DispatcherDeps & { log: Logger }): Promise<void> {
  await recordPhaseChanges(deps);
  await dispatchWebhooks(deps);
}
