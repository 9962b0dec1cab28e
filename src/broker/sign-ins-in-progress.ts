// The bookkeeping of sign-ins in progress (oidc-provider interactions not yet resumed) per browser and
// per IP address, and of the upstream flows each has started. It decides, and the caller carries out
// (src/broker/sign-in-admission.ts): a browser past its cap loses its oldest sign-ins; an address past
// its cap gets no new one; a sign-in past its flow cap loses its oldest flows, and so does an account
// linking from its account page (flows without a sign-in). A sign-in stops counting when it ends
// (resumed at /auth/<uid>) or expires.
// Kept in the Store, so every instance counts the same sign-ins, one document per sign-in (the volatile
// `signins` collection, `uid:<uid>`, expiring with it) found under the `ip` and `browser` indexes: no
// document is shared by the sign-ins of one address, so logins from one address (carrier-grade NAT) never
// queue on one row. Admitting writes the sign-in's document, then lists its address's: the oldest `perIp`
// (by admission time on the instance's clock, then its sequence, then uid) are in, a later one deletes
// itself and is refused; the browser's oldest past its cap are dropped, never the new one. Every instance
// orders the documents alike, so concurrent admissions on one clock never pass the cap; but an instance
// whose clock runs behind may place a new sign-in ahead of one admitted elsewhere just before, so an
// address holds never more than its cap plus the sign-ins admitted at that instant (within the
// difference of the instances' clocks). Flows are not copied here: the `flows`
// collection's `owner` index finds a sign-in's (or a linking account's) flows, and a finished flow
// (taken at its callback) stops counting. Per login on PostgreSQL: the address check at /auth, the
// write and two lists when admitting, one list per flow started, the take when it ends (six statements).

import type { Clock, EpochMs } from '../clock.ts';
import type { Store } from '../store/store.ts';

export const SIGNINS_COLLECTION = 'signins';
const FLOWS_COLLECTION = 'flows';

export interface SignInLimits {
  /** Sign-ins in progress one browser (binding cookie) may hold; a new one drops the oldest. */
  perBrowser: number;
  /** Sign-ins in progress from one address; past it new ones are refused. */
  perIp: number;
  /** Upstream flows one sign-in may hold; a new one drops the oldest. */
  flowsPerSignIn: number;
}

/** One sign-in in progress, as stored. */
export interface SignInEntry {
  uid: string;
  browser: string;
  ip: string;
  admittedAt: EpochMs;
  /** Orders the sign-ins one instance admits within one millisecond. */
  seq: number;
  expiresAt: EpochMs;
}

/** A sign-in dropped for its browser's newer ones, with the flows it had started (to delete). */
export interface DroppedSignIn extends SignInEntry {
  flows: string[];
}

/** What the bookkeeping reads of a flow (src/broker/flow.ts). */
interface OwnedFlow {
  id: string;
  createdAt: EpochMs;
}

export type Admission = { admitted: true; dropped: DroppedSignIn[] } | { admitted: false };

const uidId = (uid: string) => `uid:${uid}`;

/** Oldest first: by admission (or creation) time, then sequence, then id, so every instance orders ties alike. */
function olderFirst(a: { at: EpochMs; seq: number; id: string }, b: { at: EpochMs; seq: number; id: string }): number {
  return a.at - b.at || a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
const oldestSignInFirst = (a: SignInEntry, b: SignInEntry) =>
  olderFirst({ at: a.admittedAt, seq: a.seq, id: a.uid }, { at: b.admittedAt, seq: b.seq, id: b.uid });
const oldestFlowFirst = (a: OwnedFlow, b: OwnedFlow) => olderFirst({ at: a.createdAt, seq: 0, id: a.id }, { at: b.createdAt, seq: 0, id: b.id });

export class SignInsInProgress {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #limits: SignInLimits;
  #admitted = 0;

  constructor(deps: { store: Store; clock: Clock }, limits: SignInLimits) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#limits = limits;
  }

  /** Whether the address already has as many sign-ins in progress as it may. */
  async full(ip: string): Promise<boolean> {
    const live = await this.#store.list(SIGNINS_COLLECTION, { index: { name: 'ip', key: ip }, limit: this.#limits.perIp });
    return live.length >= this.#limits.perIp;
  }

  async admit(uid: string, browser: string, ip: string, expiresAt: EpochMs): Promise<Admission> {
    const entry: SignInEntry = { uid, browser, ip, admittedAt: this.#clock.now(), seq: this.#admitted++, expiresAt };
    await this.#store.put<SignInEntry>(SIGNINS_COLLECTION, uidId(uid), entry, { expiresAt });
    const atAddress = (await this.#store.find<SignInEntry>(SIGNINS_COLLECTION, 'ip', ip)).sort(oldestSignInFirst);
    const rank = atAddress.findIndex((e) => e.uid === uid);
    if (rank >= this.#limits.perIp) {
      await this.#store.delete(SIGNINS_COLLECTION, uidId(uid));
      return { admitted: false };
    }
    // The new sign-in stays; the browser's others keep their newest places left.
    const others = (await this.#store.find<SignInEntry>(SIGNINS_COLLECTION, 'browser', browser)).filter((e) => e.uid !== uid).sort(oldestSignInFirst);
    const past = others.slice(0, Math.max(0, others.length - (this.#limits.perBrowser - 1)));
    const dropped: DroppedSignIn[] = [];
    for (const old of past) {
      const ended = await this.ended(old.uid);
      if (ended) dropped.push({ ...ended, flows: (await this.#flowsOf(`signin:${old.uid}`)).map((f) => f.id) });
    }
    return { admitted: true, dropped };
  }

  /** Told after the sign-in's flow is stored; returns the flows to delete (the oldest past the cap). */
  async flowStarted(uid: string, flowId: string): Promise<string[]> {
    return this.#pastCap(`signin:${uid}`, flowId);
  }

  /** Told after an account's link flow (no sign-in) is stored; returns the flows to delete (the oldest past the cap). */
  async accountFlowStarted(accountId: string, flowId: string): Promise<string[]> {
    return this.#pastCap(`account:${accountId}`, flowId);
  }

  /** The sign-in ended (or was dropped): it no longer counts. Returns what it was, if it was counted. */
  async ended(uid: string): Promise<SignInEntry | undefined> {
    return this.#store.take<SignInEntry>(SIGNINS_COLLECTION, uidId(uid));
  }

  /** The new flow stays; the owner's others keep their newest places left. */
  async #pastCap(owner: string, started: string): Promise<string[]> {
    const others = (await this.#flowsOf(owner)).filter((f) => f.id !== started);
    return others.slice(0, Math.max(0, others.length - (this.#limits.flowsPerSignIn - 1))).map((f) => f.id);
  }

  /** The owner's stored flows, oldest first. */
  async #flowsOf(owner: string): Promise<OwnedFlow[]> {
    return (await this.#store.find<OwnedFlow>(FLOWS_COLLECTION, 'owner', owner)).sort(oldestFlowFirst);
  }
}
