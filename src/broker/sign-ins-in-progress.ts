// The bookkeeping of sign-ins in progress (oidc-provider interactions not yet resumed) per browser and
// per IP address, and of the upstream flows each has started. It decides, and the caller carries out
// (src/broker/sign-in-admission.ts): a browser past its cap loses its oldest sign-ins; an address past
// its cap gets no new one; a sign-in past its flow cap loses its oldest flows, and so does an account
// linking from its account page (flows without a sign-in). A sign-in stops counting when it ends
// (resumed at /auth/<uid>) or expires.
// Kept in the Store (the volatile `signins` collection), so every instance counts the same sign-ins:
// the address's, the browser's and each sign-in's flows are capped lists (Store.addToList(s): check and
// add in one atomic step, one statement on PostgreSQL, so instances cannot together admit past the cap;
// a new sign-in is added to its address's and its browser's lists, and the flow it starts at once to its
// flows, in one such step).
// Every entry expires with its sign-in or flow, and every list with its latest entry. A sign-in ends in
// a request of the browser that started it, so it is taken out of that request's address and browser
// lists: a shopper whose address changed in the middle of a sign-in leaves its entry in the old
// address's list until the sign-in would have expired (a place of the cap held a little longer).
// An address refused here is remembered in this process for a few seconds (`refusedRecently`), so that
// an address flooding the authorization endpoint is turned away before any work, while a normal sign-in
// costs no read for the check: the first refusal on each instance still goes through the admission.

import type { Clock, EpochMs } from '../clock.ts';
import type { Store } from '../store/store.ts';
import type { AddToListOptions, CappedList, ListAddition, ListEntry } from '../store/capped-list.ts';

export const SIGNINS_COLLECTION = 'signins';

export interface SignInLimits {
  /** Sign-ins in progress one browser (binding cookie) may hold; a new one drops the oldest. */
  perBrowser: number;
  /** Sign-ins in progress from one address; past it new ones are refused. */
  perIp: number;
  /** Upstream flows one sign-in may hold; a new one drops the oldest. */
  flowsPerSignIn: number;
}

/** Where a sign-in is counted: the address and browser (binding hash) of the request that started or ends it. */
export interface SignInPlace {
  ip: string;
  /** Undefined when the ending request carries no binding cookie (the browser's list then keeps the entry until it expires). */
  browser: string | undefined;
}

/** A sign-in dropped to make room for a newer one of its browser, with the flows it had started. */
export interface DroppedSignIn {
  uid: string;
  flows: string[];
}

export type Admission = { admitted: true; dropped: DroppedSignIn[] } | { admitted: false };

const ipId = (ip: string) => `ip:${ip}`;
const browserId = (browser: string) => `browser:${browser}`;
const flowsId = (uid: string) => `flows:${uid}`;

/** How long this process turns a refused address away without asking the store. */
export const REFUSAL_REMEMBERED_MS = 5_000;
/** Past this many remembered addresses, the ones whose time is up are forgotten first. */
const REMEMBERED_MAX = 10_000;

export class SignInsInProgress {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #limits: SignInLimits;
  /** Addresses refused by this process → until when they are turned away without asking the store. */
  readonly #refused = new Map<string, EpochMs>();

  constructor(deps: { store: Store; clock: Clock }, limits: SignInLimits) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#limits = limits;
  }

  /** Whether this process refused the address within the last REFUSAL_REMEMBERED_MS (no store read). */
  refusedRecently(ip: string): boolean {
    const until = this.#refused.get(ip);
    if (until === undefined) return false;
    if (until > this.#clock.now()) return true;
    this.#refused.delete(ip);
    return false;
  }

  #rememberRefusal(ip: string): void {
    const now = this.#clock.now();
    if (this.#refused.size >= REMEMBERED_MAX) for (const [key, until] of this.#refused) if (until <= now) this.#refused.delete(key);
    if (this.#refused.size < REMEMBERED_MAX) this.#refused.set(ip, now + REFUSAL_REMEMBERED_MS);
  }

  /**
   * Counts a new sign-in at its address and in its browser and, when it starts an upstream flow at once
   * (`firstFlow`), that flow among the sign-in's: one step, the later lists added to only when the
   * address admitted it. The sign-in's uid is new, so its flow list drops nothing.
   */
  async admit(uid: string, browser: string, ip: string, expiresAt: EpochMs, firstFlow?: ListEntry): Promise<Admission> {
    const entry = { key: uid, expiresAt };
    const [atAddress, inBrowser] = (await this.#store.addToLists(SIGNINS_COLLECTION, [
      { id: ipId(ip), entry, options: { cap: this.#limits.perIp, whenFull: 'refuse' } },
      { id: browserId(browser), entry, options: { cap: this.#limits.perBrowser, whenFull: 'dropOldest' } },
      ...(firstFlow ? [{ id: flowsId(uid), entry: firstFlow, options: this.#flowCap }] : []),
    ])) as [ListAddition, ListAddition];
    if (!atAddress.added) {
      this.#rememberRefusal(ip);
      return { admitted: false };
    }
    this.#refused.delete(ip);
    const dropped: DroppedSignIn[] = [];
    for (const old of inBrowser.added ? inBrowser.dropped : []) {
      await this.ended(old.key, { ip, browser: undefined });
      const flows = await this.#store.take<CappedList>(SIGNINS_COLLECTION, flowsId(old.key));
      dropped.push({ uid: old.key, flows: (flows?.entries ?? []).map((e) => e.key) });
    }
    return { admitted: true, dropped };
  }

  /** Records a flow of the sign-in; returns the flows to delete (the oldest past the cap). */
  async flowStarted(uid: string, flowId: string, flowExpiresAt: EpochMs): Promise<string[]> {
    return this.#flowStarted(flowsId(uid), flowId, flowExpiresAt);
  }

  /** Records a link flow of an account (no sign-in); returns the flows to delete (the oldest past the cap). */
  async accountFlowStarted(accountId: string, flowId: string, flowExpiresAt: EpochMs): Promise<string[]> {
    return this.#flowStarted(`account:${accountId}`, flowId, flowExpiresAt);
  }

  get #flowCap(): AddToListOptions {
    return { cap: this.#limits.flowsPerSignIn, whenFull: 'dropOldest' };
  }

  async #flowStarted(listId: string, flowId: string, flowExpiresAt: EpochMs): Promise<string[]> {
    const entry = { key: flowId, expiresAt: flowExpiresAt };
    const added = await this.#store.addToList(SIGNINS_COLLECTION, listId, entry, this.#flowCap);
    return added.added ? added.dropped.map((e) => e.key) : [];
  }

  /** The sign-in ended (or was dropped): it no longer counts at the request's address and browser. */
  async ended(uid: string, place: SignInPlace): Promise<void> {
    const lists = [ipId(place.ip), ...(place.browser !== undefined ? [browserId(place.browser)] : [])];
    await this.#store.removeFromList(SIGNINS_COLLECTION, lists, uid);
  }
}
