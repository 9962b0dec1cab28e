// A link or unlink made in the account console belongs to no one shop: it is noted for the per-day
// analytics of every shop the shopper has signed in to (account.shops), since each of those shops now has
// a customer with one more or one fewer way in with that provider. Denglu's own console is not a shop.

import type { Account } from '../accounts/account.ts';
import type { LoginContext } from '../broker/login-context.ts';
import { CONSOLE_PARTNER } from './console-partner.ts';

export function noteAtShops(ctx: Pick<LoginContext, 'events' | 'clock'>, account: Account, kind: 'link' | 'unlink', provider: string): void {
  const at = ctx.clock.now();
  for (const partner of Object.keys(account.shops)) {
    if (partner !== CONSOLE_PARTNER) ctx.events?.note({ at, partner, method: provider, kind });
  }
}
