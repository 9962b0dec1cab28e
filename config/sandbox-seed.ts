// The sandbox's partners, inserted into the store on first start: JD.com (first-party, Weibo, QQ, Sohu,
// WeChat, Alipay, the demo OpenID Connect provider and the Denglu password, no consent page) and Taobao
// (third-party, Weibo, QQ, WeChat and Alipay, with a consent page, suggesting Alipay to Weibo shoppers: Weibo
// Pay). Their client secrets are development values; production never seeds them (SANDBOX is refused there).

import type { PartnerSeed } from '../src/partners/partners.ts';
import type { Integration } from '../src/partners/partner.ts';
import type { OidcDeclaration } from '../providers/oidc/declaration.ts';

export interface SandboxShop {
  partnerId: string;
  clientId: string;
  clientSecret: string;
  authMethod: 'client_secret_basic' | 'client_secret_post';
  name: { 'zh-CN': string; en: string };
  /** Sign-in methods it offers, in order: providers (the shop's own buttons) and Denglu's `password`. */
  providers: string[];
  /** Its look on Denglu's pages: accent colour and a logo drawn for the sandbox (not the real shop's). */
  brand: { colour: string; logoSvg: string };
  /** What the shop suggests to a shopper signed in with `idp`: connecting `provider` on Denglu's account page. */
  connectPrompt?: ConnectPrompt;
}

export interface ConnectPrompt {
  idp: string;
  provider: string;
  text: { 'zh-CN': string; en: string };
}

export const SANDBOX_SHOPS: readonly SandboxShop[] = [
  {
    partnerId: 'jd',
    clientId: 'jd-demo-shop',
    clientSecret: 'jd-demo-shop-secret-sandbox-only-0001',
    authMethod: 'client_secret_basic',
    name: { 'zh-CN': '京东（演示）', en: 'JD.com (demo)' },
    providers: ['weibo', 'qq', 'sohu', 'wechat', 'alipay', 'example-oidc', 'password', 'phone'],
    brand: {
      colour: '#e1251b',
      logoSvg:
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#e1251b"/><path fill="#fff" d="M20 18h8v22c0 6-4 10-10 10h-4v-7h3c2 0 3-1 3-3zM33 18h9c8 0 13 6 13 16s-5 16-13 16h-9zm8 7v18h1c3 0 5-3 5-9s-2-9-5-9z"/></svg>',
    },
  },
  {
    partnerId: 'taobao',
    clientId: 'taobao-demo-shop',
    clientSecret: 'taobao-demo-shop-secret-sandbox-only-0001',
    authMethod: 'client_secret_post',
    name: { 'zh-CN': '淘宝（演示）', en: 'Taobao (demo)' },
    providers: ['weibo', 'qq', 'sohu', 'wechat', 'alipay', 'phone'],
    brand: {
      colour: '#ff5000',
      logoSvg:
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#ff5000"/><path fill="#fff" d="M14 22h36v7H36v19h-8V29H14z"/><circle cx="32" cy="14" r="4" fill="#fff"/></svg>',
    },
    // Weibo Pay (2013): Weibo shoppers connect Alipay and pay without signing in again.
    connectPrompt: {
      idp: 'weibo',
      provider: 'alipay',
      text: {
        'zh-CN': '微博支付：绑定支付宝后，用微博或支付宝都能登录同一个淘宝账号，付款时无需再次登录。',
        en: 'Weibo Pay: connect Alipay, and Weibo or Alipay signs you in to the same Taobao account; pay without signing in again.',
      },
    },
  },
];

/**
 * The sandbox's declared OpenID Connect provider: a demo, served by the OIDC emulator (no issuer given),
 * showing that a provider can be added by configuration alone (see DENGLU_OIDC_PROVIDERS in the README).
 */
export const SANDBOX_OIDC_PROVIDER: OidcDeclaration = {
  id: 'example-oidc',
  scopes: ['openid', 'profile'],
  label: { 'zh-CN': '示例 OIDC（沙盒演示）', en: 'Example OIDC (sandbox demo)' },
  colors: { background: '#3b5bdb', foreground: '#ffffff' },
  pkce: true,
  registrationUrl: 'https://openid.net/developers/how-connect-works/',
};

function live(provider: string): Integration {
  return { provider, newAccountsDuringNotice: true, atCutoff: 'keep' };
}

/**
 * The founding case: JD.com warned Weibo shoppers from 10 September 2013, ended Weibo sign-in on
 * 25 September 2013 (Beijing time) and let shoppers migrate for a month; QQ and Sohu stayed.
 */
export const JD_WEIBO_CUTOFF: Integration = {
  provider: 'weibo',
  noticeAt: Date.parse('2013-09-10T00:00:00+08:00'),
  cutoffAt: Date.parse('2013-09-25T00:00:00+08:00'),
  graceEndsAt: Date.parse('2013-10-25T00:00:00+08:00'),
  newAccountsDuringNotice: true,
  atCutoff: 'keep',
};

/**
 * The Taobao–WeChat story (README, "Walk through the Taobao–WeChat cutoff"): Taobao is seeded offering
 * WeChat like any live method, and the operator cuts it with immediate effect, live, in the sandbox. The
 * walk-through runs the sandbox at this instant (`npm start -- --now …`), so the cutoff lands in August
 * 2013, when Alibaba shut WeChat out of Taobao; the day and hour are illustrative, not historical.
 */
export const TAOBAO_WECHAT_CUTOFF_STORY = '2013-08-05T10:00+08:00';

/** The partners as stored, given where each demo shop listens. */
export function sandboxPartners(shopUrls: Record<string, string>): PartnerSeed[] {
  return SANDBOX_SHOPS.map((shop) => ({
    id: shop.partnerId,
    name: shop.name,
    brand: { colour: shop.brand.colour, logo: `data:image/svg+xml;base64,${Buffer.from(shop.brand.logoSvg).toString('base64')}` },
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
    integrations: shop.providers.map((p) => (shop.partnerId === 'jd' && p === 'weibo' ? JD_WEIBO_CUTOFF : live(p))),
  }));
}

/**
 * The operator's admin API token when ADMIN_OPERATOR_TOKEN is unset outside production (documented in the
 * README; production requires a real one and refuses this value).
 */
export const SANDBOX_OPERATOR_TOKEN = 'denglu-sandbox-operator-token-not-for-production';

export interface SandboxManager {
  id: string;
  name: string;
  partners: string[];
  /** Fixed sandbox secret; the token is `<id>.<secret>`. Only its scrypt hash is stored. */
  secret: string;
}

/** Partner managers seeded in the sandbox, one per demo shop, with fixed documented tokens. */
export const SANDBOX_MANAGERS: readonly SandboxManager[] = [
  { id: 'jd-manager', name: 'JD.com partner manager (sandbox)', partners: ['jd'], secret: 'sandbox-jd-manager-secret-not-for-production' },
  { id: 'taobao-manager', name: 'Taobao partner manager (sandbox)', partners: ['taobao'], secret: 'sandbox-taobao-manager-secret-not-for-production' },
];

export function sandboxManagerToken(manager: SandboxManager): string {
  return `${manager.id}.${manager.secret}`;
}
