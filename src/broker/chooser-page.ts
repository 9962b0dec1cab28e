// The chooser of a login interaction, rendered: views/chooser.ejs with the locals src/partners/chooser-view.ts
// builds from the partner's login-page model at the current instant (the admin preview builds the same) —
// provider buttons, "recover your account with X (until …)" first for providers in grace, the email +
// password form where the partner offers `password`, an alert when the session's own way of signing in no
// longer works here. Rendered by the chooser route and again by the password form after a refusal.

import type { Interaction } from 'oidc-provider';
import type { Response } from 'express';
import type { Partner } from '../partners/partner.ts';
import { chooserView } from '../partners/chooser-view.ts';
import type { Locale } from '../../providers/contract.ts';
import { providerOf } from '../oidc/lifecycle-checks.ts';
import { requestIdOf } from '../log.ts';
import { shopHeader } from '../http/shop-header.ts';
import type { LoginContext } from './login-context.ts';

/** The chooser; `password` re-renders it after a refused password with what was typed and the message. */
export async function sendChooser(
  ctx: LoginContext,
  res: Response,
  d: Interaction,
  partner: Partner,
  locale: Locale,
  password: { email?: string; error?: string; status?: number } = {},
): Promise<void> {
  // The session's own provider stopped working at this shop: the chooser says why the shopper must sign in again.
  const sessionProvider = d.prompt.reasons?.includes('provider_unavailable') ? providerOf(d.session?.amr, ctx.descriptors) : undefined;
  const sources = { descriptors: ctx.descriptors, configured: ctx.broker.configured(), upstream: (id: string) => ctx.broker.upstream(id) };
  const view = chooserView(sources, partner, ctx.clock.now(), locale, {
    uid: d.uid,
    csrf: ctx.csrf.token(res),
    loginHint: d.params.login_hint,
    ...(sessionProvider ? { sessionProvider } : {}),
    password,
  });
  res
    .status(password.status ?? 200)
    .type('html')
    .send(await ctx.renderer.render('chooser', { locale, requestId: requestIdOf(res), shop: shopHeader(partner, locale, d.params.redirect_uri) }, view));
}
