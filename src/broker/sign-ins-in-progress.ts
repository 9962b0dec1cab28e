// The bookkeeping of sign-ins in progress (oidc-provider interactions not yet resumed) per browser and
// per IP address, and of the upstream flows each has started. It decides, and the caller carries out
// (src/broker/sign-in-admission.ts): a browser past its cap loses its oldest sign-ins; an address past
// its cap gets no new one; a sign-in past its flow cap loses its oldest flows, and so does an account
// linking from its account page (flows without a sign-in). A sign-in stops counting
// when it ends (resumed at /auth/<uid>) or expires. In-process: a shared backend (issue 14) implements
// the same methods.

import type { Clock, EpochMs } from '../clock.ts';

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

/** Accounts whose link flows are remembered (their flows expire in minutes anyway). */
const MAX_ACCOUNTS_REMEMBERED = 10_000;

export type Admission = { admitted: true; dropped: SignInEntry[] } | { admitted: false };

export class SignInsInProgress {
  readonly #clock: Clock;
  readonly #limits: SignInLimits;
  readonly #byUid = new Map<string, SignInEntry>();
  /** Uids per key, oldest first (a Set keeps insertion order). */
  readonly #byBrowser = new Map<string, Set<string>>();
  readonly #byIp = new Map<string, Set<string>>();
  /** Link flows started from the account page, per account, oldest first; the least recent accounts are forgotten. */
  readonly #accountFlows = new Map<string, string[]>();
  #nextSweep = 0;

  constructor(clock: Clock, limits: SignInLimits) {
    this.#clock = clock;
    this.#limits = limits;
  }

  get size(): number {
    return this.#byUid.size;
  }

  /** Whether the address already has as many sign-ins in progress as it may. */
  full(ip: string): boolean {
    return this.#live(this.#byIp.get(ip)) >= this.#limits.perIp;
  }

  admit(uid: string, browser: string, ip: string, expiresAt: EpochMs): Admission {
    this.#sweep();
    if (this.full(ip)) return { admitted: false };
    const dropped: SignInEntry[] = [];
    const ofBrowser = this.#byBrowser.get(browser);
    while (ofBrowser && this.#live(ofBrowser) >= this.#limits.perBrowser) {
      dropped.push(this.ended(ofBrowser.values().next().value!)!);
    }
    const entry: SignInEntry = { uid, browser, ip, expiresAt, flows: [] };
    this.#byUid.set(uid, entry);
    add(this.#byBrowser, browser, uid);
    add(this.#byIp, ip, uid);
    return { admitted: true, dropped };
  }

  /** Records a flow of the sign-in; returns the flows to delete (the oldest past the cap). */
  flowStarted(uid: string, flowId: string): string[] {
    const entry = this.#byUid.get(uid);
    if (!entry) return [];
    entry.flows.push(flowId);
    return entry.flows.length > this.#limits.flowsPerSignIn ? entry.flows.splice(0, entry.flows.length - this.#limits.flowsPerSignIn) : [];
  }

  /** Records a link flow of an account (no sign-in); returns the flows to delete (the oldest past the cap). */
  accountFlowStarted(accountId: string, flowId: string): string[] {
    const flows = this.#accountFlows.get(accountId) ?? [];
    this.#accountFlows.delete(accountId); // re-inserted: the most recent account last
    flows.push(flowId);
    this.#accountFlows.set(accountId, flows);
    if (this.#accountFlows.size > MAX_ACCOUNTS_REMEMBERED) this.#accountFlows.delete(this.#accountFlows.keys().next().value!);
    return flows.length > this.#limits.flowsPerSignIn ? flows.splice(0, flows.length - this.#limits.flowsPerSignIn) : [];
  }

  /** The sign-in ended (or was dropped): it no longer counts. */
  ended(uid: string): SignInEntry | undefined {
    const entry = this.#byUid.get(uid);
    if (!entry) return undefined;
    this.#byUid.delete(uid);
    remove(this.#byBrowser, entry.browser, uid);
    remove(this.#byIp, entry.ip, uid);
    return entry;
  }

  /** Live sign-ins of a key, forgetting expired ones on the way. */
  #live(uids: Set<string> | undefined): number {
    if (!uids) return 0;
    const now = this.#clock.now();
    for (const uid of uids) {
      const entry = this.#byUid.get(uid);
      if (!entry || entry.expiresAt <= now) this.ended(uid);
    }
    return uids.size;
  }

  /** Once a minute, forgets every expired sign-in (keys that never come back). */
  #sweep(): void {
    const now = this.#clock.now();
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + 60_000;
    for (const [uid, entry] of this.#byUid) if (entry.expiresAt <= now) this.ended(uid);
  }
}

function add(map: Map<string, Set<string>>, key: string, uid: string): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(uid);
}

function remove(map: Map<string, Set<string>>, key: string, uid: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(uid);
  if (set.size === 0) map.delete(key);
}
