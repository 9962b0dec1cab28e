// Deleting an account as both the shopper ("Delete my account", src/account-console/delete-routes.ts) and
// an operator (`DELETE /api/admin/accounts/{account}`, `denglu account delete`) do it: the deletion itself
// (delete-account.ts), then each provider grant the account held revoked where the provider can
// (upstream-revoke.ts). Best effort: a grant that cannot be revoked never undoes or blocks the deletion,
// which is complete by then; each attempt is audited under the account's tombstone id with its outcome
// (`account.upstream_revoke`, after `{ outcome: 'revoked' | 'failed' }`), a failure also logged with its
// step, never with the token. The tokens go with the account: a crash between the deletion and the
// revocation leaves the grant at the provider until it lapses there (a re-run finds no token to revoke).

import { type Actor, appendAudit } from '../audit/audit.ts';
import { forgottenActor, tombstoneId } from '../audit/forget-account.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { type AccountDeletion, deleteAccount } from './delete-account.ts';
import { revokeUpstream, type UpstreamRevoke, type UpstreamRevoker } from './upstream-revoke.ts';

export const UPSTREAM_REVOKE_ACTION = 'account.upstream_revoke';

export interface DeletionDeps {
  store: Store;
  clock: Clock;
  log: Pick<Logger, 'warn'>;
  grants: UpstreamRevoker;
}

export interface DeletionWithGrants extends AccountDeletion {
  /** Per provider the account held a grant of, what revoking it did (`none`: the provider cannot). */
  upstream: Record<string, UpstreamRevoke>;
}

export async function deleteAccountAndGrants(d: DeletionDeps, accountId: string, actor: Actor): Promise<DeletionWithGrants> {
  const deletion = await deleteAccount(d.store, d.clock, accountId, actor);
  const identities = deletion.deleted?.identities ?? [];
  const outcomes = await Promise.all(identities.map((i) => revokeUpstream(d.grants, i.provider, i.upstreamToken)));
  const upstream: Record<string, UpstreamRevoke> = Object.fromEntries(identities.map((i, n) => [i.provider, outcomes[n]!]));
  for (const [provider, outcome] of Object.entries(upstream)) {
    if (outcome === 'none') continue;
    try {
      await appendAudit(d.store, d.clock, {
        actor: forgottenActor(actor, accountId),
        action: UPSTREAM_REVOKE_ACTION,
        target: { account: tombstoneId(accountId), provider },
        before: null,
        after: { outcome },
      });
    } catch (err) {
      d.log.warn({ provider, outcome, err: { message: (err as Error).message } }, 'upstream revoke not audited');
    }
  }
  return { ...deletion, upstream };
}
