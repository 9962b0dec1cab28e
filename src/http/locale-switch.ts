// The 中文/EN switch every shopper page carries: `GET /locale?to=en&back=/path` remembers the choice in a
// cookie for a year and goes back to the page (a path on Denglu only: never another site). The links are
// built here too, from the request being rendered.

import express, { type Router } from 'express';
import type { Locale } from '../../providers/contract.ts';
import { LOCALE_COOKIE, LOCALES, needsLanguageChoice } from '../i18n/locale.ts';
import { pageRequest } from './page-request.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;

/** A path on this site: one leading slash, no scheme, no `//host` or `/\host`. */
function safeBack(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && value.length <= 2048 ? value : '/';
}

export function localeSwitchRoute(secureCookies: boolean): Router {
  const router = express.Router();
  router.get('/locale', (req, res) => {
    const to = LOCALES.find((l) => l === req.query.to);
    const back = safeBack(req.query.back);
    if (to) res.cookie(LOCALE_COOKIE, to, { maxAge: YEAR_MS, httpOnly: true, sameSite: 'lax', secure: secureCookies, path: '/' });
    res.redirect(303, back);
  });
  return router;
}

/**
 * Where the page being rendered can be asked for again with GET: itself; after a form's POST, the page the
 * form belongs to (the sign-in in progress, the password reset request, the account page).
 */
function currentPage(): string {
  const req = pageRequest();
  if (!req) return '/';
  const path = req.url.split('?')[0]!;
  // A provider's answer is used once (and may carry its own text): never asked for again.
  if (path.startsWith('/account/callback')) return '/account';
  if (path.startsWith('/cb/')) return '/';
  if (req.method === 'GET') return req.url;
  const interaction = /^\/interaction\/[^/]+/.exec(path);
  if (interaction) return interaction[0];
  if (path.startsWith('/account/password/reset')) return '/account/password/reset';
  if (path.startsWith('/account')) return '/account';
  return '/';
}

export interface LanguageLinks {
  /** The other language, for the header switch. */
  other: { locale: Locale; href: string };
  /** Both languages, when the browser asked for Traditional Chinese and no choice was made yet. */
  choice?: { locale: Locale; href: string }[];
}

/** `back` overrides where the switch returns (a failure page names the sign-in it belongs to). */
export function languageLinks(locale: Locale, back_?: string): LanguageLinks {
  const back = encodeURIComponent(back_ ?? currentPage());
  const link = (l: Locale) => ({ locale: l, href: `/locale?to=${encodeURIComponent(l)}&back=${back}` });
  const other = LOCALES.find((l) => l !== locale) ?? 'en';
  const req = pageRequest();
  return {
    other: link(other),
    ...(needsLanguageChoice(req?.acceptLanguage, req?.cookie) ? { choice: LOCALES.map(link) } : {}),
  };
}
