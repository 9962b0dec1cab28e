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
};
