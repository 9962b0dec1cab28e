// The login interaction pages: the chooser (chooser-page.ts) or the shop's provider hint, starting a
// provider, the consent page for third-party shops (showing who is signed in, with "Not you? Switch
// account"), and going back to the shop. Each route lists its guards as named steps (sign-in-steps.ts).

import express, { type Request, type Response, type Router } from 'express';
import { getAccount } from '../accounts/sign-in.ts';
import { PASSWORD_METHOD } from '../accounts/password-method.ts';
import { translator } from '../i18n/messages.ts';
import { partnerName } from '../partners/partner.ts';
import { providerOf } from '../oidc/lifecycle-checks.ts';
import { sendChooser } from './chooser-page.ts';
import { normaliseEmail, validEmail } from '../accounts/native-rules.ts';
import { finishInteraction, grantAll } from './finish-interaction.ts';
import type { LoginContext } from './login-context.ts';
import { pageOf } from './page-context.ts';
import {
  chooseLocale,
  loadInteraction,
  loadPartner,
  requireAvailable,
  requireConsentPrompt,
  requireKnownProvider,
  requireLoginPrompt,
} from './sign-in-steps.ts';
import { redirectToProvider } from './start-flow.ts';
import { BINDING_COOKIE } from './binding-cookie.ts';
import { signInPlace } from './sign-in-admission.ts';
import { lost, refusals, runSteps, type SignInState, stepRunner } from './steps.ts';

/** Starts the provider of `s.provider` for a sign-in (the password has no round trip: its form is on the chooser). */
async function startUpstream(ctx: LoginContext, req: Request, res: Response, s: SignInState): Promise<void> {
  if (!ctx.broker.upstream(s.provider!)) return void res.redirect(303, `/interaction/${s.interaction!.uid}?chooser=1`);
  await redirectToProvider(ctx, req, res, s, 'login');
}

/** The consent page: what the shop asks for, and who is signed in ("Not you? Switch account"). */
async function sendConsent(ctx: LoginContext, res: Response, s: SignInState): Promise<void> {
  const d = s.interaction!;
  const locale = s.locale;
  const shop = partnerName(s.partner!, locale);
  const account = await getAccount(ctx.store, d.session!.accountId);
  const via = providerOf(d.session?.amr, ctx.descriptors);
  const scopes = String(d.params.scope ?? 'openid').split(' ');
  const scopeKeys = ['openid', 'profile', 'email', 'offline_access'].filter((x) => scopes.includes(x)).map((x) => `consent.scope.${x}`);
  res.type('html').send(
    await ctx.renderer.render('consent', pageOf(res, s), {
      shop,
      scopeKeys,
      who: {
        name: account?.profile.name ?? '',
        picture: account?.profile.picture,
        via: via ? (ctx.descriptors.get(via)?.label[locale] ?? (via === PASSWORD_METHOD ? translator(locale)('chooser.password.title') : via)) : undefined,
      },
      allowAction: `/interaction/${d.uid}/consent`,
      denyAction: `/interaction/${d.uid}/abort?error=access_denied`,
      switchAction: `/interaction/${d.uid}/switch-account`,
      csrf: ctx.csrf.token(res),
    }),
  );
}

export function interactionRoutes(ctx: LoginContext): Router {
  const router = express.Router();
  const steps = stepRunner(ctx);

  router.get('/interaction/:uid', steps(loadInteraction, loadPartner, chooseLocale), async (req, res) => {
    const s = res.locals.signIn as SignInState;
    const d = s.interaction!;
    if (d.prompt.name === 'consent') {
      await runSteps(ctx, req, res, s, requireConsentPrompt);
      if (!s.partner!.firstParty) return sendConsent(ctx, res, s);
      const grantId = await grantAll(ctx.oidc(), d, d.session!.accountId);
      const returnTo = await finishInteraction(ctx.oidc(), d, { consent: { grantId } });
      if (!returnTo) throw lost('the interaction expired');
      return res.redirect(303, returnTo);
    }
    const hint = typeof d.params.provider === 'string' ? d.params.provider : undefined;
    // A hint starts that provider, or explains why not; a usable `password` hint comes back here (?chooser).
    if (hint && req.query.chooser === undefined) {
      s.provider = hint;
      if (await runSteps(ctx, req, res, s, requireLoginPrompt, requireKnownProvider, requireAvailable)) await startUpstream(ctx, req, res, s);
      return;
    }
    // Back from "Forgot password?" (src/account-console/native-routes.ts): the email is filled in.
    const email = normaliseEmail(req.query.email);
    await sendChooser(ctx, res, d, s.partner!, s.locale, validEmail(email) ? { email } : {});
  });

  router.get(
    '/interaction/:uid/start/:provider',
    steps(loadInteraction, requireLoginPrompt, loadPartner, chooseLocale, requireKnownProvider, requireAvailable),
    (req, res) => startUpstream(ctx, req, res, res.locals.signIn as SignInState),
  );

  router.post('/interaction/:uid/consent', ...ctx.csrf.protect, steps(loadInteraction, requireConsentPrompt), async (_req, res) => {
    const d = (res.locals.signIn as SignInState).interaction!;
    const grantId = await grantAll(ctx.oidc(), d, d.session!.accountId);
    const returnTo = await finishInteraction(ctx.oidc(), d, { consent: { grantId } });
    if (!returnTo) throw lost('the interaction expired');
    res.redirect(303, returnTo);
  });

  // "Not you? Switch account": the same authorization request again with a fresh login (prompt=login);
  // this interaction ends, and whoever signs in next answers the consent for themselves.
  router.post('/interaction/:uid/switch-account', ...ctx.csrf.protect, steps(loadInteraction, requireConsentPrompt), async (req, res) => {
    const d = (res.locals.signIn as SignInState).interaction!;
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(d.params)) {
      for (const one of Array.isArray(value) ? value : [value]) if (typeof one === 'string' || typeof one === 'number') params.append(key, String(one));
    }
    const prompts = new Set(['login', ...(params.get('prompt') ?? '').split(' ').filter((p) => p && p !== 'none')]);
    params.set('prompt', [...prompts].join(' '));
    await d.destroy();
    await ctx.signIns.ended(d.uid, signInPlace(req, req.cookies?.[BINDING_COOKIE]));
    res.redirect(303, `/auth?${params}`);
  });

  router.post('/interaction/:uid/abort', ...ctx.csrf.protect, steps(loadInteraction), async (req, res) => {
    const d = (res.locals.signIn as SignInState).interaction!;
    const error = req.query.error === 'temporarily_unavailable' ? 'temporarily_unavailable' : 'access_denied';
    const description = error === 'access_denied' ? 'the shopper did not sign in' : 'the provider is temporarily unavailable';
    const returnTo = await finishInteraction(ctx.oidc(), d, { error, error_description: description });
    if (!returnTo) throw lost('the interaction expired');
    res.redirect(303, returnTo);
  });

  router.use('/interaction/:uid', refusals(ctx));
  return router;
}
