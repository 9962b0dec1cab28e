// One call of Denglu to Alipay's open API gateway (`/gateway.do`): the public parameters, the RSA2
// signature with the app's private key, then the answer checked before anything in it is believed —
// HTTP 200, UTF-8 (the charset asked for), one JSON object holding the method's `*_response` or an
// `error_response`, and a `sign` that verifies with Alipay's public key over the member's exact text.
// An unsigned or tampered answer is refused; `error_response` and `code != "10000"` are failures. Every
// failure is an UpstreamError at the caller's step; codes and tokens never reach a message.

import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../src/clock.ts';
import { UpstreamError, type UpstreamStep } from '../../src/errors.ts';
import { UpstreamTimeoutError, type UpstreamHttp } from '../shared/upstream-http.ts';
import { rawMembers } from './response-text.ts';
import { requestSignContent, signText, verifyText } from './signature.ts';
import { beijingTimestamp } from './timestamp.ts';

export interface GatewayContext {
  http: UpstreamHttp;
  /** The gateway base URL (`https://openapi.alipay.com`). */
  gateway: string;
  appId: string;
  appPrivateKey: KeyObject;
  alipayPublicKey: KeyObject;
  clock: Clock;
}

export type GatewayJson = Record<string, unknown>;

/** Parameters sent in the URL, as Alipay's SDKs do; business parameters go in the form body. */
const URL_PARAMS = new Set(['app_id', 'method', 'format', 'charset', 'sign_type', 'sign', 'timestamp', 'version', 'auth_token', 'app_auth_token']);

export async function callGateway(ctx: GatewayContext, method: string, business: Record<string, string>, step: UpstreamStep): Promise<GatewayJson> {
  const params: Record<string, string> = {
    app_id: ctx.appId,
    method,
    format: 'JSON',
    charset: 'utf-8',
    sign_type: 'RSA2',
    timestamp: beijingTimestamp(ctx.clock.now()),
    version: '1.0',
    ...business,
  };
  params.sign = signText(requestSignContent(params), ctx.appPrivateKey, 'RSA2');
  const url = new URL(`${ctx.gateway}/gateway.do`);
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) (URL_PARAMS.has(k) ? url.searchParams : body).set(k, v);

  const fail = (message: string, cause?: unknown) => new UpstreamError('alipay', step, `${method}: ${message}`, cause ? { cause } : {});
  let res: Awaited<ReturnType<UpstreamHttp['request']>>;
  try {
    res = await ctx.http.request({ method: 'POST', url: url.toString(), body: body.toString(), step });
  } catch (err) {
    if (err instanceof UpstreamTimeoutError) throw new UpstreamError('alipay', 'timeout', `${method}: ${err.message}`, { cause: err });
    throw fail(`failed: ${(err as Error)?.message ?? String(err)}`, err);
  }
  if (res.status !== 200) throw fail(`answered HTTP ${res.status}`);
  const charset = /charset=([^;\s]+)/i.exec(res.contentType)?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) throw fail(`answered in charset ${charset.slice(0, 20)}, not the utf-8 asked for`);
  const members = rawMembers(res.body);
  if (!members) throw fail(`answered a body that is not one JSON object ("${res.contentType || 'no content-type'}", ${res.body.length} chars)`);
  const key = `${method.replaceAll('.', '_')}_response`;
  const member = members.has(key) ? key : members.has('error_response') ? 'error_response' : undefined;
  if (!member) throw fail(`answered neither "${key}" nor "error_response"`);
  const raw = members.get(member)!;
  const signRaw = members.get('sign');
  const signature = signRaw === undefined ? undefined : (JSON.parse(signRaw) as unknown);
  if (typeof signature !== 'string' || signature === '') throw fail('answered without a "sign": an unsigned answer is refused');
  if (!verifyText(raw, signature, ctx.alipayPublicKey, 'RSA2')) {
    throw fail(`the "sign" of "${member}" does not verify with Alipay's public key: the answer was altered or signed by another key`);
  }
  const value: unknown = JSON.parse(raw);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw fail(`"${member}" is not an object`);
  const json = value as GatewayJson;
  if (member === 'error_response' || (json.code !== undefined && String(json.code) !== '10000')) throw fail(`answered ${describeAlipayError(json)}`);
  return json;
}

/** `code 40002 (Invalid Arguments), sub_code isv.code-invalid: 授权码code无效` with long opaque runs cut out. */
export function describeAlipayError(json: GatewayJson): string {
  // Codes are Alipay's vocabulary (`40002`, `isv.code-invalid`): kept when they look like it, cut otherwise.
  const part = (v: unknown) => (/^[A-Za-z0-9 ._-]{1,64}$/.test(String(v)) ? String(v) : redact(String(v ?? 'none')));
  const subMsg = typeof json.sub_msg === 'string' ? `: ${redact(json.sub_msg)}` : '';
  return `code ${part(json.code)} (${part(json.msg)}), sub_code ${part(json.sub_code)}${subMsg}`;
}

function redact(text: string): string {
  return text.slice(0, 200).replace(/[A-Za-z0-9._~+=/-]{16,}/g, '…');
}
