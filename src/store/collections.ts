// Every collection Denglu keeps, its group and its indexes: the schema both store backends open with.
// Collections that grow or churn are held as JSON text in memory (see CollectionSpec.heldAsText); the
// few small ones read on every request (partners, secrets, managers) are `cached`: frozen objects, and a
// per-process copy on a shared backend.

import type { CollectionSpec, IndexSpec } from './store.ts';

const OIDC_INDEXES: Record<string, IndexSpec> = {
  uid: { keys: (d) => (d.payload.uid ? [`${d.model}:${d.payload.uid}`] : []) },
  userCode: { keys: (d) => (d.payload.userCode ? [`${d.model}:${d.payload.userCode}`] : []) },
  grantId: { keys: (d) => (d.payload.grantId ? [d.payload.grantId] : []) },
  account: { keys: (d) => (d.payload.accountId ? [d.payload.accountId] : []) },
};

export const COLLECTIONS: readonly CollectionSpec[] = [
  {
    name: 'partners',
    group: 'domain',
    cached: true,
    indexes: { clientId: { unique: true, keys: (p) => p.clients.map((c: { client_id: string }) => c.client_id) } },
  },
  {
    name: 'accounts',
    group: 'domain',
    heldAsText: true,
    indexes: {
      identity: { unique: true, keys: (a) => a.identities.flatMap((i: { keys: string[] }) => i.keys) },
      /** The verified native email (normalised): one account per address. */
      email: { unique: true, keys: (a) => (a.native?.email && a.native.emailVerifiedAt !== undefined ? [a.native.email] : []) },
      /** The verified phone number (E.164): one account per number. */
      phone: { unique: true, keys: (a) => (a.phone?.number ? [a.phone.number] : []) },
    },
  },
  /** Append-only audit log; ids sort by time. */
  {
    name: 'audit',
    group: 'domain',
    heldAsText: true,
    indexes: {
      partner: { keys: (e) => (e.target?.partner ? [e.target.partner] : []) },
      actor: { keys: (e) => [`${e.actor.kind}:${e.actor.id}`, e.actor.id] },
      account: { keys: (e) => (e.target?.account ? [e.target.account] : []) },
    },
  },
  /** Generated key material: signing keys, development cookie keys and pairwise salt. */
  { name: 'secrets', group: 'domain', cached: true },
  /** Partner managers of the admin API: name, partners, scrypt hash of their secret (never the secret). */
  { name: 'managers', group: 'domain', cached: true },
  /** oidc-provider artifacts that outlive a sign-in (sessions, grants, tokens), id `<Model>:<id>`. */
  {
    name: 'oidc',
    group: 'ephemeral',
    heldAsText: true,
    indexes: OIDC_INDEXES,
  },
  /** oidc-provider artifacts of sign-ins in progress (interactions, codes), id `<Model>:<id>`. */
  {
    name: 'oidc_volatile',
    group: 'volatile',
    heldAsText: true,
    indexes: OIDC_INDEXES,
  },
  /** Upstream round trips in progress (state = id). */
  { name: 'flows', group: 'volatile', heldAsText: true },
  /** Proven sign-ins waiting on the notice or migration page, by interaction uid. */
  { name: 'pending', group: 'volatile', heldAsText: true },
  /** Sign-ins in progress per address and browser, and their flows (src/broker/sign-ins-in-progress.ts). */
  { name: 'signins', group: 'volatile', heldAsText: true },
  /** New upstream identities held while the shopper answers "have you signed in here before?", by interaction uid. */
  { name: 'unclaimed', group: 'volatile', heldAsText: true },
  /** Brute-force counters of password checks (src/accounts/brute-force.ts). */
  { name: 'throttle', group: 'ephemeral', heldAsText: true, indexes: { subject: { keys: (d) => (d.subject ? [d.subject] : []) } } },
  /** When each background job last started, so it runs once per period in the cluster (src/jobs/cluster-job.ts). */
  { name: 'jobs', group: 'domain' },
  /** Request-limit hit counters in fixed windows, shared by every instance (src/http/window-counter.ts). */
  { name: 'hits', group: 'ephemeral', heldAsText: true },
  /** Mailed single-use links, by SHA-256 of the token (src/accounts/native-tokens.ts). */
  { name: 'native_tokens', group: 'ephemeral', heldAsText: true, indexes: { account: { keys: (d) => [d.accountId] } } },
  /** Six-digit codes texted or mailed, by HMAC of their subject; the code itself only as an HMAC (src/accounts/verification-codes.ts). */
  { name: 'verification_codes', group: 'ephemeral', heldAsText: true },
  /** The sandbox outbox: mail kept instead of sent (src/mail/outbox.ts). */
  { name: 'outbox', group: 'ephemeral', heldAsText: true },
  /** Notice mail sent or being sent, one per (account, partner, provider), id `<account>|<partner>|<provider>` (src/notice-mail/). */
  { name: 'notice_mails', group: 'domain', heldAsText: true },
  /** How far the notice-mail job got through the accounts for each (partner, provider) notice, id `<partner>|<provider>`. */
  { name: 'notice_mail_runs', group: 'domain' },
  /** Admin page sessions, by SHA-256 of the session cookie; they expire after 8 hours. */
  { name: 'admin_sessions', group: 'ephemeral', heldAsText: true },
  /** Raw sign-in attempts, ids sorting by time, each expiring after the retention (src/events/recorder.ts; shared backends only by default). */
  { name: 'login_events', group: 'ephemeral', heldAsText: true },
  /** Sign-in attempts per (partner, UTC day) by method and outcome (src/events/login-days.ts). */
  { name: 'login_days', group: 'ephemeral', heldAsText: true, indexes: { partner: { keys: (d) => [d.partner] } } },
  /** Sign-in methods each account used at each shop, and when (src/events/shop-usage.ts): what the impact report reads. */
  { name: 'shop_usage', group: 'ephemeral', heldAsText: true, indexes: { partner: { keys: (d) => [d.partner] } } },
];
