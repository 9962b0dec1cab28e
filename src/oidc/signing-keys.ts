// The ID token signing keys of a running gateway: loaded from the Store (created at first start, the
// single key of older versions upgraded), rotated on request or on schedule, previous keys removed once
// their tokens have expired. Every change is one atomic write with its audit entry, and is handed to
// the listeners (the OpenID Provider is rebuilt with the new JWKS, src/oidc/provider-host.ts). Several
// instances share the stored set: each ring watches the document (store.watch: another instance's
// rotation arrives within a second) and `refresh` re-reads it as a safety net; removal and scheduled
// rotation (`maintain`) run on one instance at a time (src/main.ts, store.exclusive). Key material is
// never logged or shown: only `kid`s and dates leave this module, except towards oidc-provider.

import type { Config } from '../../config/load-config.ts';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Clock, EpochMs } from '../clock.ts';
import { auditedUpdate, type Actor } from '../audit/audit.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { initialKeySet, keyViews, providerJwks, prune, rotate, rotationDue, type KeyPolicy, type KeySet, type KeyView, type StoredKey } from './key-stages.ts';
import { loadOrCreate, type SigningKeys } from './secrets.ts';
import { SIGNED_TOKEN_MAX_TTL_SECONDS } from './token-lifetimes.ts';

const DOC = 'signing-keys';
const SCHEDULE: Actor = { kind: 'system', id: 'key-schedule' };

export interface SigningKeyRingDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  policy: KeyPolicy;
}

/** The stored document of versions before staged rotation: one key, forever. */
interface LegacyKeys {
  keys: JWK[];
  version?: undefined;
}

/** A fresh RS256 key, its `kid` the JWK thumbprint. */
export async function generateSigningKey(now: EpochMs): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = 'RS256';
  jwk.use = 'sig';
  return { kid: jwk.kid, jwk, createdAt: now };
}

/** Which key is in which stage, for audit entries. */
function stages(set: KeySet): { current: string; next: string; previous: string[] } {
  return { current: set.current.kid, next: set.next.kid, previous: set.previous.map((k) => k.kid) };
}

/** The key an audit entry is about: the one that starts signing, or the ones removed (space-separated). */
function targetKey(action: 'key.rotate' | 'key.remove', before: KeySet, after: KeySet): string {
  if (action === 'key.rotate') return after.current.kid;
  const kept = new Set(after.previous.map((k) => k.kid));
  return before.previous
    .filter((k) => !kept.has(k.kid))
    .map((k) => k.kid)
    .join(' ');
}

/** Thrown inside an update when another gateway already did the work: the write is abandoned. */
class NothingToDo extends Error {}

export class SigningKeyRing {
  readonly policy: KeyPolicy;
  readonly #deps: SigningKeyRingDeps;
  #set: KeySet;
  readonly #listeners: ((keys: SigningKeys) => void)[] = [];
  readonly #unwatch: () => void;
  /** The re-read in progress, if any (change notifications may come in bursts). */
  #refreshing: Promise<void> | undefined;
  #refreshAgain = false;

  private constructor(deps: SigningKeyRingDeps, set: KeySet) {
    this.#deps = deps;
    this.policy = deps.policy;
    this.#set = set;
    this.#unwatch = deps.store.watch('secrets', (id) => {
      if (id !== DOC && id !== undefined) return; // undefined: changes may have been missed
      this.refresh().catch((err: Error) => deps.log.warn({ err: { message: err.message } }, 'could not re-read the signing keys'));
    });
  }

  /**
   * Re-reads the stored key set and adopts it when it changed (a rotation or removal by another
   * instance). Called on every change notification and periodically (src/main.ts).
   */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      try {
        do {
          this.#refreshAgain = false;
          const stored = await this.#deps.store.get<KeySet>('secrets', DOC);
          if (stored && stored.version !== undefined && stored.version > this.#set.version) this.#adopt(stored);
        } while (this.#refreshAgain);
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /** Stops watching the store (the gateway is shutting down). */
  close(): void {
    this.#unwatch();
  }

  static async open(deps: SigningKeyRingDeps): Promise<SigningKeyRing> {
    const { store, clock } = deps;
    const stored = await loadOrCreate<KeySet | LegacyKeys>(store, DOC, async () => {
      const now = clock.now();
      return initialKeySet(now, await generateSigningKey(now), await generateSigningKey(now));
    });
    if (stored.version !== undefined) return new SigningKeyRing(deps, stored);
    // A single key from before staged rotation: it stays the current key; a next key joins it.
    const now = clock.now();
    const next = await generateSigningKey(now);
    const upgraded = await store.update<KeySet | LegacyKeys>('secrets', DOC, (doc) => {
      if (doc.version !== undefined) return { ...doc };
      const [first, ...rest] = doc.keys;
      const asStored = (jwk: JWK): StoredKey => ({ kid: String(jwk.kid), jwk, createdAt: now });
      return { ...initialKeySet(now, asStored(first!), next), previous: rest.map((jwk) => ({ ...asStored(jwk), retiredAt: now })) };
    });
    return new SigningKeyRing(deps, upgraded as KeySet);
  }

  /** The JWKS for oidc-provider: current key first (it signs), then next and previous keys. */
  jwks(): SigningKeys {
    return providerJwks(this.#set);
  }

  views(): KeyView[] {
    return keyViews(this.#set, this.policy);
  }

  /** Called with the new JWKS whenever the keys change (here or, seen by `maintain`, on another gateway). */
  onChange(listener: (keys: SigningKeys) => void): void {
    this.#listeners.push(listener);
  }

  /** Promotes the next key (see key-stages.ts `rotate`); audited as `key.rotate`. */
  async rotate(actor: Actor, options: { force?: boolean } = {}): Promise<KeyView[]> {
    const { clock } = this.#deps;
    const fresh = await generateSigningKey(clock.now());
    await this.#write(actor, 'key.rotate', (set) => rotate(set, clock.now(), this.policy, fresh, options.force === true));
    return this.views();
  }

  /**
   * The periodic sweep: adopts keys another gateway changed, removes previous keys whose tokens have all
   * expired (`key.remove`), and rotates when the schedule says so (`key.rotate` by the system).
   */
  async maintain(): Promise<void> {
    const { clock } = this.#deps;
    await this.refresh();
    if (prune(this.#set, clock.now(), this.policy).removed.length > 0) {
      await this.#write(SCHEDULE, 'key.remove', (set) => {
        const { set: pruned, removed } = prune(set, clock.now(), this.policy);
        if (removed.length === 0) throw new NothingToDo();
        return pruned;
      });
    }
    if (rotationDue(this.#set, clock.now(), this.policy)) {
      const fresh = await generateSigningKey(clock.now());
      await this.#write(SCHEDULE, 'key.rotate', (set) => {
        if (!rotationDue(set, clock.now(), this.policy)) throw new NothingToDo();
        return rotate(set, clock.now(), this.policy, fresh);
      });
    }
  }

  /** One atomic write of the key set with its audit entry; then every listener gets the new JWKS. */
  async #write(actor: Actor, action: 'key.rotate' | 'key.remove', change: (set: KeySet) => KeySet): Promise<void> {
    const { store, clock } = this.#deps;
    let after: KeySet;
    try {
      after = await auditedUpdate<KeySet, { before: KeySet; after: KeySet }>(
        store,
        clock,
        'secrets',
        DOC,
        (set) => {
          const next = change(set);
          return { next, seen: { before: set, after: next } };
        },
        (s) => ({ actor, action, target: { key: targetKey(action, s.before, s.after) }, before: stages(s.before), after: stages(s.after) }),
      ).then((s) => s.after);
    } catch (err) {
      if (!(err instanceof NothingToDo)) throw err;
      await this.refresh();
      return;
    }
    this.#adopt(after);
  }

  #adopt(set: KeySet): void {
    const was = this.#set;
    if (set.version <= was.version) return; // already adopted (our own write, heard back through watch)
    this.#set = set;
    this.#deps.log.info(
      { signingKey: set.current.kid, nextKey: set.next.kid, previousKeys: set.previous.map((k) => k.kid), replaced: was.current.kid },
      'signing keys changed',
    );
    const keys = this.jwks();
    for (const listener of this.#listeners) listener(keys);
  }
}

/** The key policy of a configuration: retention follows the token lifetimes (src/oidc/token-lifetimes.ts). */
export function keyPolicy(config: Pick<Config, 'keys'>): KeyPolicy {
  return {
    publishLeadMs: config.keys.publishLeadSeconds * 1000,
    retentionMs: SIGNED_TOKEN_MAX_TTL_SECONDS * 1000,
    rotateEveryMs: config.keys.rotationDays === undefined ? undefined : config.keys.rotationDays * 24 * 3600 * 1000,
  };
}
