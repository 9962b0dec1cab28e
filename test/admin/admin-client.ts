// A tiny admin API client for tests: JSON in and out with a bearer token, driven in-process through
// supertest on the gateway's express app, plus snapshots of what a refused request must leave unchanged
// (a partner document and the audit log's size).

import request from 'supertest';
import type { Gateway } from '../support/gateway.ts';

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

export async function call(
  gateway: Gateway,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  init: { raw?: string; contentType?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (init.raw !== undefined) payload = init.raw;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  let test = request(gateway.denglu.app)[method.toLowerCase() as 'get' | 'post' | 'put' | 'delete' | 'patch'](`/api/admin${path}`).set(headers);
  // Keep the body as text: the tests see exactly what a client would parse.
  test = test.buffer(true).parse((res, done) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
    });
    res.on('end', () => done(null, text));
  });
  const res = await (payload !== undefined ? test.send(payload) : test);
  const text = String(res.body ?? '');
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(res.headers as Record<string, string | string[]>)) {
    for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
  }
  return { status: res.status, body: parsed, headers: responseHeaders };
}

export function client(gateway: Gateway, token: string | undefined) {
  return {
    get: (path: string) => call(gateway, token, 'GET', path),
    post: (path: string, body?: unknown) => call(gateway, token, 'POST', path, body),
    put: (path: string, body?: unknown) => call(gateway, token, 'PUT', path, body),
    delete: (path: string) => call(gateway, token, 'DELETE', path),
    raw: (method: string, path: string, raw: string, contentType?: string) =>
      call(gateway, token, method, path, undefined, { raw, ...(contentType ? { contentType } : {}) }),
  };
}

/** What must not move when a request is refused. */
export async function snapshot(gateway: Gateway, partnerId: string): Promise<{ partner: string; audit: number; managers: number }> {
  return {
    partner: JSON.stringify(await gateway.store.get('partners', partnerId)),
    audit: await gateway.store.count('audit'),
    managers: await gateway.store.count('managers'),
  };
}

export { SANDBOX_OPERATOR_TOKEN as OPERATOR } from '../../config/sandbox-seed.ts';
