// How a sign-in page route is declared: the guards it passes are named steps listed where the route is
// (as node-oidc-provider lists its checks in lib/actions/authorization/index.js), e.g.
//   router.get('/interaction/:uid/start/:provider', steps(loadInteraction, requireLoginPrompt, loadPartner, chooseLocale, requireAvailable), handler)
// Each step reads the request, fills the sign-in state kept on the response, and refuses by throwing a
// GatewayError (or a Refusal carrying extra ways forward). `refusals` turns a refusal into the failure
// page, with as much of the sign-in as the steps already established (shop, language, ways forward).

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Interaction } from 'oidc-provider';
import type { Account } from '../accounts/account.ts';
import { GatewayError } from '../errors.ts';
import type { Partner } from '../partners/partner.ts';
import type { Locale, UpstreamIdentity } from '../../providers/contract.ts';
import { requestIdOf } from '../log.ts';
import { failureContext } from './failure-context.ts';
import { sendFailure, type FailureContext } from './failure-page.ts';
import type { Flow } from './flow.ts';
import { localeFor } from './locale.ts';
import type { LoginContext } from './login-context.ts';
import type { PendingLogin } from './pending-login.ts';
import type { UnclaimedIdentity } from './unclaimed-identity.ts';
import type { SignInOutcome } from '../metrics/sign-in-outcome.ts';
import { recordFailure } from './record-sign-in.ts';

/** What the steps of one request established, in the order they ran. */
export interface SignInState {
  locale: Locale;
  interaction?: Interaction;
  partner?: Partner;
  /** The sign-in method the route is about (path `:provider`, or the flow's). */
  provider?: string;
  /** A sign-in proven but held (notice or migration), with its account. */
  held?: { pending: PendingLogin; account: Account };
  /** A provider's callback: the flow taken and the identity it proved. */
  flow?: Flow;
  identity?: UpstreamIdentity;
  /** A new identity held while the shopper answers "have you signed in here before?". */
  unclaimed?: UnclaimedIdentity;
  /** The failure happened on the account page (a link from /account): offer the way back there. */
  fromAccountPage?: boolean;
  /** How this request's sign-in attempt ended, once counted (record-sign-in.ts). */
  outcome?: SignInOutcome;
}

export type Step = (ctx: LoginContext, req: Request, res: Response, s: SignInState) => Promise<void> | void;

/** A refusal that adds to the failure page's usual context (e.g. the ways that still work). */
export class Refusal extends Error {
  readonly error: unknown;
  readonly extra: Partial<FailureContext>;
  constructor(error: unknown, extra: Partial<FailureContext> = {}) {
    super(error instanceof Error ? error.message : String(error));
    this.error = error;
    this.extra = extra;
  }
}

/** The sign-in state of this response (created with the request's language on first use). */
export function signInOf(req: Request, res: Response): SignInState {
  const locals = res.locals as { signIn?: SignInState };
  locals.signIn ??= { locale: localeFor(req, undefined) };
  return locals.signIn;
}

/** Runs the named steps in order; a step that answered the request itself (a page, a redirect) ends the list. */
export function stepRunner(ctx: LoginContext) {
  return (...list: Step[]): RequestHandler =>
    async (req: Request, res: Response, next: NextFunction) => {
      const s = signInOf(req, res);
      for (const step of list) {
        await step(ctx, req, res, s);
        if (res.headersSent) return;
      }
      next();
    };
}

/** Runs steps inside a handler (a branch of a route); false when one of them answered the request itself. */
export async function runSteps(ctx: LoginContext, req: Request, res: Response, s: SignInState, ...list: Step[]): Promise<boolean> {
  for (const step of list) {
    await step(ctx, req, res, s);
    if (res.headersSent) return false;
  }
  return true;
}

/** The failure page's context from what the steps established. */
export function failureContextOf(ctx: LoginContext, res: Response, s: SignInState, provider = s.provider): FailureContext {
  if (s.interaction && s.partner) {
    const f = failureContext(ctx, res, s.partner, s.interaction.uid, s.locale, provider);
    const base = `/interaction/${encodeURIComponent(s.interaction.uid)}`;
    // A held sign-in (notice or migration) refused or failed: its ways forward keep the held account —
    // retry the link round trip that failed, or go back to the held page; never a plain sign-in, which
    // could lead into another shop account.
    if (s.held) {
      const { alternatives: _others, ...rest } = f;
      const back = { othersAvailable: true, othersHref: `${base}/${s.held.pending.kind}` };
      if (s.flow?.purpose === 'link' && provider) return { ...rest, ...back, retryable: true, retryHref: `${base}/link/${provider}` };
      return { ...rest, ...back, retryable: false };
    }
    if (s.flow?.purpose === 'migrate' && provider) return { ...f, retryable: true, retryHref: `${base}/migrate/${provider}` };
    return f;
  }
  return {
    locale: s.locale,
    requestId: requestIdOf(res),
    ...(provider ? { provider } : {}),
    ...(s.fromAccountPage ? { fromAccountPage: true } : {}),
  };
}

/** Error middleware of a page router: a refusal (or any exposed GatewayError) becomes the failure page. */
export function refusals(ctx: LoginContext) {
  return async (err: unknown, req: Request, res: Response, next: NextFunction): Promise<void> => {
    const refusal = err instanceof Refusal ? err : err instanceof GatewayError && err.expose ? new Refusal(err) : undefined;
    const s = signInOf(req, res);
    // A route about a sign-in method (a start, a callback, a password or code form) counts its failure.
    if (s.provider !== undefined) recordFailure(ctx, s, refusal ? refusal.error : err);
    if (!refusal || res.headersSent) return next(err);
    await sendFailure(ctx, res, refusal.error, { ...failureContextOf(ctx, res, s), ...refusal.extra });
  };
}

/** The interaction is gone or not this browser's. */
export function lost(why: string): GatewayError {
  return new GatewayError('ERR_INTERACTION_LOST', why, { status: 400 });
}
