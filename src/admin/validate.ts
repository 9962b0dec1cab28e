// Small checks shared by the admin API's request bodies: a JSON object with only known fields, slugs,
// bounded text. Each returns problems naming the field and the rule, never throws.

import type { Problem } from '../partners/schedule.ts';

export type { Problem };

export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const SLUG_RULE = 'must be 1–40 lowercase letters, digits and hyphens, starting and ending with a letter or digit';

/** The body as a record, or a problem when it is not a JSON object; unknown fields are problems too. */
export function objectBody(body: unknown, known: readonly string[], problems: Problem[]): Record<string, unknown> | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    problems.push({ field: '(body)', message: 'must be a JSON object' });
    return undefined;
  }
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!known.includes(key)) problems.push({ field: key, message: `is not a known field (known: ${known.join(', ')})` });
  return record;
}

/** A required or optional non-empty text of at most `max` characters, trimmed. */
export function text(value: unknown, field: string, problems: Problem[], options: { required: boolean; max: number }): string | undefined {
  if (value === undefined || value === null) {
    if (options.required) problems.push({ field, message: 'is required' });
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ field, message: 'must be a non-empty string' });
    return undefined;
  }
  if (value.trim().length > options.max) {
    problems.push({ field, message: `must be at most ${options.max} characters` });
    return undefined;
  }
  return value.trim();
}

export function bool(value: unknown, field: string, problems: Problem[], fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    problems.push({ field, message: 'must be true or false' });
    return fallback;
  }
  return value;
}
