// How an endpoint's signing secret is kept in the store: sealed (src/sealer.ts: JWE, direct A256GCM, key
// derived from the cookie keys), so the store, its dumps and backups hold no secret. An endpoint written
// before secrets were sealed holds its `whsec_…` in plain text: it is read as it is, and sealed at start
// (sealStoredSecrets, which also seals again under the newest cookie key a secret only an older one opens —
// so rotating COOKIE_KEYS, keeping the old key a while, loses no endpoint).
// Sealing reads every endpoint, so it runs once per cluster and only when it can have work: a pass under
// `store.exclusive` that ends by recording the newest key's fingerprint (`jobs` / SEALED_MARKER). A later
// start whose newest cookie key has that fingerprint costs one read: every endpoint written since was
// sealed under that key when written (createEndpoint), and a secret stale under it cannot exist. A new
// newest key (a rotation) makes the next start seal again. An instance that finds a pass running elsewhere
// goes on without waiting: plain and older-key secrets are read as they are, so nothing depends on the pass
// having finished. What the marker cannot see: an instance of a version from before sealing, still running
// during a rolling upgrade, writing a plain secret after the pass — it signs as it is and is sealed at the
// next rotation of COOKIE_KEYS.

import type { Clock, EpochMs } from '../clock.ts';
import { JOBS_COLLECTION } from '../jobs/cluster-job.ts';
import type { Logger } from '../log.ts';
import { sealer, type Sealer } from '../sealer.ts';
import type { Store } from '../store/store.ts';
import { ENDPOINTS_COLLECTION, type WebhookEndpoint } from './endpoints.ts';
import { isWebhookSecret } from './signature.ts';

/** The `jobs` document saying under which newest key every stored secret was last sealed. */
export const SEALED_MARKER = 'webhook-secrets-sealed';
const PAGE = 500;

interface SealedUnder {
  keyId: string;
  at: EpochMs;
}

export interface SealDeps {
  store: Store;
  clock: Clock;
  webhookSecrets: Sealer;
  log: Pick<Logger, 'info'>;
}

/** The sealer of webhook secrets under the deployment's cookie keys (newest first). */
export function webhookSecrets(cookieKeys: readonly string[]): Sealer {
  return sealer(cookieKeys, 'webhook-secret');
}

/** The `whsec_…` of a stored secret; undefined when no cookie key opens it any more. */
export async function openSecret(secrets: Sealer, stored: string): Promise<string | undefined> {
  if (isWebhookSecret(stored)) return stored;
  return (await secrets.open(stored))?.text;
}

/**
 * At start, before any delivery: unless the stored secrets were already sealed under the newest cookie key
 * (or a pass runs elsewhere now), seals those in plain text or under an older key, then records the key.
 * Resolves to how many this call sealed.
 */
export async function sealStoredSecrets(deps: SealDeps): Promise<number> {
  if (await sealedUnderNewestKey(deps)) return 0;
  const pass = await deps.store.exclusive(SEALED_MARKER, async () => {
    if (await sealedUnderNewestKey(deps)) return 0;
    const sealed = await sealEvery(deps);
    await deps.store.put<SealedUnder>(JOBS_COLLECTION, SEALED_MARKER, { keyId: deps.webhookSecrets.keyId, at: deps.clock.now() });
    return sealed;
  });
  return pass.ran ? pass.value : 0;
}

async function sealedUnderNewestKey(deps: SealDeps): Promise<boolean> {
  return (await deps.store.get<SealedUnder>(JOBS_COLLECTION, SEALED_MARKER))?.keyId === deps.webhookSecrets.keyId;
}

/** One pass over every endpoint: a secret in plain text or opened only by an older key is sealed anew. */
async function sealEvery(deps: SealDeps): Promise<number> {
  let sealed = 0;
  let after: string | undefined;
  for (;;) {
    const page = await deps.store.list<WebhookEndpoint>(ENDPOINTS_COLLECTION, { limit: PAGE, ...(after ? { after } : {}) });
    for (const { id, value } of page) {
      const plain = isWebhookSecret(value.secret);
      const opened = plain ? undefined : await deps.webhookSecrets.open(value.secret);
      if (!plain && !opened?.stale) continue;
      const next = await deps.webhookSecrets.seal(plain ? value.secret : opened!.text);
      // An instance of an older version may have changed it meanwhile: theirs stays.
      await deps.store.update<WebhookEndpoint>(ENDPOINTS_COLLECTION, id, (cur) => (cur.secret === value.secret ? { ...cur, secret: next } : cur));
      sealed++;
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  if (sealed) deps.log.info({ endpoints: sealed }, 'webhook signing secrets sealed under the newest cookie key');
  return sealed;
}
