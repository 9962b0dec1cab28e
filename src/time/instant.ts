// Instants typed by people (schedules, the simulated "now"): every input must say where on Earth it is,
// either an offset (`2013-09-25T00:00+08:00`, `…Z`) or an IANA zone (`2013-09-25T00:00[Asia/Shanghai]`).
// A bare local time is refused, and so are local times a daylight-saving change skips or repeats, and
// offsets no clock uses (outside −12:00…+14:00). A refusal suggests the same time written in the typist's
// zone, and every suggestion is accepted exactly as given.

import { DateTime, IANAZone } from 'luxon';
import type { EpochMs } from '../clock.ts';

/** A refusal's `rule` and `params` let the admin pages word it in Chinese (src/admin/problem-text.ts). */
export type InstantResult = { ok: true; value: EpochMs } | { ok: false; message: string; rule: InstantRule; params: Record<string, string> };
export type InstantRule =
  | 'instant.missing'
  | 'instant.badOffset'
  | 'instant.invalid'
  | 'instant.badZone'
  | 'instant.noZone'
  | 'instant.notDate'
  | 'instant.skipped'
  | 'instant.twice';

const LOCAL = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?))?$/;
const WITH_OFFSET = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|([+-])(\d{2})(?::?(\d{2}))?)$/i;
const WITH_ZONE = /^(.+?)(?:\[([A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*)\]| ([A-Za-z_]+\/[A-Za-z0-9_+/-]+))$/;
/** The offsets clocks on Earth use: from UTC−12:00 to UTC+14:00. */
const MIN_OFFSET_MINUTES = -12 * 60;
const MAX_OFFSET_MINUTES = 14 * 60;
const EXAMPLE_LOCAL = '2013-09-25T00:00';

/**
 * Reads a typed instant. `zone` is the time zone of whoever types it (the partner's; UTC when no partner
 * applies): every example an error suggests is written in that zone, and each one is accepted as given.
 */
export function parseInstant(input: unknown, zone = 'UTC'): InstantResult {
  if (typeof input === 'number' && Number.isFinite(input)) return { ok: true, value: input };
  if (typeof input !== 'string' || input.trim() === '') {
    return refuse('instant.missing', {}, 'must be a date and time with an offset or time zone', EXAMPLE_LOCAL, zone, 'e.g.');
  }
  const text = input.trim();
  const offset = WITH_OFFSET.exec(text);
  if (offset) {
    const [, local, , sign, hours, minutes] = offset;
    if (sign) {
      const total = (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes ?? '0'));
      if (Number(minutes ?? '0') > 59 || total < MIN_OFFSET_MINUTES || total > MAX_OFFSET_MINUTES) {
        return refuse(
          'instant.badOffset',
          { text },
          `${JSON.stringify(text)} has a UTC offset no clock uses (offsets run from -12:00 to +14:00)`,
          local!.replace(' ', 'T'),
          zone,
        );
      }
    }
    const dt = DateTime.fromISO(text.replace(' ', 'T'), { setZone: true });
    if (!dt.isValid) return invalid(text, ` (${dt.invalidExplanation ?? dt.invalidReason})`);
    return { ok: true, value: dt.toMillis() };
  }
  const zoned = WITH_ZONE.exec(text);
  if (zoned) {
    const local = zoned[1]!.trim();
    const named = zoned[2] ?? zoned[3]!;
    if (!IANAZone.isValidZone(named)) {
      return refuse(
        'instant.badZone',
        { zone: named },
        `${JSON.stringify(named)} is not an IANA time zone`,
        LOCAL.test(local) ? isoLocal(local) : EXAMPLE_LOCAL,
        zone,
        'write for example',
      );
    }
    return fromLocal(local, named, text);
  }
  if (LOCAL.test(text)) {
    if (!DateTime.fromISO(isoLocal(text), { zone: 'UTC' }).isValid) return invalid(text);
    return refuse('instant.noZone', { text }, `${JSON.stringify(text)} has no offset or time zone, so it could mean different instants`, isoLocal(text), zone);
  }
  return refuse('instant.notDate', { text }, `${JSON.stringify(text)} is not a date and time`, EXAMPLE_LOCAL, zone, 'write for example');
}

function fromLocal(local: string, zone: string, original: string): InstantResult {
  if (!LOCAL.test(local))
    return refuse('instant.notDate', { text: original }, `${JSON.stringify(original)} is not a date and time`, EXAMPLE_LOCAL, zone, 'write for example');
  const iso = isoLocal(local);
  const dt = DateTime.fromISO(iso, { zone });
  if (!dt.isValid) return invalid(original);
  // A skipped local time (spring forward) comes back shifted; a repeated one (fall back) has two offsets.
  const wall = DateTime.fromISO(iso, { zone: 'UTC' });
  if (dt.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS") !== wall.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS")) {
    const after = `${dt.toFormat("yyyy-MM-dd'T'HH:mm")}[${zone}]`;
    return {
      ok: false,
      message: `${JSON.stringify(original)} does not exist: the clocks in ${zone} skip that time (daylight saving starts); write a time that exists, such as ${after}`,
      rule: 'instant.skipped',
      params: { text: original, zone, after },
    };
  }
  if (dt.getPossibleOffsets().length > 1) {
    return refuse(
      'instant.twice',
      { text: original, zone },
      `${JSON.stringify(original)} happens twice in ${zone} (daylight saving ends)`,
      iso,
      zone,
      'write the offset instead:',
      true,
    );
  }
  return { ok: true, value: dt.toMillis() };
}

/** `2013-09-25` → `2013-09-25T00:00`; `2013-09-25 10:00` → `2013-09-25T10:00`. */
function isoLocal(local: string): string {
  const m = LOCAL.exec(local)!;
  return `${m[1]}T${m[2] ?? '00:00'}`;
}

/**
 * A refusal that suggests `local` written with the zone's offset(s) and with the zone's name, keeping
 * only the suggestions that parse as given (a date that does not exist gets none).
 */
function refuse(
  rule: InstantRule,
  params: Record<string, string>,
  problem: string,
  local: string,
  zone: string,
  lead = 'write',
  offsetsOnly = false,
): InstantResult {
  const suggestions = suggestInstants(local, zone, offsetsOnly);
  return {
    ok: false,
    message: suggestions.length ? `${problem}; ${lead} ${suggestions.join(' or ')}` : problem,
    rule,
    params: { ...params, suggestions: suggestions.join('\n') },
  };
}

function invalid(text: string, detail = ''): InstantResult {
  return { ok: false, message: `${JSON.stringify(text)} is not a valid date and time${detail}`, rule: 'instant.invalid', params: { text } };
}

/** `local` (`2013-09-25T00:00`) written with `zone`'s offset(s) and its name: only forms parseInstant accepts. */
export function suggestInstants(local: string, zone: string, offsetsOnly = false): string[] {
  const known = IANAZone.isValidZone(zone) ? zone : 'UTC';
  const dt = DateTime.fromISO(local, { zone: known });
  if (!dt.isValid) return [];
  const offsets = dt.getPossibleOffsets().map((o) => o.toFormat('ZZ'));
  const candidates = [...new Set(offsets.map((o) => `${local}${o}`)), ...(offsetsOnly ? [] : [`${local}[${known}]`])];
  return candidates.filter((c) => parseInstant(c, known).ok);
}

/** An instant shown in a zone: `2013-09-25 00:00 (UTC+8)`-like text for the given locale. */
export function formatInstant(ms: EpochMs, zone: string, locale: 'zh-CN' | 'en', style: 'date' | 'datetime' = 'datetime'): string {
  const dt = DateTime.fromMillis(ms, { zone }).setLocale(locale === 'zh-CN' ? 'zh-CN' : 'en-GB');
  if (style === 'date') return dt.toLocaleString(DateTime.DATE_FULL);
  return `${dt.toLocaleString(DateTime.DATE_FULL)} ${dt.toFormat('HH:mm')} (${dt.toFormat("'UTC'ZZ")})`;
}

/** ISO 8601 with the zone's offset, for APIs: `2013-09-25T00:00:00.000+08:00`. */
export function isoInZone(ms: EpochMs, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO()!;
}

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}
