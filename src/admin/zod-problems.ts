// The one adapter between zod and the admin API's problem format: each zod issue becomes
// `{ field, message }` with the field written as the API has always named it (`name.en`,
// `redirect_uris[1]`, `jwks.keys[0]`, `(body)` for the body itself) and the rule it broke (its id and
// values, so problem-text.ts can word it in Chinese), one problem per unknown field, and every problem
// of a body reported at once as a ValidationError.

import type { z } from 'zod';
import { ValidationError } from '../errors.ts';
import type { Problem } from '../partners/schedule.ts';

export function problemsOf(error: z.ZodError): Problem[] {
  // A value of the wrong type is one problem, its type: zod still runs length checks on anything with a
  // length (a string where a list belongs), which would add a second, misleading one.
  const wrongType = new Set(error.issues.filter((issue) => issue.code === 'invalid_type').map((issue) => fieldOf(issue.path)));
  return error.issues.flatMap((issue): Problem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: fieldOf([...issue.path, key]), message: issue.message, rule: 'field.unknown' }));
    }
    const field = fieldOf(issue.path);
    return issue.code !== 'invalid_type' && wrongType.has(field) ? [] : [{ field, message: issue.message, ...ruleOf(issue) }];
  });
}

/** Which rule an issue broke, with its values, for wording it in another language (problem-text.ts). */
function ruleOf(issue: z.core.$ZodIssue): Pick<Problem, 'rule' | 'params'> {
  if (issue.code === 'custom' && typeof issue.params?.rule === 'string') {
    const { rule, ...params } = issue.params as Record<string, string>;
    return { rule, params };
  }
  if (issue.code === 'too_big') return { rule: issue.origin === 'array' ? 'list.max' : 'text.max', params: { max: Number(issue.maximum) } };
  if (issue.code === 'too_small') return { rule: issue.origin === 'array' ? 'list.min' : 'text.min', params: { min: Number(issue.minimum) } };
  return { rule: `zod.${issue.code}` };
}

/** `['jwks', 'keys', 0]` → `jwks.keys[0]`; the empty path is the body. */
export function fieldOf(path: readonly PropertyKey[]): string {
  let field = '';
  for (const segment of path) field = typeof segment === 'number' ? `${field}[${segment}]` : field ? `${field}.${String(segment)}` : String(segment);
  return field || '(body)';
}

/** The parsed body, or a ValidationError naming every problem. */
export function parseBody<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(problemsOf(result.error));
  return result.data;
}

/** As parseBody, for schemas with asynchronous refinements (a look-up in the store). */
export async function parseBodyAsync<S extends z.ZodType>(schema: S, input: unknown): Promise<z.output<S>> {
  const result = await schema.safeParseAsync(input);
  if (!result.success) throw new ValidationError(problemsOf(result.error));
  return result.data;
}
