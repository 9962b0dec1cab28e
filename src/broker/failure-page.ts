// What the shopper sees when a sign-in step fails: a short message in their language from a fixed
// catalogue (never an upstream's own text), the request id, and the ways forward that still exist —
// try the same provider again, choose another, or go back to the shop, which then receives a protocol
// error (`access_denied` or `temporarily_unavailable`) with its `state`.

import type { Response } from 'express';
import { GatewayError, UpstreamError } from '../errors.ts';
import type { Locale } from '../../providers/contract.ts';
import { translator, hasMessage } from '../i18n/messages.ts';
import type { LoginContext } from './login-context.ts';
import type { ShopHeader } from '../http/shop-header.ts';
import { methodLabel } from '../i18n/method-label.ts';

export interface FailureContext {
  locale: Locale;
  requestId: string;
  /** Alive interaction, if any: enables "try again", "choose another" and "back to shop". */
  interactionUid?: string;
  shopName?: string;
  /** The shop's header (name, logo, home) when the failure is at a shop. */
  shop?: ShopHeader;
  /** The provider involved, if any. */
  provider?: string;
  /** Other providers the shopper could use instead. */
  othersAvailable?: boolean;
  /** Whether the failed provider may still be tried. */
  retryable?: boolean;
  hint?: string;
  /** The failure happened on the account page (a link from /account): offer the way back there. */
  fromAccountPage?: boolean;
  /**
   * Inside a held sign-in (a link to the held account, a migration sign-in): "try again" repeats that round
   * trip, and "another way" goes back to the held page — never a plain sign-in with the provider, which
   * could lead into a different shop account.
   */
  retryHref?: string;
  othersHref?: string;
  /** The ways that still work, shown as buttons (when a provider is unavailable or has ended). */
  alternatives?: { id: string; label: string; href: string; migrate?: boolean }[];
}

export function failureMessage(ctx: LoginContext, err: unknown, f: FailureContext): string {
  const t = translator(f.locale);
  const provider = f.provider ? methodLabel(ctx.descriptors, f.provider, f.locale) : '';
  const params = { provider, shop: f.shopName ?? '', hint: f.hint ?? '' };
  if (err instanceof UpstreamError) {
    const key = `error.ERR_UPSTREAM.${err.step}`;
    return hasMessage(key) ? t(key, params) : t('error.ERR_UPSTREAM.default', params);
  }
  if (err instanceof GatewayError) {
    const key = `error.${err.code}`;
    if (hasMessage(key)) return t(key, params);
  }
  return t('error.default');
}

/** The protocol error the shop gets if the shopper goes back from this failure. */
export function shopError(err: unknown): 'access_denied' | 'temporarily_unavailable' {
  if (err instanceof UpstreamError && err.step !== 'provider_denied' && err.step !== 'state_validate') {
    return 'temporarily_unavailable';
  }
  return 'access_denied';
}

export async function sendFailure(ctx: LoginContext, res: Response, err: unknown, f: FailureContext): Promise<void> {
  const t = translator(f.locale);
  const provider = f.provider ? methodLabel(ctx.descriptors, f.provider, f.locale) : '';
  const actions: { href: string; label: string; method?: 'post'; primary?: boolean }[] = [];
  if (f.interactionUid) {
    const base = `/interaction/${encodeURIComponent(f.interactionUid)}`;
    if (f.provider && f.retryable)
      actions.push({ href: f.retryHref ?? `${base}/start/${encodeURIComponent(f.provider)}`, label: t('error.tryAgain', { provider }), primary: true });
    // `?chooser`: without it a shop's provider hint would send the shopper straight back to that provider.
    if (f.othersAvailable) actions.push({ href: f.othersHref ?? `${base}?chooser`, label: t('error.chooseAnother') });
    actions.push({ href: `${base}/abort?error=${shopError(err)}`, label: t('error.backToShop', { shop: f.shopName ?? '' }), method: 'post' });
  } else {
    if (f.fromAccountPage) actions.push({ href: '/account', label: t('account.back'), primary: true });
    actions.push({ href: '/', label: t('error.home') });
  }
  const status = err instanceof GatewayError ? err.status : 500;
  const code = err instanceof GatewayError ? err.code : 'ERR_INTERNAL';
  res
    .status(status)
    .type('html')
    .send(
      await ctx.renderer.render(
        'error',
        {
          locale: f.locale,
          requestId: f.requestId,
          ...(f.shop ? { shop: f.shop } : {}),
          ...(f.interactionUid ? { back: `/interaction/${encodeURIComponent(f.interactionUid)}?chooser` } : {}),
        },
        {
          code,
          message: failureMessage(ctx, err, f),
          actions,
          alternatives: f.alternatives ?? [],
          // The "back to the shop" form posts to the interaction's abort.
          ...(f.interactionUid ? { csrf: ctx.csrf.token(res) } : {}),
        },
      ),
    );
}
