// Instants typed by people (schedules, the simulated "now"): every input must say where on Earth it is,
// either an offset (`2013-09-25T00:00+08:00`, `…Z`) or an IANA zone (`2013-09-25T00:00[Asia/Shanghai]`).
// A bare local time is refused, and so are local times a daylight-saving change skips or repeats.

import { DateTime, IANAZone } from 'luxon';
import type { EpochMs } from '../clock.ts';

export type InstantResult = { ok: true; value: EpochMs } | { ok: false; message: string };

const LOCAL = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?))?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;
const WITH_ZONE = /^(.+?)(?:\[([A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*)\]| ([A-Za-z_]+\/[A-Za-z0-9_+/-]+))$/;

export function parseInstant(input: unknown): InstantResult {
  if (typeof input === 'number' && Number.isFinite(input)) return { ok: true, value: input };
  if (typeof input !== 'string' || input.trim() === '') {
    return { ok: false, message: 'must be a date and time with an offset or time zone, e.g. 2013-09-25T00:00+08:00' };
  }
  const text = input.trim();
  if (WITH_OFFSET.test(text)) {
    const dt = DateTime.fromISO(text.replace(' ', 'T'), { setZone: true });
    if (!dt.isValid) return { ok: false, message: `${JSON.stringify(text)} is not a valid date and time (${dt.invalidExplanation ?? dt.invalidReason})` };
    return { ok: true, value: dt.toMillis() };
  }
  const zoned = WITH_ZONE.exec(text);
  if (zoned) {
    const local = zoned[1]!.trim();
    const zone = zoned[2] ?? zoned[3]!;
    if (!IANAZone.isValidZone(zone)) return { ok: false, message: `${JSON.stringify(zone)} is not an IANA time zone (for example Asia/Shanghai)` };
    return fromLocal(local, zone, text);
  }
  if (LOCAL.test(text)) {
    return {
      ok: false,
      message: `${JSON.stringify(text)} has no offset or time zone, so it could mean different instants; write ${suggest(text)}`,
    };
  }
  return { ok: false, message: `${JSON.stringify(text)} is not a date and time; write for example 2013-09-25T00:00+08:00 or 2013-09-25T00:00[Asia/Shanghai]` };
}

function fromLocal(local: string, zone: string, original: string): InstantResult {
  const m = LOCAL.exec(local);
  if (!m) return { ok: false, message: `${JSON.stringify(original)} is not a date and time; write for example 2013-09-25T00:00[${zone}]` };
  const iso = `${m[1]}T${m[2] ?? '00:00'}`;
  const dt = DateTime.fromISO(iso, { zone });
  if (!dt.isValid) return { ok: false, message: `${JSON.stringify(original)} is not a valid date and time` };
  // A skipped local time (spring forward) comes back shifted; a repeated one (fall back) has two offsets.
  const wall = DateTime.fromISO(iso, { zone: 'UTC' });
  if (dt.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS") !== wall.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS")) {
    return { ok: false, message: `${JSON.stringify(original)} does not exist: the clocks in ${zone} skip that time (daylight saving starts)` };
  }
  const offsets = dt.getPossibleOffsets();
  if (offsets.length > 1) {
    const options = offsets.map((o) => o.toFormat('ZZ')).join(' or ');
    return {
      ok: false,
      message: `${JSON.stringify(original)} happens twice in ${zone} (daylight saving ends); write the offset instead: ${options}`,
    };
  }
  return { ok: true, value: dt.toMillis() };
}

function suggest(local: string): string {
  const iso = local.replace(' ', 'T');
  return `${iso}+08:00 or ${iso}[Asia/Shanghai]`;
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
