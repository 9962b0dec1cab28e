// Sohu (搜狐微博, t.sohu.com) as data: the documented OAuth 2.0 endpoints live under one `api` base URL,
// the only scope ever seen is `basic`, and PKCE is on (an invented part of this dialect, see README.md).
// No revoke endpoint was ever documented, so unlinking cannot revoke a Sohu grant.

import type { ProviderDescriptor } from '../contract.ts';

export const descriptor: ProviderDescriptor = {
  id: 'sohu',
  label: { 'zh-CN': '搜狐', en: 'Sohu' },
  colors: { background: '#FFD100', foreground: '#222' },
  baseUrls: { api: 'https://api.t.sohu.com' },
  scope: ['basic'],
  pkce: true,
  revocable: false,
  registrationUrl: 'http://open.t.sohu.com',
  // No displayLanguage: no Sohu display-language parameter is known (providers.md §3), so the shopper's
  // locale is not sent. No sandboxClientId: the shape of a Sohu consumer key is unknown (README).
  settings: [
    { env: 'SOHU_CLIENT_ID', fills: 'clientId', description: 'Sohu consumer key.' },
    { env: 'SOHU_CLIENT_SECRET', fills: 'clientSecret', secret: true, description: 'Sohu consumer secret.' },
    { env: 'SOHU_BASE_URL', fills: { baseUrl: 'api' }, description: 'Sohu API base URL.' },
  ],
};
