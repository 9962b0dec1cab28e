// Who is signed in to the account console: the oidc-provider session of this browser (the same single
// sign-on session shops use), its account, and when it signed in on the domain clock (re-authentication
// and cutoff decisions compare against it).

import type { Request, Response } from 'express';
import type { EpochMs } from '../clock.ts';
import type { OidcProvider } from '../oidc/provider.ts';
import type { Store } from '../store/store.ts';
import { sessionLoginAt } from '../oidc/store-adapter.ts';
import { getAccount } from '../accounts/sign-in.ts';
import type { Account } from '../accounts/account.ts';

export interface SignedIn {
  account: Account;
  sessionUid: string;
  /** Domain-clock instant of the session's sign-in. */
  loginAt: EpochMs | undefined;
  amr: string[];
}

export async function currentAccount(oidc: OidcProvider, store: Store, req: Request, res: Response): Promise<SignedIn | undefined> {
  const session = await oidc.Session.get(oidc.createContext(req, res));
  if (!session?.accountId) return undefined;
  const account = await getAccount(store, session.accountId);
  if (!account) return undefined;
  return { account, sessionUid: session.uid, loginAt: await sessionLoginAt(store, session.uid), amr: session.amr ?? [] };
}
