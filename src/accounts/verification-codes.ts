// Six-digit codes sent to prove a phone number (by text) or an email address (by mail) in the tab the
// shopper is in. One live code per subject (a sign-in, an account): single use, valid 5 minutes, void
// after 5 wrong tries, a new one at most every 60 seconds per subject and per destination. The store never
// holds a code or the subject it was sent for in plain: the id and the code are HMACs keyed with a server
// secret (derived from the cookie keys), so a copy of the store neither reveals nor replays codes, and
// six digits cannot be brute-forced offline without the key.

import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Clock, EpochMs } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { isStoreError, upsert } from '../store/upsert.ts';

export const CODES_COLLECTION = 'verification_codes';
export const CODE_TTL_MS = 5 * 60_000;
export const RESEND_AFTER_MS = 60_000;
export const MAX_CODE_ATTEMPTS = 5;

interface CodeDoc {
  /** The E.164 number or email address the code went to (shown on the code page). */
  target: string;
  codeHash: string;
  attempts: number;
  sentAt: EpochMs;
  expiresAt: EpochMs;
}

/** A live code, as its page shows it (never the code). */
export interface PendingCode {
  target: string;
  sentAt: EpochMs;
  /** When a new code may be asked for. */
  resendAt: EpochMs;
  expiresAt: EpochMs;
}

export type Issued = { ok: true; code: string } | { ok: false; problem: 'codeWait'; retryAfterSeconds: number };
export type Checked = { ok: true; target: string } | { ok: false; problem: 'codeWrong' | 'codeExpired' };

/** Thrown inside the code's update when the subject's last code went out under a minute ago. */
class TooSoon extends Error {}

export class CodeBook {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #key: Buffer;

  /** `secret`: the server secret the ids and code hashes are keyed with. */
  constructor(store: Store, clock: Clock, secret: string) {
    this.#store = store;
    this.#clock = clock;
    this.#key = createHmac('sha256', 'denglu verification codes').update(secret).digest();
  }

  #mac(text: string): string {
    return createHmac('sha256', this.#key).update(text).digest('base64url');
  }

  #id(subject: string): string {
    return `code:${this.#mac(`subject\0${subject}`)}`;
  }

  #sentId(target: string): string {
    return `sent:${this.#mac(`target\0${target}`)}`;
  }

  #hash(subject: string, target: string, code: string): string {
    return this.#mac(`code\0${subject}\0${target}\0${code}`);
  }

  /** Seconds until a new code may go to `target` for `subject` (the later of both timers); 0 when it may now. */
  async waitSeconds(subject: string, target: string): Promise<number> {
    const [current, recent] = await Promise.all([
      this.#store.get<CodeDoc>(CODES_COLLECTION, this.#id(subject)),
      this.#store.get<{ sentAt: EpochMs }>(CODES_COLLECTION, this.#sentId(target)),
    ]);
    const last = Math.max(current?.sentAt ?? -Infinity, recent?.sentAt ?? -Infinity);
    return Math.max(0, Math.ceil((last + RESEND_AFTER_MS - this.#clock.now()) / 1000));
  }

  /**
   * Makes a new code for `subject` sent to `target` (replacing its earlier one), unless one went out under
   * 60 s ago. Both timers are claimed atomically (the target's by insert-if-absent, the subject's inside the
   * update that replaces its code), so requests on several instances at once send one text, not several.
   */
  async issue(subject: string, target: string): Promise<Issued> {
    const now = this.#clock.now();
    const tooSoon = async (): Promise<Issued> => ({ ok: false, problem: 'codeWait', retryAfterSeconds: Math.max(1, await this.waitSeconds(subject, target)) });
    if ((await this.waitSeconds(subject, target)) > 0) return tooSoon();
    try {
      await this.#store.create(CODES_COLLECTION, this.#sentId(target), { sentAt: now }, { expiresAt: now + RESEND_AFTER_MS });
    } catch (err) {
      if (isStoreError(err, 'ERR_ALREADY_EXISTS')) return tooSoon();
      throw err;
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const doc: CodeDoc = { target, codeHash: this.#hash(subject, target, code), attempts: 0, sentAt: now, expiresAt: now + CODE_TTL_MS };
    try {
      await upsert<CodeDoc>(
        this.#store,
        CODES_COLLECTION,
        this.#id(subject),
        (current) => {
          if (current && current.sentAt + RESEND_AFTER_MS > now) throw new TooSoon();
          return doc;
        },
        { onCreate: { expiresAt: doc.expiresAt }, onUpdate: { expiresAt: doc.expiresAt } },
      );
    } catch (err) {
      if (!(err instanceof TooSoon)) throw err;
      await this.#store.delete(CODES_COLLECTION, this.#sentId(target)); // no code went to the target after all
      return tooSoon();
    }
    return { ok: true, code };
  }

  async pending(subject: string): Promise<PendingCode | undefined> {
    const doc = await this.#store.get<CodeDoc>(CODES_COLLECTION, this.#id(subject));
    return doc ? { target: doc.target, sentAt: doc.sentAt, resendAt: doc.sentAt + RESEND_AFTER_MS, expiresAt: doc.expiresAt } : undefined;
  }

  /** Checks a typed code: right, it is used up; wrong, one of its tries is; the fifth wrong try voids it. */
  async check(subject: string, typed: unknown): Promise<Checked> {
    const id = this.#id(subject);
    const code = typeof typed === 'string' ? typed.normalize('NFKC').replace(/\s/g, '') : '';
    let doc: CodeDoc;
    try {
      doc = await this.#store.update<CodeDoc>(CODES_COLLECTION, id, (d) => ({ ...d, attempts: d.attempts + 1 }));
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'ERR_NOT_FOUND') return { ok: false, problem: 'codeExpired' };
      throw err;
    }
    const right = /^\d{6}$/.test(code) && timingSafeEqual(Buffer.from(doc.codeHash), Buffer.from(this.#hash(subject, doc.target, code)));
    if (right) {
      const taken = await this.#store.take<CodeDoc>(CODES_COLLECTION, id);
      return taken ? { ok: true, target: doc.target } : { ok: false, problem: 'codeExpired' };
    }
    if (doc.attempts >= MAX_CODE_ATTEMPTS) {
      await this.#store.delete(CODES_COLLECTION, id);
      return { ok: false, problem: 'codeExpired' };
    }
    return { ok: false, problem: 'codeWrong' };
  }

  /** Cancels the subject's code; with `target`, a code that never reached it (a refused text): its resend timer goes too. */
  async discard(subject: string, target?: string): Promise<void> {
    await this.#store.delete(CODES_COLLECTION, this.#id(subject));
    if (target) await this.#store.delete(CODES_COLLECTION, this.#sentId(target));
  }
}
