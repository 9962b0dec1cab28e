// What Denglu accepts as a native email address and password. Emails are compared normalised (trimmed,
// NFC, lower case) and must look like one address (no spaces, one @, a dotted domain, at most 254
// characters). Passwords (after NFKC, counted in characters, not bytes): at least 10 and at most 256
// characters, not one character repeated, not the email address or its part before the @, and not one
// of the most common passwords. No composition rules (NIST SP 800-63B): length is what counts.

import { normalise } from './password-hash.ts';

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

export type PasswordProblem = 'passwordShort' | 'passwordLong' | 'passwordRepeated' | 'passwordEmail' | 'passwordCommon';

/** The most used passwords of ten characters or more in public breach lists (and Chinese favourites). */
const COMMON = new Set([
  '1234567890',
  '0123456789',
  '12345678910',
  '1234567891',
  '123456789a',
  'a123456789',
  '123456789q',
  'qwertyuiop',
  'qwertyuiop1',
  '1q2w3e4r5t',
  '1qaz2wsx3edc',
  'password12',
  'password123',
  'password1234',
  'passw0rd12',
  'iloveyou12',
  '5201314520',
  '1314520520',
  'woaini1314',
  'woaini520',
  'abcdefghij',
  'abc1234567',
  'asdfghjkl1',
  'zxcvbnm123',
  'qq123456789',
  'aa123456789',
  'a1234567890',
  '9876543210',
  '1111111111',
  '0000000000',
  '1122334455',
  '1234512345',
  'denglu1234',
  'denglu123456',
]);

export function normaliseEmail(raw: unknown): string {
  return typeof raw === 'string' ? raw.trim().normalize('NFC').toLowerCase() : '';
}

export function validEmail(email: string): boolean {
  return email.length <= 254 && /^[^\s@<>()[\],;:"\\]{1,64}@[^\s@<>()[\],;:"\\.]+(\.[^\s@<>()[\],;:"\\.]+)+$/u.test(email);
}

export function passwordProblem(raw: string, email: string | undefined): PasswordProblem | undefined {
  const password = normalise(raw);
  const chars = [...password];
  if (chars.length < PASSWORD_MIN) return 'passwordShort';
  if (chars.length > PASSWORD_MAX) return 'passwordLong';
  if (new Set(chars).size === 1) return 'passwordRepeated';
  const lower = password.toLowerCase();
  if (email && (lower === email || lower === email.split('@')[0])) return 'passwordEmail';
  if (COMMON.has(lower)) return 'passwordCommon';
  return undefined;
}
