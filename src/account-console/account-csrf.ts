// The CSRF token of the account console's forms: one secret purpose (`account`), the console's cookie,
// bound to the Denglu session cookie, so every account-page form (console, native sign-in, phone) shares it.

import { createCsrf, type Csrf } from '../http/csrf.ts';

export function accountCsrf(cookieKeys: string[], secure: boolean): Csrf {
  return createCsrf({ cookieKeys, purpose: 'account', secure, sessionId: (req) => String(req.cookies?.dl_session ?? '') });
}
