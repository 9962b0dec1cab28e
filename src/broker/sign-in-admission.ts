// Caps sign-ins in progress per browser and per address (src/broker/sign-ins-in-progress.ts decides):
// when oidc-provider creates an interaction, the browser's oldest sign-ins past its cap are deleted
// with their upstream flows (coming back to one shows "this sign-in has ended"); past the address's cap
// the new interaction is deleted at once and the browser sent to a page (zh-CN + en, 429, Retry-After)
// saying that too many sign-ins are in progress from its network; for a few seconds after such a refusal
// the address's authorization requests get that page directly from this instance (after the refusal
// pause, src/http/tarpit.ts), before oidc-provider does any work for them. Flows past a sign-in's (or a linking account's) cap are deleted.

import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { IncomingMessage } from 'node:http';
import type { Interaction, KoaContextWithOIDC } from 'oidc-provider';
import { GatewayError } from '../errors.ts';
import { clientIpKey } from '../http/client-ip.ts';
import { afterPause } from '../http/tarpit.ts';
import { requestIdOf } from '../log.ts';
import type { Flow, PlannedFlow } from './flow.ts';
import { bindingHash } from './flow.ts';
import { sendFailure } from './failure-page.ts';
import { localeFor } from './locale.ts';
import type { LoginContext } from './login-context.ts';
import type { SignInPlace } from './sign-ins-in-progress.ts';

export const SIGN_IN_REFUSED_PATH = '/sign-in/too-many';
/** How long the refused browser is asked to wait (abandoned sign-ins of the address expire meanwhile). */
const RETRY_AFTER_SECONDS = 300;

/** How long the interaction has left (never below 0): oidc-provider keeps its expiry in real-time seconds, hence Date.now(). */
export function interactionLeftMs(interaction: Interaction): number {
  return typeof interaction.exp === 'number' ? Math.max(interaction.exp * 1000 - Date.now(), 0) : 3600_000;
}

/**
 * Counts the new interaction, and the upstream flow it starts at once (`firstFlow`, planned by the broker
 * and then started with `counted`); false when its address already has too many (it is then deleted).
 */
export async function admitSignIn(
  ctx: LoginContext,
  koa: KoaContextWithOIDC,
  interaction: Interaction,
  binding: string,
  firstFlow?: PlannedFlow,
): Promise<boolean> {
  // The count runs on the gateway clock.
  const remainingMs = interactionLeftMs(interaction);
  const flowEntry = firstFlow ? { key: firstFlow.id, expiresAt: firstFlow.expiresAt } : undefined;
  const admission = await ctx.signIns.admit(interaction.uid, bindingHash(binding), clientIpKey(koa.req), ctx.clock.now() + remainingMs, flowEntry);
  if (!admission.admitted) {
    await interaction.destroy();
    ctx.log.warn({ reqId: koa.res.getHeader('x-request-id') }, 'sign-in refused: too many in progress from this address');
    return false;
  }
  for (const dropped of admission.dropped) {
    await (await ctx.oidc().Interaction.find(dropped.uid))?.destroy();
    for (const flowId of dropped.flows) await ctx.store.delete('flows', flowId);
  }
  return true;
}

/** Where a sign-in that ends in this request is counted: the request's address and browser binding. */
export function signInPlace(req: IncomingMessage, binding: string | undefined): SignInPlace {
  return { ip: clientIpKey(req), browser: binding ? bindingHash(binding) : undefined };
}

/** The broker started a flow: a sign-in (or an account linking from its account page) keeps only its newest few. */
export async function flowStarted(ctx: Pick<LoginContext, 'signIns' | 'store'>, flow: Flow): Promise<void> {
  const dropped = flow.interactionUid
    ? await ctx.signIns.flowStarted(flow.interactionUid, flow.id, flow.expiresAt)
    : flow.accountId
      ? await ctx.signIns.accountFlowStarted(flow.accountId, flow.id, flow.expiresAt)
      : [];
  for (const flowId of dropped) await ctx.store.delete('flows', flowId);
}

async function sendRefusal(ctx: LoginContext, req: Request, res: Response): Promise<void> {
  res.set('Retry-After', String(RETRY_AFTER_SECONDS));
  const err = new GatewayError('ERR_TOO_MANY_SIGNINS', 'too many sign-ins in progress from this address', { status: 429 });
  await sendFailure(ctx, res, err, { locale: localeFor(req, undefined), requestId: requestIdOf(res) });
}

/** The page a refused browser lands on. */
export function signInRefusedRoute(ctx: LoginContext): Router {
  const router = express.Router();
  router.get(SIGN_IN_REFUSED_PATH, (req, res) => sendRefusal(ctx, req, res));
  return router;
}

/**
 * In front of the authorization endpoint: an address this instance refused moments ago gets the refusal
 * page at once (see SignInsInProgress.refusedRecently); any other request goes on to the admission.
 */
export function refuseSignInsWhenFull(ctx: LoginContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.path !== '/auth' || !ctx.signIns.refusedRecently(clientIpKey(req))) return next();
    afterPause(() => sendRefusal(ctx, req, res).catch(next));
  };
}
