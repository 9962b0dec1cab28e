// WeChat website login (微信登录, open platform "网站应用") as data: two host roles (the QR page on
// open.weixin.qq.com, the sns API on api.weixin.qq.com), the one scope a website app has
// (`snsapi_login`), WeChat's green deepened for readable white text, no PKCE, no revoke endpoint.
// An optional second app — an official account (公众号) of the same open-platform account — signs in
// shoppers whose browser is WeChat's own (see adapter.ts).

import type { ProviderDescriptor } from '../contract.ts';

export const descriptor: ProviderDescriptor = {
  id: 'wechat',
  label: { 'zh-CN': '微信', en: 'WeChat' },
  // WeChat's green #07C160 deepened so white text on it reaches WCAG AA (4.8:1); #07C160 gives 2.4:1.
  colors: { background: '#06844A', foreground: '#FFFFFF' },
  baseUrls: { open: 'https://open.weixin.qq.com', api: 'https://api.weixin.qq.com' },
  scope: ['snsapi_login'],
  pkce: false,
  revocable: false,
  registrationUrl: 'https://open.weixin.qq.com',
  // AppIDs are `wx` and 16 hex digits (the website app's; the official account's is below).
  sandboxClientId: 'wx3c1e8b2d4f6a9e07',
  settings: [
    { env: 'WECHAT_APP_ID', fills: 'clientId', description: 'WeChat open platform website app AppID (wx…).' },
    { env: 'WECHAT_APP_SECRET', fills: 'clientSecret', secret: true, description: 'WeChat website app AppSecret.' },
    { env: 'WECHAT_OPEN_BASE_URL', fills: { baseUrl: 'open' }, description: 'WeChat authorize host (QR page and in-WeChat authorize).' },
    { env: 'WECHAT_API_BASE_URL', fills: { baseUrl: 'api' }, description: 'WeChat sns API host (token, userinfo, auth).' },
    {
      env: 'WECHAT_MP_APP_ID',
      fills: { extra: 'mpAppId', type: 'string' },
      sandboxDefault: 'wx5a0d1b2c3e4f6a7b',
      description: "Official account AppID for shoppers inside WeChat's own browser (set with WECHAT_MP_APP_SECRET; unset: QR page everywhere).",
    },
    {
      env: 'WECHAT_MP_APP_SECRET',
      fills: { extra: 'mpAppSecret', type: 'string' },
      secret: true,
      sandboxDefault: 'sandbox-secret-wechat-mp-not-for-production',
      description: 'Official account AppSecret (with WECHAT_MP_APP_ID).',
    },
  ],
};
