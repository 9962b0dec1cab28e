// The page for linking an identity that belongs to another account (linkIdentity's LinkConflictError):
// nothing changed, and it says so — not "sign-in did not complete", since the sign-in in progress still
// stands. A held sign-in's main action keeps it (the notice: continue as the held account; a migration:
// choose another way to keep the account); then "link a different QQ account" (the provider asked to sign
// in again) and "set another method". Signing in with the other account is offered last, saying plainly
// that it leads into a different shop account. From the account console: back to the sign-in settings.

import type { Response } from 'express';
import { partnerName } from '../partners/partner.ts';
import { requestIdOf } from '../log.ts';
import type { LoginContext } from './login-context.ts';
import { pageOf } from './page-context.ts';
import type { PendingLogin } from './pending-login.ts';
import type { SignInState } from './steps.ts';
import { methodLabel } from '../i18n/method-label.ts';

export async function sendLinkConflict(ctx: LoginContext, res: Response, s: SignInState, pending: PendingLogin | undefined): Promise<void> {
  const locale = s.locale;
  const label = (id: string) => methodLabel(ctx.descriptors, id, locale);
  const provider = s.flow!.provider;
  ctx.log.info({ reqId: requestIdOf(res), provider, held: pending?.provider }, 'link refused: the identity belongs to another account');
  const uid = pending?.interactionUid;
  const base = uid ? `/interaction/${encodeURIComponent(uid)}` : undefined;
  res
    .status(409)
    .type('html')
    .send(
      await ctx.renderer.render('link-conflict', pageOf(res, s), {
        provider: label(provider),
        providerId: provider,
        shop: s.partner ? partnerName(s.partner, locale) : '',
        held: pending ? { kind: pending.kind, provider: label(pending.provider) } : undefined,
        continueAction: base && pending?.kind === 'notice' ? `${base}/continue` : undefined,
        methodsHref: base && pending ? `${base}/${pending.kind}` : undefined,
        anotherHref: base ? `${base}/link/${encodeURIComponent(provider)}?another=1` : undefined,
        switchHref: base ? `${base}/start/${encodeURIComponent(provider)}` : undefined,
        ...(base ? { csrf: ctx.csrf.token(res) } : {}),
      }),
    );
}
