// What a shopper reads when oidc-provider refuses a request in the browser: a sentence from Denglu's
// catalogue in the shopper's language, chosen by the OAuth error code, never oidc-provider's English
// error_description. The code itself is shown too (language-neutral, for the shop's developers).

import type { MessageKey, Translate } from '../i18n/messages.ts';

const BY_CODE: Record<string, MessageKey> = {
  invalid_client: 'error.oidc.client',
  unauthorized_client: 'error.oidc.client',
  invalid_redirect_uri: 'error.oidc.redirect',
  access_denied: 'error.oidc.notCompleted',
  login_required: 'error.oidc.notCompleted',
  consent_required: 'error.oidc.notCompleted',
  interaction_required: 'error.oidc.notCompleted',
  invalid_token: 'error.oidc.expired',
  invalid_grant: 'error.oidc.expired',
  expired_token: 'error.oidc.expired',
  server_error: 'error.oidc.unavailable',
  temporarily_unavailable: 'error.oidc.unavailable',
};

/** The catalogue sentence for an OAuth error code (anything unlisted reads as a request Denglu cannot handle). */
export function oidcErrorText(t: Translate, code: unknown): string {
  const known = typeof code === 'string' && /^[a-z_]{1,64}$/.test(code) ? code : 'invalid_request';
  return t(BY_CODE[known] ?? 'error.oidc.request', { code: known });
}
