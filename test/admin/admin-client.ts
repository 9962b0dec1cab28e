// A tiny admin API client for tests: JSON in and out with a bearer token, plus snapshots of what a
// refused request must leave unchanged (a partner document and the audit log's size).

import type { Gateway } from '../support/gateway.ts';

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

export async function call(gateway: Gateway, token: string | undefined, method: string, path: string, body?: unknown, init: { raw?: string; contentType?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (init.raw !== undefined) payload = init.raw;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const res = await fetch(`${gateway.issuer}/api/admin${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export function client(gateway: Gateway, token: string | undefined) {
  return {
    get: (path: string) => call(gateway, token, 'GET', path),
    post: (path: string, body?: unknown) => call(gateway, token, 'POST', path, body),
    put: (path: string, body?: unknown) => call(gateway, token, 'PUT', path, body),
    delete: (path: string) => call(gateway, token, 'DELETE', path),
    raw: (method: string, path: string, raw: string, contentType?: string) => call(gateway, token, method, path, undefined, { raw, ...(contentType ? { contentType } : {}) }),
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
