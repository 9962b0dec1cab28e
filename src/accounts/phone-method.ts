// The phone number as a sign-in method: like the native password it has an id (`phone`), so partners
// list it among their integrations and schedule it (notice, cutoff, grace) like a provider; sessions
// signed in with a number and a texted code carry `amr: ["sms"]` (RFC 8176). The table here maps Denglu's
// own methods to their `amr` values both ways, for finishing a sign-in and for reading a session back.

import { nativeDescriptor, PASSWORD_AMR, PASSWORD_METHOD } from './password-method.ts';

export const PHONE_METHOD = 'phone';
/** The RFC 8176 `amr` value of a sign-in with a code sent by text message. */
export const PHONE_AMR = 'sms';

export const PHONE_DESCRIPTOR = nativeDescriptor(PHONE_METHOD, { 'zh-CN': '手机号', en: 'phone number' }, '#16824a');

/** Denglu's own sign-in methods and their `amr` value. */
const NATIVE_AMR: Readonly<Record<string, string>> = { [PASSWORD_METHOD]: PASSWORD_AMR, [PHONE_METHOD]: PHONE_AMR };

/** The `amr` of a sign-in through `method`: `["pwd"]`, `["sms"]`, or `["fed", provider]`. */
export function amrOf(method: string): string[] {
  const native = NATIVE_AMR[method];
  return native ? [native] : ['fed', method];
}

/** The native method an `amr` names (`pwd` → password, `sms` → phone), if any. */
export function nativeMethodOf(amr: readonly unknown[]): string | undefined {
  return Object.keys(NATIVE_AMR).find((method) => amr.includes(NATIVE_AMR[method]));
}
