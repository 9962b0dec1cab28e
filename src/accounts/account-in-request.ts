// The account a request has already read or written, kept on that request so that later steps of the
// same request do not read it again: a provider's callback signs the account in and is then answered by
// oidc-provider's resume in place (src/oidc/resume-in-place.ts), whose `findAccount` and shop-use record
// would each read the account just written. Only for the request's own lifetime (a WeakMap on the
// Node request object, which express and oidc-provider share); another request always reads the store.

import type { IncomingMessage } from 'node:http';
import type { Account } from './account.ts';

const byRequest = new WeakMap<IncomingMessage, Account>();

/** Remembers the account this request just read or wrote (the version the store holds now). */
export function keepAccountInRequest(req: IncomingMessage, account: Account): void {
  byRequest.set(req, account);
}

/** The account with this id when this request already has it at hand. */
export function accountInRequest(req: IncomingMessage | undefined, id: string): Account | undefined {
  const account = req ? byRequest.get(req) : undefined;
  return account?.id === id ? account : undefined;
}
