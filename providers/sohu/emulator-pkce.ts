// RFC 7636 as the emulated Sohu enforces it (an invented part of the dialect): S256 only, challenges and
// verifiers in their RFC alphabet and length, and a verifier is refused when no challenge was made.

import { createHash, timingSafeEqual } from 'node:crypto';

const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** Checks the authorize request's PKCE parameters; returns a problem or undefined. */
export function challengeProblem(challenge: string | undefined, method: string | undefined): string | undefined {
  if (challenge === undefined && method === undefined) return undefined;
  if (challenge === undefined) return '"code_challenge_method" sent without "code_challenge"';
  if (method !== 'S256') return `"code_challenge_method" must be "S256", got "${method ?? ''}"`;
  if (!CHALLENGE.test(challenge)) return '"code_challenge" must be 43 base64url characters';
  return undefined;
}

/** Checks the token request's verifier against the code's challenge; returns a problem or undefined. */
export function verifierProblem(challenge: string | undefined, verifier: string | undefined): string | undefined {
  if (challenge === undefined) return verifier === undefined ? undefined : '"code_verifier" sent but the authorization request had no "code_challenge"';
  if (verifier === undefined) return '"code_verifier" is required for this code';
  if (!VERIFIER.test(verifier)) return '"code_verifier" must be 43-128 unreserved characters';
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  if (computed.length !== expected.length || !timingSafeEqual(computed, expected)) return '"code_verifier" does not match the "code_challenge"';
  return undefined;
}
