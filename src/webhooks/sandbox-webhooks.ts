// The sandbox's webhooks: each demo shop has an endpoint at `<shop>/webhooks` for every event, signed
// with a fixed secret the demo shop knows (public, like the sandbox's other credentials: development
// only, never seeded in production). The phase-change cursor starts 30 days back, so the walk at the
// simulated 2013-09-20 finds JD's shop already told that Weibo's notice began on 2013-09-10.

import { createHash } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { JOBS_COLLECTION } from '../jobs/cluster-job.ts';
import type { Sealer } from '../sealer.ts';
import type { Store } from '../store/store.ts';
import { createEndpoint, ENDPOINTS_COLLECTION } from './endpoints.ts';
import { WEBHOOK_EVENT_TYPES } from './events.ts';
import { PHASE_CURSOR_ID, type PhaseCursor } from './phase-events.ts';

const LOOKBACK_MS = 30 * 86_400_000;

/** The demo shop's signing secret (not a secret: the sandbox's own). */
export function sandboxWebhookSecret(partnerId: string): string {
  return `whsec_${createHash('sha256').update(`denglu-sandbox-webhook-${partnerId}-not-for-production`).digest().subarray(0, 24).toString('base64')}`;
}

export const sandboxEndpointId = (partnerId: string) => `we_sandbox-${partnerId}`;

/** Registers each demo shop's endpoint once; returns the partners given one now. */
export async function seedSandboxWebhooks(store: Store, clock: Clock, webhookSecrets: Sealer, shopUrls: Record<string, string>): Promise<string[]> {
  const seeded: string[] = [];
  for (const [partner, url] of Object.entries(shopUrls)) {
    if (await store.get(ENDPOINTS_COLLECTION, sandboxEndpointId(partner))) continue;
    await createEndpoint({ store, clock, webhookSecrets }, { kind: 'system', id: 'sandbox-seed' }, partner, {
      id: sandboxEndpointId(partner),
      url: `${url}/webhooks`,
      events: [...WEBHOOK_EVENT_TYPES],
      description: 'Demo shop (sandbox)',
      secret: sandboxWebhookSecret(partner),
    });
    seeded.push(partner);
  }
  if (!(await store.get<PhaseCursor>(JOBS_COLLECTION, PHASE_CURSOR_ID))) {
    await store.put<PhaseCursor>(JOBS_COLLECTION, PHASE_CURSOR_ID, { upTo: clock.now() - LOOKBACK_MS });
  }
  return seeded;
}
