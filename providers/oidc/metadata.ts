// The upstream's OpenID Provider metadata and signing keys, fetched through UpstreamHttp (deadline, size
// cap, no redirects) and kept for a while: discovery for an hour, the key set for ten minutes or until
// an ID token names a key it lacks (then fetched again, at most once a minute). The metadata must name
// the configured issuer exactly (OpenID Connect Discovery §4.3) and the endpoints a code flow needs.
// Caches are per process and issuer, so every adapter of one issuer shares one discovery.

import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { Clock } from '../../src/clock.ts';
import { UpstreamError } from '../../src/errors.ts';
import { type UpstreamHttp, UpstreamTimeoutError } from '../shared/upstream-http.ts';

export interface OidcMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
  id_token_signing_alg_values_supported?: string[];
}

const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const KEYS_TTL_MS = 10 * 60 * 1000;
const KEYS_REFETCH_MIN_MS = 60 * 1000;

const discoveries = new Map<string, { metadata: OidcMetadata; until: number }>();
const keySets = new Map<string, { keys: ReturnType<typeof createLocalJWKSet>; fetchedAt: number }>();

/** Forgets every cached discovery and key set (tests that change an upstream under the same issuer). */
export function forgetOidcMetadata(): void {
  discoveries.clear();
  keySets.clear();
}

/** GET a JSON document; failures are UpstreamErrors of `step` (timeout for the deadline). */
export async function getJson(
  http: UpstreamHttp,
  providerId: string,
  url: string,
  step: 'discovery' | 'token_verify' | 'userinfo',
  headers?: Record<string, string>,
): Promise<unknown> {
  let res: Awaited<ReturnType<UpstreamHttp['request']>>;
  try {
    res = await http.request({ method: 'GET', url, step, ...(headers ? { headers } : {}) });
  } catch (err) {
    if (err instanceof UpstreamTimeoutError) throw new UpstreamError(providerId, 'timeout', err.message, { cause: err });
    throw new UpstreamError(providerId, step, `${new URL(url).pathname} failed: ${(err as Error).message}`, { cause: err });
  }
  if (res.status !== 200) throw new UpstreamError(providerId, step, `${new URL(url).pathname} answered HTTP ${res.status}`);
  try {
    return JSON.parse(res.body);
  } catch {
    throw new UpstreamError(providerId, step, `${new URL(url).pathname} answered something other than JSON (${res.contentType || 'no content type'})`);
  }
}

/** The issuer's metadata, from the cache or from `<issuer>/.well-known/openid-configuration`. */
export async function discover(http: UpstreamHttp, providerId: string, issuer: string, clock: Clock): Promise<OidcMetadata> {
  const cached = discoveries.get(issuer);
  if (cached && cached.until > clock.now()) return cached.metadata;
  const json = await getJson(http, providerId, `${issuer}/.well-known/openid-configuration`, 'discovery');
  const metadata = checkMetadata(json, issuer, providerId);
  discoveries.set(issuer, { metadata, until: clock.now() + DISCOVERY_TTL_MS });
  return metadata;
}

function checkMetadata(json: unknown, issuer: string, providerId: string): OidcMetadata {
  const fail = (why: string) => new UpstreamError(providerId, 'discovery', `discovery document of ${issuer}: ${why}`);
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw fail('not a JSON object');
  const m = json as Record<string, unknown>;
  // OpenID Connect Discovery §4.3: the issuer in the document is exactly the one asked for.
  if (m.issuer !== issuer && m.issuer !== `${issuer}/`) throw fail(`names the issuer ${JSON.stringify(m.issuer)}, not the configured one`);
  const secure = issuer.startsWith('https://');
  for (const name of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    const v = m[name];
    if (typeof v !== 'string' || !URL.canParse(v)) throw fail(`"${name}" is missing or not a URL`);
    // An https issuer's endpoints are https too (an http issuer is the sandbox's or a test's emulator).
    if (secure && !v.startsWith('https://')) throw fail(`"${name}" is not https`);
  }
  if (m.userinfo_endpoint !== undefined && (typeof m.userinfo_endpoint !== 'string' || !URL.canParse(m.userinfo_endpoint)))
    throw fail('"userinfo_endpoint" is not a URL');
  const strings = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
  const authMethods = strings(m.token_endpoint_auth_methods_supported);
  const algs = strings(m.id_token_signing_alg_values_supported);
  return {
    issuer: m.issuer as string,
    authorization_endpoint: m.authorization_endpoint as string,
    token_endpoint: m.token_endpoint as string,
    jwks_uri: m.jwks_uri as string,
    ...(typeof m.userinfo_endpoint === 'string' ? { userinfo_endpoint: m.userinfo_endpoint } : {}),
    ...(authMethods ? { token_endpoint_auth_methods_supported: authMethods } : {}),
    ...(algs ? { id_token_signing_alg_values_supported: algs } : {}),
  };
}

/**
 * The issuer's signing keys as a jose key resolver; `refresh` asks for them again when an ID token named
 * a key not in the cached set (key rotation upstream), at most once a minute.
 */
export async function signingKeys(
  http: UpstreamHttp,
  providerId: string,
  metadata: OidcMetadata,
  clock: Clock,
  refresh = false,
): Promise<ReturnType<typeof createLocalJWKSet>> {
  const cached = keySets.get(metadata.jwks_uri);
  const now = clock.now();
  if (cached && now - cached.fetchedAt < (refresh ? KEYS_REFETCH_MIN_MS : KEYS_TTL_MS)) return cached.keys;
  const json = await getJson(http, providerId, metadata.jwks_uri, 'token_verify');
  if (!json || typeof json !== 'object' || !Array.isArray((json as { keys?: unknown }).keys)) {
    throw new UpstreamError(providerId, 'token_verify', 'the key set (jwks_uri) is not a JSON Web Key Set');
  }
  const keys = createLocalJWKSet(json as JSONWebKeySet);
  keySets.set(metadata.jwks_uri, { keys, fetchedAt: now });
  return keys;
}
