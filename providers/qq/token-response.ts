// Reads a QQ token endpoint answer. Success is form-encoded by default (`access_token=…&expires_in=…`,
// expires_in a string) or JSON with fmt=json; failure is JSONP `callback( {"error":100020,…} );` at
// HTTP 200, or a JSON object with a numeric `error`. Error messages carry QQ's code, never a token.

import { parseJsonObject, parseJsonp } from './jsonp.ts';

export type QqTokenResult =
  | { ok: true; accessToken: string; refreshToken?: string; params: Record<string, unknown> }
  | { ok: false; message: string; qqError?: { code: string; description: string } };

export function parseTokenBody(body: string): QqTokenResult {
  const text = body.trim();
  let fields: Record<string, unknown> | undefined;
  if (text.startsWith('callback(')) fields = parseJsonp(text);
  else if (text.startsWith('{')) fields = parseJsonObject(text);
  else if (text.length > 0 && !text.startsWith('<')) fields = Object.fromEntries(new URLSearchParams(text));
  if (!fields) return { ok: false, message: 'qq token endpoint answered neither a token nor a qq error' };

  if (fields.error !== undefined && fields.error !== null && fields.error !== '') {
    const code = printable(fields.error);
    const description = printable(fields.error_description ?? '');
    return { ok: false, message: `qq token endpoint refused the request: error ${code} (${description || 'no description'})`, qqError: { code, description } };
  }
  const accessToken = fields.access_token;
  if (typeof accessToken !== 'string' || accessToken.length === 0) {
    return { ok: false, message: 'qq token endpoint answered without "access_token"' };
  }
  const params: Record<string, unknown> = { ...fields };
  delete params.refresh_token;
  // QQ sends expires_in as a string in both formats; hand the broker a number.
  const expiresIn = Number(fields.expires_in);
  if (fields.expires_in !== undefined && Number.isFinite(expiresIn)) params.expires_in = expiresIn;
  const refreshToken = typeof fields.refresh_token === 'string' && fields.refresh_token ? fields.refresh_token : undefined;
  return refreshToken ? { ok: true, accessToken, refreshToken, params } : { ok: true, accessToken, params };
}

/** An upstream value made safe to put in a log line: one short line of text. */
export function printable(value: unknown, max = 160): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this strips
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
