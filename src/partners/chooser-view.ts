// What views/chooser.ejs is given: the partner's login-page model at an instant turned into the page's
// locals (provider buttons, "recover your account with X (until …)" for providers in grace, the email +
// password form, the phone number form, the alert when the session's own way of signing in no longer
// works here). The shopper's chooser and the admin preview
// both build their page here, so the preview is the page shoppers see at that instant.

import type { Locale, ProviderDescriptor } from '../../providers/contract.ts';
import type { EpochMs } from '../clock.ts';
import { PASSWORD_METHOD } from '../accounts/password-method.ts';
import { PHONE_METHOD } from '../accounts/phone-method.ts';
import { normaliseEmail, validEmail } from '../accounts/native-rules.ts';
import { translator } from '../i18n/messages.ts';
import { formatInstant } from '../time/instant.ts';
import { integrationFor } from './availability.ts';
import { loginPageModel } from './login-page-model.ts';
import { partnerName, type Partner } from './partner.ts';
import { methodLabel } from '../i18n/method-label.ts';

/** Which sign-in methods this deployment has, and which of them are an upstream round trip. */
export interface ChooserSources {
  descriptors: ReadonlyMap<string, ProviderDescriptor>;
  configured: ReadonlySet<string>;
  /** False for Denglu's own methods (their forms are on the page). */
  upstream: (id: string) => boolean;
}

export interface ChooserRequest {
  /** The interaction the page's links and forms belong to. */
  uid: string;
  csrf: string;
  /** The shop's `login_hint`: pre-fills the email when it is one. */
  loginHint?: unknown;
  /** The provider of a session that no longer works at this shop (the chooser says so). */
  sessionProvider?: string;
  /** After a refused password: what was typed and the message. */
  password?: { email?: string; error?: string };
}

/** The email a `login_hint` names, or '' when the hint is not an email address (never a phone number or a user id). */
function hintedEmail(hint: unknown): string {
  const email = normaliseEmail(hint);
  return validEmail(email) ? email : '';
}

/** The locals of views/chooser.ejs for `partner` at instant `at` in `locale`. */
export function chooserView(sources: ChooserSources, partner: Partner, at: EpochMs, locale: Locale, request: ChooserRequest): Record<string, unknown> {
  const t = translator(locale);
  const shop = partnerName(partner, locale);
  const uid = request.uid;
  const model = loginPageModel(partner, at, locale, sources.descriptors, sources.configured);
  const upstream = model.providers.filter((p) => sources.upstream(p.id));
  const buttons = upstream
    .filter((p) => p.shown === 'button')
    .map((p) => ({ id: p.id, label: p.label, href: `/interaction/${uid}/start/${p.id}`, note: p.note, notice: p.notice }));
  // A provider in grace: "Recover your <shop> account with X (until …)", first on the page.
  const migrateLinks = upstream
    .filter((p) => p.shown === 'migrate-link')
    .map((p) => {
      const until = integrationFor(partner, p.id)?.graceEndsAt;
      return {
        id: p.id,
        label: p.label,
        href: `/interaction/${uid}/migrate/${p.id}`,
        text:
          until === undefined
            ? t('chooser.migrate', { provider: p.label })
            : t('ended.recover', { shop, provider: p.label, until: formatInstant(until, partner.timeZone, locale, 'date') }),
        notice: p.notice,
      };
    });
  const native = model.providers.find((p) => p.id === PASSWORD_METHOD && (p.shown === 'button' || p.shown === 'migrate-link'));
  const passwordForm = native
    ? {
        action: `/interaction/${uid}/password`,
        migrate: native.shown === 'migrate-link',
        note: native.note,
        notice: native.notice,
        email: request.password?.email ?? hintedEmail(request.loginHint),
        error: request.password?.error,
      }
    : undefined;
  // The phone number form posts to the phone sign-in (src/broker/phone-route.ts); in grace it is the migration's.
  const phone = model.providers.find((p) => p.id === PHONE_METHOD && (p.shown === 'button' || p.shown === 'migrate-link'));
  const phoneForm = phone
    ? { action: `/interaction/${uid}/phone/send`, migrate: phone.shown === 'migrate-link', note: phone.note, notice: phone.notice }
    : undefined;
  const sessionLabel = request.sessionProvider ? methodLabel(sources.descriptors, request.sessionProvider, locale) : undefined;
  return {
    shop,
    buttons,
    migrateLinks,
    passwordForm,
    phoneForm,
    alert: sessionLabel ? t('chooser.sessionEnded', { provider: sessionLabel, shop }) : undefined,
    abortAction: `/interaction/${uid}/abort?error=access_denied`,
    csrf: request.csrf,
  };
}
