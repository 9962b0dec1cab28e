// Partner managers: created by the operator for one or more partners, each with a secret Denglu
// generates and shows once. The token is `<managerId>.<secret>`; only the secret's scrypt hash is kept.
// Creation and its audit entry are one atomic write.

import { randomBytes } from 'node:crypto';
import type { Clock, EpochMs } from '../clock.ts';
import { GatewayError, ValidationError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { auditOp, type Actor } from '../audit/audit.ts';
import type { Partner } from '../partners/partner.ts';
import { hashSecret, newSecret, type SecretHash } from './credentials.ts';
import { objectBody, SLUG, SLUG_RULE, text, type Problem } from './validate.ts';

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

export async function createManager(
  deps: { store: Store; clock: Clock },
  actor: Actor,
  input: unknown,
): Promise<{ manager: ManagerView; token: string }> {
  const problems: Problem[] = [];
  const body = objectBody(input, ['id', 'name', 'partners'], problems);
  if (!body) throw new ValidationError(problems);
  let id: string | undefined;
  if (body.id !== undefined) {
    if (typeof body.id !== 'string' || !SLUG.test(body.id)) problems.push({ field: 'id', message: SLUG_RULE });
    else id = body.id;
  }
  const name = text(body.name, 'name', problems, { required: true, max: 100 });
  const partners: string[] = [];
  if (!Array.isArray(body.partners) || body.partners.length === 0) {
    problems.push({ field: 'partners', message: 'must be a non-empty array of partner ids' });
  } else if (body.partners.length > 50) {
    problems.push({ field: 'partners', message: 'must list at most 50 partners' });
  } else {
    for (const [i, p] of body.partners.entries()) {
      if (typeof p !== 'string' || !SLUG.test(p)) problems.push({ field: `partners[${i}]`, message: 'must be a partner id' });
      else if (!(await deps.store.get<Partner>('partners', p))) problems.push({ field: `partners[${i}]`, message: `partner "${p}" does not exist` });
      else if (!partners.includes(p)) partners.push(p);
    }
  }
  if (problems.length) throw new ValidationError(problems);

  const secret = newSecret();
  const managerId = id ?? `mgr-${randomBytes(5).toString('hex')}`;
  const manager: Manager = { id: managerId, name: name!, partners, secretHash: await hashSecret(secret), createdAt: deps.clock.now() };
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
    const manager: Manager = { id: seed.id, name: seed.name, partners: [...seed.partners], secretHash: await hashSecret(seed.secret), createdAt: deps.clock.now() };
    try {
      await deps.store.create<Manager>('managers', seed.id, manager);
      inserted.push(seed.id);
    } catch (err) {
      if (!(err instanceof GatewayError && err.code === 'ERR_ALREADY_EXISTS')) throw err;
    }
  }
  return inserted;
}
