// One GET to WeChat's sns API (token, refresh, userinfo, auth) through UpstreamHttp, read the way WeChat
// answers: JSON whatever the Content-Type says (text/plain), failures as `errcode`/`errmsg` at HTTP 200.
// A deadline becomes step `timeout`; a transport failure, an HTTP error or an errcode the caller's `fail`
// step; a 2xx body that is not one JSON object the caller's `decode` step. Messages carry WeChat's
// errcode, its errmsg without the live suffix, and the `rid` WeChat support asks for — never a token or code.

import { type CallSteps, callJson, type JsonObject } from '../shared/json-call.ts';
import type { UpstreamHttp } from '../shared/upstream-http.ts';

export type WechatJson = JsonObject;

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

export function callSns(http: UpstreamHttp, url: URL, what: string, steps: CallSteps): Promise<WechatJson> {
  return callJson(http, { method: 'GET', url: url.toString() }, what, steps, {
    provider: 'wechat',
    refusal: (json) => errcodeOf(json)?.toString(),
    errorBodyName: 'an errcode',
    clean: cleanText,
  });
}

/** Upstream text fit for a log line: one short line, long opaque runs (a code, a token) cut out. */
function cleanText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this strips
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  const short = line.length > 160 ? `${line.slice(0, 160)}…` : line;
  return short.replace(/[A-Za-z0-9._~+=-]{24,}/g, '…');
}
