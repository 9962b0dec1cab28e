// Finds or creates the account for an upstream identity. The first sign-in with an identity creates
// the account in one atomic write (account and identity keys together: no half-created account); later
// sign-ins with the same (provider, subject) find it. Usage stamps are coarse (hourly) so repeated
// logins do not write on every request.

import { randomUUID } from 'node:crypto';
import type { Clock, EpochMs } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { KnownProfile, UpstreamIdentity } from '../../providers/contract.ts';
import type { Account, LinkedIdentity } from './account.ts';
import { httpUrl, withNormalisedUrls } from '../../providers/shared/profile-fields.ts';

const STAMP_GRANULARITY_MS = 60 * 60 * 1000;
/** A provider profile (name, avatar) fetched this recently is reused instead of asked again. */
export const PROFILE_FRESH_MS = 24 * 60 * 60 * 1000;

/** The display data of a linked identity when it was fetched within PROFILE_FRESH_MS (see KnownProfile). */
export async function knownProfile(store: Store, clock: Clock, keys: readonly string[]): Promise<KnownProfile | undefined> {
  const account = await findAccountByIdentity(store, keys);
  const identity = account?.identities.find((i) => i.keys.some((k) => keys.includes(k)));
  if (!identity?.profileAt || clock.now() - identity.profileAt >= PROFILE_FRESH_MS) return undefined;
  return { displayName: identity.displayName, ...(identity.avatar ? { avatar: identity.avatar } : {}) };
}

export async function findAccountByIdentity(store: Store, keys: readonly string[]): Promise<Account | undefined> {
  for (const key of keys) {
    const hit = await store.findOne<Account>('accounts', 'identity', key);
    if (hit) return hit.value;
  }
  return undefined;
}

/** The account, its provider-supplied URLs normalised (documents written before the normaliser existed). */
export async function getAccount(store: Store, id: string): Promise<Account | undefined> {
  const account = await store.get<Account>('accounts', id);
  return account ? normalisedAccount(account) : undefined;
}

/** An account document with its provider-supplied URLs normalised (see getAccount). */
export function normalisedAccount(account: Account): Account {
  const { picture, ...profile } = account.profile;
  const safe = httpUrl(picture);
  return {
    ...account,
    profile: safe ? { ...profile, picture: safe } : profile,
    identities: account.identities.map((i) => withNormalisedUrls(i)),
  };
}

export interface SignInResult {
  account: Account;
  created: boolean;
}

export async function signInWithIdentity(
  store: Store,
  clock: Clock,
  identity: UpstreamIdentity,
  partnerId: string | undefined,
  options: { mayCreate: boolean; seal?: () => Promise<string | undefined>; found?: Account | null } = { mayCreate: true },
): Promise<SignInResult> {
  identity = withNormalisedUrls(identity);
  const now = clock.now();
  // `found`: the caller looked the identity up in this same request (null: no account holds it).
  const existing = options.found !== undefined ? (options.found ?? undefined) : await findAccountByIdentity(store, identity.keys);
  if (existing) {
    return { account: await touch(store, existing, identity, partnerId, now, options.seal), created: false };
  }
  if (!options.mayCreate) {
    throw new GatewayError('ERR_NEW_ACCOUNTS_CLOSED', `new accounts through ${identity.provider} are closed here`, { status: 403 });
  }
  const account: Account = {
    id: randomUUID(),
    createdAt: now,
    identities: [linked(identity, now, await options.seal?.())],
    profile: { name: identity.displayName, ...(identity.avatar ? { picture: identity.avatar } : {}), ...(identity.locale ? { locale: identity.locale } : {}) },
    shops: partnerId ? { [partnerId]: { firstAt: now, lastAt: now, lastProvider: identity.provider } } : {},
  };
  try {
    await store.create('accounts', account.id, account);
    return { account, created: true };
  } catch (err) {
    // Two first sign-ins with one identity at the same moment: the unique index lets one create.
    if (err instanceof GatewayError && err.code === 'ERR_CONFLICT') {
      const winner = await findAccountByIdentity(store, identity.keys);
      if (winner) return { account: await touch(store, winner, identity, partnerId, now, options.seal), created: false };
    }
    throw err;
  }
}

export function linked(identity: UpstreamIdentity, now: EpochMs, sealedToken?: string): LinkedIdentity {
  return {
    provider: identity.provider,
    subject: identity.subject,
    keys: [...identity.keys],
    displayName: identity.displayName,
    ...(identity.avatar ? { avatar: identity.avatar } : {}),
    linkedAt: now,
    lastUsedAt: now,
    ...(identity.profileFromCache ? {} : { profileAt: now }),
    ...(sealedToken ? { upstreamToken: sealedToken } : {}),
  };
}

/** Records use of the identity and the shop, and picks up new keys (e.g. a unionid granted later). */
async function touch(
  store: Store,
  account: Account,
  identity: UpstreamIdentity,
  partnerId: string | undefined,
  now: EpochMs,
  seal: (() => Promise<string | undefined>) | undefined,
): Promise<Account> {
  const index = account.identities.findIndex((i) => i.provider === identity.provider && i.keys.some((k) => identity.keys.includes(k)));
  const current = account.identities[index];
  const shop = partnerId ? account.shops[partnerId] : undefined;
  const newKeys = current ? identity.keys.filter((k) => !current.keys.includes(k)) : [];
  const stale = (t: EpochMs | undefined) => t === undefined || now - t >= STAMP_GRANULARITY_MS;
  // The upstream token is sealed (an encryption) only when the identity has none stored yet.
  const sealedToken = current && current.upstreamToken === undefined ? await seal?.() : undefined;
  const needsWrite =
    !current ||
    newKeys.length > 0 ||
    (!identity.profileFromCache && (current.displayName !== identity.displayName || current.avatar !== identity.avatar || stale(current.profileAt))) ||
    stale(current.lastUsedAt) ||
    (sealedToken !== undefined && current.upstreamToken === undefined) ||
    (partnerId !== undefined && (stale(shop?.lastAt) || shop?.lastProvider !== identity.provider));
  if (!needsWrite) return account;
  try {
    return await store.update<Account>('accounts', account.id, (a) => {
      const identities = a.identities.map((i) =>
        i.provider === identity.provider && i.keys.some((k) => identity.keys.includes(k))
          ? {
              ...i,
              keys: [...new Set([...i.keys, ...identity.keys])],
              ...(identity.profileFromCache
                ? {}
                : { displayName: identity.displayName, ...(identity.avatar ? { avatar: identity.avatar } : {}), profileAt: now }),
              ...(sealedToken ? { upstreamToken: sealedToken } : {}),
              lastUsedAt: now,
            }
          : i,
      );
      const shops = { ...a.shops };
      if (partnerId) {
        const prev = shops[partnerId];
        shops[partnerId] = { firstAt: prev?.firstAt ?? now, lastAt: now, lastProvider: identity.provider };
      }
      return { ...a, identities, shops };
    });
  } catch (err) {
    // A new key already held by another account (a unionid clash) must not block sign-in.
    if (err instanceof GatewayError && err.code === 'ERR_CONFLICT') return account;
    throw err;
  }
}
