// A shopper account for webhook tests: one Weibo identity and the shops it has signed in to.

import type { Account } from '../../src/accounts/account.ts';
import type { EpochMs } from '../../src/clock.ts';

export function shopper(id: string, shops: string[], at: EpochMs = Date.parse('2013-09-01T00:00:00Z')): Account {
  return {
    id,
    createdAt: at,
    identities: [{ provider: 'weibo', subject: `w-${id}`, keys: [`weibo:uid:w-${id}`], displayName: 'W', linkedAt: at, lastUsedAt: at }],
    profile: { name: 'Shopper' },
    shops: Object.fromEntries(shops.map((s) => [s, { firstAt: at, lastAt: at, lastProvider: 'weibo' }])),
  };
}
