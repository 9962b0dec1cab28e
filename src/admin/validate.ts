// The pieces the admin API's request bodies and query strings are described with (zod schemas): a JSON
// object with only known fields, slugs, bounded trimmed text, true/false, instants. Each carries the API's wording of its rule;
// zod-problems.ts turns a refusal into `{ field, message }` problems.

import { z } from 'zod';
import type { EpochMs } from '../clock.ts';
import { parseInstant } from '../time/instant.ts';

export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const REQUIRED = 'is required';
export const NON_EMPTY = 'must be a non-empty string';
export const FLAG_RULE = 'must be true or false';
export const SLUG_RULE = 'must be 1–40 lowercase letters, digits and hyphens, starting and ending with a letter or digit';
export const DAYS_RULE = 'must be a whole number of days from 1 to 400';

/**
 * A JSON object with exactly these fields; any other field is a problem of its own. `unknown` words
 * the problem of an unknown field, `notObject` that of a value that is not an object.
 */
export function jsonObject<S extends z.ZodRawShape>(shape: S, words: { unknown?: string; notObject?: string } = {}) {
  const unknown = words.unknown ?? `is not a known field (known: ${Object.keys(shape).join(', ')})`;
  const notObject = words.notObject ?? 'must be a JSON object';
  return z.strictObject(shape, { error: (issue) => (issue.code === 'unrecognized_keys' ? unknown : notObject) });
}

/** Required non-empty text of at most `max` characters once trimmed; the trimmed text is kept. */
export function text(max: number) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? REQUIRED : NON_EMPTY) })
    .trim()
    .min(1, NON_EMPTY)
    .max(max, `must be at most ${max} characters`);
}

/** True or false, `fallback` when absent. */
export function flag(fallback = false) {
  return z.boolean({ error: FLAG_RULE }).default(fallback);
}

/** A slug (partner and manager ids); `rule` words the problem of a value that is not one. */
export function slug(rule = SLUG_RULE) {
  return z.string({ error: (issue) => (issue.input === undefined ? `is required and ${rule}` : rule) }).regex(SLUG, { error: rule, abort: true });
}

/**
 * A zod transform reading a string with parseInstant in `timeZone` (an offset or zone is required;
 * a refusal's suggestions are in `timeZone`); the refusal is the field's problem.
 */
export function toInstant(timeZone: string) {
  return (raw: string, ctx: z.RefinementCtx): EpochMs => {
    const parsed = parseInstant(raw, timeZone);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: parsed.message, params: { rule: parsed.rule, ...parsed.params } });
    return z.NEVER;
  };
}
