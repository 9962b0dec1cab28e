// One call to a Weibo endpoint outside the token exchange (get_token_info, users/show, revokeoauth2):
// Weibo's error bodies become UpstreamErrors carrying `error_code`, a body that is not a JSON object
// becomes a decode error, a deadline becomes step `timeout`. Tokens and codes never reach a message.

import { UpstreamError, type UpstreamStep } from '../../src/errors.ts';
import { UpstreamTimeoutError, type UpstreamHttp, type UpstreamRequest } from '../shared/upstream-http.ts';

export type WeiboJson = Record<string, unknown>;

export interface CallSteps {
  /** Step for transport failures, HTTP errors and Weibo error bodies. */
  fail: UpstreamStep;
  /** Step for a 2xx answer that is not a JSON object. */
  decode: UpstreamStep;
}

export async function callWeibo(http: UpstreamHttp, request: UpstreamRequest, what: string, steps: CallSteps): Promise<WeiboJson> {
  let res: Awaited<ReturnType<UpstreamHttp['request']>>;
  try {
    res = await http.request(request);
  } catch (err) {
    if (err instanceof UpstreamTimeoutError) throw new UpstreamError('weibo', 'timeout', `${what}: ${err.message}`, { cause: err });
    throw new UpstreamError('weibo', steps.fail, `${what} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  const json = parseObject(res.body);
  if (json && isWeiboError(json)) {
    throw new UpstreamError('weibo', steps.fail, `${what} answered ${describeWeiboError(json)} (HTTP ${res.status})`);
  }
  if (res.status < 200 || res.status > 299) {
    throw new UpstreamError('weibo', steps.fail, `${what} answered HTTP ${res.status} without a weibo error body`);
  }
  if (!json) {
    throw new UpstreamError(
      'weibo',
      steps.decode,
      `${what} answered a body that is not a JSON object ("${res.contentType || 'no content-type'}", ${res.body.length} chars)`,
    );
  }
  return json;
}

export function parseObject(body: string): WeiboJson | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as WeiboJson) : undefined;
  } catch {
    return undefined;
  }
}

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
