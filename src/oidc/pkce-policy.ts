// Who must use PKCE. Every client must (S256), except a confidential client the operator registered as
// "nonce instead of PKCE" (RFC 9700 §2.1.1: a confidential OpenID Connect client may rely on the ID
// token's `nonce` to bind the code to the browser). Such a client must then send a `nonce` whenever it
// sends no code_challenge; the nonce goes into the ID token, where its library checks it. A public client
// (`token_endpoint_auth_method: none`) always needs PKCE, whatever its metadata says.

import { errors, type Configuration } from 'oidc-provider';

/** The client metadata field that registers a confidential client as "nonce instead of PKCE". */
export const NONCE_INSTEAD_OF_PKCE = 'nonce_instead_of_pkce';

/** Whether a client's metadata exempts it from PKCE (confidential clients only). */
function nonceInsteadOfPkce(metadata: Record<string, unknown>): boolean {
  return metadata[NONCE_INSTEAD_OF_PKCE] === true && metadata.token_endpoint_auth_method !== 'none';
}

/** oidc-provider's `pkce.required`, asked only for an authorization request without code_challenge. */
export const pkceRequired: NonNullable<NonNullable<Configuration['pkce']>['required']> = (ctx, client) => {
  if (!nonceInsteadOfPkce(client.metadata())) return true;
  const nonce = ctx.oidc.params?.nonce;
  if (typeof nonce !== 'string' || nonce.length === 0) {
    throw new errors.InvalidRequest('this client must send a nonce when it does not use PKCE');
  }
  return false;
};
