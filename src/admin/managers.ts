// Partner managers: created by the operator for one or more partners, each with a secret Denglu
// generates and shows once. The token is `<managerId>.<secret>`; only the secret's scrypt hash is kept.
// Creation and its audit entry are one atomic write.

import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Clock, EpochMs } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { auditOp, type Actor } from '../audit/audit.ts';
import type { Partner } from '../partners/partner.ts';
import { hashSecret, newSecret, type SecretHash } from './credentials.ts';
import { jsonObject, SLUG, slug, text } from './validate.ts';
import { parseBodyAsync } from './zod-problems.ts';

export interface Manager {
  id: string;
  name: string;
  partners: string[];
  secretHash: SecretHash;
  createdAt: EpochMs;
}

/** What the API shows of a manager: never the hash. */
export interface ManagerView {
  id: string;
  name: string;
  partners: string[];
  createdAt: EpochMs;
}

export function managerView(m: Manager): ManagerView {
  return { id: m.id, name: m.name, partners: [...m.partners], createdAt: m.createdAt };
}

/** Splits `<managerId>.<secret>`; undefined when the token cannot be a manager token. */
export function splitManagerToken(token: string): { id: string; secret: string } | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot === token.length - 1) return undefined;
  const id = token.slice(0, dot);
  return SLUG.test(id) ? { id, secret: token.slice(dot + 1) } : undefined;
}

const PARTNERS_RULE = 'must be a non-empty array of partner ids';

/** `POST /managers`: each partner named must exist (a look-up in the store). */
export function managerBody(store: Store) {
  const partnerId = slug('must be a partner id').refine(async (id) => (await store.get<Partner>('partners', id)) !== undefined, {
    error: (issue) => `partner "${String(issue.input)}" does not exist`,
  });
  return jsonObject({
    id: slug().optional(),
    name: text(100),
    partners: z.array(partnerId, { error: PARTNERS_RULE }).min(1, PARTNERS_RULE).max(50, 'must list at most 50 partners'),
  });
}

export async function createManager(deps: { store: Store; clock: Clock }, actor: Actor, input: unknown): Promise<{ manager: ManagerView; token: string }> {
  const body = await parseBodyAsync(managerBody(deps.store), input);
  const partners = [...new Set(body.partners)];
  const secret = newSecret();
  const managerId = body.id ?? `mgr-${randomBytes(5).toString('hex')}`;
  const manager: Manager = { id: managerId, name: body.name, partners, secretHash: await hashSecret(secret), createdAt: deps.clock.now() };
  try {
    await deps.store.batch([
      { op: 'create', collection: 'managers', id: managerId, value: manager },
      auditOp(deps.clock, () => ({ actor, action: 'manager.create', target: { manager: managerId }, before: null, after: managerView(manager) })),
    ]);
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'ERR_ALREADY_EXISTS') {
      throw new GatewayError('ERR_ALREADY_EXISTS', `manager "${managerId}" already exists`, { status: 409 });
    }
    throw err;
  }
  return { manager: managerView(manager), token: `${managerId}.${secret}` };
}

export async function listManagers(store: Store): Promise<ManagerView[]> {
  return (await store.list<Manager>('managers')).map((m) => managerView(m.value));
}

/** Inserts managers with given secrets when absent (the sandbox's fixed tokens); returns the ids inserted. */
export async function seedManagers(
  deps: { store: Store; clock: Clock },
  seeds: readonly { id: string; name: string; partners: string[]; secret: string }[],
): Promise<string[]> {
  const inserted: string[] = [];
  for (const seed of seeds) {
    if (await deps.store.get<Manager>('managers', seed.id)) continue;
    const manager: Manager = {
      id: seed.id,
      name: seed.name,
      partners: [...seed.partners],
      secretHash: await hashSecret(seed.secret),
      createdAt: deps.clock.now(),
    };
    try {
      await deps.store.create<Manager>('managers', seed.id, manager);
      inserted.push(seed.id);
    } catch (err) {
      if (!(err instanceof GatewayError && err.code === 'ERR_ALREADY_EXISTS')) throw err;
    }
  }
  return inserted;
}
