// The page for a way of signing in that no longer signs shoppers in to this shop (the shop's provider hint,
// a button, a flow that straddled the cutoff). Titled for what it is, never as a failure: in grace its main
// action is "Recover your <shop> account with <provider> (until <date>)"; after grace it says when that way
// ended here and how to keep the account — another way already linked, or the sign-in settings page
// (/account), where the old provider still proves who the shopper is and another way can be added.

import type { Response } from 'express';
import { integrationFor } from '../partners/availability.ts';
import { loginPageModel } from '../partners/login-page-model.ts';
import { partnerName } from '../partners/partner.ts';
import { formatInstant } from '../time/instant.ts';
import { naturalInstant } from '../time/natural-date.ts';
import { shopError } from './failure-page.ts';
import type { LoginContext } from './login-context.ts';
import { pageOf } from './page-context.ts';
import type { SignInState } from './steps.ts';
import { recordSignIn } from './record-sign-in.ts';
import { methodLabel } from '../i18n/method-label.ts';

export async function sendProviderEnded(ctx: LoginContext, res: Response, s: SignInState, provider: string, phase: 'grace' | 'ended'): Promise<void> {
  recordSignIn(ctx, s, { outcome: 'refused', step: phase, method: provider });
  const partner = s.partner!;
  const uid = s.interaction!.uid;
  const locale = s.locale;
  const integration = integrationFor(partner, provider);
  const now = ctx.clock.now();
  // Sentences say the instant (from when it stopped, until when recovery works); the button the date.
  const instant = (at: number | undefined) => (at === undefined ? '' : naturalInstant(at, partner.timeZone, locale, now));
  const date = (at: number | undefined) => (at === undefined ? '' : formatInstant(at, partner.timeZone, locale, 'date'));
  const model = loginPageModel(partner, now, locale, ctx.descriptors, ctx.broker.configured());
  const buttons = model.providers
    .filter((p) => p.shown === 'button' && p.id !== provider)
    .map((p) => ({ id: p.id, label: p.label, href: `/interaction/${uid}/start/${p.id}` }));
  res
    .status(200)
    .type('html')
    .send(
      await ctx.renderer.render('ended', pageOf(res, s), {
        phase,
        shop: partnerName(partner, locale),
        provider: methodLabel(ctx.descriptors, provider, locale),
        providerId: provider,
        cutoff: instant(integration?.cutoffAt),
        graceEndsAt: instant(integration?.graceEndsAt),
        graceEnds: date(integration?.graceEndsAt),
        recoverHref: `/interaction/${uid}/migrate/${provider}`,
        buttons,
        chooserHref: `/interaction/${uid}?chooser`,
        abortAction: `/interaction/${uid}/abort?error=${shopError(undefined)}`,
        csrf: ctx.csrf.token(res),
      }),
    );
}
