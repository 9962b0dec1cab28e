// Validating a change to an integration's lifecycle. Every instant must carry an offset or IANA zone,
// dates must follow the lifecycle order (startsAt < noticeAt < cutoffAt < graceEndsAt), a notice or a
// grace end needs a cutoff, and a change that would close sign-in at once (a cutoff already past, or
// `effectiveImmediately` with no date) must say so explicitly. Every problem is reported with its field.

import type { EpochMs } from '../clock.ts';
import { parseInstant } from '../time/instant.ts';
import { formatInstant } from '../time/instant.ts';
import type { CutoffPolicy, Integration } from './partner.ts';
import { phaseAt, signsIn } from './phase.ts';

export const DATE_FIELDS = ['startsAt', 'noticeAt', 'cutoffAt', 'graceEndsAt'] as const;
export type DateField = (typeof DATE_FIELDS)[number];

const KNOWN = new Set<string>([...DATE_FIELDS, 'newAccountsDuringNotice', 'atCutoff', 'notice', 'effectiveImmediately']);
const NOTICE_MAX = 500;

export interface Problem {
  field: string;
  message: string;
}

export type ScheduleResult = { ok: true; integration: Integration; immediate: boolean } | { ok: false; problems: Problem[] };

/**
 * Applies `input` (a JSON object: dates as strings with offset/zone, `null` to clear, absent to keep)
 * to `current` (undefined when the provider is being added) at instant `now`.
 */
export function applySchedule(provider: string, current: Integration | undefined, input: unknown, now: EpochMs, timeZone: string): ScheduleResult {
  const problems: Problem[] = [];
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, problems: [{ field: '(body)', message: 'must be a JSON object' }] };
  }
  const body = input as Record<string, unknown>;
  for (const key of Object.keys(body)) if (!KNOWN.has(key)) problems.push({ field: key, message: 'is not a schedule field' });

  const next: Integration = current
    ? { ...current, ...(current.notice ? { notice: { ...current.notice } } : {}) }
    : { provider, newAccountsDuringNotice: true, atCutoff: 'keep' };
  for (const field of DATE_FIELDS) {
    if (!(field in body)) continue;
    const raw = body[field];
    if (raw === null) {
      delete next[field];
      continue;
    }
    if (typeof raw !== 'string') {
      problems.push({ field, message: 'must be a date and time string with an offset or time zone, or null to clear it' });
      continue;
    }
    const parsed = parseInstant(raw, timeZone);
    if (parsed.ok) next[field] = parsed.value;
    else problems.push({ field, message: parsed.message });
  }
  if ('newAccountsDuringNotice' in body) {
    if (typeof body.newAccountsDuringNotice === 'boolean') next.newAccountsDuringNotice = body.newAccountsDuringNotice;
    else problems.push({ field: 'newAccountsDuringNotice', message: 'must be true or false' });
  }
  if ('atCutoff' in body) {
    if (body.atCutoff === 'keep' || body.atCutoff === 'revoke') next.atCutoff = body.atCutoff as CutoffPolicy;
    else problems.push({ field: 'atCutoff', message: 'must be "keep" (sessions and refresh tokens run until they expire) or "revoke"' });
  }
  if ('notice' in body) {
    const notice = body.notice;
    if (notice === null) delete next.notice;
    else if (!notice || typeof notice !== 'object' || Array.isArray(notice)) problems.push({ field: 'notice', message: 'must be an object like {"zh-CN": "…", "en": "…"} or null' });
    else {
      const texts: Partial<Record<'zh-CN' | 'en', string>> = { ...next.notice };
      for (const [locale, text] of Object.entries(notice as Record<string, unknown>)) {
        if (locale !== 'zh-CN' && locale !== 'en') problems.push({ field: `notice.${locale}`, message: 'only zh-CN and en notices exist' });
        else if (text === null) delete texts[locale];
        else if (typeof text !== 'string' || text.trim() === '') problems.push({ field: `notice.${locale}`, message: 'must be non-empty text or null for the default' });
        else if (text.length > NOTICE_MAX) problems.push({ field: `notice.${locale}`, message: `must be at most ${NOTICE_MAX} characters` });
        else texts[locale] = text.trim();
      }
      if (Object.keys(texts).length) next.notice = texts;
      else delete next.notice;
    }
  }
  const immediately = body.effectiveImmediately;
  if (immediately !== undefined && typeof immediately !== 'boolean') problems.push({ field: 'effectiveImmediately', message: 'must be true or false' });
  if (problems.length) return { ok: false, problems };

  // "Effective immediately" without a cutoff date: the cutoff is now (the Alibaba/WeChat case).
  if (immediately === true && !('cutoffAt' in body) && (next.cutoffAt === undefined || next.cutoffAt > now)) next.cutoffAt = now;

  problems.push(...orderProblems(next, timeZone));
  if (next.noticeAt !== undefined && next.cutoffAt === undefined) problems.push({ field: 'noticeAt', message: 'needs cutoffAt: a notice announces when sign-in ends' });
  if (next.graceEndsAt !== undefined && next.cutoffAt === undefined) problems.push({ field: 'graceEndsAt', message: 'needs cutoffAt: grace follows the cutoff' });
  if (problems.length) return { ok: false, problems };

  // Closing sign-in at once must be explicit: the shoppers get no notice.
  // (Adding a provider that starts later closes nothing: it was not offered before.)
  const after = phaseAt(next, now).phase;
  const closesNow = current !== undefined && signsIn(phaseAt(current, now).phase) && !signsIn(after);
  if (closesNow && immediately !== true) {
    const field = after === 'upcoming' ? 'startsAt' : next.graceEndsAt !== undefined && next.graceEndsAt <= now ? 'graceEndsAt' : 'cutoffAt';
    const at = next[field];
    return {
      ok: false,
      problems: [
        {
          field,
          message: `${at !== undefined ? `is ${formatInstant(at, timeZone, 'en')}, ` : ''}which ends sign-in with ${provider} now, without notice; send "effectiveImmediately": true to confirm`,
        },
      ],
    };
  }
  return { ok: true, integration: next, immediate: closesNow };
}

function orderProblems(i: Integration, timeZone: string): Problem[] {
  const present = DATE_FIELDS.filter((f) => i[f] !== undefined);
  const problems: Problem[] = [];
  for (let a = 0; a < present.length; a++) {
    for (let b = a + 1; b < present.length; b++) {
      const first = present[a]!;
      const second = present[b]!;
      if (i[first]! >= i[second]!) {
        problems.push({
          field: second,
          message: `must be after ${first} (${formatInstant(i[first]!, timeZone, 'en')}), got ${formatInstant(i[second]!, timeZone, 'en')}`,
        });
      }
    }
  }
  return problems;
}
