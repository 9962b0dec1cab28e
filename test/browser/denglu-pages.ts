// Page objects for Denglu's own pages as a shopper uses them: the chooser (provider buttons, migration
// links, the email + password form), the account console at /account (identities and their status at
// each shop, link with re-authentication, unlink with confirmation, email and password) and the sandbox
// outbox where the verification mail lands. Every action is a real click or form fill.

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { at, clickTo, here, visit, type UrlCheck } from './navigation.ts';
import type { PageGuard } from './page-guard.ts';
import { approveAtProvider } from './shop-pages.ts';
import type { World } from './world.ts';

/** Who re-authenticates when the console asks for a recent sign-in. */
export interface Proof {
  provider: string;
  login: string;
}

export class DengluPages {
  readonly page: Page;
  readonly world: World;
  readonly guard: PageGuard;
  readonly origin: string;
  readonly chooser: UrlCheck;

  constructor(page: Page, world: World, guard: PageGuard) {
    this.page = page;
    this.world = world;
    this.guard = guard;
    this.origin = new URL(world.gw.issuer).origin;
    this.chooser = at(this.origin, /^\/interaction\/[^/]+$/);
  }

  /** /account showing `notice` (the console's answer after each action). */
  private account(notice: string): UrlCheck {
    return (url) => at(this.origin, '/account')(url) && url.searchParams.get('notice') === notice;
  }

  // ---- the chooser

  /** What the chooser offers: provider buttons, "used X before?" links, the password form. */
  async chooserOffers(): Promise<{ providers: string[]; migrate: string[]; password: boolean }> {
    assert.ok(this.chooser(here(this.page)), `at Denglu's chooser, not ${this.page.url()}`);
    const attrs = (selector: string, name: string) => this.page.locator(selector).evaluateAll((els, n) => els.map((e) => e.getAttribute(n) ?? ''), name);
    return {
      providers: await attrs('a[data-provider]', 'data-provider'),
      migrate: await attrs('a[data-migrate]', 'data-migrate'),
      password: (await this.page.locator('[data-password-form] form').count()) === 1,
    };
  }

  /** Clicks a provider button on the chooser; lands at the provider. */
  async choose(provider: string): Promise<void> {
    await clickTo(this.page, this.page.locator(`a[data-provider="${provider}"]`), at(this.world.emulatorUrl(provider)));
  }

  /** Fills and submits the chooser's email + password form; returns where the browser landed. */
  async signInWithPassword(email: string, password: string): Promise<URL> {
    const form = this.page.locator('[data-password-form] form');
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Password').fill(password);
    return clickTo(this.page, form.getByRole('button', { name: 'Sign in' }), (url) => !this.chooser(url));
  }

  // ---- the account console

  /**
   * Opens /account: by the "Sign-in settings" link in the header of Denglu's pages (from its home page), or by
   * the documented URL as a shop would link to it.
   */
  async openAccount(via: 'header' | 'url'): Promise<void> {
    if (via === 'header') {
      await visit(this.page, `${this.origin}/`);
      await clickTo(this.page, this.page.locator('header.site a.account-link'), at(this.origin, '/account'));
    } else {
      await visit(this.page, `${this.origin}/account`);
    }
    assert.ok(at(this.origin, '/account')(here(this.page)), `at /account, not ${this.page.url()}`);
    assert.equal(await this.page.locator('ul.identities').count(), 1, 'the account page, signed in');
  }

  async identities(): Promise<string[]> {
    return this.page.locator('li.identity').evaluateAll((els) => els.map((e) => e.getAttribute('data-identity') ?? ''));
  }

  /** The status lines of one identity ("ends at JD.com (demo) on …"). */
  async statusesOf(provider: string): Promise<string[]> {
    return (await this.page.locator(`li.identity[data-identity="${provider}"] ul.statuses li`).allTextContents()).map((s) => s.trim());
  }

  async notice(): Promise<string> {
    return ((await this.page.locator('p.notice-ok').textContent({ timeout: 2000 })) ?? '').trim();
  }

  /**
   * Links `provider` as `login`. When the console asks for a recent sign-in (it sends the browser to the
   * chooser) that is done with `proof` first; returns whether it was asked.
   */
  async link(provider: string, login: string, proof: Proof): Promise<boolean> {
    const button = this.page.locator(`button[data-link="${provider}"]`);
    const atProvider = at(this.world.emulatorUrl(provider));
    const landed = await clickTo(this.page, button, (url) => atProvider(url) || this.chooser(url));
    const asked = this.chooser(landed);
    if (asked) {
      await this.choose(proof.provider);
      assert.ok(
        this.account('reauthed')(await approveAtProvider(this.page, this.world, proof.provider, proof.login)),
        `back on /account after signing in again, not ${this.page.url()}`,
      );
      await clickTo(this.page, button, atProvider);
    }
    const back = await approveAtProvider(this.page, this.world, provider, login);
    assert.ok(this.account('linked')(back), `linked ${provider}: ended at ${back.href}`);
    return asked;
  }

  /** Unlinks `provider`, confirming on the "shops at risk" page if Denglu asks; returns whether it asked. */
  async unlink(provider: string): Promise<boolean> {
    this.guard.allow(409, '/account/unlink');
    const confirm = at(this.origin, '/account/unlink');
    const done = this.account('unlinked');
    const landed = await clickTo(this.page, this.page.locator(`button[data-unlink="${provider}"]`), (url) => confirm(url) || done(url));
    const asked = confirm(landed);
    if (asked) await clickTo(this.page, this.page.locator('button[data-confirm-unlink]'), done);
    assert.equal(here(this.page).searchParams.get('provider'), provider);
    return asked;
  }

  async setEmail(email: string): Promise<void> {
    const form = this.page.locator('#native form[action="/account/email"]');
    await form.getByLabel('New email address').fill(email);
    await clickTo(this.page, form.getByRole('button', { name: 'Send verification link' }), this.account('emailSent'));
  }

  /** Opens the sandbox outbox, clicks the newest verification link mailed to `email`, confirms it. */
  async verifyFromOutbox(email: string): Promise<void> {
    await visit(this.page, `${this.origin}/sandbox/outbox`);
    const mail = this.page.locator(`ul.outbox li[data-to="${email}"]`).first();
    await clickTo(this.page, mail.locator('a[data-mail-link][href*="/account/email/verify"]'), at(this.origin, '/account/email/verify'));
    await clickTo(this.page, this.page.getByRole('button', { name: 'Verify' }), this.account('emailVerified'));
    assert.equal(await this.page.locator('#native [data-email]').getAttribute('data-email'), email);
  }

  async setPassword(password: string): Promise<void> {
    const form = this.page.locator('#native form[action="/account/password"]');
    await form.getByLabel(/New password/).fill(password);
    await clickTo(this.page, form.getByRole('button', { name: 'Set password' }), this.account('passwordSet'));
    assert.equal(await this.page.locator('#native [data-password]').getAttribute('data-password'), 'set');
  }
}
