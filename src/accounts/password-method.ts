// The native password as a sign-in method: it has an id like a provider (`password`), so partners list it
// among their integrations and its lifecycle (notice, cutoff, preview) works like a provider's; sessions
// signed in with it carry `amr: ["pwd"]`. Its descriptor gives the views a label and a colour.

import type { ProviderDescriptor } from '../../providers/contract.ts';

export const PASSWORD_METHOD = 'password';
/** The RFC 8176 `amr` value of a password sign-in. */
export const PASSWORD_AMR = 'pwd';

/** The descriptor of one of Denglu's own methods: label and colours for pages, no endpoints (Denglu checks it itself). */
export function nativeDescriptor(id: string, label: ProviderDescriptor['label'], background: string): ProviderDescriptor {
  return {
    id,
    label,
    colors: { background, foreground: '#ffffff' },
    baseUrls: {},
    scope: [],
    pkce: false,
    revocable: false,
    registrationUrl: '',
    settings: [],
  };
}

export const PASSWORD_DESCRIPTOR = nativeDescriptor(PASSWORD_METHOD, { 'zh-CN': '邮箱和密码', en: 'email and password' }, '#2f6fed');
