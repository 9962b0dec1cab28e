// The page that asks for a phone number and then its texted code (views/phone-code.ejs), as the three
// places that text a code show it: the phone sign-in, adding a number to a held sign-in, and the account
// page. Each has a base path (`…/phone`): the number posts to `<base>/send`, the code to `<base>/verify`,
// `<base>?change=1` asks for another number. The step follows the subject's pending code; a refusal names
// its reason (limits answered after the refusal pause) and keeps what was typed.

import type { Response } from 'express';
import type { Locale } from '../../providers/contract.ts';
import type { Clock } from '../clock.ts';
import type { Renderer } from '../http/render.ts';
import type { ShopHeader } from '../http/shop-header.ts';
import { afterPause } from '../http/tarpit.ts';
import { translator } from '../i18n/messages.ts';
import { requestIdOf } from '../log.ts';
import type { PhoneProblem } from '../accounts/phone-credentials.ts';
import { displayPhone } from '../accounts/phone-number.ts';
import { CODE_TTL_MS, type CodeBook } from '../accounts/verification-codes.ts';

export type CodeProblem = PhoneProblem | 'codeWrong' | 'codeExpired';

export const STATUS: Partial<Record<CodeProblem, number>> = {
  phoneInvalid: 400,
  phoneLimited: 429,
  phoneWait: 429,
  smsFailed: 503,
  phoneTaken: 409,
  phoneSame: 409,
  codeWrong: 401,
  codeExpired: 400,
};

export interface PhoneCodePage {
  /** The shop the page is for (its header); absent on the account page. */
  header?: ShopHeader;
  title: string;
  lead?: string;
  shop: string;
  base: string;
  verifyLabel: string;
  back: { href: string; label: string };
  abortAction?: string;
  csrf: string;
}

export interface PageState {
  step?: 'number' | 'code' | 'unknown';
  error?: string;
  phoneValue?: string;
}

export async function sendPhoneCodePage(
  d: { renderer: Renderer; clock: Clock; codes: CodeBook },
  res: Response,
  locale: Locale,
  subject: string,
  page: PhoneCodePage,
  state: PageState = {},
  status = 200,
): Promise<void> {
  const pending = await d.codes.pending(subject);
  const { header, ...rest } = page;
  const locals = {
    ...rest,
    lead: page.lead,
    abortAction: page.abortAction,
    error: state.error,
    step: state.step ?? (pending ? 'code' : 'number'),
    target: pending ? displayPhone(pending.target) : '',
    phoneValue: state.phoneValue ?? pending?.target ?? '',
    resendIn: pending ? Math.max(0, Math.ceil((pending.resendAt - d.clock.now()) / 1000)) : 0,
    minutes: CODE_TTL_MS / 60_000,
    sendAction: `${page.base}/send`,
    verifyAction: `${page.base}/verify`,
    changeHref: `${page.base}?change=1`,
  };
  res
    .status(status)
    .type('html')
    .send(await d.renderer.render('phone-code', { locale, requestId: requestIdOf(res), ...(header ? { shop: header } : {}) }, locals));
}

/** The page state and status of a refused step (after the refusal pause when it is a limit). */
export async function refused(locale: Locale, problem: CodeProblem, o: { retryAfterSeconds?: number; typed?: string } = {}) {
  if (problem === 'phoneLimited') await new Promise<void>((resolve) => afterPause(resolve));
  const error = translator(locale)(`phone.problem.${problem}`, { s: o.retryAfterSeconds ?? 60 });
  // Waiting for the resend timer keeps the code step; a wrong code too; anything else asks for the number.
  const state: PageState =
    problem === 'phoneWait'
      ? { error }
      : problem === 'codeWrong'
        ? { step: 'code', error }
        : { step: 'number', error, ...(o.typed ? { phoneValue: o.typed } : {}) };
  return { state, status: STATUS[problem] ?? 400 };
}
