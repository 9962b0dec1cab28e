// The QQ Connect adapter: passport-oauth2 plus QQ's quirks only. Token errors arrive as JSONP at HTTP
// 200 (turned into a token_exchange error with QQ's code); the openid comes from JSONP `/oauth2.0/me`,
// read without eval and accepted only for our app id; the profile from get_user_info (`ret` != 0 fails).

import type { AdapterOptions, UpstreamIdentity } from '../contract.ts';
import { BrokerStrategy } from '../shared/broker-strategy.ts';
import { UpstreamTimeoutError, type UpstreamResponse } from '../shared/upstream-http.ts';
import { UpstreamError, type UpstreamStep } from '../../src/errors.ts';
import { descriptor } from './descriptor.ts';
import { qqIdentityKeys, qqSubject } from './identity.ts';
import { parseJsonObject, parseJsonp } from './jsonp.ts';
import { parseTokenBody, printable } from './token-response.ts';
import { httpUrl } from '../shared/profile-fields.ts';

/** QQ openids are 32 hex characters; unionids are opaque. Both end up in keys, so only safe characters. */
const ID_PATTERN = /^[0-9A-Za-z_-]{1,128}$/;

type TokenCallback = (err: unknown, accessToken?: string, refreshToken?: string, params?: Record<string, unknown>) => void;

export class QqStrategy extends BrokerStrategy {
  constructor(options: AdapterOptions) {
    if (!options.baseUrls.graph) throw new TypeError('provider qq has no base URL for "graph"');
    const graph = options.baseUrls.graph.replace(/\/+$/, '');
    super(descriptor, options, { authorizationURL: `${graph}/oauth2.0/authorize`, tokenURL: `${graph}/oauth2.0/token` }, { scopeSeparator: ',' });
    // biome-ignore lint/suspicious/noExplicitAny: node-oauth's private _request and _getAccessTokenUrl behind passport-oauth2's _oauth2
    const oauth2 = this._oauth2 as any;
    oauth2.getOAuthAccessToken = (code: string, params: Record<string, string>, callback: TokenCallback) => this.exchangeCode(oauth2, code, params, callback);
  }

  /**
   * QQ cancels without redirecting, but a callback carrying `state` and no `code` (or the older
   * `code=<6-digit error>&msg=…` error form) must not make passport-oauth2 restart the login.
   */
  // biome-ignore lint/suspicious/noExplicitAny: passport's authenticate(req, options) as passport-oauth2 declares it
  override authenticate(req: any, options?: any): void {
    const query = (req?.query ?? {}) as Record<string, unknown>;
    if (query.error === undefined && query.state !== undefined && query.code === undefined) {
      this.fail({ message: 'qq returned to the callback without a "code"' });
      return;
    }
    if (query.error === undefined && typeof query.msg === 'string' && typeof query.code === 'string' && /^\d{1,6}$/.test(query.code)) {
      this.error(new UpstreamError('qq', 'provider_denied', `qq authorization failed: error ${printable(query.code)} (${printable(query.msg)})`));
      return;
    }
    super.authenticate(req, options);
  }

  // Plain private methods, not #private: runStrategy calls the strategy through Object.create copies.
  /** node-oauth's getOAuthAccessToken with QQ's body formats; failures go through parseErrorResponse. */
  // biome-ignore lint/suspicious/noExplicitAny: node-oauth's private _request and _getAccessTokenUrl behind passport-oauth2's _oauth2
  private exchangeCode(oauth2: any, code: string, params: Record<string, string>, callback: TokenCallback): void {
    const form: Record<string, string> = { ...params, client_id: this.options.clientId, client_secret: this.options.clientSecret };
    form[params.grant_type === 'refresh_token' ? 'refresh_token' : 'code'] = code;
    const body = new URLSearchParams(form).toString();
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    oauth2._request('POST', oauth2._getAccessTokenUrl(), headers, body, null, (err: unknown, data?: string) => {
      if (err) return callback(err);
      const parsed = parseTokenBody(data ?? '');
      // node-oauth's failure shape; an empty body becomes a newline so passport still asks parseErrorResponse.
      if (!parsed.ok) return callback({ statusCode: 200, data: data || '\n' });
      callback(null, parsed.accessToken, parsed.refreshToken, parsed.params);
    });
  }

  /** passport-oauth2 hook for token endpoint failures (QQ answers most of them with HTTP 200). */
  override parseErrorResponse(body: unknown, status: number): Error {
    const parsed = parseTokenBody(typeof body === 'string' ? body : '');
    if (!parsed.ok && parsed.qqError) return new UpstreamError('qq', 'token_exchange', parsed.message);
    if (status < 200 || status > 299) return new UpstreamError('qq', 'token_exchange', `qq token endpoint answered http ${status}`);
    return new UpstreamError('qq', 'token_exchange', parsed.ok ? 'qq token endpoint answered an unreadable token' : parsed.message);
  }

  async loadIdentity(accessToken: string): Promise<UpstreamIdentity> {
    const graph = this.baseUrl('graph');
    const appId = this.options.clientId;
    const wantUnionid = this.options.extra?.unionid === true;

    const meUrl = new URL(`${graph}/oauth2.0/me`);
    meUrl.searchParams.set('access_token', accessToken);
    if (wantUnionid) meUrl.searchParams.set('unionid', '1');
    const me = readMe(await this.get('token_verify', '/oauth2.0/me', meUrl), appId);
    const keys = qqIdentityKeys(appId, me.openid, me.unionid);
    const known = await this.options.knownProfile?.(keys);
    if (known) return { provider: 'qq', subject: qqSubject(appId, me.openid), keys, ...known, profileFromCache: true };

    const infoUrl = new URL(`${graph}/user/get_user_info`);
    infoUrl.searchParams.set('access_token', accessToken);
    infoUrl.searchParams.set('oauth_consumer_key', appId);
    infoUrl.searchParams.set('openid', me.openid);
    const info = readUserInfo(await this.get('userinfo', '/user/get_user_info', infoUrl));

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
  private async get(step: UpstreamStep, path: string, url: URL): Promise<UpstreamResponse> {
    let res: UpstreamResponse;
    try {
      res = await this.http.request({ method: 'GET', url: url.toString() });
    } catch (err) {
      if (err instanceof UpstreamTimeoutError) throw new UpstreamError('qq', 'timeout', err.message, { cause: err });
      throw new UpstreamError('qq', step, `qq ${path} call failed: ${printable((err as Error)?.message ?? err)}`, { cause: err });
    }
    if (res.status < 200 || res.status > 299) throw new UpstreamError('qq', step, `qq ${path} answered http ${res.status}`);
    return res;
  }
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
