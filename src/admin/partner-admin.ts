// The operator's changes to partners: creating a partner and adding an OIDC client to one. Denglu
// generates client ids and secrets (the secret is returned once); uniqueness of client ids is the
// store's unique index. Each change and its audit entry are one atomic write; audit entries never
// hold a client secret.

import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { auditOp, type Actor, type AuditEntry } from '../audit/audit.ts';
import type { ClientRecord, Partner } from '../partners/partner.ts';
import { COLOUR_PATTERN, logoSummary, parseLogo } from '../partners/brand.ts';
import { isValidZone } from '../time/instant.ts';
import { newSecret } from './credentials.ts';
import { redirectUriList } from './redirect-uris.ts';
import { flag, jsonObject, slug, text } from './validate.ts';
import { parseBody } from './zod-problems.ts';

const LOCALES = ['zh-CN', 'en'] as const;
type PartnerLocale = (typeof LOCALES)[number];
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
/** Methods without a client secret (`private_key_jwt` signs with its key; `none` is a public client). */
const SECRETLESS = new Set<string>(['private_key_jwt', 'none']);
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const LOCALES_RULE = 'must be a non-empty list of distinct locales among "zh-CN" and "en" (the first is the default)';
const isLocaleList = (value: unknown): value is PartnerLocale[] =>
  Array.isArray(value) && value.length > 0 && value.every((l) => (LOCALES as readonly unknown[]).includes(l)) && new Set(value).size === value.length;
const ZONE_RULE = 'must be an IANA time zone such as Asia/Shanghai';

/** `POST /partners`. */
export const PARTNER_BODY = jsonObject({
  id: slug(),
  name: jsonObject(
    { 'zh-CN': text(100), en: text(100) },
    { unknown: 'only zh-CN and en names exist', notObject: 'must be an object with the shop name in both languages: {"zh-CN": "…", "en": "…"}' },
  ),
  timeZone: z.string({ error: ZONE_RULE }).refine(isValidZone, ZONE_RULE).default(DEFAULT_TIME_ZONE),
  locales: z.custom<PartnerLocale[]>(isLocaleList, LOCALES_RULE).default(() => [...LOCALES]),
  firstParty: flag(),
});

const JWKS_RULE = 'must be {"keys": [public JWK, …]} with 1 to 10 keys';
const JWK_LIST_RULE = 'must be a list of 1 to 10 public JSON Web Keys';
/** A public JSON Web Key: all its members are kept; private key material is refused. */
const PUBLIC_JWK = z
  .looseObject({ kty: z.string({ error: 'is required: a JSON Web Key names its key type' }) }, { error: 'must be a JSON Web Key with "kty"' })
  .refine((key) => !PRIVATE_JWK_MEMBERS.some((m) => m in key), 'must be a public key: it carries private key material');

/** `POST /partners/:id/clients`; http redirect URIs to localhost only outside production. */
export function clientBody(production: boolean) {
  return jsonObject({
    client_name: text(100).nullish(),
    redirect_uris: redirectUriList(production, true),
    post_logout_redirect_uris: redirectUriList(production, false).optional(),
    token_endpoint_auth_method: z.enum(AUTH_METHODS, { error: `must be one of ${AUTH_METHODS.join(', ')}` }).default('client_secret_basic'),
    jwks: z.object({ keys: z.array(PUBLIC_JWK, { error: JWK_LIST_RULE }).min(1, JWK_LIST_RULE).max(10, JWK_LIST_RULE) }, { error: JWKS_RULE }).optional(),
    nonce_instead_of_pkce: flag(),
  }).superRefine((body, ctx) => {
    const problem = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
    if (body.token_endpoint_auth_method === 'private_key_jwt' && !body.jwks)
      problem('jwks', 'is required for private_key_jwt: {"keys": [public JWK, …]} with 1 to 10 keys');
    if (body.token_endpoint_auth_method !== 'private_key_jwt' && body.jwks) problem('jwks', 'is only for token_endpoint_auth_method "private_key_jwt"');
    if (body.nonce_instead_of_pkce && body.token_endpoint_auth_method === 'none') {
      problem('nonce_instead_of_pkce', 'is only for confidential clients: a public client (token_endpoint_auth_method "none") always uses PKCE');
    }
  });
}

/** A client as the API shows it: everything but the secret. */
export function clientView(client: ClientRecord): Omit<ClientRecord, 'client_secret'> {
  const { client_secret: _secret, ...rest } = client;
  return rest;
}

export async function createPartner(deps: { store: Store; clock: Clock }, actor: Actor, input: unknown): Promise<Partner> {
  const { id, name, timeZone, locales, firstParty } = parseBody(PARTNER_BODY, input);
  const now = deps.clock.now();
  const partner: Partner = { id, name, timeZone, locales, firstParty, clients: [], integrations: [], createdAt: now, updatedAt: now };
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
  const body = parseBody(clientBody(deps.production), input);
  const method = body.token_endpoint_auth_method;

  const client: ClientRecord = {
    client_id: `${partnerId}-${randomBytes(6).toString('hex')}`,
    ...(SECRETLESS.has(method) ? {} : { client_secret: newSecret() }),
    ...(body.client_name ? { client_name: body.client_name } : {}),
    redirect_uris: body.redirect_uris,
    ...(body.post_logout_redirect_uris?.length ? { post_logout_redirect_uris: body.post_logout_redirect_uris } : {}),
    token_endpoint_auth_method: method,
    ...(body.jwks ? { jwks: body.jwks } : {}),
    ...(body.nonce_instead_of_pkce ? { nonce_instead_of_pkce: true } : {}),
  };
  try {
    const { after } = await changePartner(
      deps,
      partnerId,
      (p) => ({ ...p, clients: [...p.clients, client], updatedAt: deps.clock.now() }),
      () => ({
        actor,
        action: 'client.create',
        target: { partner: partnerId, client: client.client_id },
        before: null,
        after: clientView(client),
      }),
    );
    return { client, partner: after };
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'ERR_CONFLICT')
      throw new GatewayError('ERR_CONFLICT', `client id "${client.client_id}" is taken; try again`, { status: 409 });
    throw err;
  }
}

/** One change to a partner and its audit entry, written together; an unknown partner is a 404. */
async function changePartner(
  deps: { store: Store; clock: Clock },
  partnerId: string,
  change: (p: Partner) => Partner,
  audit: (before: Partner, after: Partner) => Omit<AuditEntry, 'id' | 'at'>,
): Promise<{ before: Partner; after: Partner }> {
  let before: Partner | undefined;
  let after: Partner | undefined;
  try {
    await deps.store.batch([
      {
        op: 'update',
        collection: 'partners',
        id: partnerId,
        fn: (p: Partner) => {
          before = p;
          after = change(p);
          return after;
        },
      },
      auditOp(deps.clock, () => audit(before!, after!)),
    ]);
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'ERR_NOT_FOUND')
      throw new GatewayError('ERR_NOT_FOUND', `partner "${partnerId}" does not exist`, { status: 404 });
    throw err;
  }
  return { before: before!, after: after! };
}

const COLOUR_RULE = "must be a colour written #rrggbb, or null to use Denglu's";
const SHOP_NAME = jsonObject(
  { 'zh-CN': text(100), en: text(100) },
  { unknown: 'only zh-CN and en names exist', notObject: 'must be an object with the shop name in both languages: {"zh-CN": "…", "en": "…"}' },
);

/** `PUT /partners/:id/brand`: each field present is set (`null` clears the logo or colour); absent fields stay. */
export const BRAND_BODY = jsonObject({
  name: SHOP_NAME.optional(),
  colour: z
    .string({ error: COLOUR_RULE })
    .regex(COLOUR_PATTERN, COLOUR_RULE)
    .transform((c) => c.toLowerCase())
    .nullable()
    .optional(),
  logo: z
    .string({ error: 'must be a data URL or base64 of a PNG or SVG image, or null to remove it' })
    .transform((raw, ctx) => {
      const parsed = parseLogo(raw);
      if (parsed.ok) return parsed.dataUrl;
      ctx.addIssue({ code: 'custom', message: parsed.message, params: { rule: parsed.rule, ...parsed.params } });
      return z.NEVER;
    })
    .nullable()
    .optional(),
});

/** What the audit log keeps of a brand: the name, the colour and a summary of the logo (never the image). */
function brandAudit(p: Partner): Record<string, unknown> {
  return { name: p.name, colour: p.brand?.colour ?? null, logo: logoSummary(p.brand?.logo) };
}

/** Sets a partner's display name, accent colour and logo (managers of the partner and the operator). */
export async function setBrand(deps: { store: Store; clock: Clock }, actor: Actor, partnerId: string, input: unknown): Promise<Partner> {
  const body = parseBody(BRAND_BODY, input);
  const { after } = await changePartner(
    deps,
    partnerId,
    (p) => {
      const colour = body.colour === undefined ? p.brand?.colour : (body.colour ?? undefined);
      const logo = body.logo === undefined ? p.brand?.logo : (body.logo ?? undefined);
      const { brand: _old, ...rest } = p;
      return {
        ...rest,
        ...(body.name ? { name: body.name } : {}),
        ...(colour || logo ? { brand: { ...(colour ? { colour } : {}), ...(logo ? { logo } : {}) } } : {}),
        updatedAt: deps.clock.now(),
      };
    },
    (before, after) => ({ actor, action: 'partner.brand', target: { partner: partnerId }, before: brandAudit(before), after: brandAudit(after) }),
  );
  return after;
}
