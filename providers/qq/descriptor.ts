// Tencent QQ Connect (QQ互联) as data: its graph.qq.com base URL, the one scope website login needs,
// the QQ-blue button (readable), and the facts the broker needs (no PKCE, no revoke endpoint for website login).

import type { ProviderDescriptor } from '../contract.ts';

export const descriptor: ProviderDescriptor = {
  id: 'qq',
  label: { 'zh-CN': 'QQ', en: 'QQ' },
  // QQ's blue deepened so white text on it reaches WCAG AA (4.7:1); QQ's own #12B7F5 gives 2.3:1.
  colors: { background: '#0C7CA7', foreground: '#FFFFFF' },
  baseUrls: { graph: 'https://graph.qq.com' },
  scope: ['get_user_info'],
  pkce: false,
  revocable: false,
  registrationUrl: 'https://connect.qq.com',
  // No displayLanguage: QQ documents no display-language parameter for its authorize page (only
  // `display=mobile`, providers.md §2.2), so the shopper's locale is not sent.
  // QQ app ids are numbers (get_user_info decodes oauth_consumer_key as an unsigned 64-bit integer).
  sandboxClientId: '101000000',
  settings: [
    { env: 'QQ_CLIENT_ID', fills: 'clientId', description: 'QQ Connect APP ID (a number, e.g. 101000001).' },
    { env: 'QQ_CLIENT_SECRET', fills: 'clientSecret', secret: true, description: 'QQ Connect APP Key.' },
    { env: 'QQ_BASE_URL', fills: { baseUrl: 'graph' }, description: 'QQ Connect base URL.' },
    {
      env: 'QQ_UNIONID',
      fills: { extra: 'unionid', type: 'boolean' },
      default: false,
      sandboxDefault: true,
      description: 'Ask QQ for the unionid (the app must hold that permission).',
    },
  ],
};
