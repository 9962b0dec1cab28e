// One call to a provider API that answers JSON objects (Weibo's API, WeChat's sns API), read the same
// way for every such provider: a deadline becomes step `timeout`; a transport failure, an HTTP error or
// the provider's own error body the caller's `fail` step; a 2xx body that is not one JSON object the
// caller's `decode` step. The provider says what its error bodies look like and how to describe them
// (never echoing a code or a token); the Content-Type is not trusted (Weibo and WeChat send JSON as text/plain).

import { UpstreamError, type UpstreamStep } from '../../src/errors.ts';
import { UpstreamTimeoutError, type UpstreamHttp, type UpstreamRequest, type UpstreamResponse } from './upstream-http.ts';

export type JsonObject = Record<string, unknown>;

export interface CallSteps {
  /** Step for transport failures, HTTP errors and the provider's error bodies. */
  fail: UpstreamStep;
  /** Step for a 2xx answer that is not a JSON object. */
  decode: UpstreamStep;
}

export interface JsonDialect {
  provider: string;
  /** The description of a provider error body (e.g. `"invalid_grant" (error_code 21325)`), undefined for any other object. */
  refusal(json: JsonObject): string | undefined;
  /** How an error body is named when an HTTP error comes without one (`a weibo error body`). */
  errorBodyName: string;
  /** Cleans a transport error message or a Content-Type for a log line (default: as is). */
  clean?(text: string): string;
}

export async function callJson(http: UpstreamHttp, request: UpstreamRequest, what: string, steps: CallSteps, dialect: JsonDialect): Promise<JsonObject> {
  const { provider } = dialect;
  const clean = dialect.clean ?? ((text: string) => text);
  let res: UpstreamResponse;
  try {
    res = await http.request({ step: steps.fail, ...request });
  } catch (err) {
    if (err instanceof UpstreamTimeoutError) throw new UpstreamError(provider, 'timeout', `${what}: ${err.message}`, { cause: err });
    throw new UpstreamError(provider, steps.fail, `${what} failed: ${clean((err as Error)?.message ?? String(err))}`, { cause: err });
  }
  const json = parseJsonObject(res.body);
  const refused = json ? dialect.refusal(json) : undefined;
  if (refused !== undefined) throw new UpstreamError(provider, steps.fail, `${what} answered ${refused} (HTTP ${res.status})`);
  if (res.status < 200 || res.status > 299) {
    throw new UpstreamError(provider, steps.fail, `${what} answered HTTP ${res.status} without ${dialect.errorBodyName}`);
  }
  if (!json) {
    throw new UpstreamError(
      provider,
      steps.decode,
      `${what} answered a body that is not a JSON object ("${clean(res.contentType) || 'no content-type'}", ${res.body.length} chars)`,
    );
  }
  return json;
}

/** A JSON text that is one plain object (not an array, string or number), or undefined. */
export function parseJsonObject(text: string): JsonObject | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return value as JsonObject;
}
