// The adapter of a declared OpenID Connect provider: authorization code flow with PKCE (S256) and a
// nonce, endpoints from the issuer's discovery document, and the ID token verified with jose before
// anything of it is believed — signature against the issuer's published keys, `iss`, `aud` (and `azp`),
// `exp`/`iat` on the gateway's clock, and the nonce of this flow. The nonce is derived from the flow's
// state with an HMAC keyed by the client secret, so the adapter stores nothing and a token minted for
// another flow is refused. Identity key `<id>:sub:<sub>`; upstream emails are never keys (contract.ts).

import { createHmac } from 'node:crypto';
import { displayLanguageOf } from '../shared/display-language.ts';
import { errors as joseErrors, type JWTPayload, jwtVerify } from 'jose';
import { systemClock } from '../../src/clock.ts';
import { UpstreamError } from '../../src/errors.ts';
import type { AdapterOptions, CallbackOutcome, ProviderAdapter, ProviderDescriptor, UpstreamIdentity } from '../contract.ts';
import { withNormalisedUrls } from '../shared/profile-fields.ts';
import { UpstreamBodyTooLargeError, UpstreamHttp, UpstreamTimeoutError } from '../shared/upstream-http.ts';
import { discover, getJson, type OidcMetadata, signingKeys } from './metadata.ts';

/** Asymmetric algorithms accepted for ID tokens (never `none`, never a MAC keyed by the client secret). */
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** Clock difference tolerated between the gateway and the issuer, in seconds. */
const CLOCK_TOLERANCE_S = 60;

/** The nonce of the flow whose state is `state`: only someone holding the client secret can compute it. */
export function flowNonce(clientSecret: string, state: string): string {
  return createHmac('sha256', clientSecret).update(`denglu-oidc-nonce\u0000${state}`).digest('base64url');
}

export function createOidcAdapter(descriptor: ProviderDescriptor, options: AdapterOptions): ProviderAdapter {
  const id = descriptor.id;
  const clock = options.clock ?? systemClock;
  const http = new UpstreamHttp({ timeoutMs: options.timeoutMs, maxBodyBytes: options.maxBodyBytes, provider: id, observe: options.observeUpstream });
  const issuer = (options.baseUrls.issuer ?? '').replace(/\/+$/, '');
  const metadata = () => discover(http, id, issuer, clock);
  const fail = (error: UpstreamError): CallbackOutcome => ({ ok: false, error });

  return {
    descriptor,
    async authorizationUrl(request) {
      const m = await metadata();
      const url = new URL(m.authorization_endpoint);
      const params: Record<string, string> = {
        response_type: 'code',
        client_id: options.clientId,
        redirect_uri: request.callbackUrl,
        scope: (request.scope ?? descriptor.scope).join(' '),
        state: request.state,
        nonce: flowNonce(options.clientSecret, request.state),
        ...displayLanguageOf(descriptor, request.locale),
        ...(request.codeChallenge ? { code_challenge: request.codeChallenge, code_challenge_method: 'S256' } : {}),
        ...(request.reauthenticate ? (descriptor.reauthentication ?? {}) : {}),
      };
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      return url.toString();
    },

    async completeCallback(request) {
      const p = request.params;
      if (typeof p.error === 'string') return fail(new UpstreamError(id, 'provider_denied', `authorization failed: ${p.error}`));
      if (typeof p.code !== 'string' || p.code === '') return fail(new UpstreamError(id, 'provider_denied', `${id} returned to the callback without a "code"`));
      if (typeof p.state !== 'string') return fail(new UpstreamError(id, 'state_validate', 'callback without "state"'));
      try {
        const m = await metadata();
        // RFC 9207: an issuer that names itself in the callback must name the configured one (mix-up defence).
        if (p.iss !== undefined && p.iss !== m.issuer) return fail(new UpstreamError(id, 'state_validate', 'the callback names another issuer'));
        const tokens = await exchangeCode(http, id, m, options, p.code, request.callbackUrl, request.codeVerifier);
        const claims = await verifyIdToken(http, id, m, options, tokens.idToken, flowNonce(options.clientSecret, p.state), clock);
        return { ok: true, identity: await identityOf(http, id, m, claims, tokens.accessToken, options) };
      } catch (err) {
        if (err instanceof UpstreamError) return fail(err);
        return fail(new UpstreamError(id, 'profile_decode', (err as Error).message ?? String(err), { cause: err }));
      }
    },
  };
}

interface Tokens {
  idToken: string;
  accessToken: string;
}

/** The token request (client_secret_basic unless the issuer only takes client_secret_post). */
async function exchangeCode(
  http: UpstreamHttp,
  id: string,
  m: OidcMetadata,
  options: AdapterOptions,
  code: string,
  redirectUri: string,
  codeVerifier: string | undefined,
): Promise<Tokens> {
  const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
  if (codeVerifier) form.set('code_verifier', codeVerifier);
  const headers: Record<string, string> = {};
  const methods = m.token_endpoint_auth_methods_supported;
  if (methods && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')) {
    form.set('client_id', options.clientId);
    form.set('client_secret', options.clientSecret);
  } else {
    // RFC 6749 §2.3.1: both parts form-encoded before base64.
    const part = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${part(options.clientId)}:${part(options.clientSecret)}`).toString('base64')}`;
  }
  let res: Awaited<ReturnType<UpstreamHttp['request']>>;
  try {
    res = await http.request({ method: 'POST', url: m.token_endpoint, headers, body: form.toString(), step: 'token_exchange' });
  } catch (err) {
    if (err instanceof UpstreamTimeoutError) throw new UpstreamError(id, 'timeout', err.message, { cause: err });
    const why = err instanceof UpstreamBodyTooLargeError ? err.message : `token request failed: ${(err as Error).message}`;
    throw new UpstreamError(id, 'token_exchange', why, { cause: err });
  }
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(res.body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    // described below
  }
  if (res.status !== 200) {
    const error = typeof json?.error === 'string' ? `${json.error}` : 'no OAuth error';
    throw new UpstreamError(id, 'token_exchange', `token endpoint answered HTTP ${res.status} (${error})`);
  }
  if (!json)
    throw new UpstreamError(id, 'token_exchange', `token endpoint answered something other than a JSON object (${res.contentType || 'no content type'})`);
  if (typeof json.access_token !== 'string' || json.access_token === '')
    throw new UpstreamError(id, 'token_exchange', 'the token endpoint answered no access token');
  if (typeof json.token_type !== 'string' || json.token_type.toLowerCase() !== 'bearer')
    throw new UpstreamError(id, 'token_exchange', 'the token type is not Bearer');
  if (typeof json.id_token !== 'string' || json.id_token === '')
    throw new UpstreamError(id, 'token_verify', 'the token endpoint answered no ID token (is "openid" among the scopes?)');
  return { idToken: json.id_token, accessToken: json.access_token };
}

/** OpenID Connect Core §3.1.3.7: signature, iss, aud, azp, exp, iat, nonce. */
async function verifyIdToken(
  http: UpstreamHttp,
  id: string,
  m: OidcMetadata,
  options: AdapterOptions,
  idToken: string,
  nonce: string,
  clock: { now(): number },
): Promise<JWTPayload & { sub: string }> {
  const offered = m.id_token_signing_alg_values_supported;
  const algorithms = offered ? ASYMMETRIC.filter((a) => offered.includes(a)) : ['RS256'];
  if (algorithms.length === 0)
    throw new UpstreamError(id, 'token_verify', `the issuer signs ID tokens only with algorithms Denglu refuses (${offered!.join(', ')})`);
  const verify = async (refresh: boolean) =>
    jwtVerify(idToken, await signingKeys(http, id, m, clock, refresh), {
      issuer: m.issuer,
      audience: options.clientId,
      algorithms,
      currentDate: new Date(clock.now()),
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    });
  let payload: JWTPayload;
  try {
    try {
      ({ payload } = await verify(false));
    } catch (err) {
      // A key the cached set lacks: the issuer may have rotated its keys since.
      if (!(err instanceof joseErrors.JWKSNoMatchingKey)) throw err;
      ({ payload } = await verify(true));
    }
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    throw new UpstreamError(id, 'token_verify', `ID token refused: ${describeJoseError(err)}`, { cause: err });
  }
  if (payload.nonce !== nonce) throw new UpstreamError(id, 'token_verify', 'ID token refused: its nonce is not this sign-in’s');
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== options.clientId) {
    throw new UpstreamError(id, 'token_verify', 'ID token refused: several audiences and "azp" is not this client');
  }
  if (typeof payload.sub !== 'string' || payload.sub === '' || payload.sub.length > 255)
    throw new UpstreamError(id, 'token_verify', 'ID token refused: "sub" is not a string of 1-255 characters');
  return payload as JWTPayload & { sub: string };
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `claim "${err.claim}" ${err.reason === 'check_failed' ? 'does not match' : err.reason}`;
  if (err instanceof joseErrors.JWTExpired) return 'it has expired';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'no published key matches it';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'its algorithm is not allowed';
  return err instanceof Error ? err.message : String(err);
}

/** The identity; the display name from the ID token, else from a profile Denglu holds, else UserInfo. */
async function identityOf(
  http: UpstreamHttp,
  id: string,
  m: OidcMetadata,
  claims: JWTPayload & { sub: string },
  accessToken: string,
  options: AdapterOptions,
): Promise<UpstreamIdentity> {
  const keys = [`${id}:sub:${claims.sub}`];
  let profile: Record<string, unknown> = claims;
  let profileFromCache = false;
  if (displayNameOf(claims) === undefined) {
    const known = await options.knownProfile?.(keys);
    if (known) {
      profile = { name: known.displayName, picture: known.avatar, locale: known.locale };
      profileFromCache = true;
    } else if (m.userinfo_endpoint) {
      const info = await getJson(http, id, m.userinfo_endpoint, 'userinfo', { authorization: `Bearer ${accessToken}` });
      if (!info || typeof info !== 'object' || (info as { sub?: unknown }).sub !== claims.sub) {
        throw new UpstreamError(id, 'userinfo', 'UserInfo answered for another subject, or not as JSON');
      }
      profile = { ...claims, ...(info as Record<string, unknown>) };
    }
  }
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const avatar = str(profile.picture);
  const locale = str(profile.locale);
  return withNormalisedUrls({
    provider: id,
    subject: claims.sub,
    keys,
    displayName: (displayNameOf(profile) ?? claims.sub).slice(0, 100),
    ...(avatar ? { avatar } : {}),
    ...(locale ? { locale } : {}),
    accessToken,
    ...(profileFromCache ? { profileFromCache } : {}),
  });
}

function displayNameOf(claims: Record<string, unknown>): string | undefined {
  for (const name of ['name', 'preferred_username', 'nickname', 'given_name']) {
    const v = claims[name];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return undefined;
}
