// Changing a partner's integrations: schedule (add or change a provider's lifecycle) and remove. Each
// change and its audit entry are one atomic write, and the change is checked against the partner as
// that write finds it (inside the update), so two admins on two instances cannot both pass a check
// made against a version the other just replaced; a refused change writes nothing.

import type { Clock } from '../clock.ts';
import { GatewayError, ValidationError } from '../errors.ts';
import type { BatchOp, Store } from '../store/store.ts';
import { auditOp, type Actor } from '../audit/audit.ts';
import type { Integration, Partner } from './partner.ts';
import { phaseAt } from './phase.ts';
import { applySchedule, type Problem } from './schedule.ts';

export interface ScheduleChange {
  partner: Partner;
  integration: Integration;
  /** The change closed sign-in at once (confirmed with effectiveImmediately). */
  immediate: boolean;
}

export async function scheduleIntegration(
  deps: { store: Store; clock: Clock; knownProviders: ReadonlySet<string> },
  actor: Actor,
  partnerId: string,
  provider: string,
  input: unknown,
): Promise<ScheduleChange> {
  const { store, clock } = deps;
  if (!deps.knownProviders.has(provider)) {
    throw new ValidationError([unknownProvider(provider, deps.knownProviders)]);
  }
  const now = clock.now();
  let before: Integration | undefined;
  let after: Partner | undefined;
  let result: Extract<ReturnType<typeof applySchedule>, { ok: true }> | undefined;
  await updatePartner(store, partnerId, [
    {
      op: 'update',
      collection: 'partners',
      id: partnerId,
      fn: (p: Partner) => {
        before = p.integrations.find((i) => i.provider === provider);
        const checked = applySchedule(provider, before, input, now, p.timeZone);
        if (!checked.ok) throw new ValidationError(checked.problems);
        result = checked;
        const integrations = before ? p.integrations.map((i) => (i.provider === provider ? checked.integration : i)) : [...p.integrations, checked.integration];
        after = { ...p, integrations, updatedAt: now };
        return after;
      },
    },
    auditOp(clock, () => ({
      actor,
      action: before ? 'integration.schedule' : 'integration.add',
      target: { partner: partnerId, provider },
      before: before ?? null,
      after: { ...result!.integration, ...(result!.immediate ? { effectiveImmediately: true } : {}) },
    })),
  ]);
  return { partner: after!, integration: result!.integration, immediate: result!.immediate };
}

/** The batch, with a missing partner reported by name (a 404 the update itself threw goes on as is). */
async function updatePartner(store: Store, partnerId: string, ops: BatchOp[]): Promise<void> {
  try {
    await store.batch(ops);
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'ERR_NOT_FOUND' && !(await store.get('partners', partnerId))) {
      throw new GatewayError('ERR_NOT_FOUND', `partner "${partnerId}" does not exist`, { status: 404 });
    }
    throw err;
  }
}

/** The problem of a provider id Denglu has no adapter for. */
export function unknownProvider(provider: string, known: ReadonlySet<string>): Problem {
  const list = [...known].join(', ');
  return { field: 'provider', message: `"${provider}" is not a provider Denglu knows (${list})`, rule: 'provider.unknown', params: { provider, known: list } };
}

/** Removes a provider from a partner; only when it does not sign anyone in (upcoming or ended). */
export async function removeIntegration(deps: { store: Store; clock: Clock }, actor: Actor, partnerId: string, provider: string): Promise<void> {
  const { store, clock } = deps;
  let integration: Integration | undefined;
  await updatePartner(store, partnerId, [
    {
      op: 'update',
      collection: 'partners',
      id: partnerId,
      fn: (p: Partner) => {
        integration = p.integrations.find((i) => i.provider === provider);
        if (!integration) throw new GatewayError('ERR_NOT_FOUND', `partner "${partnerId}" has no integration with "${provider}"`, { status: 404 });
        const phase = phaseAt(integration, clock.now()).phase;
        if (phase !== 'ended' && phase !== 'upcoming') {
          throw new ValidationError([
            {
              field: 'provider',
              message: `"${provider}" is ${phase} at ${partnerId}; schedule a cutoff (shoppers get notice and can migrate) instead of removing it`,
              rule: 'integration.removeActive',
              params: { provider, phase },
            },
          ]);
        }
        return { ...p, integrations: p.integrations.filter((i) => i.provider !== provider), updatedAt: clock.now() };
      },
    },
    auditOp(clock, () => ({ actor, action: 'integration.remove', target: { partner: partnerId, provider }, before: integration, after: null })),
  ]);
}
