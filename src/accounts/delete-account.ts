// Deleting a shopper's account (the right to erasure), by the shopper on the account page or by an
// operator for a support request, in three steps ordered so that a crash between any two leaves an
// account that either still fully exists or can no longer sign in, and running it again finishes the job:
//   1. end everything signed in with it (Denglu sessions, grants, codes, tokens): the account still exists,
//      its owner is only signed out;
//   2. one atomic write: the account document goes (with it its identity keys, verified email and phone,
//      password and mail choices, so the same Weibo uid later makes a fresh account), its notice-mail
//      records go, the audit entry (who, when, the account's tombstone id, nothing personal) and the
//      `account.deleted` webhook event for every shop it used are written. From here nothing signs in as it;
//   3. what is left and tied to it is swept: artifacts issued between steps 1 and 2, mailed links, its raw
//      login events and per-shop usage summaries (src/events/forget-account.ts; the per-day counts stay:
//      they name no account), and the audit entries naming it keep the action but lose the account id
//      (a one-way tombstone id instead) and its personal data (src/audit/forget-account.ts). Idempotent,
//      and the only step a re-run does once the account is gone.
// Operational logs may name the account id of a deletion; they hold no personal data and are not the store.

import type { Actor } from '../audit/audit.ts';
import { auditOp } from '../audit/audit.ts';
import { forgetInAudit, forgottenActor, tombstoneId } from '../audit/forget-account.ts';
import type { Clock } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import { forgetLoginEvents } from '../events/forget-account.ts';
import { NOTICE_MAILS } from '../notice-mail/notice-mail-job.ts';
import { revokeAccountAccess } from '../oidc/revoke-account.ts';
import { listPartners } from '../partners/partners.ts';
import { idsWithPrefix } from '../store/id-prefix.ts';
import type { BatchOp, Store } from '../store/store.ts';
import { accountEventOp } from '../webhooks/events.ts';
import type { Account } from './account.ts';
import { TOKENS_COLLECTION } from './native-tokens.ts';

export const ACCOUNT_DELETE_ACTION = 'account.delete';

export interface AccountDeletion {
  /** The account as it was when this call deleted it; undefined when it was already gone (a re-run). */
  deleted?: Account;
  /** Sessions, grants, tokens and other records removed by this call. */
  swept: number;
}

export async function deleteAccount(store: Store, clock: Clock, accountId: string, actor: Actor): Promise<AccountDeletion> {
  let swept = await revokeAccountAccess(store, accountId);
  const deleted = await removeAccount(store, clock, accountId, actor);
  swept += await revokeAccountAccess(store, accountId);
  swept += await sweepLeftovers(store, clock, accountId);
  return { ...(deleted ? { deleted } : {}), swept };
}

/** Step 2: the account, its notice-mail records, the audit entry and the shops' event in one batch. */
async function removeAccount(store: Store, clock: Clock, accountId: string, actor: Actor): Promise<Account | undefined> {
  const mails = await idsWithPrefix(store, NOTICE_MAILS, `${accountId}|`);
  let seen: Account | undefined;
  try {
    await store.batch([
      // Read under the batch's lock, so the shops told are the ones the account has when it goes.
      {
        op: 'update',
        collection: 'accounts',
        id: accountId,
        fn: (a: Account) => {
          seen = a;
          return a;
        },
      },
      { op: 'delete', collection: 'accounts', id: accountId },
      ...mails.map((id): BatchOp => ({ op: 'delete', collection: NOTICE_MAILS, id })),
      auditOp(clock, () => ({
        actor: forgottenActor(actor, accountId),
        action: ACCOUNT_DELETE_ACTION,
        target: { account: tombstoneId(accountId) },
        before: null,
        after: null,
      })),
      accountEventOp(clock, 'account.deleted', accountId, () => Object.keys(seen?.shops ?? {})),
    ]);
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'ERR_NOT_FOUND') return undefined;
    throw err;
  }
  return seen;
}

/**
 * Step 3: mailed links, raw login events and per-shop usage summaries of the account (every partner: the
 * account no longer says which), then its audit entries de-identified.
 */
async function sweepLeftovers(store: Store, clock: Clock, accountId: string): Promise<number> {
  const tokenIds = (await store.list(TOKENS_COLLECTION, { index: { name: 'account', key: accountId } })).map((d) => d.id);
  let removed = 0;
  for (const id of tokenIds) if (await store.delete(TOKENS_COLLECTION, id)) removed++;
  removed += await forgetLoginEvents(
    store,
    accountId,
    (await listPartners(store)).map((p) => p.id),
  );
  await forgetInAudit(store, accountId, clock.now());
  return removed;
}
