// One webhook POST: a deadline for the whole exchange, the response read up to a size cap (only its
// first bytes are kept for the delivery log), redirects never followed (a 3xx is a failed attempt, so a
// shop cannot bounce Denglu to an internal address), and every connection's address checked against the
// policy (address-policy.ts). Only a 2xx counts as delivered.

import http from 'node:http';
import https from 'node:https';
import { guardedLookup, webhookUrlProblem, type WebhookAddressPolicy } from './address-policy.ts';

export interface PostLimits {
  /** The whole attempt, connection to last byte. */
  timeoutMs: number;
  /** Bytes of response read before the connection is dropped. */
  maxResponseBytes: number;
}

export const DEFAULT_POST_LIMITS: PostLimits = { timeoutMs: 10_000, maxResponseBytes: 64 * 1024 };

export interface PostOutcome {
  /** The response status, when one came. */
  status?: number;
  /** Why the attempt failed without a status, in words (never the body sent). */
  error?: string;
  /** The start of the response body, for the delivery log. */
  responseExcerpt?: string;
}

const EXCERPT = 256;

export function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  policy: WebhookAddressPolicy,
  limits: PostLimits = DEFAULT_POST_LIMITS,
): Promise<PostOutcome> {
  const problem = webhookUrlProblem(url, policy);
  if (problem) return Promise.resolve({ error: `URL ${problem}` });
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<PostOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(outcome);
    };
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Denglu-Webhooks/1' },
        lookup: guardedLookup(policy),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (chunks.reduce((n, c) => n + c.length, 0) < EXCERPT) chunks.push(chunk);
          if (read > limits.maxResponseBytes) finish(result(res.statusCode, chunks));
        });
        res.on('end', () => finish(result(res.statusCode, chunks)));
        res.on('error', () => finish(result(res.statusCode, chunks)));
      },
    );
    const timer = setTimeout(() => finish({ error: `no complete answer within ${limits.timeoutMs} ms` }), limits.timeoutMs);
    req.on('error', (err: Error & { code?: string }) =>
      finish({ error: err.code === 'ERR_WEBHOOK_ADDRESS' ? err.message : `connection failed (${err.code ?? err.message})` }),
    );
    req.end(body);
  });
}

function result(status: number | undefined, chunks: Buffer[]): PostOutcome {
  const excerpt = Buffer.concat(chunks).subarray(0, EXCERPT).toString('utf8');
  return { ...(status !== undefined ? { status } : {}), ...(excerpt ? { responseExcerpt: excerpt } : {}) };
}

export const delivered = (o: PostOutcome): boolean => o.status !== undefined && o.status >= 200 && o.status < 300;
