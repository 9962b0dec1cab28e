// The integrations' phases as the metrics show them, computed when Prometheus scrapes: for every partner
// and every method Denglu knows, where its lifecycle stands at the clock's now (src/partners/availability.ts)
// and when it changes next. Read from the store's cached partners, so a scrape costs no round trip per
// partner; an integration whose dates cannot be read is left out (the availability check fails it closed).

import type { Clock } from '../clock.ts';
import { loginAvailability } from '../partners/availability.ts';
import { listPartners } from '../partners/partners.ts';
import { phaseAt } from '../partners/phase.ts';
import type { Store } from '../store/store.ts';
import type { IntegrationPhaseSample } from './gateway-metrics.ts';

export interface PhaseSources {
  store: Store;
  clock: Clock;
  /** The sign-in methods this deployment offers now. */
  configured: () => ReadonlySet<string>;
  /** Every method Denglu knows (the registry and its own methods): integrations of others are left out. */
  methods: { has(id: string): boolean };
}

export async function integrationPhases(sources: PhaseSources): Promise<IntegrationPhaseSample[]> {
  const now = sources.clock.now();
  const configured = sources.configured();
  const samples: IntegrationPhaseSample[] = [];
  for (const partner of await listPartners(sources.store)) {
    for (const integration of partner.integrations) {
      if (!sources.methods.has(integration.provider)) continue;
      const a = loginAvailability(partner, integration.provider, configured, now);
      const state = a.ok ? a.phase.phase : a.reason;
      if (state === 'not_offered') continue;
      let next: { at: number } | undefined;
      try {
        next = phaseAt(integration, now).next;
      } catch {
        continue;
      }
      samples.push({ partner: partner.id, provider: integration.provider, state, ...(next ? { nextChangeAt: next.at } : {}) });
    }
  }
  return samples;
}
