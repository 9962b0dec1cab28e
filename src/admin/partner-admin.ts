// The operator's changes to partners: creating a partner and adding an OIDC client to one. Denglu
// generates client ids and secrets (the secret is returned once); uniqueness of client ids is the
// store's unique index. Each change and its audit entry are one atomic write; audit entries never
// hold a client secret.

import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { GatewayError, ValidationError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { auditOp, type Actor } from '../audit/audit.ts';
import type { ClientRecord, Partner } from '../partners/partner.ts';
import { isValidZone } from '../time/instant.ts';
import { newSecret } from './credentials.ts';
import { redirectUriProblems } from './redirect-uris.ts';
import { bool, objectBody, SLUG, SLUG_RULE, text, type Problem } from './validate.ts';

const LOCALES = ['zh-CN', 'en'] as const;
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
/** Methods that authenticate the client, so it is confidential (`none` is a public client). */
const SECRETLESS = new Set<string>(['private_key_jwt', 'none']);
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** A client as the API shows it: everything but the secret. */
export function clientView(client: ClientRecord): Omit<ClientRecord, 'client_secret'> {
  const { client_secret: _secret, ...rest } = client;
  return rest;
}

export async function createPartner(deps: { store: Store; clock: Clock }, actor: Actor, input: unknown): Promise<Partner> {
  const problems: Problem[] = [];
  const body = objectBody(input, ['id', 'name', 'timeZone', 'locales', 'firstParty'], problems);
  if (!body) throw new ValidationError(problems);
  if (typeof body.id !== 'string' || !SLUG.test(body.id)) problems.push({ field: 'id', message: body.id === undefined ? `is required and ${SLUG_RULE}` : SLUG_RULE });
  const name: Partial<Record<(typeof LOCALES)[number], string>> = {};
  if (!body.name || typeof body.name !== 'object' || Array.isArray(body.name)) {
    problems.push({ field: 'name', message: 'must be an object with the shop name in both languages: {"zh-CN": "…", "en": "…"}' });
  } else {
    const names = body.name as Record<string, unknown>;
    for (const key of Object.keys(names)) if (!(LOCALES as readonly string[]).includes(key)) problems.push({ field: `name.${key}`, message: 'only zh-CN and en names exist' });
    for (const locale of LOCALES) {
      const value = text(names[locale], `name.${locale}`, problems, { required: true, max: 100 });
      if (value) name[locale] = value;
    }
  }
  let timeZone = DEFAULT_TIME_ZONE;
  if (body.timeZone !== undefined) {
    if (typeof body.timeZone !== 'string' || !isValidZone(body.timeZone)) problems.push({ field: 'timeZone', message: 'must be an IANA time zone such as Asia/Shanghai' });
    else timeZone = body.timeZone;
  }
  let locales: (typeof LOCALES)[number][] = [...LOCALES];
  if (body.locales !== undefined) {
    const list = body.locales;
    if (!Array.isArray(list) || list.length === 0 || list.some((l) => !(LOCALES as readonly unknown[]).includes(l)) || new Set(list).size !== list.length) {
      problems.push({ field: 'locales', message: 'must be a non-empty list of distinct locales among "zh-CN" and "en" (the first is the default)' });
    } else {
      locales = list as (typeof LOCALES)[number][];
    }
  }
  const firstParty = bool(body.firstParty, 'firstParty', problems, false);
  if (problems.length) throw new ValidationError(problems);

  const id = body.id as string;
  const now = deps.clock.now();
  const partner: Partner = { id, name: name as Record<(typeof LOCALES)[number], string>, timeZone, locales, firstParty, clients: [], integrations: [], createdAt: now, updatedAt: now };
  try {
    await deps.store.batch([
      { op: 'create', collection: 'partners', id, value: partner },
      auditOp(deps.clock, () => ({ actor, action: 'partner.create', target: { partner: id }, before: null, after: partner })),
    ]);
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'ERR_ALREADY_EXISTS') {
      throw new GatewayError('ERR_ALREADY_EXISTS', `partner "${id}" already exists`, { status: 409 });
    }
    throw err;
  }
  return partner;
}

export async function addClient(
  deps: { store: Store; clock: Clock; production: boolean },
  actor: Actor,
  partnerId: string,
  input: unknown,
): Promise<{ client: ClientRecord; partner: Partner }> {
  const problems: Problem[] = [];
  const body = objectBody(input, ['client_name', 'redirect_uris', 'post_logout_redirect_uris', 'token_endpoint_auth_method', 'jwks', 'nonce_instead_of_pkce'], problems);
  if (!body) throw new ValidationError(problems);
  const clientName = text(body.client_name, 'client_name', problems, { required: false, max: 100 });
  const redirects = redirectUriProblems(body.redirect_uris, 'redirect_uris', deps.production, true);
  const logouts = redirectUriProblems(body.post_logout_redirect_uris, 'post_logout_redirect_uris', deps.production, false);
  problems.push(...redirects.problems, ...logouts.problems);
  let method: ClientRecord['token_endpoint_auth_method'] = 'client_secret_basic';
  if (body.token_endpoint_auth_method !== undefined) {
    if (!(AUTH_METHODS as readonly unknown[]).includes(body.token_endpoint_auth_method)) problems.push({ field: 'token_endpoint_auth_method', message: `must be one of ${AUTH_METHODS.join(', ')}` });
    else method = body.token_endpoint_auth_method as ClientRecord['token_endpoint_auth_method'];
  }
  const jwks = jwksProblems(body.jwks, method, problems);
  const nonceInstead = bool(body.nonce_instead_of_pkce, 'nonce_instead_of_pkce', problems, false);
  if (nonceInstead && method === 'none') {
    problems.push({ field: 'nonce_instead_of_pkce', message: 'is only for confidential clients: a public client (token_endpoint_auth_method "none") always uses PKCE' });
  }
  if (problems.length) throw new ValidationError(problems);

  const client: ClientRecord = {
    client_id: `${partnerId}-${randomBytes(6).toString('hex')}`,
    ...(SECRETLESS.has(method) ? {} : { client_secret: newSecret() }),
    ...(clientName ? { client_name: clientName } : {}),
    redirect_uris: redirects.uris,
    ...(logouts.uris.length ? { post_logout_redirect_uris: logouts.uris } : {}),
    token_endpoint_auth_method: method,
    ...(jwks ? { jwks } : {}),
    ...(nonceInstead ? { nonce_instead_of_pkce: true } : {}),
  };
  let after: Partner | undefined;
  try {
    await deps.store.batch([
      {
        op: 'update',
        collection: 'partners',
        id: partnerId,
        fn: (p: Partner) => (after = { ...p, clients: [...p.clients, client], updatedAt: deps.clock.now() }),
      },
      auditOp(deps.clock, () => ({ actor, action: 'client.create', target: { partner: partnerId, client: client.client_id }, before: null, after: clientView(client) })),
    ]);
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'ERR_NOT_FOUND') throw new GatewayError('ERR_NOT_FOUND', `partner "${partnerId}" does not exist`, { status: 404 });
    if (err instanceof GatewayError && err.code === 'ERR_CONFLICT') throw new GatewayError('ERR_CONFLICT', `client id "${client.client_id}" is taken; try again`, { status: 409 });
    throw err;
  }
  return { client, partner: after! };
}

function jwksProblems(value: unknown, method: ClientRecord['token_endpoint_auth_method'], problems: Problem[]): ClientRecord['jwks'] | undefined {
  if (method !== 'private_key_jwt') {
    if (value !== undefined) problems.push({ field: 'jwks', message: 'is only for token_endpoint_auth_method "private_key_jwt"' });
    return undefined;
  }
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!value || typeof value !== 'object' || !Array.isArray(keys) || keys.length === 0 || keys.length > 10) {
    problems.push({ field: 'jwks', message: 'is required for private_key_jwt: {"keys": [public JWK, …]} with 1 to 10 keys' });
    return undefined;
  }
  const before = problems.length;
  keys.forEach((key, i) => {
    if (!key || typeof key !== 'object' || Array.isArray(key) || typeof (key as Record<string, unknown>).kty !== 'string') {
      problems.push({ field: `jwks.keys[${i}]`, message: 'must be a JSON Web Key with "kty"' });
    } else if (PRIVATE_JWK_MEMBERS.some((m) => m in key)) {
      problems.push({ field: `jwks.keys[${i}]`, message: 'must be a public key: it carries private key material' });
    }
  });
  return problems.length === before ? { keys: keys as Record<string, unknown>[] } : undefined;
}
