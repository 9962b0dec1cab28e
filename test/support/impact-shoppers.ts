// Shoppers of partner alpha for impact report tests, recorded through the login-event recorder as sign-ins
// would be: two Weibo-only (one also Sohu), one with an unused QQ, one who used a password, one who
// migrated to QQ three days ago, one QQ-only; and one Weibo sign-in at beta. Times relative to `clock`.

import type { Account } from '../../src/accounts/account.ts';
import type { Clock } from '../../src/clock.ts';
import { DAY_MS } from '../../src/events/login-event.ts';
import { LoginEventRecorder } from '../../src/events/recorder.ts';
import type { Store } from '../../src/store/store.ts';

function account(id: string, held: Record<string, number>): Account {
  return {
    id,
    createdAt: 0,
    identities: Object.entries(held)
      .filter(([m]) => m !== 'password')
      .map(([provider, at]) => ({ provider, subject: id, keys: [`${provider}:impact-test:${id}`], displayName: id, linkedAt: at, lastUsedAt: at })),
    profile: { name: id },
    shops: {},
    ...(held.password !== undefined
      ? { native: { email: `${id}@example.com`, emailVerifiedAt: held.password, passwordHash: 'x', passwordSetAt: held.password } }
      : {}),
  };
}

export async function seedImpactShoppers(store: Store, clock: Clock): Promise<void> {
  const now = clock.now();
  const long = now - 300 * DAY_MS;
  const accounts = [
    account('stranded-1', { weibo: long }),
    account('stranded-2', { weibo: long, sohu: long }),
    account('at-risk', { weibo: long, qq: long }),
    account('safe', { weibo: long, password: long }),
    account('migrated', { weibo: long, qq: now - 3 * DAY_MS }),
    account('qq-only', { qq: long }),
  ];
  for (const a of accounts) await store.create('accounts', a.id, a);
  const recorder = new LoginEventRecorder({ store, clock, log: { warn: () => undefined } });
  const signIn = (account: string, method: string, at: number, partner = 'alpha') => recorder.record({ at, partner, method, outcome: 'success', account });
  for (const id of ['stranded-1', 'stranded-2', 'at-risk', 'safe', 'migrated']) signIn(id, 'weibo', now - 2 * DAY_MS);
  signIn('stranded-2', 'sohu', now - DAY_MS);
  signIn('safe', 'password', now - DAY_MS);
  signIn('migrated', 'qq', now - DAY_MS);
  signIn('qq-only', 'qq', now - DAY_MS);
  signIn('stranded-1', 'weibo', now - 40 * DAY_MS, 'beta');
  await recorder.close();
}
