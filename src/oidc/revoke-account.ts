// Ending an account's access after its password is reset or changed. A reset ends everything of the
// account: every Denglu session, grant, code and token. A change ends what was obtained with the old
// password (sessions with `amr` containing `pwd`, their grants, and tokens from them), except the
// session of the browser making the change.

import type { AdapterPayload } from 'oidc-provider';
import type { BatchOp, Store } from '../store/store.ts';
import { OIDC_COLLECTIONS } from './store-adapter.ts';

interface OidcDoc {
  model: string;
  payload: AdapterPayload;
}

export async function revokeAccountAccess(store: Store, accountId: string, only?: { amr: string; keepSession?: string }): Promise<number> {
  const docs = (
    await Promise.all(
      OIDC_COLLECTIONS.map(async (collection) =>
        (await store.list<OidcDoc>(collection, { index: { name: 'account', key: accountId } })).map((d) => ({ ...d, collection })),
      ),
    )
  ).flat();
  let doomed = docs;
  if (only) {
    const viaAmr = (p: AdapterPayload) => Array.isArray(p.amr) && p.amr.includes(only.amr);
    const sessions = new Set<string | undefined>();
    const grants = new Set<string | undefined>();
    for (const { value } of docs) {
      if (value.model !== 'Session' || !viaAmr(value.payload) || value.payload.uid === only.keepSession) continue;
      sessions.add(value.payload.uid);
      for (const auth of Object.values(value.payload.authorizations ?? {})) if (auth?.grantId) grants.add(auth.grantId);
    }
    doomed = docs.filter(({ value: { model, payload: p } }) => {
      if (model === 'Session') return sessions.has(p.uid);
      if (model === 'Grant') return grants.has(p.jti);
      return sessions.has(p.sessionUid) || grants.has(p.grantId) || (viaAmr(p) && p.sessionUid !== only.keepSession);
    });
  }
  // A batch stays within one collection group.
  const byCollection = new Map<string, BatchOp[]>();
  for (const { id, collection } of doomed) byCollection.set(collection, [...(byCollection.get(collection) ?? []), { op: 'delete', collection, id }]);
  for (const ops of byCollection.values()) await store.batch(ops);
  return doomed.length;
}
