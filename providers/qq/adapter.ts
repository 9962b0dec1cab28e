// The QQ Connect adapter: the shared OAuth2 helper with QQ's hooks. Token answers are form-encoded or
// JSON and errors arrive as JSONP at HTTP 200 (a token_exchange error with QQ's code); a cancelled
// sign-in comes back as a bare `state` or as `code=<6-digit error>&msg=…`; the openid comes from JSONP
// `/oauth2.0/me`, read without eval and accepted only for our app id; the profile from get_user_info
// (`ret` != 0 fails).

import type { AdapterOptions, ProviderAdapter, UpstreamIdentity } from '../contract.ts';
import { createOAuth2Adapter, type OAuth2Context, type TokenRequest, type TokenSet, TokenEndpointError } from '../shared/oauth2-adapter.ts';
import { UpstreamTimeoutError, type UpstreamResponse } from '../shared/upstream-http.ts';
import { UpstreamError, type UpstreamStep } from '../../src/errors.ts';
import { descriptor } from './descriptor.ts';
import { qqIdentityKeys, qqSubject } from './identity.ts';
import { parseJsonObject, parseJsonp } from './jsonp.ts';
import { parseTokenBody, printable } from './token-response.ts';
import { httpUrl } from '../shared/profile-fields.ts';

/** QQ openids are 32 hex characters; unionids are opaque. Both end up in keys, so only safe characters. */
const ID_PATTERN = /^[0-9A-Za-z_-]{1,128}$/;

export function createQqAdapter(options: AdapterOptions): ProviderAdapter {
  return createOAuth2Adapter(descriptor, options, {
    endpoints: (ctx) => ({ authorizationURL: `${ctx.baseUrl('graph')}/oauth2.0/authorize`, tokenURL: `${ctx.baseUrl('graph')}/oauth2.0/token` }),
    scopeSeparator: ',',
    callbackRefusal,
    exchangeCode,
    describeTokenError,
    loadIdentity,
  });
}

/** QQ's older error form on the callback: `code=<6-digit error>&msg=…` (never a real code). */
function callbackRefusal(query: Record<string, unknown>): UpstreamError | undefined {
  if (typeof query.msg === 'string' && typeof query.code === 'string' && /^\d{1,6}$/.test(query.code)) {
    return new UpstreamError('qq', 'provider_denied', `qq authorization failed: error ${printable(query.code)} (${printable(query.msg)})`);
  }
  return undefined;
}

/** The token request with QQ's body formats; an error body (JSONP at HTTP 200) goes to describeTokenError. */
async function exchangeCode(request: TokenRequest, ctx: OAuth2Context): Promise<TokenSet> {
  const form: Record<string, string> = { ...request.params, client_id: ctx.options.clientId, client_secret: ctx.options.clientSecret };
  form[request.params.grant_type === 'refresh_token' ? 'refresh_token' : 'code'] = request.code;
  const res = await ctx.http.request({
    method: 'POST',
    url: `${ctx.baseUrl('graph')}/oauth2.0/token`,
    body: new URLSearchParams(form).toString(),
    step: 'token_exchange',
  });
  if (res.status < 200 || res.status > 299) throw new TokenEndpointError(res.status, res.body);
  const parsed = parseTokenBody(res.body);
  if (!parsed.ok) throw new TokenEndpointError(res.status, res.body);
  return parsed.refreshToken
    ? { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken, params: parsed.params }
    : { accessToken: parsed.accessToken, params: parsed.params };
}

/** Token endpoint failures (QQ answers most of them with HTTP 200). */
function describeTokenError(body: string, status: number): string {
  const parsed = parseTokenBody(body);
  if (!parsed.ok && parsed.qqError) return parsed.message;
  if (status < 200 || status > 299) return `qq token endpoint answered http ${status}`;
  return parsed.ok ? 'qq token endpoint answered an unreadable token' : parsed.message;
}

async function loadIdentity(accessToken: string, ctx: OAuth2Context): Promise<UpstreamIdentity> {
  const graph = ctx.baseUrl('graph');
  const appId = ctx.options.clientId;
  const wantUnionid = ctx.options.extra?.unionid === true;

  const meUrl = new URL(`${graph}/oauth2.0/me`);
  meUrl.searchParams.set('access_token', accessToken);
  if (wantUnionid) meUrl.searchParams.set('unionid', '1');
  const me = readMe(await get(ctx, 'token_verify', '/oauth2.0/me', meUrl), appId);
  const keys = qqIdentityKeys(appId, me.openid, me.unionid);
  const known = await ctx.options.knownProfile?.(keys);
  if (known) return { provider: 'qq', subject: qqSubject(appId, me.openid), keys, ...known, profileFromCache: true };

  const infoUrl = new URL(`${graph}/user/get_user_info`);
  infoUrl.searchParams.set('access_token', accessToken);
  infoUrl.searchParams.set('oauth_consumer_key', appId);
  infoUrl.searchParams.set('openid', me.openid);
  const info = readUserInfo(await get(ctx, 'userinfo', '/user/get_user_info', infoUrl));

  const identity: UpstreamIdentity = {
    provider: 'qq',
    subject: qqSubject(appId, me.openid),
    keys: qqIdentityKeys(appId, me.openid, me.unionid),
    displayName: info.nickname,
  };
  if (info.avatar) identity.avatar = info.avatar;
  return identity;
}

/** One GET through UpstreamHttp; transport failures and non-2xx answers become errors of `step`. */
async function get(ctx: OAuth2Context, step: UpstreamStep, path: string, url: URL): Promise<UpstreamResponse> {
  let res: UpstreamResponse;
  try {
    res = await ctx.http.request({ method: 'GET', url: url.toString(), step });
  } catch (err) {
    if (err instanceof UpstreamTimeoutError) throw new UpstreamError('qq', 'timeout', err.message, { cause: err });
    throw new UpstreamError('qq', step, `qq ${path} call failed: ${printable((err as Error)?.message ?? err)}`, { cause: err });
  }
  if (res.status < 200 || res.status > 299) throw new UpstreamError('qq', step, `qq ${path} answered http ${res.status}`);
  return res;
}

/** `/oauth2.0/me`: strict JSONP, no error object, issued to our app, a well-formed openid. */
function readMe(res: UpstreamResponse, appId: string): { openid: string; unionid?: string } {
  const me = parseJsonp(res.body);
  if (!me) throw new UpstreamError('qq', 'token_verify', 'qq /oauth2.0/me answered something other than one callback( {…} ); object');
  if (me.error !== undefined) {
    const hint = String(me.error) === '100048' ? '; the app has no unionid permission, set "extra.unionid" to false' : '';
    throw new UpstreamError(
      'qq',
      'token_verify',
      `qq /oauth2.0/me refused the access token: error ${printable(me.error)} (${printable(me.error_description ?? '')})${hint}`,
    );
  }
  const clientId = typeof me.client_id === 'string' || typeof me.client_id === 'number' ? String(me.client_id) : undefined;
  if (clientId !== appId)
    throw new UpstreamError('qq', 'token_verify', 'qq /oauth2.0/me says the access token was issued to another app ("client_id" differs)');
  if (typeof me.openid !== 'string' || !ID_PATTERN.test(me.openid))
    throw new UpstreamError('qq', 'token_verify', 'qq /oauth2.0/me answered a missing or malformed "openid"');
  if (me.unionid === undefined) return { openid: me.openid };
  if (typeof me.unionid !== 'string' || !ID_PATTERN.test(me.unionid))
    throw new UpstreamError('qq', 'token_verify', 'qq /oauth2.0/me answered a malformed "unionid"');
  return { openid: me.openid, unionid: me.unionid };
}

/**
 * get_user_info: a JSON object (served as text/html) with `ret` 0 and a nickname. As for the other
 * providers: a refusal (`ret` != 0, HTTP error) is `userinfo`, an unreadable body `profile_decode`.
 */
function readUserInfo(res: UpstreamResponse): { nickname: string; avatar?: string } {
  const info = parseJsonObject(res.body.trim());
  if (!info) throw new UpstreamError('qq', 'profile_decode', 'qq /user/get_user_info answered something other than a json object');
  if (info.ret === undefined || Number(info.ret) !== 0) {
    throw new UpstreamError('qq', 'userinfo', `qq /user/get_user_info failed: ret ${printable(info.ret ?? 'missing')} (${printable(info.msg ?? '')})`);
  }
  if (typeof info.nickname !== 'string') throw new UpstreamError('qq', 'profile_decode', 'qq /user/get_user_info answered without "nickname"');
  const avatar = [info.figureurl_qq_2, info.figureurl_qq_1].map(httpUrl).find((url) => url !== undefined);
  return avatar ? { nickname: info.nickname.trim() || 'QQ用户', avatar } : { nickname: info.nickname.trim() || 'QQ用户' };
}
