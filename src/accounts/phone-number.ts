// What Denglu accepts as a phone number, stored and compared in E.164 (`+8613812345678`). Mainland China
// first: an 11-digit mobile number `1[3-9]xxxxxxxxx` is +86, also written with a +86 or 0086 prefix, with
// spaces, dashes, dots or brackets between the digits. Any other country needs its code written out
// (`+852 9123 4567`, `00852…`), checked only for E.164's shape (a country code not starting with 0, at most
// 15 digits, at least 8). No phone-number library: the one we would want (libphonenumber-js) carries
// metadata for every country to check what we only need for one; a wrong foreign number simply gets no
// text, and the SMS service refuses numbers it cannot reach (isv.MOBILE_NUMBER_ILLEGAL, IncorrectPhoneNumber).

export type PhoneProblem = 'phoneInvalid';

const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

/** The E.164 form of what a shopper typed, or undefined when it is not a number Denglu can text. */
export function normalisePhone(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > 32) return undefined;
  // Full-width digits and plus (typed with a Chinese input method) count as their ASCII forms.
  const ascii = raw.normalize('NFKC').trim();
  if (!/^\(?\+?[\d\s\-.()]+$/.test(ascii)) return undefined;
  const plus = /^\(?\+/.test(ascii);
  let digits = ascii.replace(/\D/g, '');
  if (!plus && digits.startsWith('00')) digits = digits.slice(2);
  else if (!plus) return MAINLAND_MOBILE.test(digits) ? `+86${digits}` : undefined;
  if (digits.startsWith('86')) return MAINLAND_MOBILE.test(digits.slice(2)) ? `+${digits}` : undefined;
  return /^[1-9]\d{7,14}$/.test(digits) ? `+${digits}` : undefined;
}

/** The number as a shopper recognises it: `138 1234 5678` for mainland numbers, E.164 otherwise. */
export function displayPhone(e164: string): string {
  const m = /^\+86(\d{3})(\d{4})(\d{4})$/.exec(e164);
  return m ? `${m[1]} ${m[2]} ${m[3]}` : e164;
}

/** The number with its middle hidden (`138****5678`), for pages that must not show it whole. */
export function maskedPhone(e164: string): string {
  const national = e164.startsWith('+86') ? e164.slice(3) : e164;
  return national.length > 7 ? `${national.slice(0, 3)}****${national.slice(-4)}` : national;
}
