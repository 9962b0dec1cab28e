// The admin API's OpenAPI 3.1 document, written by hand next to the routes it describes and served at
// GET /api/admin/openapi.json. test/admin/openapi.test.ts checks that every mounted route is in it and
// that it describes no route that is not mounted.

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const answer = (description: string, schema: unknown) => ({ description, ...json(schema) });
const errors = (...codes: (400 | 401 | 403 | 404 | 409 | 413 | 415 | 429)[]) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        $ref: `#/components/responses/${{ 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 413: 'TooLarge', 415: 'NotJson', 429: 'TooManyRequests' }[c]}`,
      },
    ]),
  );
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const partnerParam = pathParam('id', 'Partner id (slug). A manager naming a partner they do not manage gets 403, whether or not it exists.');
const providerParam = pathParam(
  'provider',
  "Provider id, e.g. `weibo`, `qq`, `sohu`, `password` (Denglu's own email + password sign-in) or `phone` (phone number + texted code; configured when the gateway can send texts, SMS_SENDER). An id Denglu does not know is a 400 naming `provider`.",
);
const instantText =
  'An instant with an explicit offset (`2013-09-25T00:00+08:00`, `…Z`) or IANA zone (`2013-09-25T00:00[Asia/Shanghai]`). A bare local time is refused with a message saying an offset or time zone is needed. In a query string, encode `+` as `%2B`.';
const readErrors = errors(401, 403, 404, 429);
const writeErrors = errors(400, 401, 403, 404, 409, 413, 415, 429);

/** Instant fields appear twice: ISO 8601 in the partner's zone and UTC epoch milliseconds. */
const instantPair = (name: string, description: string) => ({
  [name]: { type: 'string', format: 'date-time', description: `${description} (ISO 8601 in the partner's time zone).` },
  [`${name}Ms`]: { type: 'integer', description: `${description} (UTC epoch milliseconds).` },
});

/** `format` of a report answered as JSON or as a CSV download. */
const formatParam = {
  name: 'format',
  in: 'query',
  required: false,
  description: 'Default: JSON unless the Accept header prefers text/csv.',
  schema: { type: 'string', enum: ['json', 'csv'] },
};
/** The answers of such a report: the JSON schema `schema`, or CSV with this header row. */
const jsonOrCsv = (description: string, schema: string, csvHeader: string) => ({
  '200': {
    description,
    content: {
      'application/json': { schema: ref(schema) },
      'text/csv': { schema: { type: 'string', description: `Header \`${csvHeader}\`` } },
    },
  },
  ...errors(400, 401, 403, 404, 429),
});

const localized = { type: 'object', properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' } }, additionalProperties: false };

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Denglu admin API',
    version: '1',
    description: [
      "Partners (shops), their OpenID Connect clients, partner managers, and each partner's provider integrations with their dated lifecycle",
      '(upcoming → live → notice → grace → ended). JSON only; bodies at most 32 kB with `Content-Type: application/json`.',
      '',
      'Roles: the **operator** (token `ADMIN_OPERATOR_TOKEN`) does everything; a **partner manager** (token `<managerId>.<secret>`, created by the operator)',
      'reads and changes only the integrations, preview and audit log of the partners they manage. A manager naming another partner gets **403**',
      '(also when that partner does not exist), and nothing changes. Operator-only routes answer 403 to managers.',
      '',
      'Every change writes an append-only audit entry (actor, time, action, target, before, after) in the same atomic write as the change.',
      "Instants are stored in UTC; inputs need an offset or IANA zone; outputs give each instant as ISO 8601 in the partner's zone (`cutoffAt`) and as epoch ms (`cutoffAtMs`).",
      'Requests are rate-limited per IP address (`ADMIN_RATE_LIMIT` per minute): past it, 429 with `Retry-After`.',
    ].join('\n'),
  },
  servers: [{ url: '/api/admin' }],
  security: [{ bearer: [] }],
  paths: {
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This document',
        security: [],
        responses: { '200': { description: 'The OpenAPI document', content: { 'application/json': {} } }, ...errors(429) },
      },
    },
    '/partners': {
      get: {
        operationId: 'listPartners',
        summary: 'List partners (operator: all; manager: the partners they manage)',
        responses: {
          '200': answer('The partners', { type: 'object', required: ['partners'], properties: { partners: { type: 'array', items: ref('Partner') } } }),
          ...errors(401, 429),
        },
      },
      post: {
        operationId: 'createPartner',
        summary: 'Create a partner (operator)',
        description: 'Audit action `partner.create`. The partner starts with no clients and no integrations.',
        requestBody: { required: true, ...json(ref('PartnerInput')) },
        responses: { '201': answer('The partner created', ref('Partner')), ...writeErrors },
      },
    },
    '/partners/{id}': {
      parameters: [partnerParam],
      get: {
        operationId: 'getPartner',
        summary: 'One partner with its clients (no secrets) and integrations',
        responses: { '200': answer('The partner', ref('Partner')), ...readErrors },
      },
    },
    '/partners/{id}/brand': {
      parameters: [partnerParam],
      put: {
        operationId: 'setBrand',
        summary: "Set the shop's display name, accent colour and logo on shopper pages (managers of the partner, operator)",
        description:
          'Fields absent keep their value, `null` clears the colour or logo. The logo is a PNG or an SVG (checked by content; an SVG with script, event handlers, foreignObject or external references is refused), at most 20 KiB, sent as a data URL or base64; it is served at `/brand/{id}/logo`. Text on the colour is white or near-black, whichever reads better; a colour too light or dark for 4.5:1 contrast is deepened for shoppers (`accent`). Audit action `partner.brand` (the logo as type, size and hash).',
        requestBody: { required: true, ...json(ref('BrandInput')) },
        responses: { '200': answer('The partner after the change', ref('Partner')), ...writeErrors },
      },
    },
    '/partners/{id}/clients': {
      parameters: [partnerParam],
      post: {
        operationId: 'createClient',
        summary: 'Add an OpenID Connect client to a partner (operator)',
        description:
          'Denglu generates `client_id` and, except for `private_key_jwt` and public clients (`none`), `client_secret`, which this answer shows **once**. `nonce_instead_of_pkce` (confidential clients only) lets a client omit PKCE if it sends `nonce`. Redirect URIs are matched exactly, so each must be an absolute https URL in normal form (http only for localhost/127.0.0.1 outside production), without wildcards, fragment, user info or `code`/`state`/`iss` query parameters. Audit action `client.create` (without the secret).',
        requestBody: { required: true, ...json(ref('ClientInput')) },
        responses: { '201': answer('The client, with its secret shown once', ref('ClientCreated')), ...writeErrors },
      },
    },
    '/partners/{id}/integrations': {
      parameters: [partnerParam],
      get: {
        operationId: 'listIntegrations',
        summary: "A partner's integrations with their phase now and next change",
        responses: {
          '200': answer('The integrations', {
            allOf: [ref('Now'), { type: 'object', required: ['integrations'], properties: { integrations: { type: 'array', items: ref('Integration') } } }],
          }),
          ...readErrors,
        },
      },
    },
    '/partners/{id}/integrations/{provider}': {
      parameters: [partnerParam, providerParam],
      get: {
        operationId: 'getIntegration',
        summary: 'One integration',
        responses: {
          '200': answer('The integration', {
            allOf: [ref('Now'), { type: 'object', required: ['integration'], properties: { integration: ref('Integration') } }],
          }),
          ...errors(400, 401, 403, 404, 429),
        },
      },
      put: {
        operationId: 'scheduleIntegration',
        summary: "Schedule (change) an integration's lifecycle; adds the provider when the partner has no integration with it",
        description:
          'Fields absent keep their value, `null` clears. Dates must follow startsAt < noticeAt < cutoffAt < graceEndsAt (a reversed pair is a problem naming both fields); a notice or grace end needs a cutoff. A change that ends sign-in at once (a cutoff already past, or `effectiveImmediately` alone) must send `"effectiveImmediately": true`. Audit action `integration.add` or `integration.schedule`.',
        requestBody: { required: true, ...json(ref('ScheduleInput')) },
        responses: {
          '200': answer('The integration after the change', ref('ScheduleAnswer')),
          '201': answer('The integration added', ref('ScheduleAnswer')),
          ...writeErrors,
        },
      },
      delete: {
        operationId: 'removeIntegration',
        summary: 'Remove an integration that signs nobody in (upcoming or ended); otherwise schedule a cutoff',
        description: 'Audit action `integration.remove`.',
        responses: { '204': { description: 'Removed' }, ...errors(400, 401, 403, 404, 429) },
      },
    },
    '/partners/{id}/integrations/{provider}/impact': {
      parameters: [partnerParam, providerParam],
      get: {
        operationId: 'integrationImpact',
        summary: 'Whom ending this provider at the shop affects: stranded, at risk, safe, migration and projection',
        description:
          "Among the shop's shoppers (signed in there within `activeDays`) who signed in there with the provider: **stranded** (no other way into the shop that still signs in at the cutoff, by each other integration's own schedule, native password and phone included), **at risk** (such a way exists but was never used there), **safe**. With the provider's sign-ins there in the last 30 days by group, migration since notice began (day by day) and a projection at the rate of the last 14 days, or since notice began when that is shorter (at least a day). JSON gives counts only; CSV (`format=csv` or `Accept: text/csv`) one row per affected shopper, named by the shop's own pairwise `sub`, in the order of the shoppers' summaries; it is streamed (chunked) as it is read, and a store failure after the first rows cuts the connection without the final chunk: a body that ends without it is incomplete, never a shorter complete file. Without `cutoff` the scheduled cutoff is used (400 when none is scheduled).",
        parameters: [
          {
            name: 'cutoff',
            in: 'query',
            required: false,
            description: `The cutoff to consider. ${instantText} Default: the scheduled one.`,
            schema: { type: 'string' },
          },
          {
            name: 'graceEnds',
            in: 'query',
            required: false,
            description: `The grace end to consider. ${instantText} Default: the scheduled one, or for a considered cutoff the scheduled grace's length after it.`,
            schema: { type: 'string' },
          },
          {
            name: 'activeDays',
            in: 'query',
            required: false,
            description: 'Shoppers are accounts signed in at the shop within this many days (1–400). Default 180.',
            schema: { type: 'integer' },
          },
          formatParam,
        ],
        responses: jsonOrCsv('The report', 'Impact', 'sub,group,last_sign_in_with_provider,provider_sign_ins_30d,ways_at_cutoff'),
      },
    },
    '/partners/{id}/analytics': {
      parameters: [partnerParam],
      get: {
        operationId: 'partnerAnalytics',
        summary: "The shop's numbers per provider over the last days: sign-ins by outcome, new accounts, links, unlinks, upstream failures and time",
        description:
          "Counted per day in the shop's time zone (`timeZone`: a sign-in counts toward its local date at the shop; when the shop changes its zone, days already counted stay as they were and later sign-ins count in the new zone) from the buffered login events (a sign-in appears within about a second): attempts by outcome (`success`, `denied` by the shopper or the provider, `upstream_failure`, `refused` by the lifecycle), accounts created, provider identities linked and unlinked by shoppers of the shop (a link or unlink in the account console counts at every shop the shopper uses), the upstream failure rate (upstream failures among success + denied + upstream failure) and the median and 95th percentile of the time the provider calls of one callback took, estimated from fixed buckets. Kept as long as the login events (`LOGIN_EVENTS_RETENTION_DAYS`). CSV (`format=csv` or `Accept: text/csv`): one row per day and method with the day's numbers, counted as the JSON counts the window but over that day alone: the attempts by outcome, then `new_accounts`, `links`, `unlinks`, `upstream_failure_rate` (0–1), `upstream_timed` and `upstream_median_ms`/`upstream_p95_ms` (a rate or time the day has none of is an empty field).",
        parameters: [
          {
            name: 'days',
            in: 'query',
            required: false,
            description: "The window: this many days in the shop's time zone up to and including today there (1–400). Default 30.",
            schema: { type: 'integer' },
          },
          formatParam,
        ],
        responses: jsonOrCsv(
          'The analytics',
          'Analytics',
          'day,method,success,denied,upstream_failure,refused,new_accounts,links,unlinks,upstream_failure_rate,upstream_timed,upstream_median_ms,upstream_p95_ms',
        ),
      },
    },
    '/partners/{id}/preview': {
      parameters: [partnerParam],
      get: {
        operationId: 'previewLoginPage',
        summary: "What the partner's login page shows at an instant (exactly the model the chooser renders)",
        description:
          'Shops that draw their own buttons read the same model without a token, per client: `GET /clients/{client_id}/sign-in-methods` (outside this API; see the README\'s "Drawing your own buttons").',
        parameters: [
          { name: 'at', in: 'query', required: false, description: `${instantText} Default: now.`, schema: { type: 'string' } },
          {
            name: 'locale',
            in: 'query',
            required: false,
            description: "Default: the partner's first locale.",
            schema: { type: 'string', enum: ['zh-CN', 'en'] },
          },
        ],
        responses: { '200': answer('The login page model', ref('Preview')), ...errors(400, 401, 403, 404, 429) },
      },
    },
    '/managers': {
      get: {
        operationId: 'listManagers',
        summary: 'List partner managers (operator; no secrets)',
        responses: {
          '200': answer('The managers', { type: 'object', required: ['managers'], properties: { managers: { type: 'array', items: ref('Manager') } } }),
          ...errors(401, 403, 429),
        },
      },
      post: {
        operationId: 'createManager',
        summary: 'Create a partner manager (operator)',
        description:
          'Denglu generates the secret and answers the token `<managerId>.<secret>` **once**; only an scrypt hash of the secret is stored. Audit action `manager.create`.',
        requestBody: { required: true, ...json(ref('ManagerInput')) },
        responses: { '201': answer('The manager and its token, shown once', ref('ManagerCreated')), ...writeErrors },
      },
    },
    '/audit': {
      get: {
        operationId: 'listAudit',
        summary: 'Audit entries, newest first, filtered',
        description: 'A manager sees only entries about the partners they manage; naming another partner is 403.',
        parameters: [
          { name: 'partner', in: 'query', required: false, schema: { type: 'string' } },
          {
            name: 'account',
            in: 'query',
            required: false,
            description: 'Entries about a shopper account; for a deleted account, the tombstone id `deleted-…` its deletion answered.',
            schema: { type: 'string' },
          },
          { name: 'actor', in: 'query', required: false, description: 'Actor id (`operator`, a manager id) or `kind:id`.', schema: { type: 'string' } },
          {
            name: 'action',
            in: 'query',
            required: false,
            description: 'An action (`integration.schedule`) or its noun (`integration`).',
            schema: { type: 'string' },
          },
          { name: 'from', in: 'query', required: false, description: `Entries at or after. ${instantText}`, schema: { type: 'string' } },
          { name: 'to', in: 'query', required: false, description: `Entries before. ${instantText}`, schema: { type: 'string' } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          { name: 'before', in: 'query', required: false, description: 'The `next` cursor of the previous page.', schema: { type: 'string' } },
        ],
        responses: { '200': answer('A page of entries', ref('AuditPage')), ...errors(400, 401, 403, 429) },
      },
    },
    '/partners/{id}/webhooks': {
      parameters: [partnerParam],
      get: {
        operationId: 'listWebhookEndpoints',
        summary: "A partner's webhook endpoints (managers of the partner, operator), without their secrets",
        responses: {
          '200': answer('The endpoints and the event types one may choose', {
            type: 'object',
            required: ['events', 'endpoints'],
            properties: { events: { type: 'array', items: { type: 'string' } }, endpoints: { type: 'array', items: ref('WebhookEndpoint') } },
          }),
          ...readErrors,
        },
      },
      post: {
        operationId: 'createWebhookEndpoint',
        summary: 'Register a webhook endpoint and the events it receives (managers of the partner, operator)',
        description:
          "Denglu generates the signing secret (`whsec_…`, Standard Webhooks), which this answer shows **once**. Every delivery is a JSON POST `{ type, timestamp, data }` with the headers `webhook-id` (the idempotency key: the same on every retry), `webhook-timestamp` (seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the secret); verify it with any Standard Webhooks library and refuse timestamps more than 5 minutes away. Events: `integration.phase_changed` (at the instant a schedule boundary passes: `data.provider`, `phase`, `previousPhase`, `at`, `schedule`), `identity.linked` / `identity.unlinked` (a shopper of this shop linked or removed a sign-in method: `data.sub` is the shop's own pairwise `sub`, `data.provider`), `account.deleted` (`data.sub`). A delivery not answered with a 2xx within 10 s is retried with exponential backoff (30 s doubling, at most 4 h apart) for 24 h; redirects are not followed. In production the URL must be https and resolve to public addresses (WEBHOOK_ALLOW_PRIVATE_ADDRESSES lifts this). At most 10 endpoints per partner (409). Audit action `webhook.create` (without the secret).",
        requestBody: { required: true, ...json(ref('WebhookInput')) },
        responses: { '201': answer('The endpoint, with its secret shown once', ref('WebhookCreated')), ...writeErrors },
      },
    },
    '/partners/{id}/webhooks/{endpoint}': {
      parameters: [partnerParam, pathParam('endpoint', 'Webhook endpoint id (`we_…`)')],
      delete: {
        operationId: 'deleteWebhookEndpoint',
        summary: 'Remove a webhook endpoint (managers of the partner, operator); its pending deliveries fail',
        description: 'Audit action `webhook.delete`.',
        responses: { '204': { description: 'Removed' }, ...readErrors },
      },
    },
    '/partners/{id}/webhooks/deliveries': {
      parameters: [partnerParam],
      get: {
        operationId: 'listWebhookDeliveries',
        summary: "The partner's webhook delivery log, newest first, with every attempt's response code",
        parameters: [
          { name: 'endpoint', in: 'query', required: false, description: "Only this endpoint's deliveries.", schema: { type: 'string' } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
          { name: 'before', in: 'query', required: false, description: 'The `next` cursor of the previous page.', schema: { type: 'string' } },
        ],
        responses: {
          '200': answer('A page of deliveries', {
            type: 'object',
            required: ['deliveries'],
            properties: { deliveries: { type: 'array', items: ref('WebhookDelivery') }, next: { type: 'string' } },
          }),
          ...errors(400, 401, 403, 404, 429),
        },
      },
    },
    '/accounts/{account}': {
      parameters: [pathParam('account', 'Shopper account id (the id in the audit log, never a pairwise `sub`)')],
      delete: {
        operationId: 'deleteAccount',
        summary: 'Delete a shopper account on a support request (operator)',
        description:
          'The same deletion as "Delete my account" on the account page: every Denglu session, grant and token of the account ends, the account goes with every linked sign-in method, its verified email, phone number and password (the same provider identity later signs in as a new account), its notice-mail records and mailed links go, and every shop the account used gets the webhook `account.deleted` with its own pairwise `sub`; then each provider grant it held is revoked where the provider has an endpoint for it (Weibo `revokeoauth2`), best effort: a failure never blocks the deletion and is answered in `upstream`, audited and logged. Its raw login events and per-shop usage summaries are deleted (the per-day counts stay: they name no account), and every audit entry naming the account keeps the action but has the account id replaced by a one-way tombstone id (`auditAccount`) and its personal data (`before`/`after`) dropped. Audit action `account.delete`, naming the tombstone id only. Safe to repeat: for an account already gone it finishes what an interrupted deletion left and answers `deleted: false`.',
        responses: {
          '200': answer('What was done', {
            type: 'object',
            required: ['account', 'deleted', 'partnersTold', 'auditAccount', 'upstream'],
            properties: {
              account: { type: 'string' },
              upstream: {
                type: 'object',
                additionalProperties: { type: 'string', enum: ['revoked', 'failed', 'none'] },
                description:
                  'Per provider the account held a grant of: `revoked` at the provider, `failed` (the deletion stands; audited as `account.upstream_revoke` and logged with the step, never the token), `none` (the provider has no revocation)',
              },
              auditAccount: {
                type: 'string',
                description: 'The tombstone id that stands for the account in the audit log from now on (`GET /audit?account=…`)',
              },
              deleted: { type: 'boolean', description: 'false: no such account was left (deleted before, or never existed)' },
              partnersTold: { type: 'integer', description: 'How many partners get `account.deleted`' },
            },
          }),
          ...errors(401, 403, 429),
        },
      },
    },
    '/keys': {
      get: {
        operationId: 'listSigningKeys',
        summary: 'The ID token signing keys in their stages (operator)',
        description:
          'The **next** key is published in the JWKS but does not sign yet; the **current** key signs; **previous** keys stay published for verification until every token they signed has expired (`removedAt`), then are removed. Never shows key material.',
        responses: { '200': answer('The keys', ref('SigningKeys')), ...errors(401, 403, 429) },
      },
    },
    '/keys/rotate': {
      post: {
        operationId: 'rotateSigningKeys',
        summary: 'Rotate the signing keys (operator)',
        description:
          'The next key starts signing, the current key becomes a previous key, and a new next key is published. The running gateway signs with the new key at once (no restart). Refused with 409 while the next key has been published for less than `KEY_PUBLISH_LEAD_SECONDS` (see its `signsFrom`), so that shops caching the JWKS already know it; `force: true` rotates anyway. Audit action `key.rotate` (scheduled rotations and removals are by the actor `system:key-schedule`, `key.remove` for removals).',
        requestBody: {
          required: false,
          ...json({
            type: 'object',
            additionalProperties: false,
            properties: { force: { type: 'boolean', default: false, description: 'Rotate even though the next key is younger than the publish lead' } },
          }),
        },
        responses: { '200': answer('The keys after the rotation', ref('SigningKeys')), ...errors(400, 401, 403, 409, 415, 429) },
      },
    },
  },
  components: {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'The operator token (ADMIN_OPERATOR_TOKEN), or a partner manager token `<managerId>.<secret>` as returned once by POST /managers.',
      },
    },
    responses: {
      BadRequest: { description: 'Validation failed: `problems` names each field and rule; nothing changed', ...json(ref('Error')) },
      Unauthorized: { description: 'No or wrong token (the same body for an unknown manager and a wrong secret)', ...json(ref('Error')) },
      Forbidden: { description: 'Not allowed for this role or partner; nothing changed', ...json(ref('Error')) },
      NotFound: { description: 'No such partner, integration or route', ...json(ref('Error')) },
      Conflict: { description: 'The id is taken, or (key rotation) the next key has not been published long enough', ...json(ref('Error')) },
      TooLarge: { description: 'The body is larger than 32 kB', ...json(ref('Error')) },
      NotJson: { description: 'The body is not `application/json`', ...json(ref('Error')) },
      TooManyRequests: {
        description: 'Rate limit reached',
        headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
        ...json(ref('Error')),
      },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error', 'message', 'requestId'],
        properties: {
          error: {
            type: 'string',
            description:
              'Stable code: ERR_VALIDATION, ERR_UNAUTHORIZED, ERR_FORBIDDEN, ERR_NOT_FOUND, ERR_ALREADY_EXISTS, ERR_CONFLICT, ERR_RATE_LIMITED, ERR_INTERNAL',
          },
          message: { type: 'string' },
          problems: { type: 'array', items: ref('Problem') },
          requestId: { type: 'string', description: "Also in the X-Request-Id header and the gateway's logs." },
        },
      },
      Problem: {
        type: 'object',
        required: ['field', 'message'],
        properties: {
          field: { type: 'string', description: 'The field (`cutoffAt`, `redirect_uris[0]`, `(body)` for the body itself)' },
          message: { type: 'string', description: 'The rule it broke' },
        },
      },
      Phase: { type: 'string', enum: ['upcoming', 'live', 'notice', 'grace', 'ended'] },
      Actor: {
        type: 'object',
        required: ['kind', 'id'],
        properties: { kind: { type: 'string', enum: ['operator', 'manager', 'shopper', 'system'] }, id: { type: 'string' } },
      },
      LocalizedText: localized,
      PartnerInput: {
        type: 'object',
        required: ['id', 'name'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$' },
          name: {
            type: 'object',
            required: ['zh-CN', 'en'],
            properties: { 'zh-CN': { type: 'string', maxLength: 100 }, en: { type: 'string', maxLength: 100 } },
            additionalProperties: false,
          },
          timeZone: { type: 'string', default: 'Asia/Shanghai', description: 'IANA time zone dates are shown in' },
          locales: { type: 'array', items: { type: 'string', enum: ['zh-CN', 'en'] }, minItems: 1, uniqueItems: true, default: ['zh-CN', 'en'] },
          firstParty: { type: 'boolean', default: false, description: 'First-party shops get no consent page' },
        },
      },
      Partner: {
        type: 'object',
        required: ['id', 'name', 'timeZone', 'locales', 'firstParty', 'clients', 'integrations'],
        properties: {
          id: { type: 'string' },
          name: localized,
          timeZone: { type: 'string' },
          locales: { type: 'array', items: { type: 'string' } },
          firstParty: { type: 'boolean' },
          brand: ref('Brand'),
          clients: { type: 'array', items: ref('Client') },
          integrations: { type: 'array', items: ref('Integration') },
          ...instantPair('createdAt', 'When the partner was created'),
          ...instantPair('updatedAt', 'Last change'),
        },
      },
      BrandInput: {
        type: 'object',
        additionalProperties: false,
        properties: {
          name: {
            type: 'object',
            required: ['zh-CN', 'en'],
            properties: { 'zh-CN': { type: 'string', maxLength: 100 }, en: { type: 'string', maxLength: 100 } },
            additionalProperties: false,
          },
          colour: { type: ['string', 'null'], pattern: '^#[0-9a-fA-F]{6}$', description: 'Accent colour #rrggbb' },
          logo: { type: ['string', 'null'], description: 'data:image/png;base64,… or data:image/svg+xml;base64,… (or bare base64), at most 20 KiB decoded' },
        },
      },
      Brand: {
        type: 'object',
        required: ['colour', 'logo'],
        properties: {
          colour: { type: ['string', 'null'] },
          accent: { type: 'string', description: 'The colour shoppers see (deepened when needed for 4.5:1 contrast)' },
          accentText: { type: 'string', description: 'Text colour on the accent' },
          logo: {
            type: ['object', 'null'],
            properties: { url: { type: 'string' }, description: { type: 'string', description: 'Type, size and hash' } },
          },
        },
      },
      ClientInput: {
        type: 'object',
        required: ['redirect_uris'],
        additionalProperties: false,
        properties: {
          client_name: { type: 'string', maxLength: 100 },
          redirect_uris: { type: 'array', items: { type: 'string', format: 'uri' }, minItems: 1, maxItems: 20 },
          post_logout_redirect_uris: { type: 'array', items: { type: 'string', format: 'uri' }, maxItems: 20 },
          token_endpoint_auth_method: {
            type: 'string',
            enum: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
            default: 'client_secret_basic',
            description: '`none` registers a public client (a single-page or mobile app): no secret, PKCE always required',
          },
          jwks: {
            type: 'object',
            description: 'Public keys; required for private_key_jwt only',
            required: ['keys'],
            properties: { keys: { type: 'array', minItems: 1, maxItems: 10, items: { type: 'object', required: ['kty'] } } },
          },
          nonce_instead_of_pkce: {
            type: 'boolean',
            default: false,
            description:
              'Confidential clients only: the client may omit PKCE and must then send `nonce` (RFC 9700 §2.1.1), for libraries such as passport-openidconnect that cannot send PKCE',
          },
        },
      },
      Client: {
        type: 'object',
        required: ['client_id', 'redirect_uris', 'token_endpoint_auth_method'],
        properties: {
          client_id: { type: 'string' },
          client_name: { type: 'string' },
          redirect_uris: { type: 'array', items: { type: 'string' } },
          post_logout_redirect_uris: { type: 'array', items: { type: 'string' } },
          token_endpoint_auth_method: { type: 'string' },
          jwks: { type: 'object' },
          nonce_instead_of_pkce: { type: 'boolean' },
        },
      },
      ClientCreated: {
        allOf: [
          ref('Client'),
          { type: 'object', properties: { client_secret: { type: 'string', description: 'Shown once; absent for private_key_jwt and public clients' } } },
        ],
      },
      NextChange: { type: 'object', required: ['phase', 'at', 'atMs'], properties: { phase: ref('Phase'), ...instantPair('at', 'When it starts') } },
      Integration: {
        type: 'object',
        required: ['provider', 'configured', 'phase', 'newAccountsDuringNotice', 'atCutoff'],
        properties: {
          provider: { type: 'string' },
          label: localized,
          configured: { type: 'boolean', description: 'This deployment has credentials for the provider (otherwise it is never offered)' },
          phase: ref('Phase'),
          ...instantPair('since', 'When the current phase began'),
          next: ref('NextChange'),
          ...instantPair('startsAt', 'Go-live'),
          ...instantPair('noticeAt', 'Start of the notice period'),
          ...instantPair('cutoffAt', 'End of sign-in into the shop; grace starts'),
          ...instantPair('graceEndsAt', 'End of the migration window'),
          newAccountsDuringNotice: { type: 'boolean' },
          atCutoff: {
            type: 'string',
            enum: ['keep', 'revoke'],
            description:
              'Refresh tokens obtained through the provider before the cutoff: keep (valid until they expire) or revoke. Sessions never sign in anew through a cut-off provider.',
          },
          notice: { ...localized, description: 'Custom notice texts' },
          noticeText: { ...localized, description: 'What shoppers read now (custom or generated from the dates)' },
        },
      },
      Now: {
        type: 'object',
        required: ['partner', 'timeZone', 'now', 'nowMs'],
        properties: { partner: { type: 'string' }, timeZone: { type: 'string' }, ...instantPair('now', 'The instant the answer was computed at') },
      },
      ScheduleInput: {
        type: 'object',
        additionalProperties: false,
        properties: {
          startsAt: { type: ['string', 'null'], description: instantText },
          noticeAt: { type: ['string', 'null'], description: instantText },
          cutoffAt: { type: ['string', 'null'], description: instantText },
          graceEndsAt: { type: ['string', 'null'], description: instantText },
          newAccountsDuringNotice: { type: 'boolean' },
          atCutoff: { type: 'string', enum: ['keep', 'revoke'] },
          notice: {
            type: ['object', 'null'],
            properties: { 'zh-CN': { type: ['string', 'null'], maxLength: 500 }, en: { type: ['string', 'null'], maxLength: 500 } },
            additionalProperties: false,
          },
          effectiveImmediately: { type: 'boolean', description: 'Confirms a change that ends sign-in now; alone, it sets the cutoff to now' },
        },
      },
      ScheduleAnswer: {
        allOf: [
          ref('Now'),
          {
            type: 'object',
            required: ['created', 'immediate', 'integration'],
            properties: {
              created: { type: 'boolean' },
              immediate: { type: 'boolean', description: 'The change ended sign-in at once' },
              integration: ref('Integration'),
            },
          },
        ],
      },
      Analytics: {
        type: 'object',
        required: ['partner', 'days', 'timeZone', 'from', 'to', 'providers', 'perDay', 'labels'],
        properties: {
          partner: { type: 'string' },
          days: { type: 'integer' },
          timeZone: { type: 'string', description: "The shop's IANA time zone: the days are dates there" },
          from: { type: 'string', format: 'date', description: 'First day of the window (a date in `timeZone`)' },
          to: { type: 'string', format: 'date', description: 'Last day of the window, today in `timeZone`' },
          providers: {
            type: 'array',
            description: "The shop's integrations, and any other method with attempts in the window",
            items: {
              type: 'object',
              properties: {
                method: { type: 'string' },
                signIns: ref('OutcomeCounts'),
                created: { type: 'integer' },
                links: { type: 'integer' },
                unlinks: { type: 'integer' },
                upstreamFailureRate: { type: ['number', 'null'], description: '0–1; null without attempts that reached the provider' },
                upstream: {
                  type: 'object',
                  properties: {
                    timed: { type: 'integer', description: 'Callbacks timed' },
                    medianMs: { type: ['integer', 'null'] },
                    p95Ms: { type: ['integer', 'null'] },
                  },
                },
              },
            },
          },
          perDay: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                day: { type: 'string', format: 'date' },
                methods: { type: 'object', additionalProperties: ref('OutcomeCounts') },
              },
            },
          },
          labels: {
            type: 'object',
            additionalProperties: localized,
            description:
              'What the admin pages call each method of providers, by method id, in every language (the id itself for a provider no longer configured).',
          },
        },
      },
      OutcomeCounts: {
        type: 'object',
        properties: {
          success: { type: 'integer' },
          denied: { type: 'integer' },
          upstream_failure: { type: 'integer' },
          refused: { type: 'integer' },
          total: { type: 'integer', description: 'providers[].signIns only' },
        },
      },
      Impact: {
        type: 'object',
        required: [
          'partner',
          'provider',
          'cutoffAt',
          'considered',
          'activeDays',
          'waysAtCutoff',
          'labels',
          'shoppers',
          'providerSignIns30d',
          'migration',
          'projection',
        ],
        properties: {
          partner: { type: 'string' },
          provider: { type: 'string' },
          ...instantPair('now', 'When the report was made'),
          ...instantPair('cutoffAt', 'The cutoff reported on'),
          ...instantPair('graceEndsAt', 'The grace end (absent: none)'),
          ...instantPair('noticeAt', 'When notice begins or began (absent: none scheduled)'),
          considered: { type: 'boolean', description: 'The cutoff differs from the scheduled one.' },
          activeDays: { type: 'integer' },
          waysAtCutoff: { type: 'array', items: { type: 'string' }, description: 'The other methods that still sign in at the cutoff.' },
          labels: {
            type: 'object',
            additionalProperties: localized,
            description:
              'What the admin pages call the provider and each of waysAtCutoff, by method id, in every language (the id itself for a provider no longer configured).',
          },
          shoppers: {
            type: 'object',
            properties: {
              active: { type: 'integer' },
              unaffected: { type: 'integer', description: 'Never signed in at the shop with the provider.' },
              affected: { type: 'integer' },
              stranded: { type: 'integer' },
              atRisk: { type: 'integer' },
              safe: { type: 'integer' },
            },
          },
          providerSignIns30d: {
            type: 'object',
            properties: { stranded: { type: 'integer' }, atRisk: { type: 'integer' }, safe: { type: 'integer' }, total: { type: 'integer' } },
          },
          migration: {
            type: 'object',
            properties: {
              ...instantPair('since', 'Migration counted from (notice start, or 14 days ago)'),
              migrated: { type: 'integer' },
              ratePerDay: { type: 'number' },
              rateDays: { type: 'number', description: 'The days ratePerDay is measured over: 14, or the time since notice began when shorter' },
              progress: {
                type: 'array',
                items: { type: 'object', properties: { day: { type: 'string', format: 'date' }, migrated: { type: 'integer' } } },
              },
            },
          },
          projection: {
            type: 'object',
            properties: { strandedAtCutoff: { type: ['integer', 'null'] }, strandedAtGraceEnd: { type: ['integer', 'null'] } },
          },
        },
      },
      Preview: {
        type: 'object',
        required: ['partner', 'shop', 'timeZone', 'locale', 'at', 'atMs', 'providers'],
        properties: {
          partner: { type: 'string' },
          shop: { type: 'string' },
          timeZone: { type: 'string' },
          locale: { type: 'string', enum: ['zh-CN', 'en'] },
          ...instantPair('at', 'The instant previewed'),
          providers: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'label', 'phase', 'shown'],
              properties: {
                id: { type: 'string' },
                label: { type: 'string' },
                phase: ref('Phase'),
                shown: { type: 'string', enum: ['button', 'migrate-link', 'hidden'] },
                note: { type: 'string', description: 'Short note on the button (notice)' },
                notice: { type: 'string', description: 'Full notice text (notice, grace)' },
                next: ref('NextChange'),
                reason: { type: 'string', description: 'Why it is hidden' },
              },
            },
          },
        },
      },
      WebhookInput: {
        type: 'object',
        required: ['url', 'events'],
        additionalProperties: false,
        properties: {
          url: {
            type: 'string',
            format: 'uri',
            maxLength: 2000,
            description: 'https (http and private addresses only where the deployment allows them, e.g. the sandbox)',
          },
          events: {
            type: 'array',
            minItems: 1,
            items: { type: 'string', enum: ['integration.phase_changed', 'identity.linked', 'identity.unlinked', 'account.deleted'] },
          },
          description: { type: 'string', maxLength: 200 },
        },
      },
      WebhookEndpoint: {
        type: 'object',
        required: ['id', 'partner', 'url', 'events', 'createdAt', 'createdAtMs'],
        properties: {
          id: { type: 'string' },
          partner: { type: 'string' },
          url: { type: 'string' },
          events: { type: 'array', items: { type: 'string' } },
          description: { type: 'string' },
          ...instantPair('createdAt', 'When it was registered'),
        },
      },
      WebhookCreated: {
        allOf: [
          ref('WebhookEndpoint'),
          { type: 'object', required: ['secret'], properties: { secret: { type: 'string', description: '`whsec_…`, shown once' } } },
        ],
      },
      WebhookDelivery: {
        type: 'object',
        required: ['id', 'webhookId', 'endpoint', 'url', 'type', 'state', 'createdAt', 'createdAtMs', 'lastStatus', 'attempts', 'payload'],
        properties: {
          id: { type: 'string' },
          webhookId: { type: 'string', description: 'The `webhook-id` header (idempotency key)' },
          endpoint: { type: 'string' },
          url: { type: 'string' },
          type: { type: 'string' },
          state: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
          ...instantPair('createdAt', 'When the event happened'),
          ...instantPair('nextAttemptAt', 'The next attempt, while pending'),
          lastStatus: { type: ['integer', 'null'], description: 'The HTTP status of the last attempt (null: none yet, or no answer)' },
          attempts: {
            type: 'array',
            items: {
              type: 'object',
              required: ['at', 'atMs', 'status'],
              properties: { ...instantPair('at', 'When it was tried'), status: { type: ['integer', 'null'] }, error: { type: 'string' } },
            },
          },
          payload: { type: 'object', description: 'The JSON body sent' },
        },
      },
      ManagerInput: {
        type: 'object',
        required: ['name', 'partners'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$', description: 'Default: generated (`mgr-…`)' },
          name: { type: 'string', maxLength: 100 },
          partners: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 50, description: 'Existing partner ids' },
        },
      },
      Manager: {
        type: 'object',
        required: ['id', 'name', 'partners', 'createdAt', 'createdAtMs'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          partners: { type: 'array', items: { type: 'string' } },
          createdAt: { type: 'string', format: 'date-time', description: 'ISO 8601 in UTC' },
          createdAtMs: { type: 'integer', description: 'UTC epoch ms' },
        },
      },
      ManagerCreated: {
        allOf: [
          ref('Manager'),
          { type: 'object', required: ['token'], properties: { token: { type: 'string', description: '`<managerId>.<secret>`, shown once' } } },
        ],
      },
      AuditEntry: {
        type: 'object',
        required: ['id', 'at', 'atMs', 'timeZone', 'actor', 'action', 'target', 'before', 'after'],
        properties: {
          id: { type: 'string', description: 'Sorts by time' },
          at: { type: 'string', format: 'date-time', description: "ISO 8601 in the target partner's zone (UTC without one)" },
          atMs: { type: 'integer' },
          timeZone: { type: 'string', description: 'The zone `at` is shown in' },
          actor: ref('Actor'),
          action: {
            type: 'string',
            description: 'partner.create, client.create, manager.create, integration.add, integration.schedule, integration.remove, key.rotate, key.remove, …',
          },
          target: {
            type: 'object',
            properties: {
              partner: { type: 'string' },
              provider: { type: 'string' },
              client: { type: 'string' },
              manager: { type: 'string' },
              account: { type: 'string', description: 'A shopper account id; for a deleted account its tombstone id `deleted-…` (see `erasedAt`)' },
              key: { type: 'string', description: 'Signing key id: `key.rotate` the key that starts signing, `key.remove` the keys removed (space-separated)' },
            },
          },
          before: { description: 'State before (null when created); every instant `…At` as ISO 8601 in `timeZone`, with `…AtMs` (UTC epoch ms) beside it' },
          after: { description: 'State after (null when removed); instants as in `before`' },
          erasedAt: {
            type: 'string',
            format: 'date-time',
            description:
              'When the account this entry named was deleted: its id (as target or shopper actor) became a one-way tombstone id and `before`/`after` (its email, phone, provider subject and name) were dropped; the action, time, shop and provider stay',
          },
          erasedAtMs: { type: 'integer' },
        },
      },
      SigningKey: {
        type: 'object',
        required: ['kid', 'stage', 'alg', 'createdAt', 'createdAtMs'],
        properties: {
          kid: { type: 'string', description: 'Key id (the JWK thumbprint), as in the JWKS and in token headers' },
          stage: { type: 'string', enum: ['next', 'current', 'previous'] },
          alg: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time', description: 'Published from (UTC)' },
          createdAtMs: { type: 'integer' },
          activatedAt: { type: 'string', format: 'date-time', description: 'Signing from (UTC)' },
          activatedAtMs: { type: 'integer' },
          retiredAt: { type: 'string', format: 'date-time', description: 'Stopped signing (UTC)' },
          retiredAtMs: { type: 'integer' },
          signsFrom: { type: 'string', format: 'date-time', description: 'Next key: a rotation may make it sign from this instant (UTC)' },
          signsFromMs: { type: 'integer' },
          removedAt: {
            type: 'string',
            format: 'date-time',
            description: 'Previous key: leaves the JWKS at this instant, when its last token has expired (UTC)',
          },
          removedAtMs: { type: 'integer' },
        },
      },
      SigningKeys: {
        type: 'object',
        required: ['now', 'nowMs', 'policy', 'keys'],
        properties: {
          now: { type: 'string', format: 'date-time' },
          nowMs: { type: 'integer' },
          policy: {
            type: 'object',
            required: ['publishLeadSeconds', 'retentionSeconds', 'rotationDays'],
            properties: {
              publishLeadSeconds: { type: 'integer', description: 'KEY_PUBLISH_LEAD_SECONDS' },
              retentionSeconds: { type: 'integer', description: 'How long previous keys stay published: the longest lifetime of an ID or access token' },
              rotationDays: { type: ['integer', 'null'], description: 'KEY_ROTATION_DAYS; null: rotation on request only' },
            },
          },
          keys: { type: 'array', items: ref('SigningKey'), description: 'Next, current, then previous keys (newest first)' },
        },
      },
      AuditPage: {
        type: 'object',
        required: ['entries'],
        properties: {
          entries: { type: 'array', items: ref('AuditEntry') },
          next: { type: 'string', description: 'Cursor for the next page (pass as `before`)' },
        },
      },
    },
  },
} as const;
