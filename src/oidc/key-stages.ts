// The stages of the ID token signing keys, as pure functions of the stored key set and an instant:
// a **next** key is published in the JWKS before it signs, the **current** key signs, **previous** keys
// stay published (verification only) until every token they signed has expired, then go. A rotation
// promotes next → current → previous and adds a fresh next; it is refused while the next key is younger
// than the publish lead (shops caching the JWKS would meet a `kid` they cannot fetch yet) unless forced.

import type { JWK } from 'jose';
import { GatewayError } from '../errors.ts';
import type { EpochMs } from '../clock.ts';

export interface StoredKey {
  kid: string;
  /** The private JWK (RS256). Never leaves the store except into oidc-provider. */
  jwk: JWK;
  /** Published from this instant on. */
  createdAt: EpochMs;
  /** Signing from this instant on (current and previous keys). */
  activatedAt?: EpochMs;
  /** Stopped signing at this instant (previous keys). */
  retiredAt?: EpochMs;
}

export interface KeySet {
  /** Grows by one on every change, so each gateway sees when its copy is stale. */
  version: number;
  current: StoredKey;
  next: StoredKey;
  /** Newest first. */
  previous: StoredKey[];
}

export interface KeyPolicy {
  /** How long the next key is published before a rotation may make it sign. */
  publishLeadMs: number;
  /** How long a previous key stays published: the longest lifetime of a token it may have signed. */
  retentionMs: number;
  /** Rotate on a schedule when the current key has signed this long; undefined: only on request. */
  rotateEveryMs: number | undefined;
}

export type KeyStage = 'current' | 'next' | 'previous';

export function initialKeySet(now: EpochMs, current: StoredKey, next: StoredKey): KeySet {
  return { version: 1, current: { ...current, activatedAt: now }, next, previous: [] };
}

/** When the next key may start signing. */
export function nextSignsFrom(set: KeySet, policy: KeyPolicy): EpochMs {
  return set.next.createdAt + policy.publishLeadMs;
}

/**
 * next → current, current → previous, `fresh` becomes the next key. Throws ERR_CONFLICT (409) when the
 * next key has not been published for the lead yet, unless `force`.
 */
export function rotate(set: KeySet, now: EpochMs, policy: KeyPolicy, fresh: StoredKey, force = false): KeySet {
  const from = nextSignsFrom(set, policy);
  if (now < from && !force) {
    throw new GatewayError(
      'ERR_CONFLICT',
      `the next key ${set.next.kid} was published ${Math.floor((now - set.next.createdAt) / 1000)} s ago; it may sign from ${new Date(from).toISOString()} ` +
        '(KEY_PUBLISH_LEAD_SECONDS), so shops that cache the JWKS know it first. Rotate then, or force it (shops may fail to verify for a while)',
      { status: 409 },
    );
  }
  return {
    version: set.version + 1,
    current: { ...set.next, activatedAt: now },
    next: fresh,
    previous: [{ ...set.current, retiredAt: now }, ...set.previous],
  };
}

/** Previous keys whose last token has expired (retired at least the retention ago) are dropped. */
export function prune(set: KeySet, now: EpochMs, policy: KeyPolicy): { set: KeySet; removed: StoredKey[] } {
  const expired = (k: StoredKey) => now >= (k.retiredAt ?? 0) + policy.retentionMs;
  const removed = set.previous.filter(expired);
  if (removed.length === 0) return { set, removed };
  return { set: { ...set, version: set.version + 1, previous: set.previous.filter((k) => !expired(k)) }, removed };
}

/** A scheduled rotation is due: the current key has signed for the rotation period, and the next may sign. */
export function rotationDue(set: KeySet, now: EpochMs, policy: KeyPolicy): boolean {
  if (policy.rotateEveryMs === undefined) return false;
  return now >= (set.current.activatedAt ?? 0) + policy.rotateEveryMs && now >= nextSignsFrom(set, policy);
}

/**
 * The JWKS oidc-provider is built with (private keys). oidc-provider signs with the first suitable key,
 * so the current key comes first; the next and previous keys are published and verify, never sign.
 */
export function providerJwks(set: KeySet): { keys: JWK[] } {
  return { keys: [set.current, set.next, ...set.previous].map((k) => k.jwk) };
}

export interface KeyView {
  kid: string;
  stage: KeyStage;
  alg: string;
  createdAt: EpochMs;
  activatedAt?: EpochMs;
  retiredAt?: EpochMs;
  /** Next key: when a rotation may make it sign. */
  signsFrom?: EpochMs;
  /** Previous key: when it leaves the JWKS. */
  removedAt?: EpochMs;
}

/** What an operator may see of the keys: stages and dates, never key material. */
export function keyViews(set: KeySet, policy: KeyPolicy): KeyView[] {
  const view = (k: StoredKey, stage: KeyStage): KeyView => ({
    kid: k.kid,
    stage,
    alg: String(k.jwk.alg ?? 'RS256'),
    createdAt: k.createdAt,
    ...(k.activatedAt !== undefined ? { activatedAt: k.activatedAt } : {}),
    ...(k.retiredAt !== undefined ? { retiredAt: k.retiredAt, removedAt: k.retiredAt + policy.retentionMs } : {}),
    ...(stage === 'next' ? { signsFrom: nextSignsFrom(set, policy) } : {}),
  });
  return [view(set.next, 'next'), view(set.current, 'current'), ...set.previous.map((k) => view(k, 'previous'))];
}
