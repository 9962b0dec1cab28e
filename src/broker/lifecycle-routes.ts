// The shopper's side of a provider's lifecycle, between the upstream sign-in and the shop: the notice
// interstitial (a provider ending at this shop: link another way now, or later — at most once a day),
// the migration page (grace: link a replacement, then continue with the same account), and starting the
// upstream round trips for a migration sign-in or for linking a replacement.

import type { Interaction } from 'oidc-provider';
import express, { type Request, type Response, type Router } from 'express';
import { GatewayError } from '../errors.ts';
import { getAccount } from '../accounts/sign-in.ts';
import type { Account } from '../accounts/account.ts';
import { signInMethods } from '../accounts/unlink.ts';
import { pickLocale } from '../i18n/locale.ts';
import { translator } from '../i18n/messages.ts';
import { getPartner, partnerOfClient } from '../partners/partners.ts';
import { chooserProviders, integrationFor, loginAvailability } from '../partners/availability.ts';
import { noticeText } from '../partners/notice-text.ts';
import { partnerName, type Partner } from '../partners/partner.ts';
import type { Locale } from '../../providers/contract.ts';
import { browserBinding } from './binding-cookie.ts';
import { forcesReauthentication } from '../oidc/reauthentication.ts';
import { sendFailure } from './failure-page.ts';
import { finishLogin } from './finish-interaction.ts';
import type { LoginContext } from './login-context.ts';
import { pendingLogin, releaseLogin, type PendingLogin } from './pending-login.ts';
import { requestIdOf } from '../log.ts';
import { shopHeader } from '../http/shop-header.ts';

const NOTICE_EVERY_MS = 24 * 60 * 60 * 1000;

/** Should the notice interstitial be shown to this account for this shop now? */
export function noticeDue(account: Account, partnerId: string, now: number): boolean {
  const last = account.noticeShownAt?.[partnerId];
  return last === undefined || now - last >= NOTICE_EVERY_MS;
}

/** Providers the account could link as a replacement at this shop: signing in there now, not linked yet. */
export function replacementsFor(ctx: LoginContext, partner: Partner, account: Account, excluding: string) {
  // The password counts as held once set; it is set on the account page, never linked from here.
  const linked = new Set(signInMethods(account));
  const now = ctx.clock.now();
  const available = chooserProviders(partner, ctx.broker.configured(), now)
    .map((p) => p.integration.provider)
    .filter((p) => p !== excluding);
  return { toLink: available.filter((p) => !linked.has(p) && ctx.broker.upstream(p)), alreadyLinked: available.filter((p) => linked.has(p)) };
}

export function lifecycleRoutes(ctx: LoginContext): Router {
  const router = express.Router();

  /** The pending sign-in of this interaction, if the browser holds the interaction. */
  async function held(
    req: Request,
    res: Response,
  ): Promise<{ pending: PendingLogin; interaction: Interaction; partner: Partner; account: Account; locale: Locale } | undefined> {
    let details: Interaction;
    try {
      details = await ctx.oidc().interactionDetails(req, res);
    } catch {
      return undefined;
    }
    if (details.uid !== req.params.uid) return undefined;
    const pending = await pendingLogin(ctx.store, details.uid);
    if (!pending) return undefined;
    const [partner, account] = await Promise.all([getPartner(ctx.store, pending.partnerId), getAccount(ctx.store, pending.accountId)]);
    if (!partner || !account) return undefined;
    const locale = pickLocale({ uiLocales: details.params.ui_locales, acceptLanguage: req.get('accept-language'), fallback: partner.locales[0] });
    return { pending, interaction: details, partner, account, locale };
  }

  async function lost(req: Request, res: Response): Promise<void> {
    await sendFailure(ctx, res, new GatewayError('ERR_INTERACTION_LOST', 'no pending sign-in for this interaction', { status: 400 }), {
      locale: pickLocale({ acceptLanguage: req.get('accept-language') }),
      requestId: requestIdOf(res),
    });
  }

  const label = (id: string, locale: Locale) => ctx.descriptors.get(id)?.label[locale] ?? id;

  router.get('/interaction/:uid/notice', async (req, res) => {
    const h = await held(req, res);
    if (!h || h.pending.kind !== 'notice') return lost(req, res);
    const t = translator(h.locale);
    const integration = integrationFor(h.partner, h.pending.provider);
    const providerLabel = label(h.pending.provider, h.locale);
    const { toLink } = replacementsFor(ctx, h.partner, h.account, h.pending.provider);
    res.type('html').send(
      await ctx.renderer.render(
        'notice',
        { locale: h.locale, requestId: requestIdOf(res), shop: shopHeader(h.partner, h.locale, h.interaction.params.redirect_uri) },
        {
          shop: partnerName(h.partner, h.locale),
          provider: providerLabel,
          notice: integration ? noticeText(h.partner, integration, ctx.descriptors.get(h.pending.provider)!.label, h.locale, ctx.clock.now()) : '',
          links: toLink.map((id) => ({ id, label: label(id, h.locale), href: `/interaction/${h.pending.interactionUid}/link/${id}` })),
          continueAction: `/interaction/${h.pending.interactionUid}/continue`,
          csrf: ctx.csrf.token(res),
          t,
        },
      ),
    );
  });

  router.post('/interaction/:uid/continue', ...ctx.csrf.protect, async (req, res) => {
    const h = await held(req, res);
    if (!h || h.pending.kind !== 'notice') return lost(req, res);
    const now = ctx.clock.now();
    await ctx.store.update<Account>('accounts', h.account.id, (a) => ({ ...a, noticeShownAt: { ...a.noticeShownAt, [h.partner.id]: now } }));
    const returnTo = await finishLogin(ctx.oidc(), h.interaction, h.partner.firstParty, h.account.id, h.pending.provider);
    await releaseLogin(ctx.store, h.pending.interactionUid);
    return returnTo ? res.redirect(303, returnTo) : lost(req, res);
  });

  router.get('/interaction/:uid/migrate', async (req, res) => {
    const h = await held(req, res);
    if (!h || h.pending.kind !== 'migrate') return lost(req, res);
    const integration = integrationFor(h.partner, h.pending.provider);
    const { toLink, alreadyLinked } = replacementsFor(ctx, h.partner, h.account, h.pending.provider);
    const uid = h.pending.interactionUid;
    res.type('html').send(
      await ctx.renderer.render(
        'migrate',
        { locale: h.locale, requestId: requestIdOf(res), shop: shopHeader(h.partner, h.locale, h.interaction.params.redirect_uri) },
        {
          shop: partnerName(h.partner, h.locale),
          provider: label(h.pending.provider, h.locale),
          notice: integration ? noticeText(h.partner, integration, ctx.descriptors.get(h.pending.provider)!.label, h.locale, ctx.clock.now()) : '',
          links: toLink.map((id) => ({ id, label: label(id, h.locale), href: `/interaction/${uid}/link/${id}` })),
          // Already linked: the shopper signs in with it (a normal login), the grace provider does not let them in.
          alreadyLinked: alreadyLinked.map((id) => ({ id, label: label(id, h.locale), href: `/interaction/${uid}/start/${id}` })),
          abortAction: `/interaction/${uid}/abort?error=access_denied`,
          csrf: ctx.csrf.token(res),
        },
      ),
    );
  });

  // Starts the upstream round trip that links a replacement to the held account.
  router.get('/interaction/:uid/link/:provider', async (req, res) => {
    const h = await held(req, res);
    if (!h) return lost(req, res);
    const provider = req.params.provider!;
    const { toLink } = replacementsFor(ctx, h.partner, h.account, h.pending.provider);
    if (!toLink.includes(provider)) {
      return sendFailure(ctx, res, new GatewayError('ERR_PROVIDER_UNAVAILABLE', `"${provider}" cannot be linked here now`, { status: 403 }), {
        locale: h.locale,
        requestId: requestIdOf(res),
        interactionUid: h.pending.interactionUid,
        shopName: partnerName(h.partner, h.locale),
        shop: shopHeader(h.partner, h.locale),
        provider,
      });
    }
    const url = await ctx.broker.start({
      provider,
      purpose: 'link',
      binding: browserBinding(req, res, ctx.secureCookies),
      locale: h.locale,
      interactionUid: h.pending.interactionUid,
      partnerId: h.partner.id,
      clientId: String(h.interaction.params.client_id),
      accountId: h.account.id,
      reauthenticate: forcesReauthentication(h.interaction.prompt),
    });
    res.redirect(303, url);
  });

  // "Used Weibo before?": a sign-in with a provider in grace, which only proves identity for a migration.
  router.get('/interaction/:uid/migrate/:provider', async (req, res) => {
    let details: Interaction;
    try {
      details = await ctx.oidc().interactionDetails(req, res);
    } catch {
      return lost(req, res);
    }
    if (details.uid !== req.params.uid || details.prompt.name !== 'login') return lost(req, res);
    const partner = await partnerOfClient(ctx.store, String(details.params.client_id));
    if (!partner) return lost(req, res);
    const provider = req.params.provider!;
    const locale = pickLocale({ uiLocales: details.params.ui_locales, acceptLanguage: req.get('accept-language'), fallback: partner.locales[0] });
    const a = loginAvailability(partner, provider, ctx.broker.configured(), ctx.clock.now());
    // The password's migration is its form on the chooser.
    if (!a.ok && a.reason === 'grace' && !ctx.broker.upstream(provider)) return res.redirect(303, `/interaction/${details.uid}?chooser=1`);
    if (a.ok || a.reason !== 'grace') {
      return sendFailure(
        ctx,
        res,
        new GatewayError('ERR_INTEGRATION_ENDED', `"${provider}" is not in its migration window at ${partner.id}`, { status: 403 }),
        {
          locale,
          requestId: requestIdOf(res),
          interactionUid: details.uid,
          shopName: partnerName(partner, locale),
          shop: shopHeader(partner, locale),
          provider,
          othersAvailable: chooserProviders(partner, ctx.broker.configured(), ctx.clock.now()).length > 0,
        },
      );
    }
    const url = await ctx.broker.start({
      provider,
      purpose: 'migrate',
      binding: browserBinding(req, res, ctx.secureCookies),
      locale,
      interactionUid: details.uid,
      partnerId: partner.id,
      clientId: String(details.params.client_id),
      reauthenticate: forcesReauthentication(details.prompt),
    });
    res.redirect(303, url);
  });

  return router;
}
