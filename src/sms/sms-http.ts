// The one HTTP call an SMS adapter makes: within a deadline, a bounded JSON answer; anything else (no
// answer, not JSON) means sending does not work now. A service's own message goes to the log without
// long digit runs (it may quote the phone number).

import { SmsError } from './sender.ts';

const MAX_BODY = 64 * 1024;

export async function postOrGetJson(url: string, init: RequestInit, timeoutMs: number, service: string): Promise<unknown> {
  let text: string;
  try {
    const res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    text = await res.text();
  } catch (err) {
    throw new SmsError('unavailable', 'Network', `${service} SMS could not be reached: ${(err as Error).message}`);
  }
  if (text.length > MAX_BODY) throw new SmsError('unavailable', 'BodyTooLarge', `${service} SMS answered with ${text.length} characters`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SmsError('unavailable', 'NotJson', `${service} SMS answered with something that is not JSON`);
  }
}

/** The service's message for the log: at most 200 characters, digit runs of 6 or more hidden. */
export function serviceMessage(message: unknown): string {
  return typeof message === 'string' ? message.slice(0, 200).replace(/\+?\d{6,}/g, '…') : '';
}
