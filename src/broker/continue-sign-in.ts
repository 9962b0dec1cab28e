// What follows once a sign-in has proven who the shopper is (an upstream provider, the password, any
// native method): one decision for every method. A new identity held by "have you signed in here before?"
// joins the account just proven and the sign-in finishes with it; a method in grace holds the sign-in on
// the migration page (a replacement must be added first); a method in notice holds it on the notice
// interstitial (at most once a day per account and shop); otherwise the interaction finishes.

import type { IncomingMessage } from 'node:http';
import type { Grant, Interaction } from 'oidc-provider';
import type { Account } from '../accounts/account.ts';
import { linkIdentity } from '../accounts/link.ts';
import { loginAvailability } from '../partners/availability.ts';
import type { Partner } from '../partners/partner.ts';
import { type FinishedLogin, finishLogin } from './finish-interaction.ts';
import type { LoginContext } from './login-context.ts';
import { holdLogin, releaseLogin } from './pending-login.ts';
import { dropUnclaimed, type UnclaimedIdentity, unclaimedOf } from './unclaimed-identity.ts';

const NOTICE_EVERY_MS = 24 * 60 * 60 * 1000;

/** Should the notice interstitial be shown to this account for this shop now? */
function noticeDue(account: Account, partnerId: string, now: number): boolean {
  const last = account.noticeShownAt?.[partnerId];
  return last === undefined || now - last >= NOTICE_EVERY_MS;
}

export interface ProvenSignIn {
  interaction: Interaction;
  partner: Partner;
  account: Account;
  /** The method that proved it (a provider id, `password`, …). */
  provider: string;
  /**
   * The "signed in before?" record of this interaction, when the caller already read it in this request
   * (null: there is none); read here otherwise.
   */
  unclaimed?: UnclaimedIdentity | null;
  /** The account was created by this sign-in (for its login event). */
  created?: boolean;
  /** The request that answers a finished sign-in with oidc-provider's resume in place (finish-interaction.ts). */
  resumeIn?: IncomingMessage;
}

/**
 * Where the browser goes next: a held page of this interaction, or oidc-provider's resume (`finished`,
 * with the grant it saved and the account it finished with when that is the version the store holds:
 * a resume in the same request needs not read them again, see account-in-request.ts).
 */
export type NextStep =
  | { kind: 'held'; url: string; hold: 'notice' | 'migrate' }
  | { kind: 'finished'; returnTo: string; account?: Account; grant?: Grant; signedIn: SignedInWith }
  | { kind: 'lost' };

/** Who reached the shop and with which method (the login event, src/broker/record-sign-in.ts). */
export interface SignedInWith {
  account: string;
  method: string;
  created?: boolean;
}

export async function continueSignIn(ctx: LoginContext, p: ProvenSignIn): Promise<NextStep> {
  const uid = p.interaction.uid;
  const now = ctx.clock.now();
  const configured = ctx.broker.configured();
  const unclaimed = p.unclaimed !== undefined ? (p.unclaimed ?? undefined) : await unclaimedOf(ctx.store, uid);
  if (unclaimed && unclaimed.partnerId === p.partner.id && loginAvailability(p.partner, unclaimed.identity.provider, configured, now).ok) {
    // "Yes, I signed in here before": the new identity joins the account the old way just proved.
    const { account } = await linkIdentity(ctx.store, ctx.clock, p.account.id, unclaimed.identity, unclaimed.sealedToken);
    await dropUnclaimed(ctx.store, uid);
    ctx.events?.note({ at: now, partner: p.partner.id, method: unclaimed.identity.provider, kind: 'link' });
    await releaseLogin(ctx.store, uid);
    ctx.log.info({ partner: p.partner.id, account: account.id, provider: unclaimed.identity.provider }, 'linked the new identity after "signed in before"');
    const login = await finishLogin(ctx.oidc(), p.interaction, p.partner.firstParty, account.id, unclaimed.identity.provider, p.resumeIn);
    return finished(login, { account: account.id, method: unclaimed.identity.provider });
  }
  const availability = loginAvailability(p.partner, p.provider, configured, now);
  const hold = async (kind: 'notice' | 'migrate'): Promise<NextStep> => {
    await holdLogin(ctx.store, {
      interactionUid: uid,
      accountId: p.account.id,
      partnerId: p.partner.id,
      provider: p.provider,
      kind,
      createdAt: now,
      ...(p.created ? { accountCreated: true as const } : {}),
    });
    return { kind: 'held', url: `/interaction/${uid}/${kind}`, hold: kind };
  };
  if (!availability.ok && availability.reason === 'grace') return hold('migrate');
  if (availability.ok && availability.phase.phase === 'notice' && noticeDue(p.account, p.partner.id, now)) return hold('notice');
  const login = await finishLogin(ctx.oidc(), p.interaction, p.partner.firstParty, p.account.id, p.provider, p.resumeIn);
  return finished(login, { account: p.account.id, method: p.provider, ...(p.created ? { created: true } : {}) }, p.account);
}

function finished(login: FinishedLogin | undefined, signedIn: SignedInWith, account?: Account): NextStep {
  if (!login) return { kind: 'lost' };
  return { kind: 'finished', ...login, signedIn, ...(account ? { account } : {}) };
}
