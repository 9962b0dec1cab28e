// Validating a change to an integration's lifecycle. Every instant must carry an offset or IANA zone,
// dates must follow the lifecycle order (startsAt < noticeAt < cutoffAt < graceEndsAt), a notice or a
// grace end needs a cutoff, and a change that would close sign-in at once (a cutoff already past, or
// `effectiveImmediately` with no date) must say so explicitly. Every problem is reported with its field.
// The body's shape is a zod schema (instants parsed in it); the lifecycle rules run on the parsed body.

import { z } from 'zod';
import type { EpochMs } from '../clock.ts';
import { FLAG_RULE, jsonObject, toInstant } from '../admin/validate.ts';
import { problemsOf } from '../admin/zod-problems.ts';
import type { FieldProblem } from '../errors.ts';
import { formatInstant } from '../time/instant.ts';
import type { Integration } from './partner.ts';
import { phaseAt, signsIn } from './phase.ts';

export const DATE_FIELDS = ['startsAt', 'noticeAt', 'cutoffAt', 'graceEndsAt'] as const;
export type DateField = (typeof DATE_FIELDS)[number];

const NOTICE_MAX = 500;
export const DATE_RULE = 'must be a date and time string with an offset or time zone, or null to clear it';
export const NOTICE_TEXT_RULE = 'must be non-empty text or null for the default';
export const NOTICE_NEEDS_CUTOFF = 'needs cutoffAt: a notice announces when sign-in ends';
export const GRACE_NEEDS_CUTOFF = 'needs cutoffAt: grace follows the cutoff';
export const AT_CUTOFF_RULE = 'must be "keep" (sessions and refresh tokens run until they expire) or "revoke"';
export const NOTICE_LOCALES_RULE = 'only zh-CN and en notices exist';
export const NOTICE_OBJECT_RULE = 'must be an object like {"zh-CN": "…", "en": "…"} or null';
export const SCHEDULE_FIELD_RULE = 'is not a schedule field';

const noticeText = z
  .string({ error: NOTICE_TEXT_RULE })
  .trim()
  .min(1, NOTICE_TEXT_RULE)
  .max(NOTICE_MAX, `must be at most ${NOTICE_MAX} characters`)
  .nullable()
  .optional();

/** The body of a schedule change: each field absent (kept), null (cleared) or a new value. */
export function scheduleBody(timeZone: string) {
  // A date: a string with an offset or zone, or null to clear it.
  const date = z.string({ error: DATE_RULE }).transform(toInstant(timeZone)).nullable().optional();
  return jsonObject(
    {
      startsAt: date,
      noticeAt: date,
      cutoffAt: date,
      graceEndsAt: date,
      newAccountsDuringNotice: z.boolean({ error: FLAG_RULE }).optional(),
      atCutoff: z.enum(['keep', 'revoke'], { error: AT_CUTOFF_RULE }).optional(),
      notice: jsonObject({ 'zh-CN': noticeText, en: noticeText }, { unknown: NOTICE_LOCALES_RULE, notObject: NOTICE_OBJECT_RULE }).nullable().optional(),
      effectiveImmediately: z.boolean({ error: FLAG_RULE }).optional(),
    },
    { unknown: SCHEDULE_FIELD_RULE },
  );
}

/** A refused field (the admin pages word it in Chinese from `rule` and `params`, src/admin/problem-text.ts). */
export type Problem = FieldProblem;

export type ScheduleResult = { ok: true; integration: Integration; immediate: boolean } | { ok: false; problems: Problem[] };

/**
 * Applies `input` (a JSON object: dates as strings with offset/zone, `null` to clear, absent to keep)
 * to `current` (undefined when the provider is being added) at instant `now`.
 */
export function applySchedule(provider: string, current: Integration | undefined, input: unknown, now: EpochMs, timeZone: string): ScheduleResult {
  const parsed = scheduleBody(timeZone).safeParse(input);
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error) };
  const body = parsed.data;
  const problems: Problem[] = [];

  const next: Integration = current
    ? { ...current, ...(current.notice ? { notice: { ...current.notice } } : {}) }
    : { provider, newAccountsDuringNotice: true, atCutoff: 'keep' };
  for (const field of DATE_FIELDS) {
    const value = body[field];
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  if (body.newAccountsDuringNotice !== undefined) next.newAccountsDuringNotice = body.newAccountsDuringNotice;
  if (body.atCutoff !== undefined) next.atCutoff = body.atCutoff;
  if (body.notice === null) delete next.notice;
  else if (body.notice !== undefined) {
    const texts: Partial<Record<'zh-CN' | 'en', string>> = { ...next.notice };
    for (const locale of ['zh-CN', 'en'] as const) {
      const text = body.notice[locale];
      if (text === null) delete texts[locale];
      else if (text !== undefined) texts[locale] = text;
    }
    if (Object.keys(texts).length) next.notice = texts;
    else delete next.notice;
  }
  const immediately = body.effectiveImmediately;

  // "Effective immediately" without a cutoff date: the cutoff is now (the Alibaba/WeChat case).
  if (immediately === true && !('cutoffAt' in body) && (next.cutoffAt === undefined || next.cutoffAt > now)) next.cutoffAt = now;

  problems.push(...orderProblems(next, timeZone));
  if (next.noticeAt !== undefined && next.cutoffAt === undefined) problems.push({ field: 'noticeAt', message: NOTICE_NEEDS_CUTOFF });
  if (next.graceEndsAt !== undefined && next.cutoffAt === undefined) problems.push({ field: 'graceEndsAt', message: GRACE_NEEDS_CUTOFF });
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
          rule: 'schedule.closesNow',
          params: { provider, zone: timeZone, ...(at !== undefined ? { at } : {}) },
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
          rule: 'schedule.order',
          params: { first, firstAt: i[first]!, secondAt: i[second]!, zone: timeZone },
        });
      }
    }
  }
  return problems;
}
