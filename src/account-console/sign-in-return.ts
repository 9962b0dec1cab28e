// Where a native-account page may send the shopper back to: only a sign-in in progress on this gateway,
// `/interaction/<uid>` (a same-origin path of that exact shape), never an address given by the request.

const SIGN_IN = /^\/interaction\/[A-Za-z0-9_-]{10,64}$/;

/** The path when `raw` is exactly `/interaction/<uid>`, otherwise undefined. */
export function signInReturn(raw: unknown): string | undefined {
  return typeof raw === 'string' && SIGN_IN.test(raw) ? raw : undefined;
}
