// The account a request has already read or written, kept on that request: a provider's callback signs
// the account in and is then answered by oidc-provider's resume in place (src/oidc/resume-in-place.ts),
// whose `findAccount` and shop-use record would each read the account just written.

import { requestMemo } from '../http/request-memo.ts';
import type { Account } from './account.ts';

export const accountInRequest = requestMemo<Account>((account) => account.id);
