// Every call Denglu makes to a provider goes through here: an absolute deadline (the `oauth` module
// under passport-oauth2 has none), a cap on the body size, and no redirects followed. Failures are
// plain objects/errors in node-oauth's shapes so passport-oauth2 keeps working unchanged.

export interface UpstreamResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded unless a content-type header says otherwise. */
  body?: string;
}

export class UpstreamTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(url: string, ms: number) {
    super(`no answer from ${new URL(url).origin} within ${ms} ms`);
    this.name = 'UpstreamTimeoutError';
  }
}

export class UpstreamBodyTooLargeError extends Error {
  constructor(url: string, limit: number) {
    super(`answer from ${new URL(url).origin} exceeded ${limit} bytes`);
    this.name = 'UpstreamBodyTooLargeError';
  }
}

export class UpstreamHttp {
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  constructor(options: { timeoutMs: number; maxBodyBytes: number }) {
    this.timeoutMs = options.timeoutMs;
    this.maxBodyBytes = options.maxBodyBytes;
  }

  async request(req: UpstreamRequest): Promise<UpstreamResponse> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new UpstreamTimeoutError(req.url, this.timeoutMs)), this.timeoutMs);
    try {
      const headers: Record<string, string> = { accept: 'application/json, text/plain, */*', ...req.headers };
      if (req.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
      }
      const res = await fetch(req.url, {
        method: req.method,
        headers,
        body: req.body,
        redirect: 'manual',
        signal: controller.signal,
      });
      const body = await readCapped(res, this.maxBodyBytes, req.url);
      return { status: res.status, contentType: res.headers.get('content-type') ?? '', body };
    } catch (err) {
      if (controller.signal.aborted) throw controller.signal.reason;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}

async function readCapped(res: Response, limit: number, url: string): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new UpstreamBodyTooLargeError(url, limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

type NodeOAuthCallback = (err: unknown, data?: string, response?: unknown) => void;

/**
 * Replaces node-oauth's transport (`OAuth2#_request`) with UpstreamHttp, keeping its contract:
 * the access token goes in the query string as `access_token`, a non-2xx answer is reported as
 * `{ statusCode, data }`, a transport failure as an Error.
 */
export function installUpstreamHttp(oauth2: any, http: UpstreamHttp): void {
  oauth2._request = (
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string> | undefined,
    postBody: string | undefined | null,
    accessToken: string | undefined | null,
    callback: NodeOAuthCallback,
  ) => {
    let target = url;
    if (accessToken) {
      const u = new URL(url);
      u.searchParams.set(oauth2._accessTokenName ?? 'access_token', accessToken);
      target = u.toString();
    }
    const merged: Record<string, string> = { ...(oauth2._customHeaders ?? {}), ...(headers ?? {}) };
    http
      .request({ method, url: target, headers: merged, body: postBody ?? undefined })
      .then((res) => {
        if (res.status >= 200 && res.status <= 299) callback(null, res.body, res);
        else callback({ statusCode: res.status, data: res.body });
      })
      .catch((err) => callback(err));
  };
}
