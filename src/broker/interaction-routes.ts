// The login interaction pages: the chooser (or the shop's provider hint), starting a provider, the
// consent page for third-party shops, and going back to the shop. The chooser renders the partner's
// login-page model at the current instant: buttons for live and notice providers, a "used X before?"
// link for providers in grace, the email + password form where the partner offers `password`, an alert
// when the session's own way of signing in no longer works here.

import type { Interaction } from 'oidc-provider';
import express, { type Request, type Response, type Router } from 'express';
import { GatewayError } from '../errors.ts';
import { pickLocale } from '../i18n/locale.ts';
import { partnerOfClient } from '../partners/partners.ts';
import { loginAvailability } from '../partners/availability.ts';
import { loginPageModel } from '../partners/login-page-model.ts';
import { partnerName, type Partner } from '../partners/partner.ts';
import type { Locale } from '../../providers/contract.ts';
import { providerOf } from '../oidc/lifecycle-checks.ts';
import { forcesReauthentication } from '../oidc/reauthentication.ts';
import { chooserView } from '../partners/chooser-view.ts';
import { normaliseEmail, validEmail } from '../accounts/native-rules.ts';
import { browserBinding } from './binding-cookie.ts';
import { sendFailure, type FailureContext } from './failure-page.ts';
import { finishInteraction, grantAll } from './finish-interaction.ts';
import type { LoginContext } from './login-context.ts';
import { requestIdOf } from '../log.ts';
import { shopHeader } from '../http/shop-header.ts';

export function localeFor(req: Request, params: Record<string, unknown> | undefined, partner?: Partner): Locale {
  return pickLocale({ uiLocales: params?.ui_locales, acceptLanguage: req.get('accept-language'), fallback: partner?.locales[0] });
}

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

/**
 * The chooser of a login interaction: the partner's login-page model now — provider buttons, "used X
 * before?" links, and the email + password form when the partner offers `password` (in grace, the same
 * form serves the migration). `password` re-renders it after a refused password with the message.
 */
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

export function interactionRoutes(ctx: LoginContext): Router {
  const router = express.Router();

  /** The interaction named in the path, if this browser holds it. */
  async function details(req: Request, res: Response) {
    try {
      const d = await ctx.oidc().interactionDetails(req, res);
      return d.uid === req.params.uid ? d : undefined;
    } catch {
      return undefined;
    }
  }

  async function lost(req: Request, res: Response): Promise<void> {
    const locale = localeFor(req, undefined);
    await sendFailure(ctx, res, new GatewayError('ERR_INTERACTION_LOST', 'interaction not found for this browser', { status: 400 }), {
      locale,
      requestId: requestIdOf(res),
    });
  }

  async function startProvider(req: Request, res: Response, partner: Partner, d: Interaction, provider: string, locale: Locale): Promise<void> {
    const availability = loginAvailability(partner, provider, ctx.broker.configured(), ctx.clock.now());
    if (!ctx.descriptors.has(provider)) {
      await sendFailure(ctx, res, new GatewayError('ERR_PROVIDER_UNKNOWN', `unknown provider "${provider}"`, { status: 404 }), {
        ...failureContext(ctx, res, partner, d.uid, locale),
        hint: provider,
      });
      return;
    }
    if (!availability.ok) {
      // A clear page naming the ways that still work (and the migration path while in grace).
      const ended = availability.reason === 'grace' || availability.reason === 'ended';
      const err = ended
        ? new GatewayError('ERR_INTEGRATION_ENDED', `provider "${provider}" has ended at ${partner.id} (${availability.reason})`, { status: 403 })
        : new GatewayError('ERR_PROVIDER_UNAVAILABLE', `provider "${provider}" is ${availability.reason} at ${partner.id}`, { status: 403 });
      const f = failureContext(ctx, res, partner, d.uid, locale, provider);
      const model = loginPageModel(partner, ctx.clock.now(), locale, ctx.descriptors, ctx.broker.configured());
      const alternatives = model.providers
        .filter((p) => p.shown === 'button' || (p.shown === 'migrate-link' && p.id === provider))
        .map((p) => ({
          id: p.id,
          label: p.label,
          href: `/interaction/${d.uid}/${p.shown === 'button' ? 'start' : 'migrate'}/${p.id}`,
          ...(p.shown === 'migrate-link' ? { migrate: true } : {}),
        }));
      await sendFailure(ctx, res, err, { ...f, alternatives });
      return;
    }
    // The password has no round trip: its form is on the chooser.
    if (!ctx.broker.upstream(provider)) return void res.redirect(303, `/interaction/${d.uid}?chooser=1`);
    const binding = browserBinding(req, res, ctx.secureCookies);
    const url = await ctx.broker.start({
      provider,
      purpose: 'login',
      binding,
      locale,
      interactionUid: d.uid,
      partnerId: partner.id,
      clientId: d.params.client_id as string | undefined,
      reauthenticate: forcesReauthentication(d.prompt),
    });
    res.redirect(303, url);
  }

  router.get('/interaction/:uid', async (req, res) => {
    const d = await details(req, res);
    if (!d) return lost(req, res);
    const partner = await partnerOfClient(ctx.store, String(d.params.client_id));
    if (!partner) return lost(req, res);
    const locale = localeFor(req, d.params, partner);
    const shop = partnerName(partner, locale);

    if (d.prompt.name === 'consent') {
      const accountId = d.session?.accountId;
      if (!accountId) return lost(req, res);
      if (partner.firstParty) {
        const grantId = await grantAll(ctx.oidc(), d, accountId);
        const returnTo = await finishInteraction(ctx.oidc(), d.uid, { consent: { grantId } });
        return returnTo ? res.redirect(303, returnTo) : lost(req, res);
      }
      const scopes = String(d.params.scope ?? 'openid').split(' ');
      const scopeKeys = ['openid', 'profile', 'email', 'offline_access'].filter((s) => scopes.includes(s)).map((s) => `consent.scope.${s}`);
      res.type('html').send(
        await ctx.renderer.render(
          'consent',
          { locale, requestId: requestIdOf(res), shop: shopHeader(partner, locale, d.params.redirect_uri) },
          {
            shop,
            scopeKeys,
            allowAction: `/interaction/${d.uid}/consent`,
            denyAction: `/interaction/${d.uid}/abort?error=access_denied`,
            csrf: ctx.csrf.token(res),
          },
        ),
      );
      return;
    }

    const hint = typeof d.params.provider === 'string' ? d.params.provider : undefined;
    // A hint starts that provider, or explains why not; a usable `password` hint comes back here (?chooser).
    if (hint && req.query.chooser === undefined) return startProvider(req, res, partner, d, hint, locale);
    // Back from "Forgot password?" (src/account-console/native-routes.ts): the email is filled in.
    const email = normaliseEmail(req.query.email);
    await sendChooser(ctx, res, d, partner, locale, validEmail(email) ? { email } : {});
  });

  router.get('/interaction/:uid/start/:provider', async (req, res) => {
    const d = await details(req, res);
    if (!d || d.prompt.name !== 'login') return lost(req, res);
    const partner = await partnerOfClient(ctx.store, String(d.params.client_id));
    if (!partner) return lost(req, res);
    await startProvider(req, res, partner, d, req.params.provider!, localeFor(req, d.params, partner));
  });

  router.post('/interaction/:uid/consent', ...ctx.csrf.protect, async (req, res) => {
    const d = await details(req, res);
    if (!d || d.prompt.name !== 'consent' || !d.session?.accountId) return lost(req, res);
    const grantId = await grantAll(ctx.oidc(), d, d.session.accountId);
    const returnTo = await finishInteraction(ctx.oidc(), d.uid, { consent: { grantId } });
    return returnTo ? res.redirect(303, returnTo) : lost(req, res);
  });

  router.post('/interaction/:uid/abort', ...ctx.csrf.protect, async (req, res) => {
    const d = await details(req, res);
    if (!d) return lost(req, res);
    const error = req.query.error === 'temporarily_unavailable' ? 'temporarily_unavailable' : 'access_denied';
    const description = error === 'access_denied' ? 'the shopper did not sign in' : 'the provider is temporarily unavailable';
    const returnTo = await finishInteraction(ctx.oidc(), d.uid, { error, error_description: description });
    return returnTo ? res.redirect(303, returnTo) : lost(req, res);
  });

  return router;
}
