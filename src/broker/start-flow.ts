// Sends the browser to the provider of `s.provider` for a round trip of this sign-in: a sign-in, a
// migration sign-in ("used Weibo before?") or a link to the held account. The shop's forced
// re-authentication, or the shopper's "use a different account" (`?another=1`), asks the provider to sign
// the person in again where it can. A provider that cannot be asked gives the failure page.

import type { Request, Response } from 'express';
import { forcesReauthentication } from '../oidc/reauthentication.ts';
import { browserBinding } from './binding-cookie.ts';
import type { FlowPurpose } from './flow.ts';
import type { LoginContext } from './login-context.ts';
import { UpstreamError } from '../errors.ts';
import { Refusal, type SignInState } from './steps.ts';

export async function redirectToProvider(ctx: LoginContext, req: Request, res: Response, s: SignInState, purpose: FlowPurpose): Promise<void> {
  const d = s.interaction!;
  const url = await ctx.broker
    .start({
      provider: s.provider!,
      purpose,
      binding: browserBinding(req, res, ctx.secureCookies),
      locale: s.locale,
      interactionUid: d.uid,
      partnerId: s.partner!.id,
      clientId: String(d.params.client_id),
      ...(purpose === 'link' ? { accountId: s.held!.account.id } : {}),
      reauthenticate: forcesReauthentication(d.prompt) || req.query.another !== undefined,
      userAgent: req.get('user-agent'),
    })
    // A provider that cannot even be asked (its OpenID Connect discovery failed): the failure page, with
    // "try again" and the other ways, as for a failure on the way back.
    .catch((err: unknown) => {
      throw err instanceof UpstreamError ? new Refusal(err) : err;
    });
  res.redirect(303, url);
}
