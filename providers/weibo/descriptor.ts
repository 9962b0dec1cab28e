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
};
