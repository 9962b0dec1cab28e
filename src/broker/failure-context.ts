// The ways forward a failure page offers inside a sign-in at a partner: retry the provider when it still
// signs in here, the other buttons of the login page (and "used X before?" while in grace), back to the shop.

import type { Response } from 'express';
import { loginAvailability } from '../partners/availability.ts';
import { loginPageModel } from '../partners/login-page-model.ts';
import { partnerName, type Partner } from '../partners/partner.ts';
import type { Locale } from '../../providers/contract.ts';
import { requestIdOf } from '../log.ts';
import { shopHeader } from '../http/shop-header.ts';
import type { FailureContext } from './failure-page.ts';
import type { LoginContext } from './login-context.ts';

/** The failure page's context for an interaction at a partner: retry, the ways that still work, back to shop. */
export function failureContext(ctx: LoginContext, res: Response, partner: Partner, uid: string, locale: Locale, provider?: string): FailureContext {
  const model = loginPageModel(partner, ctx.clock.now(), locale, ctx.descriptors, ctx.broker.configured());
  const alternatives = model.providers
    .filter((p) => p.id !== provider && (p.shown === 'button' || p.shown === 'migrate-link'))
    .map((p) => ({
      id: p.id,
      label: p.label,
      href: `/interaction/${uid}/${p.shown === 'button' ? 'start' : 'migrate'}/${p.id}`,
      ...(p.shown === 'migrate-link' ? { migrate: true } : {}),
    }));
  const retryable = provider ? loginAvailability(partner, provider, ctx.broker.configured(), ctx.clock.now()).ok : false;
  return {
    locale,
    requestId: requestIdOf(res),
    interactionUid: uid,
    shopName: partnerName(partner, locale),
    shop: shopHeader(partner, locale),
    ...(provider ? { provider } : {}),
    othersAvailable: alternatives.some((a) => !a.migrate),
    retryable,
    // A provider that cannot be retried here: name the ways that still work, right on the page.
    ...(provider && !retryable ? { alternatives } : {}),
  };
}
