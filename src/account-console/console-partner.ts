// Denglu's own account console is a first-party OpenID Connect client of Denglu, owned by the reserved
// internal partner `denglu`, so shoppers sign in to manage their account through the same chooser,
// providers and checks as everywhere else. Kept in step with the issuer and the providers at start.

import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/store.ts';
import type { Integration, Partner } from '../partners/partner.ts';

export const CONSOLE_PARTNER = 'denglu';
export const CONSOLE_CLIENT = 'denglu-account';

export function consoleRedirectUri(issuer: string): string {
  return `${issuer}/account/callback`;
}

/** Creates or refreshes the internal partner: every provider live, the console client's redirect URI. */
export async function ensureConsolePartner(store: Store, clock: Clock, issuer: string, providers: readonly string[]): Promise<void> {
  const now = clock.now();
  const integrations: Integration[] = providers.map((provider) => ({ provider, newAccountsDuringNotice: true, atCutoff: 'keep' }));
  const existing = await store.get<Partner>('partners', CONSOLE_PARTNER);
  const client = {
    client_id: CONSOLE_CLIENT,
    client_secret: existing?.clients[0]?.client_secret ?? randomBytes(32).toString('base64url'),
    client_name: 'Denglu account',
    redirect_uris: [consoleRedirectUri(issuer)],
    post_logout_redirect_uris: [`${issuer}/account`],
    token_endpoint_auth_method: 'client_secret_basic' as const,
  };
  const partner: Partner = {
    id: CONSOLE_PARTNER,
    name: { 'zh-CN': 'Denglu 帐号', en: 'Denglu account' },
    timeZone: 'Asia/Shanghai',
    locales: ['zh-CN', 'en'],
    firstParty: true,
    internal: true,
    clients: [client],
    integrations,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  const same = existing && JSON.stringify({ ...existing, updatedAt: 0 }) === JSON.stringify({ ...partner, updatedAt: 0 });
  if (!same) await store.put('partners', CONSOLE_PARTNER, partner);
}
