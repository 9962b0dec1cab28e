// Alipay as data: the authorize host (openauth) and the RPC gateway host (openapi) as two base URLs, the
// button's label and colours, and the settings an operator gives: the app id and the RSA key pair
// Alipay uses instead of a client secret (the app's private key signs requests, Alipay's public key
// checks answers). No PKCE, no revocation, no "sign in again" parameter (none is documented).

import type { ProviderDescriptor } from '../contract.ts';
import { sandboxKeys } from './sandbox-keys.ts';

export const descriptor: ProviderDescriptor = {
  id: 'alipay',
  label: { 'zh-CN': '支付宝', en: 'Alipay' },
  // Alipay's brand blue (#1677FF) darkened just enough for white text to reach WCAG AA (4.56:1).
  colors: { background: '#1570F0', foreground: '#FFFFFF' },
  baseUrls: { openauth: 'https://openauth.alipay.com', gateway: 'https://openapi.alipay.com' },
  // `auth_user`: the person's profile (nick name, avatar) as website sign-in needs; `auth_base` gives ids only.
  scope: ['auth_user'],
  pkce: false,
  revocable: false,
  registrationUrl: 'https://open.alipay.com',
  settings: [
    { env: 'ALIPAY_APP_ID', fills: 'clientId', description: 'Alipay app id (APPID, 16 digits).' },
    {
      env: 'ALIPAY_APP_PRIVATE_KEY',
      fills: { extra: 'appPrivateKey', type: 'string' },
      secret: true,
      required: true,
      sandboxDefault: () => sandboxKeys().appPrivateKey,
      description:
        "The app private key (RSA 2048, PEM or the bare base64 Alipay's key tool prints) that signs gateway requests (RSA2); its public key is uploaded to Alipay. The sandbox generates a throwaway pair at start.",
    },
    {
      env: 'ALIPAY_PUBLIC_KEY',
      fills: { extra: 'alipayPublicKey', type: 'string' },
      required: true,
      sandboxDefault: () => sandboxKeys().alipayPublicKey,
      description:
        "Alipay's public key for this app (PEM or bare base64, shown in Alipay's console) that checks the gateway's signed answers. The sandbox uses the emulator's throwaway key.",
    },
    {
      env: 'ALIPAY_OPENAUTH_BASE_URL',
      fills: { baseUrl: 'openauth' },
      description: 'Alipay authorization page base URL (the sandbox points it at the emulator).',
    },
    {
      env: 'ALIPAY_GATEWAY_BASE_URL',
      fills: { baseUrl: 'gateway' },
      description: 'Alipay open API gateway base URL, without /gateway.do (the sandbox points it at the emulator).',
    },
  ],
};
