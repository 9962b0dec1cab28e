// oidc-provider's `interactions.url` hook. A login with a usable provider hint (`provider=qq`) goes
// straight to the provider — the flow is created here and the browser skips the chooser hop; every
// other interaction (chooser, consent, an unusable hint that needs explaining) goes to /interaction/<uid>.
// oidc-provider scopes its interaction cookie to the path of the URL returned here, so when that is the
// provider's page, the cookie is also set for /interaction/<uid> (the failure page's actions need it).
// Every new interaction is first counted against its browser's and address's caps (sign-in-admission.ts),
// with the flow it starts at once in the same step (if the provider then cannot be asked, that count holds
// a place among the sign-in's flows until the flow would have expired).

import type { Interaction, KoaContextWithOIDC } from 'oidc-provider';
import { localeFrom } from './locale.ts';
import { partnerOfClient } from '../partners/partners.ts';
import { loginAvailability } from '../partners/availability.ts';
import { ensureBinding } from './binding-cookie.ts';
import { forcesReauthentication } from '../oidc/reauthentication.ts';
import type { LoginContext } from './login-context.ts';
import { UpstreamError } from '../errors.ts';
import { admitSignIn, interactionLeftMs, SIGN_IN_REFUSED_PATH } from './sign-in-admission.ts';

export function interactionUrl(ctx: LoginContext) {
  return async (koa: KoaContextWithOIDC, interaction: Interaction): Promise<string> => {
    const jar = {
      get: (name: string) => koa.cookies.get(name),
      set: (name: string, value: string, options: { httpOnly: boolean; sameSite: 'lax'; secure: boolean; path: string }) => {
        koa.cookies.set(name, value, { ...options, signed: false, overwrite: true });
      },
    };
    const binding = ensureBinding(jar, ctx.secureCookies);
    const page = `/interaction/${interaction.uid}`;
    const hint = interaction.params?.provider;
    // A `password` hint is the chooser with its password form: no upstream round trip.
    const upstream = interaction.prompt?.name === 'login' && typeof hint === 'string' && ctx.descriptors.has(hint) && ctx.broker.upstream(hint);
    const partner = upstream ? await partnerOfClient(ctx.store, String(interaction.params.client_id)) : undefined;
    const starts = upstream && partner !== undefined && loginAvailability(partner, hint, ctx.broker.configured(), ctx.clock.now()).ok;
    // The flow about to start is counted with the sign-in, in the admission's one step.
    const planned = starts ? ctx.broker.plan() : undefined;
    if (!(await admitSignIn(ctx, koa, interaction, binding, planned))) return SIGN_IN_REFUSED_PATH;
    if (!starts || !partner || !planned) return page;
    // oidc-provider sets this cookie too, but for the provider's path; both stay (no overwrite).
    koa.cookies.set(koa.oidc.provider.cookieName('interaction'), interaction.uid, {
      path: page,
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.secureCookies,
      maxAge: interactionLeftMs(interaction),
    });
    const locale = localeFrom(interaction.params, koa.get('accept-language'), partner);
    return ctx.broker
      .start({
        provider: hint,
        purpose: 'login',
        binding,
        locale,
        interactionUid: interaction.uid,
        partnerId: partner.id,
        clientId: String(interaction.params.client_id),
        reauthenticate: forcesReauthentication(interaction.prompt),
        userAgent: koa.get('user-agent'),
        counted: planned,
      })
      .catch((err: unknown) => {
        // The provider cannot be asked (its discovery failed): the interaction page tries once more and
        // shows the failure page with its ways forward.
        if (err instanceof UpstreamError) return page;
        throw err;
      });
  };
}
