// The sandbox's partners, inserted into the store on first start: JD.com (first-party, Weibo, QQ and
// Sohu, no consent page) and Taobao (third-party, Weibo and QQ, with a consent page). Their client
// secrets are development values; production never seeds them (SANDBOX is refused there).

import type { PartnerSeed } from '../src/partners/partners.ts';
import type { Integration } from '../src/partners/partner.ts';

export interface SandboxShop {
  partnerId: string;
  clientId: string;
  clientSecret: string;
  authMethod: 'client_secret_basic' | 'client_secret_post';
  name: { 'zh-CN': string; en: string };
  /** Providers its buttons offer (in order). */
  providers: string[];
}

export const SANDBOX_SHOPS: readonly SandboxShop[] = [
  {
    partnerId: 'jd',
    clientId: 'jd-demo-shop',
    clientSecret: 'jd-demo-shop-secret-sandbox-only-0001',
    authMethod: 'client_secret_basic',
    name: { 'zh-CN': '京东（演示）', en: 'JD.com (demo)' },
    providers: ['weibo', 'qq', 'sohu'],
  },
  {
    partnerId: 'taobao',
    clientId: 'taobao-demo-shop',
    clientSecret: 'taobao-demo-shop-secret-sandbox-only-0001',
    authMethod: 'client_secret_post',
    name: { 'zh-CN': '淘宝（演示）', en: 'Taobao (demo)' },
    providers: ['weibo', 'qq'],
  },
];

function live(provider: string): Integration {
  return { provider, newAccountsDuringNotice: true, atCutoff: 'keep' };
}

/** The partners as stored, given where each demo shop listens. */
export function sandboxPartners(shopUrls: Record<string, string>): PartnerSeed[] {
  return SANDBOX_SHOPS.map((shop) => ({
    id: shop.partnerId,
    name: shop.name,
    timeZone: 'Asia/Shanghai',
    locales: ['zh-CN', 'en'],
    firstParty: shop.partnerId === 'jd',
    clients: [
      {
        client_id: shop.clientId,
        client_secret: shop.clientSecret,
        client_name: shop.name.en,
        redirect_uris: [`${shopUrls[shop.partnerId]}/callback`],
        post_logout_redirect_uris: [`${shopUrls[shop.partnerId]}/`],
        token_endpoint_auth_method: shop.authMethod,
      },
    ],
    integrations: shop.providers.map(live),
  }));
}
