// Which web origins may call the OpenID Provider's back-channel endpoints from a browser (CORS). A public
// client (a shop's single-page app) redeems its code and refreshes its tokens from the page, so /token,
// /token/revocation and /me answer its own origins — those of its registered redirect URIs — and no
// other. A confidential client talks to these endpoints from its server; only /me (userinfo) answers its
// redirect origins, for pages that read the profile with the access token. The authorization endpoint is
// a navigation, never a CORS request.

import type { Configuration } from 'oidc-provider';

export const clientBasedCors: NonNullable<Configuration['clientBasedCORS']> = (ctx, origin, client) => {
  if (origin === 'null') return false;
  if (ctx.oidc.route !== 'userinfo' && client.clientAuthMethod !== 'none') return false;
  return (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin);
};
