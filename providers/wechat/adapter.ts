// The WeChat adapter, implementing ProviderAdapter directly rather than through the shared passport-oauth2
// helper: WeChat's authorize link names the app `appid` (passport-oauth2 always adds `client_id`) with
// its parameters in a fixed order and `#wechat_redirect`; the token request is a GET carrying
// `appid`/`secret`; the person's openid (and unionid) arrive in the token response, which the helper's
// identity hook never sees; and a shopper inside WeChat's own browser signs in through a second app (the
// official account) on another endpoint — so little of OAuth2-as-passport-knows-it is left.
//
// Sign-in: outside WeChat, `/connect/qrconnect` with the website app and `snsapi_login` (a QR code the
// shopper scans); inside WeChat (User-Agent `MicroMessenger/…`) and when an official account is
// configured, `/connect/oauth2/authorize` with its app id and `snsapi_userinfo`, the callback marked so
// that the code is redeemed with that app's secret. A callback without a code (or `code=authdeny`) is
// the shopper's refusal. Then the token by GET, and sns/userinfo — or only sns/auth when Denglu already
// knows the person's profile. Identity: unionid first, the openid scoped by the app id second.

import { UpstreamError } from '../../src/errors.ts';
import type { AdapterOptions, AuthorizationRequest, CallbackOutcome, CallbackRequest, ProviderAdapter, UpstreamIdentity } from '../contract.ts';
import { httpUrl, withNormalisedUrls } from '../shared/profile-fields.ts';
import { UpstreamHttp } from '../shared/upstream-http.ts';
import { descriptor } from './descriptor.ts';
import { wechatIdentityKeys, wechatSubject } from './identity.ts';
import { callSns, type WechatJson } from './sns-call.ts';

/**
 * The `state` WeChat passes back: at most 128 bytes of a-zA-Z0-9 (official-account doc; a longer one is
 * refused as "state参数过长"). The broker's flow ids fit (flow.ts); anything else is a misconfiguration.
 */
export const STATE_PATTERN = /^[A-Za-z0-9]{1,128}$/;

/** The callback parameter telling which app issued the code (only in-WeChat sign-ins carry it). */
export const APP_MARKER = 'wechat_app';
export const OFFICIAL_ACCOUNT = 'official_account';

/** WeChat openids and unionids: `o6_bmjrPTlm6_2sgVt7hMZOPfL2M` (28) and similar. */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

interface WechatApp {
  appId: string;
  secret: string;
}

/** Whether the shopper's browser is WeChat's own (its User-Agent carries `MicroMessenger/<version>`). */
export function inWeChatBrowser(userAgent: string | undefined): boolean {
  return /\bMicroMessenger\//i.test(userAgent ?? '');
}

/** The official account from the settings, when both its app id and secret are set. */
function officialAccount(extra: AdapterOptions['extra']): WechatApp | undefined {
  const appId = typeof extra?.mpAppId === 'string' && extra.mpAppId !== '' ? extra.mpAppId : undefined;
  const secret = typeof extra?.mpAppSecret === 'string' && extra.mpAppSecret !== '' ? extra.mpAppSecret : undefined;
  if (Boolean(appId) !== Boolean(secret)) throw new TypeError('WECHAT_MP_APP_ID and WECHAT_MP_APP_SECRET must be set together');
  return appId && secret ? { appId, secret } : undefined;
}

export function createWechatAdapter(options: AdapterOptions): ProviderAdapter {
  const http = new UpstreamHttp({ timeoutMs: options.timeoutMs, maxBodyBytes: options.maxBodyBytes, provider: 'wechat', observe: options.observeUpstream });
  const base = (role: 'open' | 'api'): string => {
    const url = options.baseUrls[role];
    if (!url) throw new TypeError(`provider wechat has no base URL for "${role}"`);
    return url.replace(/\/+$/, '');
  };
  const website: WechatApp = { appId: options.clientId, secret: options.clientSecret };
  const mp = officialAccount(options.extra);

  async function exchangeCode(app: WechatApp, code: string): Promise<{ accessToken: string; openid: string; unionid?: string }> {
    const url = new URL(`${base('api')}/sns/oauth2/access_token`);
    url.search = new URLSearchParams({ appid: app.appId, secret: app.secret, code, grant_type: 'authorization_code' }).toString();
    const json = await callSns(http, url, 'sns/oauth2/access_token', { fail: 'token_exchange', decode: 'token_exchange' });
    const accessToken = json.access_token;
    if (typeof accessToken !== 'string' || accessToken === '')
      throw new UpstreamError('wechat', 'token_exchange', 'sns/oauth2/access_token answered no "access_token"');
    const openid = id(json.openid);
    if (!openid) throw new UpstreamError('wechat', 'token_exchange', 'sns/oauth2/access_token answered no usable "openid"');
    if (json.unionid !== undefined && !id(json.unionid))
      throw new UpstreamError('wechat', 'token_exchange', 'sns/oauth2/access_token answered a malformed "unionid"');
    const unionid = id(json.unionid);
    return unionid ? { accessToken, openid, unionid } : { accessToken, openid };
  }

  async function loadIdentity(app: WechatApp, token: { accessToken: string; openid: string; unionid?: string }, lang: string): Promise<UpstreamIdentity> {
    const { accessToken, openid } = token;
    const query = (extra: Record<string, string> = {}) => new URLSearchParams({ access_token: accessToken, openid, ...extra }).toString();
    const known = await options.knownProfile?.(wechatIdentityKeys(app.appId, openid, token.unionid));
    if (known) {
      // The profile is known: only ask whether the token is live for this openid.
      const auth = new URL(`${base('api')}/sns/auth`);
      auth.search = query();
      await callSns(http, auth, 'sns/auth', { fail: 'token_verify', decode: 'token_verify' });
      return identity(app, openid, token.unionid, { ...known, profileFromCache: true }, accessToken);
    }
    const userinfo = new URL(`${base('api')}/sns/userinfo`);
    userinfo.search = query({ lang });
    const info = await callSns(http, userinfo, 'sns/userinfo', { fail: 'userinfo', decode: 'profile_decode' });
    return identity(app, openid, readUnionid(info, token.unionid), readProfile(info, openid), accessToken);
  }

  return {
    descriptor,
    async authorizationUrl(request: AuthorizationRequest): Promise<string> {
      if (!STATE_PATTERN.test(request.state)) throw new TypeError('WeChat needs a state of at most 128 letters and digits');
      const inApp = mp !== undefined && inWeChatBrowser(request.userAgent);
      const url = new URL(`${base('open')}${inApp ? '/connect/oauth2/authorize' : '/connect/qrconnect'}`);
      const redirect = new URL(request.callbackUrl);
      if (inApp) redirect.searchParams.set(APP_MARKER, OFFICIAL_ACCOUNT);
      // WeChat matches the authorize link's parameters in this order (official-account doc).
      url.search = new URLSearchParams({
        appid: inApp ? mp.appId : website.appId,
        redirect_uri: redirect.toString(),
        response_type: 'code',
        scope: inApp ? 'snsapi_userinfo' : (request.scope ?? descriptor.scope).join(','),
        state: request.state,
      }).toString();
      url.hash = 'wechat_redirect';
      return url.toString();
    },
    async completeCallback(request: CallbackRequest): Promise<CallbackOutcome> {
      const { params } = request;
      const code = typeof params.code === 'string' ? params.code : '';
      // WeChat's refusal: back to the callback with `state` only (passport-wechat also saw `code=authdeny`).
      if (code === '' || code === 'authdeny' || params.error !== undefined) {
        return failure(new UpstreamError('wechat', 'provider_denied', 'wechat returned to the callback without a "code": the shopper did not confirm'));
      }
      const viaOfficialAccount = params[APP_MARKER] === OFFICIAL_ACCOUNT;
      if (viaOfficialAccount && !mp) {
        return failure(new UpstreamError('wechat', 'token_exchange', 'the callback names the official account, which is not configured (WECHAT_MP_APP_ID)'));
      }
      const app = viaOfficialAccount && mp ? mp : website;
      try {
        const token = await exchangeCode(app, code);
        return { ok: true, identity: withNormalisedUrls(await loadIdentity(app, token, 'zh_CN')) };
      } catch (err) {
        return failure(
          err instanceof UpstreamError ? err : new UpstreamError('wechat', 'profile_decode', String((err as Error)?.message ?? err), { cause: err }),
        );
      }
    },
  };
}

function failure(error: UpstreamError): CallbackOutcome {
  return { ok: false, error };
}

function id(value: unknown): string | undefined {
  return typeof value === 'string' && ID_PATTERN.test(value) ? value : undefined;
}

function identity(
  app: WechatApp,
  openid: string,
  unionid: string | undefined,
  profile: Pick<UpstreamIdentity, 'displayName' | 'avatar' | 'locale' | 'profileFromCache'>,
  accessToken: string,
): UpstreamIdentity {
  return {
    provider: 'wechat',
    subject: wechatSubject(app.appId, openid, unionid),
    keys: wechatIdentityKeys(app.appId, openid, unionid),
    ...profile,
    accessToken,
  };
}

/** sns/userinfo's unionid, which must agree with the token response's when both have one. */
function readUnionid(info: WechatJson, fromToken: string | undefined): string | undefined {
  if (info.unionid === undefined) return fromToken;
  const unionid = id(info.unionid);
  if (!unionid) throw new UpstreamError('wechat', 'profile_decode', 'sns/userinfo answered a malformed "unionid"');
  if (fromToken && unionid !== fromToken) throw new UpstreamError('wechat', 'userinfo', 'sns/userinfo answered another unionid than the token response');
  return unionid;
}

/** sns/userinfo for `openid`: a nickname (WeChat's generic 微信用户 when empty), headimgurl, language. */
function readProfile(info: WechatJson, openid: string): Pick<UpstreamIdentity, 'displayName' | 'avatar' | 'locale'> {
  if (info.openid !== openid) throw new UpstreamError('wechat', 'userinfo', 'sns/userinfo answered for another openid than the token response');
  if (typeof info.nickname !== 'string') throw new UpstreamError('wechat', 'profile_decode', 'sns/userinfo answered no "nickname"');
  const profile: Pick<UpstreamIdentity, 'displayName' | 'avatar' | 'locale'> = { displayName: info.nickname.trim() || '微信用户' };
  const avatar = info.headimgurl === '' ? undefined : httpUrl(info.headimgurl);
  if (avatar) profile.avatar = avatar;
  if (info.language === 'zh_CN' || info.language === 'zh_TW') profile.locale = info.language.replace('_', '-');
  else if (info.language === 'en') profile.locale = 'en';
  return profile;
}
