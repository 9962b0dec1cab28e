// Weibo's adapter: the shared OAuth2 helper with Weibo's hooks. passport-oauth2's authorize redirect and
// form POST token exchange fit (Weibo answers JSON as text/plain); the quirks are comma-separated scopes,
// token errors carrying `error_code`, and a person identified by the uid that get_token_info vouches for
// after checking its appkey is ours (never the token response's uid alone); revokeoauth2 for unlinking.

import type { AdapterOptions, ProviderAdapter, UpstreamIdentity } from '../contract.ts';
import { createOAuth2Adapter, type OAuth2Context } from '../shared/oauth2-adapter.ts';
import { callWeibo, describeWeiboError, isWeiboError, parseObject } from './api-call.ts';
import { descriptor } from './descriptor.ts';
import { readTokenInfo, toIdentity, weiboKeys } from './identity.ts';
import { revokeWeibo } from './revoke.ts';

export function createWeiboAdapter(options: AdapterOptions): ProviderAdapter {
  return createOAuth2Adapter(descriptor, options, {
    endpoints: (ctx) => ({ authorizationURL: `${ctx.baseUrl('api')}/oauth2/authorize`, tokenURL: `${ctx.baseUrl('api')}/oauth2/access_token` }),
    scopeSeparator: ',',
    /** Token endpoint errors (`{error, error_code, request, error_uri, error_description}`) keep their error_code. */
    describeTokenError(body, status) {
      const json = parseObject(body);
      return json && isWeiboError(json) ? `${describeWeiboError(json)} (HTTP ${status})` : undefined;
    },
    loadIdentity: loadWeiboIdentity,
    revoke: (accessToken, ctx) => revokeWeibo(ctx.http, ctx.baseUrl('api'), accessToken),
  });
}

/** get_token_info (appkey must be ours), then users/show unless the profile is known. */
export async function loadWeiboIdentity(accessToken: string, ctx: OAuth2Context): Promise<UpstreamIdentity> {
  const api = ctx.baseUrl('api');
  const info = await callWeibo(
    ctx.http,
    { method: 'POST', url: `${api}/oauth2/get_token_info`, body: new URLSearchParams({ access_token: accessToken }).toString() },
    'get_token_info',
    { fail: 'token_verify', decode: 'token_verify' },
  );
  const uid = readTokenInfo(info, ctx.options.clientId);
  const known = await ctx.options.knownProfile?.(weiboKeys(uid));
  if (known) return { provider: 'weibo', subject: uid, keys: weiboKeys(uid), ...known, profileFromCache: true };
  const show = new URL(`${api}/2/users/show.json`);
  show.searchParams.set('uid', uid);
  show.searchParams.set('access_token', accessToken);
  const user = await callWeibo(ctx.http, { method: 'GET', url: show.toString() }, 'users/show', { fail: 'userinfo', decode: 'profile_decode' });
  return toIdentity(uid, user);
}
