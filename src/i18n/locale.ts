// Picks the shopper's language: the shop's `ui_locales` first, then Accept-Language, then the fallback.
// Denglu speaks Simplified Chinese and English.

import type { Locale } from '../../providers/contract.ts';

export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

function match(tag: string): Locale | undefined {
  const t = tag.trim().toLowerCase();
  if (t === 'zh' || t.startsWith('zh-cn') || t.startsWith('zh-hans') || t === 'zh-sg') return 'zh-CN';
  if (t.startsWith('zh')) return 'zh-CN';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return undefined;
}

export function pickLocale(input: { uiLocales?: unknown; acceptLanguage?: string; fallback?: Locale }): Locale {
  if (typeof input.uiLocales === 'string') {
    for (const tag of input.uiLocales.split(/\s+/)) {
      const hit = match(tag);
      if (hit) return hit;
    }
  }
  if (input.acceptLanguage) {
    const ranked = input.acceptLanguage
      .split(',')
      .map((part, i) => {
        const [tag, ...params] = part.split(';');
        const q = params.map((p) => /^\s*q=([0-9.]+)/.exec(p)?.[1]).find(Boolean);
        return { tag: tag ?? '', q: q === undefined ? 1 : Number(q), i };
      })
      .filter((x) => x.q > 0)
      .sort((a, b) => b.q - a.q || a.i - b.i);
    for (const { tag } of ranked) {
      const hit = match(tag);
      if (hit) return hit;
    }
  }
  return input.fallback ?? 'zh-CN';
}
