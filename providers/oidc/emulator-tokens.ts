// What the OIDC emulator signs: its RS256 key pair (made at start, published at /jwks), the ID token
// of a grant, and the deliberately wrong ID tokens its token-endpoint fault modes serve (another
// audience, another nonce, a foreign signature, expired, another issuer) so that tests can see each
// one refused by the adapter.

import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { stableHex } from '../shared/emulator/test-users.ts';

/** Token-endpoint fault modes that answer 200 with a wrong ID token (or none). */
export const ID_TOKEN_FAULTS = ['wrong_audience', 'wrong_nonce', 'bad_signature', 'expired', 'wrong_issuer', 'no_id_token'] as const;

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  /** The public key as a JWK for /jwks. */
  jwk: Record<string, unknown>;
}

export function newSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' } };
}

/** The emulator's subject for a login: public (the same for every client), 24 hex characters. */
export function subjectOf(login: string): string {
  return stableHex('denglu-oidc-emulator', login).slice(0, 24);
}

export interface IdTokenInput {
  issuer: string;
  clientId: string;
  login: string;
  name: string;
  nonce: string | undefined;
  picture: string | undefined;
  nowSeconds: number;
  /** A fault mode of ID_TOKEN_FAULTS, or undefined for a correct token. */
  fault: string | undefined;
}

export async function signIdToken(key: SigningKey, input: IdTokenInput): Promise<string> {
  const claims: Record<string, unknown> = {
    sub: subjectOf(input.login),
    name: input.name,
    preferred_username: input.login,
    ...(input.picture ? { picture: input.picture } : {}),
    ...(input.nonce !== undefined ? { nonce: input.fault === 'wrong_nonce' ? `${input.nonce}x` : input.nonce } : {}),
  };
  const expired = input.fault === 'expired';
  const iat = expired ? input.nowSeconds - 3600 : input.nowSeconds;
  const signer = input.fault === 'bad_signature' ? newSigningKey().privateKey : key.privateKey;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(input.fault === 'wrong_issuer' ? 'https://issuer.invalid' : input.issuer)
    .setAudience(input.fault === 'wrong_audience' ? 'another-client' : input.clientId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (expired ? 600 : 3600))
    .sign(signer);
}
