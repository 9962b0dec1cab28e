// What QQ Connect checks against an app's registration, in the emulator: app ids are numbers (QQ's
// service decodes `oauth_consumer_key` as an unsigned 64-bit integer), a `redirect_uri` is legal when it
// lies under one of the app's registered root domains (QQ's FAQ: register `mysite.com;example.com`, then
// `http://bbs.mysite.com/qqlogin.php?a=1` is legal, another domain gets 100010), callback and state stay
// within 500 bytes, and codes and tokens are 32 uppercase hex characters.

import type { EmulatorApp } from '../contract.ts';
import { pooledRandomBytes } from '../shared/emulator/random.ts';
import { httpUrl } from '../shared/profile-fields.ts';
import type { GrantShapes } from '../shared/emulator/grant-store.ts';

const UINT64_MAX = 18446744073709551615n;

/** QQ's codes, access tokens and refresh tokens: 32 uppercase hex characters (`FE04****CCE2`, providers.md §2.3). */
export const QQ_GRANT_SHAPES: GrantShapes = {
  code: () => upperHex32(),
  token: () => upperHex32(),
};

function upperHex32(): string {
  return pooledRandomBytes(16).toString('hex').toUpperCase();
}

/** A QQ app id: decimal digits that fit an unsigned 64-bit integer. */
export function isQqAppId(value: string): boolean {
  return /^\d{1,20}$/.test(value) && BigInt(value) <= UINT64_MAX;
}

/** The emulator refuses to register an app QQ could not have issued (a word where QQ has a number). */
export function assertQqApps(apps: readonly EmulatorApp[]): void {
  for (const app of apps) {
    if (!isQqAppId(app.clientId)) throw new TypeError(`QQ app ids are numbers; "${app.clientId}" cannot be registered with the QQ emulator`);
  }
}

/**
 * The app's registered callback root domains: `extra.callbackDomains` (QQ's own form, `a.com;b.com`),
 * else the host names of its redirect URIs.
 */
export function callbackDomains(app: EmulatorApp): string[] {
  const declared = app.extra?.callbackDomains;
  if (typeof declared === 'string' && declared.trim()) {
    return declared
      .split(';')
      .map((d) => d.trim().toLowerCase())
      .filter(Boolean);
  }
  return app.redirectUris.flatMap((uri) => {
    try {
      return [new URL(uri).hostname.toLowerCase()];
    } catch {
      return [];
    }
  });
}

/** QQ's FAQ: the callback (and the state) must stay within 500 bytes. */
export const MAX_CALLBACK_BYTES = 500;

/** Whether QQ would accept this redirect_uri for the app: an http(s) address under a registered domain. */
export function redirectUriAllowed(app: EmulatorApp, redirectUri: string): boolean {
  if (Buffer.byteLength(redirectUri) > MAX_CALLBACK_BYTES) return false;
  // An absolute http(s) URL without embedded credentials (the shared reading of provider URLs).
  const href = httpUrl(redirectUri);
  if (!href) return false;
  const host = new URL(href).hostname.toLowerCase();
  return callbackDomains(app).some((domain) => host === domain || host.endsWith(`.${domain}`));
}

/**
 * get_user_info's reading of `oauth_consumer_key`, as QQ's Go service decodes it into a uint64: one
 * decimal number, or QQ's codec error (`ret` 1). The repeated-parameter text is observed
 * (qdsang/passport-qq#2, 2024); the non-numeric text follows the same decoder's wording (not observed).
 */
export function decodeConsumerKey(raw: unknown): { ok: true; value: string | undefined } | { ok: false; ret: 1; msg: string } {
  const codecError = (detail: string) => ({ ok: false as const, ret: 1 as const, msg: `service codec Unmarshal: 1 error(s) decoding:\n\n* ${detail}` });
  if (Array.isArray(raw)) {
    return codecError(`oauth_consumer_key expected type uint64, got unconvertible type []string, value: [${raw.map(String).join(' ')}]`);
  }
  if (typeof raw !== 'string' || raw === '') return { ok: true, value: undefined };
  if (!/^\d+$/.test(raw)) return codecError(`cannot parse 'oauth_consumer_key' as uint: strconv.ParseUint: parsing ${JSON.stringify(raw)}: invalid syntax`);
  if (!isQqAppId(raw)) return codecError(`cannot parse 'oauth_consumer_key' as uint: strconv.ParseUint: parsing ${JSON.stringify(raw)}: value out of range`);
  return { ok: true, value: raw };
}
