// The login interaction pages: the chooser (or the shop's provider hint), starting a provider, the
// consent page for third-party shops (showing who is signed in, with "Not you? Switch account"), and going
// back to the shop. The chooser renders the partner's login-page model at the current instant: buttons for
// live and notice providers, "recover your account with X (until …)" for providers in grace, the email +
// password form where the partner offers `password`, an alert when the session's own way of signing in no
// longer works here. Each route lists its guards as named steps (sign-in-steps.ts).

import type { Interaction } from 'oidc-provider';
import express, { type Request, type Response, type Router } from 'express';
import { getAccount } from '../accounts/sign-in.ts';
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
import { finishInteraction, grantAll } from './finish-interaction.ts';
import type { LoginContext } from './login-context.ts';
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
import { lost, refusals, runSteps, type SignInState, stepRunner } from './steps.ts';

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
    await ctx.renderer.render(
      'consent',
      { locale, requestId: requestIdOf(res) },
      {
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
      },
    ),
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
      const returnTo = await finishInteraction(ctx.oidc(), d.uid, { consent: { grantId } });
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
    await sendChooser(ctx, res, d, s.partner!, s.locale);
  });

  router.get(
    '/interaction/:uid/start/:provider',
    steps(loadInteraction, requireLoginPrompt, loadPartner, chooseLocale, requireKnownProvider, requireAvailable),
    (req, res) => startUpstream(ctx, req, res, res.locals.signIn as SignInState),
  );

  router.post('/interaction/:uid/consent', ...ctx.csrf.protect, steps(loadInteraction, requireConsentPrompt), async (_req, res) => {
    const d = (res.locals.signIn as SignInState).interaction!;
    const grantId = await grantAll(ctx.oidc(), d, d.session!.accountId);
    const returnTo = await finishInteraction(ctx.oidc(), d.uid, { consent: { grantId } });
    if (!returnTo) throw lost('the interaction expired');
    res.redirect(303, returnTo);
  });

  // "Not you? Switch account": the same authorization request again with a fresh login (prompt=login);
  // this interaction ends, and whoever signs in next answers the consent for themselves.
  router.post('/interaction/:uid/switch-account', ...ctx.csrf.protect, steps(loadInteraction, requireConsentPrompt), async (_req, res) => {
    const d = (res.locals.signIn as SignInState).interaction!;
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(d.params)) if (typeof value === 'string') params.set(key, value);
    const prompts = new Set(['login', ...(params.get('prompt') ?? '').split(' ').filter((p) => p && p !== 'none')]);
    params.set('prompt', [...prompts].join(' '));
    await d.destroy();
    ctx.signIns.ended(d.uid);
    res.redirect(303, `/auth?${params}`);
  });

  router.post('/interaction/:uid/abort', ...ctx.csrf.protect, steps(loadInteraction), async (req, res) => {
    const d = (res.locals.signIn as SignInState).interaction!;
    const error = req.query.error === 'temporarily_unavailable' ? 'temporarily_unavailable' : 'access_denied';
    const description = error === 'access_denied' ? 'the shopper did not sign in' : 'the provider is temporarily unavailable';
    const returnTo = await finishInteraction(ctx.oidc(), d.uid, { error, error_description: description });
    if (!returnTo) throw lost('the interaction expired');
    res.redirect(303, returnTo);
  });

  router.use('/interaction/:uid', refusals(ctx));
  return router;
}
