// The benchmark's shop: a first-party partner with one confidential client (client_secret_basic,
// PKCE, RS256 ID tokens — the baseline uses the same client settings) and the provider under test live,
// with the password form too (the password-flood section posts to it; logins use the provider hint).

import { sandboxCredentials } from '../config/load-config.ts';
import { PROVIDERS } from '../providers/index.ts';
import type { PartnerSeed } from '../src/partners/partners.ts';

/**
 * The benchmark's app at the provider under test, as its emulator and the gateway know it: the id in the
 * provider's own shape (QQ and Weibo ids are numbers; QQ openids depend on it), a secret of its own.
 */
export function benchUpstreamApp(provider: string): { BENCH_CLIENT_ID: string; BENCH_CLIENT_SECRET: string } {
  return { BENCH_CLIENT_ID: sandboxCredentials(PROVIDERS.get(provider)!.descriptor).clientId, BENCH_CLIENT_SECRET: `bench-${provider}-secret` };
}

export const BENCH_CLIENT = {
  clientId: 'bench-shop',
  clientSecret: 'bench-shop-secret-0123456789abcdefghij',
  redirectUri: 'https://bench-shop.example/cb',
};

export function benchPartner(provider: string): PartnerSeed {
  return {
    id: 'benchshop',
    name: { 'zh-CN': '基准商店', en: 'Bench shop' },
    timeZone: 'Asia/Shanghai',
    locales: ['zh-CN', 'en'],
    firstParty: true,
    clients: [
      {
        client_id: BENCH_CLIENT.clientId,
        client_secret: BENCH_CLIENT.clientSecret,
        redirect_uris: [BENCH_CLIENT.redirectUri],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    integrations: [provider, 'password'].map((id) => ({ provider: id, newAccountsDuringNotice: true, atCutoff: 'keep' as const })),
  };
}
