// Maps a partner's stored client to oidc-provider client metadata: code flow only, pairwise subjects
// whose sector is the partner, refresh tokens allowed, `auth_time` always in the ID token, and the
// owning partner carried along.

import type { ClientRecord, Partner } from '../partners/partner.ts';

export function clientMetadata(partner: Partner, client: ClientRecord): Record<string, unknown> {
  const hosts = new Set(client.redirect_uris.map((u) => new URL(u).host));
  return {
    ...client,
    client_name: client.client_name ?? partner.name.en,
    grant_types: client.grant_types ?? ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    subject_type: 'pairwise',
    id_token_signed_response_alg: 'RS256',
    // Every ID token says when the shopper signed in, so a shop can check a forced re-authentication.
    require_auth_time: true,
    partner_id: partner.id,
    // oidc-provider wants a sector when redirect hosts differ; Denglu's sector is the partner itself
    // (see pairwise.ts), so this URI only names it and is never fetched.
    ...(hosts.size > 1 ? { sector_identifier_uri: `https://sector.invalid/partners/${encodeURIComponent(partner.id)}` } : {}),
  };
}
