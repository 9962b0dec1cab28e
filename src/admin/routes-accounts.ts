// Admin route for a shopper's account, the operator's alone: deleting it on a support request (the
// shopper asked by mail, lost every way to sign in, …) with the same code as "Delete my account" on the
// account page (src/accounts/delete-with-grants.ts): the providers' grants are revoked where they can be,
// a failure answered and audited, never blocking the deletion. Running it again for an account already gone finishes
// whatever a crash left and answers `deleted: false`. The answer names the tombstone id the audit log
// now knows the account by (src/audit/forget-account.ts).

import type { Router } from 'express';
import { deleteAccountAndGrants } from '../accounts/delete-with-grants.ts';
import { tombstoneId } from '../audit/forget-account.ts';
import { principalOf, requireOperator } from './auth.ts';
import type { AdminContext } from './context.ts';

export function accountRoutes(router: Router, ctx: AdminContext): void {
  router.delete('/accounts/:account', requireOperator, async (req, res) => {
    const account = req.params.account as string;
    const { deleted, swept, upstream } = await deleteAccountAndGrants(ctx, account, principalOf(res).actor);
    ctx.log.info({ account, deleted: deleted !== undefined, swept, upstream }, 'account deleted by the operator');
    res.json({
      account,
      deleted: deleted !== undefined,
      partnersTold: Object.keys(deleted?.shops ?? {}).length,
      auditAccount: tombstoneId(account),
      upstream,
    });
  });
}
