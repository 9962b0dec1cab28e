// Reading partners from the store and seeding them from config on first start. Seeding only inserts
// partners that do not exist yet, so changes made later through the admin API are never overwritten.

import type { Clock } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { Partner } from './partner.ts';

export async function getPartner(store: Store, id: string): Promise<Partner | undefined> {
  return store.get<Partner>('partners', id);
}

export async function partnerOfClient(store: Store, clientId: string): Promise<Partner | undefined> {
  return (await store.findOne<Partner>('partners', 'clientId', clientId))?.value;
}

export async function listPartners(store: Store): Promise<Partner[]> {
  return (await store.list<Partner>('partners')).map((p) => p.value);
}

export type PartnerSeed = Omit<Partner, 'createdAt' | 'updatedAt'>;

/** Inserts each seeded partner that is not in the store yet; returns the ids inserted. */
export async function seedPartners(store: Store, clock: Clock, seeds: readonly PartnerSeed[]): Promise<string[]> {
  const inserted: string[] = [];
  for (const seed of seeds) {
    if (await getPartner(store, seed.id)) continue;
    const now = clock.now();
    try {
      await store.create<Partner>('partners', seed.id, { ...seed, createdAt: now, updatedAt: now });
      inserted.push(seed.id);
    } catch (err) {
      if (!(err instanceof GatewayError && err.code === 'ERR_ALREADY_EXISTS')) throw err;
    }
  }
  return inserted;
}
