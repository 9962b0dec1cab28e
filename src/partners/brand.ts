// A shop's look on Denglu's pages: its logo and its accent colour (the display name is the partner's
// localized name). Decides what a logo may be — a PNG, or an SVG that draws only (no script, no event
// handlers, no foreignObject, no external references) — checked by content, never by the declared type,
// and at most LOGO_MAX_BYTES; and which text colour reads on the accent (WCAG AA, src/partners/contrast.ts).

import { createHash } from 'node:crypto';
import { readableBackground, readableText } from './contrast.ts';
import type { Partner } from './partner.ts';

export interface Brand {
  /** `data:image/png;base64,…` or `data:image/svg+xml;base64,…`, validated by parseLogo. */
  logo?: string;
  /** `#rrggbb`. */
  colour?: string;
}

/** Fits the admin API's 32 kB body once base64-encoded. */
export const LOGO_MAX_BYTES = 20 * 1024;
export const COLOUR_PATTERN = /^#[0-9a-fA-F]{6}$/;

export type LogoType = 'image/png' | 'image/svg+xml';
/** A refusal names its rule (and values) so it can be worded in another language (src/admin/problem-text.ts). */
export type LogoResult =
  | { ok: true; dataUrl: string; type: LogoType; bytes: Buffer }
  | { ok: false; message: string; rule: string; params?: Record<string, string | number> };

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const DATA_URL = /^data:([a-z+/.-]+)?(;charset=[\w-]+)?;base64,([A-Za-z0-9+/=\s]+)$/i;
const BASE64 = /^[A-Za-z0-9+/=\s]+$/;
/** What an SVG logo must not contain — anything that runs, loads or embeds — with the rule's id. */
const SVG_FORBIDDEN: readonly [RegExp, string, string][] = [
  [/<\s*(?:[\w.-]+:)?script/i, 'script', 'a <script> element'],
  [/<\s*(?:[\w.-]+:)?foreignObject/i, 'foreignObject', 'a <foreignObject> element'],
  [/\son[a-z]+\s*=/i, 'handler', 'an event handler attribute (on…=)'],
  [/<!(DOCTYPE|ENTITY)/i, 'doctype', 'a DOCTYPE or ENTITY declaration'],
  [/javascript:/i, 'javascript', 'a javascript: URL'],
  [/(?:href|src)\s*=\s*["'](?!#)/i, 'link', 'a link to another document (only #fragment references are allowed)'],
  [/url\(\s*["']?(?!#)/i, 'link', 'a url() to another document'],
  [/@import/i, 'link', 'an @import'],
];

const refuse = (rule: string, message: string, params?: Record<string, string | number>): LogoResult => ({
  ok: false,
  rule,
  message,
  ...(params ? { params } : {}),
});

/**
 * Reads an uploaded logo: a data URL or bare base64 of a PNG or an SVG. The type comes from the bytes
 * (PNG signature, or text starting with an <svg> element); a declared type that disagrees is refused.
 */
export function parseLogo(input: string): LogoResult {
  const text = input.trim();
  const url = DATA_URL.exec(text);
  const declared = url?.[1]?.toLowerCase();
  const b64 = url ? url[3]! : text;
  if (!url && !BASE64.test(b64)) return refuse('logo.format', 'must be a data URL (data:image/png;base64,…) or base64 of a PNG or SVG image');
  const bytes = Buffer.from(b64.replace(/\s+/g, ''), 'base64');
  if (bytes.length === 0) return refuse('logo.empty', 'is empty');
  if (bytes.length > LOGO_MAX_BYTES) {
    const [max, size] = [LOGO_MAX_BYTES / 1024, Math.ceil(bytes.length / 1024)];
    return refuse('logo.size', `must be at most ${max} KiB (this one is ${size} KiB)`, { max, size });
  }
  const type = sniff(bytes);
  if (!type) return refuse('logo.type', 'must be a PNG or an SVG image (the content is neither)');
  if (declared && declared !== type) return refuse('logo.mismatch', `says ${declared} but its content is ${type}`, { declared, type });
  if (type === 'image/svg+xml') {
    const svg = bytes.toString('utf8');
    const bad = SVG_FORBIDDEN.find(([re]) => re.test(svg));
    if (bad) return refuse(`logo.svg.${bad[1]}`, `is an SVG with ${bad[2]}; a logo may only draw`);
  }
  return { ok: true, type, bytes, dataUrl: `data:${type};base64,${bytes.toString('base64')}` };
}

function sniff(bytes: Buffer): LogoType | undefined {
  if (bytes.subarray(0, 8).equals(PNG_MAGIC)) return 'image/png';
  const head = bytes
    .subarray(0, 512)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  // An XML declaration and comments may precede the root element.
  const start = head.replace(/^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*/, '');
  return /^<svg[\s>]/.test(start) ? 'image/svg+xml' : undefined;
}

/** The stored logo's bytes and type (a stored logo passed parseLogo; anything else reads as none). */
export function logoOf(partner: Partner): { type: LogoType; bytes: Buffer } | undefined {
  const logo = partner.brand?.logo;
  if (!logo) return undefined;
  const parsed = parseLogo(logo);
  return parsed.ok ? { type: parsed.type, bytes: parsed.bytes } : undefined;
}

/** A short description for audit entries and API views (never the whole image). */
export function logoSummary(logo: string | undefined): string | null {
  if (!logo) return null;
  const parsed = parseLogo(logo);
  if (!parsed.ok) return null;
  return `${parsed.type}, ${parsed.bytes.length} bytes, sha256:${createHash('sha256').update(parsed.bytes).digest('hex').slice(0, 16)}`;
}

/** Whether the shop has an accent colour (cheap: no contrast computed), for links to its stylesheet. */
export function hasAccent(partner: Partner): boolean {
  const colour = partner.brand?.colour;
  return !!colour && COLOUR_PATTERN.test(colour);
}

/** The accent and its text colour: the shop's colour adjusted (if needed) so text on it reaches 4.5:1. */
export function accentOf(partner: Partner): { accent: string; text: string } | undefined {
  const colour = partner.brand?.colour;
  if (!colour || !hasAccent(partner)) return undefined;
  const text = readableText(colour);
  // readableBackground keeps the colour as is (lower-cased) when the text on it already reaches 4.5:1.
  return { accent: readableBackground(colour, text).toLowerCase(), text };
}
