// The bookkeeping of sign-ins in progress (oidc-provider interactions not yet resumed) per browser and
// per IP address, and of the upstream flows each has started. It decides, and the caller carries out
// (src/broker/sign-in-admission.ts): a browser past its cap loses its oldest sign-ins; an address past
// its cap gets no new one; a sign-in past its flow cap loses its oldest flows, and so does an account
// linking from its account page (flows without a sign-in). A sign-in stops counting when it ends
// (resumed at /auth/<uid>) or expires.
// Kept in the Store (the volatile `signins` collection), so every instance counts the same sign-ins:
// the address's list is one document changed in one atomic update (check and add together, so instances
// cannot together admit more than the cap); the browser's list and each sign-in's flows likewise. Every
// document expires with the sign-ins it lists.

import type { Clock, EpochMs } from '../clock.ts';
import type { Store } from '../store/store.ts';
import { isStoreError, upsert } from '../store/upsert.ts';

export const SIGNINS_COLLECTION = 'signins';

export interface SignInLimits {
  /** Sign-ins in progress one browser (binding cookie) may hold; a new one drops the oldest. */
  perBrowser: number;
  /** Sign-ins in progress from one address; past it new ones are refused. */
  perIp: number;
  /** Upstream flows one sign-in may hold; a new one drops the oldest. */
  flowsPerSignIn: number;
}

export interface SignInEntry {
  uid: string;
  browser: string;
  ip: string;
  expiresAt: EpochMs;
  flows: string[];
}

/** The sign-ins of one address or browser, oldest first. */
interface Holder {
  entries: { uid: string; expiresAt: EpochMs }[];
}

/** How long an account's link flows are remembered (its flows expire in minutes anyway). */
const ACCOUNT_FLOWS_MS = 60 * 60 * 1000;

export type Admission = { admitted: true; dropped: SignInEntry[] } | { admitted: false };

/** Thrown inside the address's update to abandon it. */
class AddressFull extends Error {}

const ipId = (ip: string) => `ip:${ip}`;
const browserId = (browser: string) => `browser:${browser}`;
const uidId = (uid: string) => `uid:${uid}`;

export class SignInsInProgress {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #limits: SignInLimits;

  constructor(deps: { store: Store; clock: Clock }, limits: SignInLimits) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#limits = limits;
  }

  /** Whether the address already has as many sign-ins in progress as it may. */
  async full(ip: string): Promise<boolean> {
    const holder = await this.#store.get<Holder>(SIGNINS_COLLECTION, ipId(ip));
    return this.#live(holder).length >= this.#limits.perIp;
  }

  async admit(uid: string, browser: string, ip: string, expiresAt: EpochMs): Promise<Admission> {
    const entry = { uid, expiresAt };
    const expiry = { onCreate: { expiresAt }, onUpdate: { expiresAt } };
    try {
      await upsert<Holder>(
        this.#store,
        SIGNINS_COLLECTION,
        ipId(ip),
        (holder) => {
          const live = this.#live(holder);
          if (live.length >= this.#limits.perIp) throw new AddressFull();
          return { entries: [...live, entry] };
        },
        expiry,
      );
    } catch (err) {
      if (err instanceof AddressFull) return { admitted: false };
      throw err;
    }
    await this.#store.put<SignInEntry>(SIGNINS_COLLECTION, uidId(uid), { uid, browser, ip, expiresAt, flows: [] }, { expiresAt });
    let past: string[] = [];
    await upsert<Holder>(
      this.#store,
      SIGNINS_COLLECTION,
      browserId(browser),
      (holder) => {
        const entries = [...this.#live(holder), entry];
        past = entries.slice(0, Math.max(0, entries.length - this.#limits.perBrowser)).map((e) => e.uid);
        return { entries: entries.slice(past.length) };
      },
      expiry,
    );
    const dropped: SignInEntry[] = [];
    for (const old of past) {
      const ended = await this.ended(old);
      if (ended) dropped.push(ended);
    }
    return { admitted: true, dropped };
  }

  /** Records a flow of the sign-in; returns the flows to delete (the oldest past the cap). */
  async flowStarted(uid: string, flowId: string): Promise<string[]> {
    let past: string[] = [];
    try {
      await this.#store.update<SignInEntry>(SIGNINS_COLLECTION, uidId(uid), (e) => {
        const flows = [...e.flows, flowId];
        past = flows.slice(0, Math.max(0, flows.length - this.#limits.flowsPerSignIn));
        return { ...e, flows: flows.slice(past.length) };
      });
    } catch (err) {
      if (!isStoreError(err, 'ERR_NOT_FOUND')) throw err;
    }
    return past;
  }

  /** Records a link flow of an account (no sign-in); returns the flows to delete (the oldest past the cap). */
  async accountFlowStarted(accountId: string, flowId: string): Promise<string[]> {
    let past: string[] = [];
    const expiresAt = this.#clock.now() + ACCOUNT_FLOWS_MS;
    await upsert<{ flows: string[] }>(
      this.#store,
      SIGNINS_COLLECTION,
      `account:${accountId}`,
      (doc) => {
        const flows = [...(doc?.flows ?? []), flowId];
        past = flows.slice(0, Math.max(0, flows.length - this.#limits.flowsPerSignIn));
        return { flows: flows.slice(past.length) };
      },
      { onCreate: { expiresAt }, onUpdate: { expiresAt } },
    );
    return past;
  }

  /** The sign-in ended (or was dropped): it no longer counts. Returns what it held, if it was counted. */
  async ended(uid: string): Promise<SignInEntry | undefined> {
    const entry = await this.#store.take<SignInEntry>(SIGNINS_COLLECTION, uidId(uid));
    if (!entry) return undefined;
    for (const id of [ipId(entry.ip), browserId(entry.browser)]) {
      try {
        await this.#store.update<Holder>(SIGNINS_COLLECTION, id, (h) => ({ entries: h.entries.filter((e) => e.uid !== uid) }));
      } catch (err) {
        if (!isStoreError(err, 'ERR_NOT_FOUND')) throw err;
      }
    }
    return entry;
  }

  /** A holder's sign-ins not yet expired. */
  #live(holder: Holder | undefined): Holder['entries'] {
    const now = this.#clock.now();
    return (holder?.entries ?? []).filter((e) => e.expiresAt > now);
  }
}
