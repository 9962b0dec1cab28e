// One GET to WeChat's sns API (token, refresh, userinfo, auth) through UpstreamHttp, read the way WeChat
// answers: JSON whatever the Content-Type says (text/plain), failures as `errcode`/`errmsg` at HTTP 200.
// A deadline becomes step `timeout`; a transport failure, an HTTP error or an errcode the caller's `fail`
// step; a 2xx body that is not one JSON object the caller's `decode` step. Messages carry WeChat's
// errcode, its errmsg without the live suffix, and the `rid` WeChat support asks for — never a token or code.

import { UpstreamError, type UpstreamStep } from '../../src/errors.ts';
import { UpstreamTimeoutError, type UpstreamHttp, type UpstreamResponse } from '../shared/upstream-http.ts';

export type WechatJson = Record<string, unknown>;

export interface SnsSteps {
  /** Step for transport failures, HTTP errors and errcode answers. */
  fail: UpstreamStep;
  /** Step for a 2xx answer that is not a JSON object. */
  decode: UpstreamStep;
}

/** What WeChat said went wrong: its errcode (a number), errmsg without suffix, and the request id. */
export class WechatErrcode {
  readonly errcode: number;
  readonly errmsg: string;
  readonly rid?: string;
  constructor(json: WechatJson) {
    this.errcode = Number(json.errcode);
    const raw = typeof json.errmsg === 'string' ? json.errmsg : '';
    // Live answers append `, rid: 6566…` or `, hints: [ req_id: … ]` to the documented text.
    const m = /^(.*?)(?:,\s*(?:rid:\s*([\w-]{1,64})|hints:\s*\[\s*req_id:\s*([\w-]{1,64})\s*\]).*)?$/s.exec(raw);
    this.errmsg = cleanText(m?.[1] ?? raw);
    const rid = m?.[2] ?? m?.[3];
    if (rid) this.rid = rid;
  }
  toString(): string {
    return `errcode ${this.errcode} "${this.errmsg}"${this.rid ? ` (rid ${this.rid})` : ''}`;
  }
}

/** A WeChat error body: a non-zero `errcode` (sns/auth's success is `{"errcode":0,"errmsg":"ok"}`). */
export function errcodeOf(json: WechatJson): WechatErrcode | undefined {
  if (json.errcode === undefined || json.errcode === null) return undefined;
  return Number(json.errcode) === 0 ? undefined : new WechatErrcode(json);
}

export async function callSns(http: UpstreamHttp, url: URL, what: string, steps: SnsSteps): Promise<WechatJson> {
  let res: UpstreamResponse;
  try {
    res = await http.request({ method: 'GET', url: url.toString() });
  } catch (err) {
    if (err instanceof UpstreamTimeoutError) throw new UpstreamError('wechat', 'timeout', `${what}: ${err.message}`, { cause: err });
    throw new UpstreamError('wechat', steps.fail, `${what} failed: ${cleanText((err as Error)?.message ?? String(err))}`, { cause: err });
  }
  const json = parseObject(res.body);
  const refused = json ? errcodeOf(json) : undefined;
  if (refused) throw new UpstreamError('wechat', steps.fail, `${what} answered ${refused} (HTTP ${res.status})`, { cause: refused });
  if (res.status < 200 || res.status > 299) throw new UpstreamError('wechat', steps.fail, `${what} answered HTTP ${res.status} without an errcode`);
  if (!json) {
    throw new UpstreamError(
      'wechat',
      steps.decode,
      `${what} answered a body that is not a JSON object ("${cleanText(res.contentType) || 'no content-type'}", ${res.body.length} chars)`,
    );
  }
  return json;
}

export function parseObject(body: string): WechatJson | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as WechatJson) : undefined;
  } catch {
    return undefined;
  }
}

/** Upstream text fit for a log line: one short line, long opaque runs (a code, a token) cut out. */
function cleanText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this strips
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  const short = line.length > 160 ? `${line.slice(0, 160)}…` : line;
  return short.replace(/[A-Za-z0-9._~+=-]{24,}/g, '…');
}
