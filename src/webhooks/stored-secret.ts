// How an endpoint's signing secret is kept in the store: sealed (src/sealer.ts: JWE, direct A256GCM, key
// derived from the cookie keys), so the store, its dumps and backups hold no secret. An endpoint written
// before secrets were sealed holds its `whsec_…` in plain text: it is read as it is, and sealed at the
// next start (sealStoredSecrets in endpoints.ts, which also seals again under the newest cookie key a
// secret only an older one opens — so rotating COOKIE_KEYS, keeping the old key a while, loses no endpoint).

import { sealer, type Sealer } from '../sealer.ts';
import { isWebhookSecret } from './signature.ts';

/** The sealer of webhook secrets under the deployment's cookie keys (newest first). */
export function webhookSecrets(cookieKeys: readonly string[]): Sealer {
  return sealer(cookieKeys, 'webhook-secret');
}

/** The `whsec_…` of a stored secret; undefined when no cookie key opens it any more. */
export async function openSecret(secrets: Sealer, stored: string): Promise<string | undefined> {
  if (isWebhookSecret(stored)) return stored;
  return (await secrets.open(stored))?.text;
}
