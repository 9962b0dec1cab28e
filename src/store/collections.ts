// Every collection Denglu keeps, its group and its indexes: the schema both store backends open with.

import type { CollectionSpec } from './store.ts';

export const COLLECTIONS: readonly CollectionSpec[] = [
  {
    name: 'partners',
    group: 'domain',
    indexes: { clientId: { unique: true, keys: (p) => p.clients.map((c: { client_id: string }) => c.client_id) } },
  },
  {
    name: 'accounts',
    group: 'domain',
    indexes: { identity: { unique: true, keys: (a) => a.identities.flatMap((i: { keys: string[] }) => i.keys) } },
  },
  /** Append-only audit log; ids sort by time. */
  {
    name: 'audit',
    group: 'domain',
    indexes: {
      partner: { keys: (e) => (e.target?.partner ? [e.target.partner] : []) },
      actor: { keys: (e) => [`${e.actor.kind}:${e.actor.id}`, e.actor.id] },
      account: { keys: (e) => (e.target?.account ? [e.target.account] : []) },
    },
  },
  /** Generated key material: signing keys, development cookie keys and pairwise salt. */
  { name: 'secrets', group: 'domain' },
  /** Partner managers of the admin API: name, partners, scrypt hash of their secret (never the secret). */
  { name: 'managers', group: 'domain' },
  /** oidc-provider artifacts, id `<Model>:<id>`. */
  {
    name: 'oidc',
    group: 'ephemeral',
    indexes: {
      uid: { keys: (d) => (d.payload.uid ? [`${d.model}:${d.payload.uid}`] : []) },
      userCode: { keys: (d) => (d.payload.userCode ? [`${d.model}:${d.payload.userCode}`] : []) },
      grantId: { keys: (d) => (d.payload.grantId ? [d.payload.grantId] : []) },
      account: { keys: (d) => (d.payload.accountId ? [d.payload.accountId] : []) },
    },
  },
  /** Upstream round trips in progress (state = id). */
  { name: 'flows', group: 'ephemeral' },
  /** Proven sign-ins waiting on the notice or migration page, by interaction uid. */
  { name: 'pending', group: 'ephemeral' },
];
