// Every call Denglu makes to a provider goes through here: an absolute deadline (the `oauth` module
// under passport-oauth2 has none), a cap on the body size, and no redirects followed. Failures are
// typed errors (UpstreamTimeoutError, UpstreamBodyTooLargeError); shared/oauth2-adapter.ts routes
// passport-oauth2's own calls through here too. Each call is reported to the adapter's observer (the
// gateway's metrics) with the step the caller names, its duration and its failure, if any.

import http from 'node:http';
import https from 'node:https';
import type { UpstreamStep } from '../../src/errors.ts';
import type { UpstreamObserver } from '../contract.ts';

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
  /** The step of the round trip this call serves, for the metrics (`other` when absent). */
  step?: UpstreamStep;
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

export interface UpstreamHttpOptions {
  timeoutMs: number;
  maxBodyBytes: number;
  /** The provider called, as the observer reports it. */
  provider?: string;
  observe?: UpstreamObserver | undefined;
}

export class UpstreamHttp {
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly #provider: string;
  readonly #observe: UpstreamObserver | undefined;
  constructor(options: UpstreamHttpOptions) {
    this.timeoutMs = options.timeoutMs;
    this.maxBodyBytes = options.maxBodyBytes;
    this.#provider = options.provider ?? 'other';
    this.#observe = options.observe;
  }

  /**
   * One request over node:http(s) with a keep-alive agent per protocol (a fraction of fetch's CPU cost on
   * the login path), an absolute deadline covering connect, headers and body, and a body size cap.
   */
  request(req: UpstreamRequest): Promise<UpstreamResponse> {
    const url = new URL(req.url);
    const headers: Record<string, string> = { accept: 'application/json, text/plain, */*', ...req.headers };
    if (req.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const secure = url.protocol === 'https:';
    const started = performance.now();
    return new Promise<UpstreamResponse>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | undefined, value?: UpstreamResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#observe?.(this.#provider, req.step ?? 'other', (performance.now() - started) / 1000, failureOf(err, value));
        if (err) reject(err);
        else resolve(value!);
      };
      const outgoing = (secure ? https : http).request(
        {
          method: req.method,
          hostname: url.hostname,
          port: url.port || (secure ? 443 : 80),
          path: url.pathname + url.search,
          headers,
          agent: secure ? httpsAgent : httpAgent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let total = 0;
          res.on('data', (chunk: Buffer) => {
            total += chunk.length;
            if (total > this.maxBodyBytes) {
              finish(new UpstreamBodyTooLargeError(req.url, this.maxBodyBytes));
              res.destroy();
              outgoing.destroy();
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () =>
            finish(undefined, {
              status: res.statusCode ?? 0,
              contentType: String(res.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', (err) => finish(err));
          res.on('aborted', () => finish(new Error(`connection to ${url.origin} closed mid-answer`)));
        },
      );
      const timer = setTimeout(() => {
        finish(new UpstreamTimeoutError(req.url, this.timeoutMs));
        outgoing.destroy();
      }, this.timeoutMs);
      outgoing.on('error', (err) => finish(err));
      outgoing.end(req.body);
    });
  }
}

/** Why a call got no usable answer, for the observer (an HTTP error status counts: the body may explain it). */
function failureOf(err: Error | undefined, res: UpstreamResponse | undefined): Parameters<UpstreamObserver>[3] {
  if (err instanceof UpstreamTimeoutError) return 'timeout';
  if (err instanceof UpstreamBodyTooLargeError) return 'too_large';
  if (err) return 'transport';
  return res && res.status >= 400 ? 'http_status' : undefined;
}

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 60_000 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 60_000 });
