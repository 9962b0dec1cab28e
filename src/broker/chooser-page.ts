// The chooser of a login interaction, rendered: the partner's login-page model at the current instant —
// provider buttons, "recover your account with X (until …)" first for providers in grace, the email +
// password form where the partner offers `password`, an alert when the session's own way of signing in no
// longer works here. Rendered by the chooser route and again by the password form after a refusal.

import type { Interaction } from 'oidc-provider';
import type { Response } from 'express';
import { PASSWORD_METHOD } from '../accounts/password-method.ts';
import { normaliseEmail, validEmail } from '../accounts/native-rules.ts';
import { translator } from '../i18n/messages.ts';
import { integrationFor } from '../partners/availability.ts';
import { loginPageModel } from '../partners/login-page-model.ts';
import { partnerName, type Partner } from '../partners/partner.ts';
import type { Locale } from '../../providers/contract.ts';
import { providerOf } from '../oidc/lifecycle-checks.ts';
import { formatInstant } from '../time/instant.ts';
import { requestIdOf } from '../log.ts';
import type { LoginContext } from './login-context.ts';

/** The email a `login_hint` names, or '' when the hint is not an email address. */
function hintedEmail(hint: unknown): string {
  const email = normaliseEmail(hint);
  return validEmail(email) ? email : '';
}

/**
 * The chooser of a login interaction: the partner's login-page model now — provider buttons, "recover
 * your account with X" for providers in grace, and the email + password form when the partner offers
 * `password` (in grace, the same form serves the migration). `password` re-renders it after a refused
 * password with the message.
 */
export async function sendChooser(
  ctx: LoginContext,
  res: Response,
  d: Interaction,
  partner: Partner,
  locale: Locale,
  password: { email?: string; error?: string; status?: number } = {},
): Promise<void> {
  const t = translator(locale);
  const shop = partnerName(partner, locale);
  const model = loginPageModel(partner, ctx.clock.now(), locale, ctx.descriptors, ctx.broker.configured());
  const upstream = model.providers.filter((p) => ctx.broker.upstream(p.id));
  const buttons = upstream
    .filter((p) => p.shown === 'button')
    .map((p) => ({ id: p.id, label: p.label, href: `/interaction/${d.uid}/start/${p.id}`, note: p.note, notice: p.notice }));
  const migrateLinks = upstream
    .filter((p) => p.shown === 'migrate-link')
    .map((p) => {
      const until = integrationFor(partner, p.id)?.graceEndsAt;
      return {
        id: p.id,
        label: p.label,
        href: `/interaction/${d.uid}/migrate/${p.id}`,
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
        action: `/interaction/${d.uid}/password`,
        migrate: native.shown === 'migrate-link',
        note: native.note,
        notice: native.notice,
        // The shop's `login_hint` pre-fills the email when it is one (never a phone number or a user id).
        email: password.email ?? hintedEmail(d.params.login_hint),
        error: password.error,
      }
    : undefined;
  // The session's own provider stopped working at this shop: say why the shopper must sign in again.
  const sessionProvider = d.prompt.reasons?.includes('provider_unavailable') ? providerOf(d.session?.amr, ctx.descriptors) : undefined;
  const sessionLabel = sessionProvider ? (ctx.descriptors.get(sessionProvider)?.label[locale] ?? sessionProvider) : undefined;
  const alert = sessionLabel ? t('chooser.sessionEnded', { provider: sessionLabel, shop }) : undefined;
  res
    .status(password.status ?? 200)
    .type('html')
    .send(
      await ctx.renderer.render(
        'chooser',
        { locale, requestId: requestIdOf(res) },
        {
          shop,
          buttons,
          migrateLinks,
          passwordForm,
          alert,
          abortAction: `/interaction/${d.uid}/abort?error=access_denied`,
          csrf: ctx.csrf.token(res),
        },
      ),
    );
}
