// The Sohu adapter: the shared OAuth2 helper with Sohu's hooks. A standard authorization-code flow with
// PKCE at `<api>/oauth2/authorize` and `<api>/oauth2/access_token` (client credentials in the POST body),
// then `GET <api>/users/show.json?access_token=…` for the person. Hooks: token error bodies, identity.

import { UpstreamError } from '../../src/errors.ts';
import type { AdapterOptions, ProviderAdapter, UpstreamIdentity } from '../contract.ts';
import { createOAuth2Adapter, type OAuth2Context } from '../shared/oauth2-adapter.ts';
import { UpstreamTimeoutError, type UpstreamResponse } from '../shared/upstream-http.ts';
import { descriptor } from './descriptor.ts';
import { identityFromUsersShow } from './profile.ts';

export function createSohuAdapter(options: AdapterOptions): ProviderAdapter {
  return createOAuth2Adapter(descriptor, options, {
    endpoints: (ctx) => ({ authorizationURL: `${ctx.baseUrl('api')}/oauth2/authorize`, tokenURL: `${ctx.baseUrl('api')}/oauth2/access_token` }),
    describeTokenError,
    loadIdentity,
  });
}

/** Sohu token errors: `{"error","error_description","error_code","request"}` at 4xx (see README.md). */
function describeTokenError(body: string, status: number): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object') return undefined;
  const { error, error_description: description, error_code: code } = json as Record<string, unknown>;
  if (typeof error !== 'string') return undefined;
  const details: string[] = [];
  if (typeof description === 'string') details.push(description);
  if (code !== undefined) details.push(`error_code ${String(code)}`);
  return `${error}${details.length ? `: ${details.join(', ')}` : ''} (HTTP ${status})`;
}

async function loadIdentity(accessToken: string, ctx: OAuth2Context): Promise<UpstreamIdentity> {
  const url = new URL(`${ctx.baseUrl('api')}/users/show.json`);
  url.searchParams.set('access_token', accessToken);
  let res: UpstreamResponse;
  try {
    res = await ctx.http.request({ method: 'GET', url: url.toString(), step: 'userinfo' });
  } catch (err) {
    if (err instanceof UpstreamTimeoutError) throw new UpstreamError(descriptor.id, 'timeout', err.message, { cause: err });
    throw new UpstreamError(descriptor.id, 'userinfo', `users/show failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return identityFromUsersShow(res);
}
