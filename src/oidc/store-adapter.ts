// oidc-provider's storage adapter over the Store: every artifact (sessions, interactions, codes, tokens,
// grants) is one document in the ephemeral `oidc` collection with its expiry; `Client` reads the
// partners' clients from the domain store.
// Single use: oidc-provider reads a code or refresh token, checks `consumed`, and only later calls
// `consume`, so concurrent redemptions (on one instance or several) could all pass its check. `consume`
// therefore marks the artifact in one atomic store update that refuses when it is already marked: the
// loser gets `invalid_grant`, and the grant is revoked as oidc-provider does for a reuse it sees itself.
// Replay detection (client assertion and DPoP proof `jti`s) likewise: oidc-provider looks the `jti` up and
// then saves it, so the save is an insert-if-absent that refuses the second of two concurrent uses.

import type { IncomingMessage } from 'node:http';
import Provider, { errors, type AdapterPayload } from 'oidc-provider';
import type { Clock } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import { copyJson } from '../store/copy-json.ts';
import type { Store } from '../store/store.ts';
import type { Partner } from '../partners/partner.ts';
import { clientMetadata } from './client-metadata.ts';
import { interactionInRequest } from './interaction-in-request.ts';

interface OidcDoc {
  model: string;
  payload: AdapterPayload;
  /** Sessions: the domain-clock instant of the login (oidc-provider keeps real-time seconds only). */
  loginAt?: number;
}

/** When the session with this uid signed in, on the domain clock (drives cutoff policies). */
export async function sessionLoginAt(store: Store, sessionUid: string | undefined): Promise<number | undefined> {
  if (!sessionUid) return undefined;
  const [doc] = await store.find<OidcDoc>('oidc', 'uid', `Session:${sessionUid}`);
  return doc?.loginAt;
}

/**
 * Artifacts of a sign-in in progress live in the volatile collection (never journaled by the embedded
 * store: a crash only restarts logins in progress); those that outlive a sign-in are durable.
 */
const VOLATILE_MODELS = new Set(['Interaction', 'AuthorizationCode', 'PushedAuthorizationRequest', 'ReplayDetection', 'BackchannelAuthenticationRequest']);
export const OIDC_COLLECTIONS = ['oidc', 'oidc_volatile'] as const;

/** The payload oidc-provider may mutate: the document's own when the store handed out a fresh copy. */
function payloadOf(doc: OidcDoc | undefined): AdapterPayload | undefined {
  if (!doc) return undefined;
  return Object.isFrozen(doc) ? copyJson(doc.payload) : doc.payload;
}

export function createStoreAdapter(store: Store, clock: Clock) {
  return class StoreAdapter {
    readonly model: string;
    readonly collection: string;
    constructor(model: string) {
      this.model = model;
      this.collection = VOLATILE_MODELS.has(model) ? 'oidc_volatile' : 'oidc';
    }

    #id(id: string): string {
      return `${this.model}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      if (this.model === 'Client') throw new TypeError('clients are managed through partners, not oidc-provider');
      const expiresAt = expiresIn ? clock.now() + expiresIn * 1000 : undefined;
      const doc: OidcDoc = { model: this.model, payload };
      if (this.model === 'Session' && payload.accountId) {
        // A session keeps its login instant until it logs in again (a new loginTs). Its previous version is
        // the document under this same id: at a login oidc-provider rotates the id and destroys the old
        // document before saving the new one (Session#save), so a lookup by uid could find nothing more —
        // and a read by id is the primary key, not the uid index. Under an id oidc-provider has just made
        // there is no previous version to read.
        const previous = freshSessionId(id) ? undefined : await store.get<OidcDoc>('oidc', this.#id(id));
        const same = previous && previous.payload.loginTs === payload.loginTs && previous.payload.accountId === payload.accountId;
        doc.loginAt = same && previous.loginAt !== undefined ? previous.loginAt : clock.now();
      }
      const options = expiresAt === undefined ? {} : { expiresAt };
      if (this.model === 'ReplayDetection') return insertIfAbsent(store, this.collection, this.#id(id), doc, options);
      await store.put<OidcDoc>(this.collection, this.#id(id), doc, options);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return findClient(store, id);
      // Finished by this very request and resumed in place: kept on the request, not written (interaction-in-request.ts).
      const kept = this.model === 'Interaction' ? interactionInRequest.get(runningRequest(), id) : undefined;
      if (kept) return kept;
      return payloadOf(await store.get<OidcDoc>(this.collection, this.#id(id)));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const [doc] = await store.find<OidcDoc>(this.collection, 'uid', `${this.model}:${uid}`);
      return payloadOf(doc);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const [doc] = await store.find<OidcDoc>(this.collection, 'userCode', `${this.model}:${userCode}`);
      return payloadOf(doc);
    }

    /** Marks the artifact used, unless another redemption already did (then `invalid_grant`, grant revoked). */
    async consume(id: string): Promise<void> {
      const now = Math.floor(clock.now() / 1000);
      let reused: OidcDoc | undefined;
      try {
        await store.update<OidcDoc>(this.collection, this.#id(id), (doc) => {
          if (doc.payload.consumed) {
            reused = doc;
            throw new AlreadyConsumed();
          }
          return { ...doc, payload: { ...doc.payload, consumed: now } };
        });
      } catch (err) {
        if (err instanceof AlreadyConsumed) {
          await this.#refuseReuse(id, reused?.payload.grantId);
          throw new errors.InvalidGrant(`${labelOf(this.model)} already used`);
        }
        if (!(err instanceof GatewayError && err.code === 'ERR_NOT_FOUND')) throw err;
        // Gone meanwhile (revoked, or taken by a reuse elsewhere): nothing may be issued from it.
        throw new errors.InvalidGrant(`${labelOf(this.model)} not found`);
      }
    }

    /**
     * A reuse caught by `consume`: what oidc-provider does when it sees `consumed` itself (the refresh
     * token destroyed, every token of its grant and the grant revoked).
     */
    async #refuseReuse(id: string, grantId: string | undefined): Promise<void> {
      await store.delete(this.collection, this.#id(id));
      if (grantId) await revokeGrant(store, grantId);
    }

    async destroy(id: string): Promise<void> {
      if (this.model === 'Interaction') interactionInRequest.forget(runningRequest(), id);
      await store.delete(this.collection, this.#id(id));
    }

    /** Deletes this model's artifacts of the grant (oidc-provider calls it once per token model). */
    async revokeByGrantId(grantId: string): Promise<void> {
      const docs = (await store.list<OidcDoc>(this.collection, { index: { name: 'grantId', key: grantId } })).filter((d) => d.value.model === this.model);
      if (docs.length) await store.batch(docs.map((d) => ({ op: 'delete' as const, collection: this.collection, id: d.id })));
    }
  };
}

/** What the adapter reads of oidc-provider's request context (not in its type declarations). */
interface RunningContext {
  req?: IncomingMessage;
  oidc?: { entities?: { Session?: { jti?: string; new?: boolean; oldId?: string } } };
}

/** The context of the request oidc-provider is serving (its own async context), if any. */
function running(): RunningContext | undefined {
  return (Provider as unknown as { ctx?: RunningContext }).ctx;
}

/** The request oidc-provider is serving, if any. */
function runningRequest(): IncomingMessage | undefined {
  return running()?.req;
}

/**
 * Whether oidc-provider is saving its request's session under an id it has just made: a session new to
 * this browser, or one whose id it rotated at a login (resume.js; the old document is destroyed first).
 * Either id is fresh randomness, so nothing is stored under it yet.
 */
function freshSessionId(id: string): boolean {
  const session = running()?.oidc?.entities?.Session;
  return session?.jti === id && (session.new === true || session.oldId !== undefined);
}

/** A `jti` seen once: stored only if absent; a concurrent second use is refused as oidc-provider refuses a replay. */
async function insertIfAbsent(store: Store, collection: string, id: string, doc: OidcDoc, options: { expiresAt?: number }): Promise<void> {
  try {
    await store.create<OidcDoc>(collection, id, doc, options);
  } catch (err) {
    if (!(err instanceof GatewayError && err.code === 'ERR_ALREADY_EXISTS')) throw err;
    // The request being served says which `jti` this was: a DPoP proof's when it carries one, else a client assertion's.
    const ctx = (Provider as unknown as { ctx?: { get(name: string): string } }).ctx;
    throw ctx?.get('dpop')
      ? new errors.InvalidDpopProof('DPoP proof JWT Replay detected')
      : new errors.InvalidClientAuth('client assertion tokens must only be used once');
  }
}

/** How oidc-provider names a single-use artifact in its errors. */
const labelOf = (model: string): string => model.replace(/[A-Z]/g, (c, at: number) => `${at ? ' ' : ''}${c.toLowerCase()}`);

/** Thrown inside `consume`'s update to abandon it. */
class AlreadyConsumed extends Error {}

/** Deletes every artifact of a grant (codes, tokens) and the grant itself. */
async function revokeGrant(store: Store, grantId: string): Promise<void> {
  for (const collection of OIDC_COLLECTIONS) {
    const docs = await store.list<OidcDoc>(collection, { index: { name: 'grantId', key: grantId } });
    if (docs.length) await store.batch(docs.map((d) => ({ op: 'delete' as const, collection, id: d.id })));
  }
  await store.delete('oidc', `Grant:${grantId}`);
}

/**
 * Client metadata per partner document: oidc-provider looks a client up several times per sign-in.
 * `partners` is a `cached` collection (src/store/store.ts): every backend hands out a frozen document
 * that stays the same object until the partner changes (postgres: its per-process copy, refreshed on
 * change notifications), so the metadata is built once per version of the partner and a change, on any
 * instance, is a new object and a miss here.
 */
const metadataByPartner = new WeakMap<Partner, Map<string, Readonly<Record<string, unknown>> | undefined>>();

async function findClient(store: Store, clientId: string): Promise<AdapterPayload | undefined> {
  const hit = await store.findOne<Partner>('partners', 'clientId', clientId);
  if (!hit) return undefined;
  const partner = hit.value;
  let byClient = metadataByPartner.get(partner);
  if (byClient?.has(clientId)) return byClient.get(clientId);
  const client = partner.clients.find((c) => c.client_id === clientId);
  const metadata = client ? Object.freeze(clientMetadata(partner, client)) : undefined;
  if (!byClient) {
    byClient = new Map();
    metadataByPartner.set(partner, byClient);
  }
  byClient.set(clientId, metadata);
  return metadata;
}
