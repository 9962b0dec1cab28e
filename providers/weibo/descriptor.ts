// Sina Weibo as data: where its endpoints live, how its button looks, and what the broker may rely on
// (no PKCE, no scope needed for sign-in, an upstream revoke endpoint, `forcelogin` to sign in again).

import type { ProviderDescriptor } from '../contract.ts';

export const descriptor: ProviderDescriptor = {
  id: 'weibo',
  label: { 'zh-CN': '微博', en: 'Weibo' },
  colors: { background: '#E6162D', foreground: '#FFFFFF' },
  baseUrls: { api: 'https://api.weibo.com' },
  // Sign-in needs no scope: get_token_info and users/show work with the default grant.
  scope: [],
  pkce: false,
  revocable: true,
  registrationUrl: 'https://open.weibo.com',
  // oauth2/authorize `forcelogin=true`: the login form even for someone signed in at Weibo.
  reauthentication: { forcelogin: 'true' },
  // oauth2/authorize `language=en` for English (providers.md §1.2); Chinese is Weibo's default, not sent.
  displayLanguage: { parameter: 'language', values: { en: 'en' } },
  // Weibo app keys are numbers (get_token_info answers `"appkey":1352222456`); ten digits like observed ones.
  sandboxClientId: '3000000001',
  settings: [
    { env: 'WEIBO_CLIENT_ID', fills: 'clientId', description: 'Weibo App Key (a number, e.g. 3254018913).' },
    { env: 'WEIBO_CLIENT_SECRET', fills: 'clientSecret', secret: true, description: 'Weibo App Secret.' },
    { env: 'WEIBO_BASE_URL', fills: { baseUrl: 'api' }, description: 'Weibo API base URL (the sandbox points it at the emulator).' },
  ],
};
