// QQ's JSONP bodies (`callback( {...} );`) read without eval: exactly one JSON object between
// `callback(` and `);`, nothing before or after but whitespace. Anything else is refused (undefined).

import { parseJsonObject } from '../shared/json-call.ts';

export { parseJsonObject };

const PREFIX = 'callback(';
const SUFFIX = ');';

/** The object inside a QQ JSONP body, or undefined when the body is anything but that. */
export function parseJsonp(body: string): Record<string, unknown> | undefined {
  const text = body.trim();
  if (!text.startsWith(PREFIX) || !text.endsWith(SUFFIX)) return undefined;
  return parseJsonObject(text.slice(PREFIX.length, text.length - SUFFIX.length));
}

/** QQ's wire form, trailing newline included (used by the emulator). */
export function formatJsonp(value: Record<string, unknown>): string {
  return `callback( ${JSON.stringify(value)} );\n`;
}
