// The login interaction pages and the providers' callbacks: the chooser (or the shop's provider hint),
// starting a provider, the consent page for third-party shops, going back to the shop, and `/cb/<id>`
// where a provider returns, the account is found or created and the interaction is finished.

import express, { type Request, type Response, type Router } from 'express';
import { GatewayError } from '../errors.ts';
import { pickLocale } from '../i18n/locale.ts';
import { translator } from '../i18n/messages.ts';
import { signInWithIdentity } from '../accounts/sign-in.ts';
import { getPartner, partnerOfClient } from '../partners/partners.ts';
import { chooserProviders, loginAvailability } from '../partners/availability.ts';
import { partnerName, type Partner } from '../partners/partner.ts';
import type { Locale } from '../../providers/contract.ts';
import { BINDING_COOKIE, ensureBinding } from './binding-cookie.ts';
import { sendFailure, type FailureContext } from './failure-page.ts';
import { finishInteraction, grantAll, loadInteraction } from './finish-interaction.ts';
import type { LoginContext } from './login-context.ts';

const requestId = (res: Response): string => String(res.getHeader('x-request-id') ?? '');

function localeFor(req: Request, params: Record<string, unknown> | undefined, partner?: Partner): Locale {
  return pickLocale({ uiLocales: params?.ui_locales, acceptLanguage: req.get('accept-language'), fallback: partner?.locales[0] });
}

function expressJar(req: Request, res: Response) {
  return {
    get: (name: string) => req.cookies?.[name] as string | undefined,
    set: (name: string, value: string, options: { httpOnly: boolean; sameSite: 'lax'; secure: boolean; path: string }) => {
      res.cookie(name, value, options);
    },
  };
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
      requestId: requestId(res),
    });
  }

  function failureContext(res: Response, partner: Partner, uid: string, locale: Locale, provider?: string): FailureContext {
    const others = chooserProviders(partner, ctx.broker.configured(), ctx.clock.now()).filter((p) => p.integration.provider !== provider);
    const retryable = provider ? loginAvailability(partner, provider, ctx.broker.configured(), ctx.clock.now()).ok : false;
    return { locale, requestId: requestId(res), interactionUid: uid, shopName: partnerName(partner, locale), provider, othersAvailable: others.length > 0, retryable };
  }

  async function startProvider(req: Request, res: Response, partner: Partner, d: any, provider: string, locale: Locale): Promise<void> {
    const availability = loginAvailability(partner, provider, ctx.broker.configured(), ctx.clock.now());
    if (!ctx.descriptors.has(provider)) {
      await sendFailure(ctx, res, new GatewayError('ERR_PROVIDER_UNKNOWN', `unknown provider "${provider}"`, { status: 404 }), {
        ...failureContext(res, partner, d.uid, locale),
        hint: provider,
      });
      return;
    }
    if (!availability.ok) {
      await sendFailure(ctx, res, new GatewayError('ERR_PROVIDER_UNAVAILABLE', `provider "${provider}" is ${availability.reason} at ${partner.id}`, { status: 403 }), failureContext(res, partner, d.uid, locale, provider));
      return;
    }
    const binding = ensureBinding(expressJar(req, res), ctx.secureCookies);
    const url = await ctx.broker.start({
      provider,
      purpose: 'login',
      binding,
      locale,
      interactionUid: d.uid,
      partnerId: partner.id,
      clientId: d.params.client_id,
    });
    res.redirect(303, url);
  }

  router.get('/interaction/:uid', async (req, res) => {
    const d = await details(req, res);
    if (!d) return lost(req, res);
    const partner = await partnerOfClient(ctx.store, String(d.params.client_id));
    if (!partner) return lost(req, res);
    const locale = localeFor(req, d.params, partner);
    const t = translator(locale);
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
      const scopeKeys = ['openid', 'profile', 'offline_access'].filter((s) => scopes.includes(s)).map((s) => `consent.scope.${s}`);
      res.type('html').send(
        await ctx.renderer.render('consent', { locale, requestId: requestId(res) }, {
          shop,
          scopeKeys,
          allowAction: `/interaction/${d.uid}/consent`,
          denyAction: `/interaction/${d.uid}/abort?error=access_denied`,
        }),
      );
      return;
    }

    const hint = typeof d.params.provider === 'string' ? d.params.provider : undefined;
    if (hint && req.query.chooser === undefined) return startProvider(req, res, partner, d, hint, locale);

    const now = ctx.clock.now();
    const providers = chooserProviders(partner, ctx.broker.configured(), now).map(({ integration }) => {
      const descriptor = ctx.descriptors.get(integration.provider)!;
      return { id: descriptor.id, label: descriptor.label[locale], href: `/interaction/${d.uid}/start/${descriptor.id}`, note: undefined as string | undefined };
    });
    res.type('html').send(
      await ctx.renderer.render('chooser', { locale, requestId: requestId(res) }, {
        shop,
        providers,
        abortAction: `/interaction/${d.uid}/abort?error=access_denied`,
        t,
      }),
    );
  });

  router.get('/interaction/:uid/start/:provider', async (req, res) => {
    const d = await details(req, res);
    if (!d || d.prompt.name !== 'login') return lost(req, res);
    const partner = await partnerOfClient(ctx.store, String(d.params.client_id));
    if (!partner) return lost(req, res);
    await startProvider(req, res, partner, d, req.params.provider!, localeFor(req, d.params, partner));
  });

  router.post('/interaction/:uid/consent', async (req, res) => {
    const d = await details(req, res);
    if (!d || d.prompt.name !== 'consent' || !d.session?.accountId) return lost(req, res);
    const grantId = await grantAll(ctx.oidc(), d, d.session.accountId);
    const returnTo = await finishInteraction(ctx.oidc(), d.uid, { consent: { grantId } });
    return returnTo ? res.redirect(303, returnTo) : lost(req, res);
  });

  router.post('/interaction/:uid/abort', async (req, res) => {
    const d = await details(req, res);
    if (!d) return lost(req, res);
    const error = req.query.error === 'temporarily_unavailable' ? 'temporarily_unavailable' : 'access_denied';
    const description = error === 'access_denied' ? 'the shopper did not sign in' : 'the provider is temporarily unavailable';
    const returnTo = await finishInteraction(ctx.oidc(), d.uid, { error, error_description: description });
    return returnTo ? res.redirect(303, returnTo) : lost(req, res);
  });

  router.get('/cb/:provider', async (req, res) => {
    const providerId = req.params.provider!;
    const result = await ctx.broker.callback(providerId, req.query as Record<string, unknown>, req.cookies?.[BINDING_COOKIE]);
    const flow = result.flow;
    const partner = flow?.partnerId ? await getPartner(ctx.store, flow.partnerId) : undefined;
    const locale: Locale = flow?.locale ?? localeFor(req, undefined);
    const alive = flow?.interactionUid ? await loadInteraction(ctx.oidc(), flow.interactionUid) : undefined;
    const failWith = async (err: unknown) => {
      ctx.log.warn(
        { reqId: requestId(res), provider: providerId, code: (err as GatewayError).code, step: (err as any).step, err: { message: (err as Error).message } },
        'upstream sign-in failed',
      );
      const f: FailureContext = alive && partner ? failureContext(res, partner, alive.uid, locale, providerId) : { locale, requestId: requestId(res), provider: providerId };
      await sendFailure(ctx, res, err, f);
    };
    if (!result.ok) return failWith(result.error);
    if (result.flow.purpose !== 'login' || !partner) {
      return failWith(new GatewayError('ERR_INTERACTION_LOST', `flow purpose ${result.flow.purpose} is not handled here`, { status: 400 }));
    }
    // The provider must still sign shoppers in to this shop now, not only when the flow started.
    const availability = loginAvailability(partner, providerId, ctx.broker.configured(), ctx.clock.now());
    if (!availability.ok) {
      return failWith(new GatewayError('ERR_PROVIDER_UNAVAILABLE', `provider "${providerId}" became ${availability.reason} during the flow`, { status: 403 }));
    }
    if (!alive) return failWith(new GatewayError('ERR_INTERACTION_LOST', 'the interaction expired during the flow', { status: 400 }));
    const mayCreate = availability.phase.phase !== 'notice' || availability.integration.newAccountsDuringNotice;
    let signedIn;
    try {
      signedIn = await signInWithIdentity(ctx.store, ctx.clock, result.identity, partner.id, { mayCreate });
    } catch (err) {
      return failWith(err);
    }
    const { account, created } = signedIn;
    ctx.log.info({ reqId: requestId(res), provider: providerId, partner: partner.id, account: account.id, created }, 'signed in upstream');
    const login = { accountId: account.id, amr: ['fed', providerId], remember: true };
    const outcome = partner.firstParty ? { login, consent: { grantId: await grantAll(ctx.oidc(), alive, account.id) } } : { login };
    const returnTo = await finishInteraction(ctx.oidc(), alive.uid, outcome);
    if (!returnTo) return failWith(new GatewayError('ERR_INTERACTION_LOST', 'the interaction expired during the flow', { status: 400 }));
    res.redirect(303, returnTo);
  });

  return router;
}
