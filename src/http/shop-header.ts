// Which shop a shopper page belongs to, for its header: the shop's name in the page's language, its logo
// and accent (served by src/http/brand-routes.ts), and where "back to the shop" leads — the origin of the
// redirect URI the shop sent when it is one the shop registered, else its first registered one's origin.

import type { Locale } from '../../providers/contract.ts';
import { hasAccent } from '../partners/brand.ts';
import { partnerName, type Partner } from '../partners/partner.ts';

export interface ShopHeader {
  id: string;
  name: string;
  /** The shop's home (an origin), if one is known. */
  home?: string;
  /** `/brand/<id>/logo` when the shop has a logo. */
  logo?: string;
  /** `/brand/<id>/style.css` when the shop has an accent colour. */
  style?: string;
  /** The first letter of the name, shown when there is no logo. */
  initial: string;
}

export function shopHeader(partner: Partner, locale: Locale, redirectUri?: unknown): ShopHeader {
  const name = partnerName(partner, locale);
  const home = shopHome(partner, redirectUri);
  return {
    id: partner.id,
    name,
    initial: [...name][0] ?? '?',
    ...(home ? { home } : {}),
    ...(partner.brand?.logo ? { logo: `/brand/${encodeURIComponent(partner.id)}/logo` } : {}),
    ...(hasAccent(partner) ? { style: `/brand/${encodeURIComponent(partner.id)}/style.css` } : {}),
  };
}

function shopHome(partner: Partner, redirectUri: unknown): string | undefined {
  const registered = partner.clients.flatMap((c) => c.redirect_uris);
  const uri = typeof redirectUri === 'string' && registered.includes(redirectUri) ? redirectUri : registered[0];
  if (!uri) return undefined;
  try {
    const url = new URL(uri);
    return url.protocol === 'https:' || url.protocol === 'http:' ? `${url.origin}/` : undefined;
  } catch {
    return undefined;
  }
}
