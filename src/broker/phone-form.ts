// The chooser's phone number form: shown where the partner offers `phone` now (or, in grace, as the
// migration's way to prove the account), posting to the phone sign-in (src/broker/phone-route.ts).

import { PHONE_METHOD } from '../accounts/phone-method.ts';
import type { LoginPageModel } from '../partners/login-page-model.ts';

export interface PhoneForm {
  action: string;
  migrate: boolean;
  note?: string;
  notice?: string;
}

export function phoneFormOf(model: LoginPageModel, uid: string): PhoneForm | undefined {
  const entry = model.providers.find((p) => p.id === PHONE_METHOD && (p.shown === 'button' || p.shown === 'migrate-link'));
  if (!entry) return undefined;
  return {
    action: `/interaction/${uid}/phone/send`,
    migrate: entry.shown === 'migrate-link',
    ...(entry.note ? { note: entry.note } : {}),
    ...(entry.notice ? { notice: entry.notice } : {}),
  };
}
