// The native methods a held sign-in may add as its replacement (for the notice and migration pages): the
// email + password and the phone number, where the partner accepts them now and the held account does not
// have them yet. Each leads to its route in src/broker/add-method-routes.ts.

import type { Account } from '../accounts/account.ts';
import { PASSWORD_METHOD } from '../accounts/password-method.ts';
import { PHONE_METHOD } from '../accounts/phone-method.ts';
import type { EpochMs } from '../clock.ts';
import { loginAvailability } from '../partners/availability.ts';
import type { Partner } from '../partners/partner.ts';

export interface NativeReplacement {
  id: typeof PASSWORD_METHOD | typeof PHONE_METHOD;
  href: string;
}

export function nativeReplacements(partner: Partner, account: Account, uid: string, configured: ReadonlySet<string>, now: EpochMs): NativeReplacement[] {
  const has = { [PASSWORD_METHOD]: Boolean(account.native?.passwordHash), [PHONE_METHOD]: Boolean(account.phone) };
  return ([PASSWORD_METHOD, PHONE_METHOD] as const)
    .filter((id) => !has[id] && loginAvailability(partner, id, configured, now).ok)
    .map((id) => ({ id, href: `/interaction/${uid}/add/${id}` }));
}
