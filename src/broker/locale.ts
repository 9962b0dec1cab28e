// The language of a sign-in page: the shop's `ui_locales`, then the browser's Accept-Language, then the
// partner's first language. One rule for every page of a sign-in (chooser, held sign-in, callback).

import type { Request } from 'express';
import { pickLocale } from '../i18n/locale.ts';
import type { Partner } from '../partners/partner.ts';
import type { Locale } from '../../providers/contract.ts';

export function localeFor(req: Request, params: Record<string, unknown> | undefined, partner?: Partner): Locale {
  return localeFrom(params, req.get('accept-language'), partner);
}

/** The same rule where there is no express request (oidc-provider's interaction hook). */
export function localeFrom(params: Record<string, unknown> | undefined, acceptLanguage: string | undefined, partner?: Partner): Locale {
  return pickLocale({ uiLocales: params?.ui_locales, acceptLanguage, fallback: partner?.locales[0] });
}

/** A page outside a sign-in (the account console, notice-mail pages, the home page): `ui_locales` in its query, then Accept-Language. */
export function pageLocale(req: Request): Locale {
  return localeFor(req, req.query);
}
