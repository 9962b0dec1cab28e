// What a partner (a shop) is: display data, time zone, its OIDC clients and its integrations, one per
// upstream provider, each with an optional dated lifecycle.

import type { EpochMs } from '../clock.ts';
import type { Locale } from '../../providers/contract.ts';
import type { Brand } from './brand.ts';

/** OIDC client metadata as oidc-provider takes it (snake_case), plus the owning partner. */
export interface ClientRecord {
  client_id: string;
  client_secret?: string;
  client_name?: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  /** `none`: a public client (a shop's single-page or mobile app), PKCE always required. */
  token_endpoint_auth_method: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
  /**
   * A confidential client whose library cannot send PKCE (passport-openidconnect): `nonce` is then
   * required instead (RFC 9700 §2.1.1). Never for a public client.
   */
  nonce_instead_of_pkce?: boolean;
  /** Public keys for private_key_jwt. */
  jwks?: { keys: Record<string, unknown>[] };
  grant_types?: string[];
}

export type CutoffPolicy = 'keep' | 'revoke';

export interface Integration {
  provider: string;
  /** Go-live; absent = live from the beginning. */
  startsAt?: EpochMs;
  /** Start of the notice period (shoppers are warned). */
  noticeAt?: EpochMs;
  /** End of sign-in into the shop; grace (migration only) starts here. */
  cutoffAt?: EpochMs;
  /** End of the migration window. */
  graceEndsAt?: EpochMs;
  /** May new Denglu accounts be created through this provider during notice. */
  newAccountsDuringNotice: boolean;
  /** What happens at cutoff to sessions and refresh tokens obtained through the provider. */
  atCutoff: CutoffPolicy;
  /** Custom notice text; defaults are generated from the dates. */
  notice?: Partial<Record<Locale, string>>;
}

export interface Partner {
  id: string;
  name: Record<Locale, string>;
  /** The shop's logo and accent colour on shopper pages (src/partners/brand.ts). */
  brand?: Brand;
  /** IANA zone dates are shown in. */
  timeZone: string;
  locales: Locale[];
  /** First-party partners get no consent screen. */
  firstParty: boolean;
  /** Denglu's own account console (reserved id `denglu`): not a shop, not managed through the admin API. */
  internal?: boolean;
  clients: ClientRecord[];
  integrations: Integration[];
  createdAt: EpochMs;
  updatedAt: EpochMs;
}

export function partnerName(partner: Partner, locale: Locale): string {
  return partner.name[locale] ?? partner.name.en ?? partner.id;
}
