// Which redirect URIs a shop may register (security.md D1): absolute https URLs written in normal form
// (so the OIDC layer's exact string comparison has no lookalikes), http only for localhost/127.0.0.1
// outside production, no wildcards, no fragment, no user info, and no `code`/`state`/`iss` parameters.

import { z } from 'zod';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const RESERVED_PARAMS = ['code', 'state', 'iss'];
export const MAX_URIS = 20;

export function redirectUriProblem(raw: unknown, production: boolean): string | undefined {
  if (typeof raw !== 'string' || raw === '') return 'must be an absolute https URL';
  if (raw.length > 2000) return 'must be at most 2000 characters';
  if (raw.includes('*')) return 'must not contain wildcards (*): every redirect URI is matched exactly';
  if (raw.includes('#')) return 'must not contain a fragment (#)';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute https URL';
  }
  if (url.protocol === 'http:') {
    if (production) return 'must use https (http is refused in production)';
    if (!LOOPBACK.has(url.hostname)) return 'must use https (http only for localhost or 127.0.0.1, outside production)';
  } else if (url.protocol !== 'https:') {
    return 'must use https';
  }
  if (url.username || url.password) return 'must not contain user info (user@host)';
  for (const name of RESERVED_PARAMS) {
    if (url.searchParams.has(name)) return `must not carry a "${name}" query parameter: the authorization response adds it`;
  }
  if (url.href !== raw) return `must be written in normal form, exactly as browsers send it: ${url.href}`;
  return undefined;
}

/**
 * A list of redirect URIs (at least one when `required`), each checked by redirectUriProblem and listed
 * once. Every bad entry is its own problem (`redirect_uris[1]`). The list is typed as strings at the end:
 * every entry passed redirectUriProblem, which accepts only strings.
 */
export function redirectUriList(production: boolean, required: boolean) {
  const rule = `must be ${required ? 'a non-empty' : 'an'} array of absolute https URLs`;
  return z
    .array(z.unknown(), { error: rule })
    .min(required ? 1 : 0, rule)
    .max(MAX_URIS, { error: `must list at most ${MAX_URIS} URLs`, abort: true })
    .superRefine((list, ctx) => {
      list.forEach((raw, i) => {
        const problem = redirectUriProblem(raw, production) ?? (list.indexOf(raw) < i ? 'is listed twice' : undefined);
        if (problem) ctx.addIssue({ code: 'custom', path: [i], message: problem });
      });
    })
    .transform((list) => list as string[]);
}
