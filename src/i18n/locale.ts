// Picks the shopper's language: their own choice on a page (the 中文/EN switch, a cookie) first, then the
// shop's `ui_locales`, then Accept-Language, then the fallback. Denglu speaks Simplified Chinese and
// English; a browser asking for Traditional Chinese gets Simplified Chinese and a visible choice
// (needsLanguageChoice) rather than a silent pick.

import type { Locale } from '../../providers/contract.ts';
import { pageRequest } from '../http/page-request.ts';

export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
/** The cookie the language switch sets (src/http/locale-switch.ts). */
export const LOCALE_COOKIE = 'denglu_locale';

const TRADITIONAL = /^zh-(tw|hk|mo|hant)\b/;

function match(tag: string): Locale | undefined {
  const t = tag.trim().toLowerCase();
  if (t === 'zh' || t.startsWith('zh-')) return 'zh-CN';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return undefined;
}

/** Accept-Language's tags, best first. */
function ranked(acceptLanguage: string): string[] {
  return acceptLanguage
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)/.exec(p)?.[1]).find(Boolean);
      return { tag: (tag ?? '').trim(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0 && x.tag)
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((x) => x.tag);
}

/** The language the shopper chose with the switch, from a Cookie header. */
export function chosenLocale(cookieHeader: string | undefined): Locale | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (name !== LOCALE_COOKIE) continue;
    // Read on every shopper page: a malformed value (`%E0`) is no choice, never a failing page.
    try {
      return LOCALES.find((l) => l === decodeURIComponent(value ?? ''));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A browser whose first language is Traditional Chinese, with no choice made yet: offer one. */
export function needsLanguageChoice(acceptLanguage: string | undefined, cookieHeader: string | undefined): boolean {
  if (chosenLocale(cookieHeader) || !acceptLanguage) return false;
  const first = ranked(acceptLanguage).find((tag) => match(tag));
  return first !== undefined && TRADITIONAL.test(first.toLowerCase());
}

/**
 * The page's language. `chosen` is the shopper's switch; when absent it is read from the request being
 * answered (src/http/page-request.ts), so every page follows the switch.
 */
export function pickLocale(input: { uiLocales?: unknown; acceptLanguage?: string; fallback?: Locale; chosen?: Locale }): Locale {
  const chosen = input.chosen ?? chosenLocale(pageRequest()?.cookie);
  if (chosen) return chosen;
  if (typeof input.uiLocales === 'string') {
    for (const tag of input.uiLocales.split(/\s+/)) {
      const hit = match(tag);
      if (hit) return hit;
    }
  }
  if (input.acceptLanguage) {
    for (const tag of ranked(input.acceptLanguage)) {
      const hit = match(tag);
      if (hit) return hit;
    }
  }
  return input.fallback ?? 'zh-CN';
}
