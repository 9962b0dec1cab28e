// How a webhook delivery is signed: the Standard Webhooks scheme (standardwebhooks.com). The endpoint's
// secret is `whsec_` + base64 of 24 random bytes, shown to the partner once; each delivery carries
// `webhook-id` (the idempotency key, the same on every retry), `webhook-timestamp` (seconds, so a
// receiver refuses replays outside its tolerance) and `webhook-signature` =
// `v1,` + base64(HMAC-SHA256(secret bytes, `${id}.${timestamp}.${body}`)).

import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

/** A new endpoint secret. */
export function newWebhookSecret(): string {
  return PREFIX + randomBytes(24).toString('base64');
}

/** Whether `secret` has the shape of a Standard Webhooks secret (whsec_ + base64 of 24–64 bytes). */
export function isWebhookSecret(secret: string): boolean {
  if (!secret.startsWith(PREFIX)) return false;
  const b64 = secret.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return false;
  const bytes = Buffer.from(b64, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

/** The three headers of one delivery attempt. `timestampSeconds` is the attempt's time (Clock), not the event's. */
export function signedHeaders(secret: string, id: string, timestampSeconds: number, body: string): Record<string, string> {
  const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${signature}` };
}
