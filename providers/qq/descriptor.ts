// Tencent QQ Connect (QQ互联) as data: its graph.qq.com base URL, the one scope website login needs,
// the QQ-blue button, and the facts the broker needs (no PKCE, no revoke endpoint for website login).

import type { ProviderDescriptor } from '../contract.ts';

export const descriptor: ProviderDescriptor = {
  id: 'qq',
  label: { 'zh-CN': 'QQ', en: 'QQ' },
  colors: { background: '#12B7F5', foreground: '#FFFFFF' },
  baseUrls: { graph: 'https://graph.qq.com' },
  scope: ['get_user_info'],
  pkce: false,
  revocable: false,
  registrationUrl: 'https://connect.qq.com',
};
