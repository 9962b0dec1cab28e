// How long the tokens Denglu signs live (oidc-provider's `ttl` for them, src/oidc/provider.ts), and so how
// long a retired signing key must stay in the JWKS: until the last token it signed has expired.

export const ACCESS_TOKEN_TTL_SECONDS = 3600;
export const ID_TOKEN_TTL_SECONDS = 3600;

/** The longest a token signed with a key may still be presented: previous keys stay published this long. */
export const SIGNED_TOKEN_MAX_TTL_SECONDS = Math.max(ACCESS_TOKEN_TTL_SECONDS, ID_TOKEN_TTL_SECONDS);
