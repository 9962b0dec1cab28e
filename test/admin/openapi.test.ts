// The OpenAPI document matches the admin router: every mounted route (method and path) is described,
// nothing described is missing from the router, every $ref resolves, every path parameter is declared,
// and the document served is the one in the source.

import assert from 'node:assert/strict';
import { adminApi } from '../../src/admin/admin-api.ts';
import { OPENAPI } from '../../src/admin/openapi.ts';
import { PROVIDERS } from '../../providers/index.ts';
import { managerBody } from '../../src/admin/managers.ts';
import { clientBody, PARTNER_BODY } from '../../src/admin/partner-admin.ts';
import { auditQuery, previewQuery } from '../../src/admin/routes-integrations.ts';
import { ROTATE_BODY } from '../../src/admin/routes-keys.ts';
import { DELIVERIES_QUERY, webhookBody } from '../../src/admin/routes-webhooks.ts';
import { scheduleBody } from '../../src/partners/schedule.ts';
import type { Store } from '../../src/store/store.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { webhookSecrets } from '../../src/webhooks/stored-secret.ts';
import { client } from './admin-client.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** `METHOD /path/{param}` for every route the router mounts. */
function mountedRoutes(router: any): string[] {
  const out: string[] = [];
  for (const layer of router.stack as any[]) {
    if (!layer.route) continue;
    const path = String(layer.route.path).replace(/:(\w+)/g, '{$1}');
    for (const method of Object.keys(layer.route.methods)) if (layer.route.methods[method]) out.push(`${method.toUpperCase()} ${path}`);
  }
  return out.sort();
}

function documentedRoutes(doc: any): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) for (const method of METHODS) if (item[method]) out.push(`${method.toUpperCase()} ${path}`);
  return out.sort();
}

function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) refsIn(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

describe('admin API: OpenAPI document', () => {
  let gw: Gateway;
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await gw.close();
  });

  it('describes exactly the routes the admin router mounts', () => {
    const router = adminApi(
      { config: gw.config, store: gw.store, clock: gw.clock, providers: PROVIDERS, log: gw.log },
      gw.denglu.signingKeys,
      gw.denglu.hashes,
      webhookSecrets(['openapi-test-cookie-key-0123456789abcdef']),
      { broker: gw.denglu.broker, sealer: { open: async () => undefined }, log: gw.log },
    );
    const mounted = mountedRoutes(router);
    assert.ok(mounted.length >= 13, `found ${mounted.length} routes`);
    const documented = documentedRoutes(OPENAPI);
    for (const route of mounted) assert.ok(documented.includes(route), `${route} is mounted but not in openapi.ts`);
    for (const route of documented) assert.ok(mounted.includes(route), `${route} is in openapi.ts but not mounted`);
  });

  it('resolves every $ref, declares every path parameter, names every operation once, and documents errors', () => {
    const doc: any = OPENAPI;
    for (const ref of refsIn(doc)) {
      const [, section, name] = /^#\/components\/(\w+)\/(\w+)$/.exec(ref) ?? [];
      assert.ok(section && name && doc.components[section]?.[name], `${ref} resolves`);
    }
    const ids = new Set<string>();
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      const declared = new Set([...(item.parameters ?? [])].filter((p: any) => p.in === 'path').map((p: any) => p.name));
      for (const [, name] of path.matchAll(/\{(\w+)\}/g)) assert.ok(declared.has(name), `${path} declares {${name}}`);
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        assert.ok(op.operationId && !ids.has(op.operationId), `${method} ${path} has a unique operationId`);
        ids.add(op.operationId);
        assert.ok(op.summary, `${method} ${path} has a summary`);
        assert.ok(op.responses['429'], `${method} ${path} documents the rate limit`);
        if (op.security?.length !== 0) assert.ok(op.responses['401'], `${method} ${path} documents 401`);
      }
    }
    assert.equal(doc.components.securitySchemes.bearer.scheme, 'bearer');
    assert.deepEqual(doc.components.schemas.Error.required, ['error', 'message', 'requestId']);
  });

  it('describes each request body with the fields its zod schema accepts, and requires the ones it requires', () => {
    const doc: any = OPENAPI;
    const bodies: [string, any, { shape: Record<string, { safeParse(v: unknown): { success: boolean } }> }][] = [
      ['PartnerInput', doc.components.schemas.PartnerInput, PARTNER_BODY],
      ['ClientInput', doc.components.schemas.ClientInput, clientBody(false)],
      ['ManagerInput', doc.components.schemas.ManagerInput, managerBody({} as Store)],
      ['ScheduleInput', doc.components.schemas.ScheduleInput, scheduleBody('UTC')],
      ['POST /keys/rotate', doc.paths['/keys/rotate'].post.requestBody.content['application/json'].schema, ROTATE_BODY],
      ['WebhookInput', doc.components.schemas.WebhookInput, webhookBody({ allowPrivate: false })],
    ];
    for (const [name, described, schema] of bodies) {
      assert.equal(described.additionalProperties, false, `${name} refuses unknown fields`);
      assert.deepEqual(Object.keys(described.properties).sort(), Object.keys(schema.shape).sort(), `${name}: the fields openapi.ts lists are the schema's`);
      const required = Object.keys(schema.shape).filter((field) => !schema.shape[field]!.safeParse(undefined).success);
      assert.deepEqual([...(described.required ?? [])].sort(), required.sort(), `${name}: the required fields`);
    }
  });

  it('lists the query parameters the zod schemas of the preview and the audit log accept', () => {
    const doc: any = OPENAPI;
    const queryNames = (op: any): string[] =>
      op.parameters
        .filter((p: any) => p.in === 'query')
        .map((p: any) => p.name)
        .sort();
    assert.deepEqual(queryNames(doc.paths['/partners/{id}/preview'].get), Object.keys(previewQuery('UTC').shape).sort());
    assert.deepEqual(queryNames(doc.paths['/audit'].get), Object.keys(auditQuery('UTC').shape).sort());
    assert.deepEqual(queryNames(doc.paths['/partners/{id}/webhooks/deliveries'].get), Object.keys(DELIVERIES_QUERY.shape).sort());
  });

  it('is served at /api/admin/openapi.json', async () => {
    const res = await client(gw, undefined).get('/openapi.json');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, JSON.parse(JSON.stringify(OPENAPI)));
  });
});
