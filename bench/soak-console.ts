// A soak shopper who manages the account while everyone else signs in: signs in at the shop, opens the
// account console, sets an email and a password once, then on every round links a second provider and
// unlinks it again, and now and then resets the password by the mailed link (read from Denglu's outbox
// through the benchmark's metrics port). Each step's trace goes to the classifier; a fault-caused
// failure ends the round, and the next round starts over with a fresh sign-in.

import { follow, Jar, StoppedOnPage, type Target } from './load-client.ts';
import { csrfOf, explain, get, post, shopSignIn } from './soak-browser.ts';
import type { Trace } from './soak-classify.ts';

export interface ConsoleOptions {
  target: Target;
  /** The second provider, linked and unlinked every round. */
  linkProvider: string;
  timeoutMs: number;
  /** The mail Denglu sent to an address, newest first (the outbox). */
  outbox: (to: string) => Promise<{ at: number; text: string }[]>;
}

/** Thrown by a step whose answer was not the documented one: becomes an unexpected trace. */
class Wrong extends Error {}

export class ConsoleShopper {
  readonly login: string;
  readonly email: string;
  password: string | undefined;
  /** Whether the second provider is linked right now (as far as Denglu confirmed). */
  linked = false;
  resets = 0;
  readonly #jar = new Jar();
  readonly #o: ConsoleOptions;
  readonly #usedLinks = new Set<string>();

  constructor(n: number, o: ConsoleOptions) {
    this.login = `soakconsole${n}`;
    this.email = `soak-console-${n}@soak.example`;
    this.#o = o;
  }

  get #issuer(): string {
    return this.#o.target.issuer;
  }

  /** One round: sign in, console, email and password the first time, link + unlink, a reset if `reset`. */
  async round(reset: boolean, subs: (t: Trace) => void): Promise<void> {
    const signIn = await shopSignIn(this.#o.target, this.#jar, this.login, this.#o.timeoutMs);
    subs(signIn.trace);
    if (signIn.trace.kind !== 'signed-in') return;
    const steps: [string, () => Promise<Trace | undefined>][] = [
      ['console sign-in', () => this.#consoleSignIn()],
      ['email and password', () => (this.password ? Promise.resolve(undefined) : this.#setEmailAndPassword())],
      ['link', () => this.#link()],
      ['unlink', () => (this.linked ? this.#unlink() : Promise.resolve(undefined))],
      ['password reset', () => (reset && this.password ? this.#reset() : Promise.resolve(undefined))],
    ];
    for (const [action, step] of steps) {
      let trace: Trace | undefined;
      try {
        trace = await step();
      } catch (err) {
        trace = { kind: 'threw', action, message: (err as Error).message };
      }
      if (!trace) continue;
      subs(trace);
      if (trace.kind !== 'done') return;
    }
  }

  async #consoleSignIn(): Promise<Trace> {
    await follow(this.#jar, new URL('/account/login', this.#issuer), `${this.#issuer}/account?notice=reauthed`, 'denglu', { timeoutMs: this.#o.timeoutMs });
    return { kind: 'done', action: 'console sign-in' };
  }

  /** The account page's CSRF token (the page must be the signed-in console). */
  async #csrf(path = '/account'): Promise<string> {
    const page = await get(this.#jar, new URL(path, this.#issuer), this.#o.timeoutMs);
    const token = page.status === 200 ? csrfOf(page.body) : undefined;
    if (!token) throw new Wrong(`GET ${path} answered ${page.status} without a form`);
    return token;
  }

  /** A form post that must redirect to `expected` (a prefix). */
  async #submit(path: string, fields: Record<string, string>, expected: string): Promise<void> {
    const answer = await post(this.#jar, new URL(path, this.#issuer), fields, this.#o.timeoutMs);
    if (!answer.location?.startsWith(expected))
      throw new Wrong(`POST ${path} answered ${answer.status} ${answer.location ?? answer.body.slice(0, 160)}, not ${expected}`);
  }

  /** The newest link to `path` mailed to this shopper and not followed yet. */
  async #mailedLink(path: string): Promise<URL> {
    for (let attempt = 0; attempt < 20; attempt++) {
      for (const m of await this.#o.outbox(this.email)) {
        const link = new RegExp(`https?://\\S+${path.replace(/[/?]/g, '\\$&')}\\?token=[\\w-]+`).exec(m.text)?.[0];
        if (link && !this.#usedLinks.has(link)) {
          this.#usedLinks.add(link);
          return new URL(link);
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Wrong(`no ${path} link was mailed to ${this.email}`);
  }

  async #setEmailAndPassword(): Promise<Trace> {
    await this.#submit('/account/email', { _csrf: await this.#csrf(), email: this.email }, '/account?notice=emailSent');
    const link = await this.#mailedLink('/account/email/verify');
    const token = link.searchParams.get('token')!;
    await this.#submit('/account/email/verify', { _csrf: await this.#csrf(link.pathname + link.search), token }, '/account?notice=emailVerified');
    const password = `soak-${this.login}-0-correct horse`;
    await this.#submit('/account/password', { _csrf: await this.#csrf(), password }, '/account?notice=passwordSet');
    this.password = password;
    return { kind: 'done', action: 'email and password' };
  }

  /** Links the second provider as the same upstream login; a fault there ends on the failure page. */
  async #link(): Promise<Trace> {
    const answer = await post(this.#jar, new URL(`/account/link/${this.#o.linkProvider}`, this.#issuer), { _csrf: await this.#csrf() }, this.#o.timeoutMs);
    if (!answer.location) throw new Wrong(`POST /account/link answered ${answer.status}`);
    try {
      await follow(this.#jar, new URL(answer.location, this.#issuer), `${this.#issuer}/account?notice=linked`, 'denglu', {
        own: new URL(this.#issuer).host,
        upstreamLogin: this.login,
        timeoutMs: this.#o.timeoutMs,
      });
    } catch (err) {
      if (err instanceof StoppedOnPage) return explain(err, 'link', this.#jar, this.#issuer, this.#o.timeoutMs);
      throw err;
    }
    this.linked = true;
    return { kind: 'done', action: 'link' };
  }

  async #unlink(): Promise<Trace> {
    const provider = this.#o.linkProvider;
    // Unlinking is always confirmed first: the confirmation page carries the form.
    const page = await get(this.#jar, new URL(`/account/unlink/${provider}`, this.#issuer), this.#o.timeoutMs);
    const form = new RegExp(`name="provider" value="${provider}">\\s*<input type="hidden" name="subject" value="([^"]+)"`).exec(page.body);
    const csrf = csrfOf(page.body);
    if (!form || !csrf) throw new Wrong(`the account page (${page.status}) shows no ${provider} identity to unlink`);
    await this.#submit('/account/unlink', { _csrf: csrf, provider, subject: form[1]!, confirm: 'yes' }, '/account?notice=unlinked');
    this.linked = false;
    return { kind: 'done', action: 'unlink' };
  }

  /** "Forgot password" by mail; the reset ends every session of the account (the next round signs in again). */
  async #reset(): Promise<Trace> {
    const form = await get(this.#jar, new URL('/account/password/reset', this.#issuer), this.#o.timeoutMs);
    const csrf = csrfOf(form.body);
    if (!csrf) throw new Wrong(`the reset form answered ${form.status} without a form`);
    const sent = await post(this.#jar, new URL('/account/password/reset', this.#issuer), { _csrf: csrf, email: this.email }, this.#o.timeoutMs);
    if (sent.status !== 200) throw new Wrong(`POST /account/password/reset answered ${sent.status}`);
    const link = await this.#mailedLink('/account/password/reset/confirm');
    const password = `soak-${this.login}-${this.resets + 1}-correct horse`;
    const done = await post(
      this.#jar,
      new URL('/account/password/reset/confirm', this.#issuer),
      { _csrf: await this.#csrf(link.pathname + link.search), token: link.searchParams.get('token')!, password },
      this.#o.timeoutMs,
    );
    if (done.status !== 200) throw new Wrong(`POST /account/password/reset/confirm answered ${done.status}: ${done.body.slice(0, 160)}`);
    this.password = password;
    this.resets += 1;
    return { kind: 'done', action: 'password reset' };
  }

  /** At the end: the latest password signs in to the console as this shopper (a fresh browser). */
  async passwordStillWorks(): Promise<Trace> {
    const jar = new Jar();
    const action = 'password sign-in at the end';
    try {
      try {
        await follow(jar, new URL('/account/login', this.#issuer), `${this.#issuer}/account?`, 'denglu', { timeoutMs: this.#o.timeoutMs });
        return { kind: 'threw', action, message: 'the console signed in without asking' };
      } catch (err) {
        if (!(err instanceof StoppedOnPage) || !/\/interaction\/[^/]+$/.test(err.url.pathname)) throw err;
        // The chooser's password form carries its CSRF token, as a browser would send it.
        const csrf = csrfOf(err.answer.body) ?? '';
        const answer = await post(
          jar,
          new URL(`${err.url.pathname}/password`, this.#issuer),
          { _csrf: csrf, email: this.email, password: this.password ?? '' },
          this.#o.timeoutMs,
        );
        if (!answer.location) return { kind: 'threw', action, message: `the password was refused (${answer.status})` };
        await follow(jar, new URL(answer.location, this.#issuer), `${this.#issuer}/account?notice=reauthed`, 'denglu', { timeoutMs: this.#o.timeoutMs });
      }
      const page = await get(jar, new URL('/account', this.#issuer), this.#o.timeoutMs);
      if (!page.body.includes(`data-email="${this.email}"`)) return { kind: 'threw', action, message: `signed in, but not to the account of ${this.email}` };
      return { kind: 'done', action };
    } catch (err) {
      return { kind: 'threw', action, message: (err as Error).message };
    }
  }
}
