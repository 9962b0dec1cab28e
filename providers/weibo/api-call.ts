// One call to a Weibo endpoint outside the token exchange (get_token_info, users/show, revokeoauth2):
// Weibo's error bodies become UpstreamErrors carrying `error_code`, a body that is not a JSON object
// becomes a decode error, a deadline becomes step `timeout`. Tokens and codes never reach a message.

import type { UpstreamHttp, UpstreamRequest } from '../shared/upstream-http.ts';
import { type CallSteps, callJson, type JsonObject, parseJsonObject } from '../shared/json-call.ts';

export type WeiboJson = JsonObject;
export type { CallSteps };

export function callWeibo(http: UpstreamHttp, request: UpstreamRequest, what: string, steps: CallSteps): Promise<WeiboJson> {
  return callJson(http, request, what, steps, {
    provider: 'weibo',
    refusal: (json) => (isWeiboError(json) ? describeWeiboError(json) : undefined),
    errorBodyName: 'a weibo error body',
  });
}

export const parseObject = parseJsonObject;

/** Weibo reports failures as `{error, error_code, request[, error_uri, error_description]}`. */
export function isWeiboError(json: WeiboJson): boolean {
  return json.error_code !== undefined || (typeof json.error === 'string' && json.error !== '');
}

/** `"invalid_grant" (error_code 21325): invalid authorization code:…` with tokens and codes cut out. */
export function describeWeiboError(json: WeiboJson): string {
  const error = redact(String(json.error ?? 'unknown_error'));
  const code = json.error_code === undefined ? 'none' : redact(String(json.error_code));
  const description = typeof json.error_description === 'string' ? redact(json.error_description).replace(/\.+$/, '') : '';
  return `"${error}" (error_code ${code})${description ? `: ${description}` : ''}`;
}

/** Upstream text may echo a code or a token (`invalid authorization code:0dd6…`): drop long opaque runs. */
export function redact(text: string): string {
  return text.slice(0, 300).replace(/[A-Za-z0-9._~+=-]{16,}/g, '…');
}
