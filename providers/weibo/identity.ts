// How Weibo's answers become Denglu's identity. get_token_info must name our app (its `appkey` is a
// number in the doc example and a string in some SDKs, so both are compared as strings) and is the
// only source of the uid; users/show must describe that same uid and supplies the name and avatar.

import { UpstreamError } from '../../src/errors.ts';
import type { UpstreamIdentity } from '../contract.ts';
import type { WeiboJson } from './api-call.ts';
import { httpUrl } from '../shared/profile-fields.ts';

/** The key the account is found under; the emulator's identityKeysFor must agree. */
export function weiboKeys(uid: string): string[] {
  return [`weibo:uid:${uid}`];
}

/** Checks a get_token_info answer against our client id and returns the uid it vouches for. */
export function readTokenInfo(json: WeiboJson, clientId: string): string {
  const appkey = typeof json.appkey === 'number' || typeof json.appkey === 'string' ? String(json.appkey) : undefined;
  if (appkey === undefined) throw new UpstreamError('weibo', 'token_verify', 'get_token_info answered no "appkey"');
  if (appkey !== clientId) {
    throw new UpstreamError('weibo', 'token_verify', `get_token_info "appkey" ${appkey} is not our client id ${clientId}: the token was issued to another app`);
  }
  const uid = numericId(json.uid);
  if (!uid) throw new UpstreamError('weibo', 'token_verify', 'get_token_info answered no usable "uid"');
  const expireIn = Number(json.expire_in ?? json.expires_in);
  if (Number.isFinite(expireIn) && expireIn <= 0) throw new UpstreamError('weibo', 'token_verify', 'get_token_info reports an expired token');
  return uid;
}

/** Builds the identity from a users/show answer for `uid` (the uid get_token_info vouched for). */
export function toIdentity(uid: string, user: WeiboJson): UpstreamIdentity {
  const ids = [user.idstr, user.id].filter((v) => v !== undefined).map(numericId);
  if (ids.length === 0 || ids.some((id) => id === undefined)) {
    throw new UpstreamError('weibo', 'profile_decode', 'users/show answered no usable "idstr" or "id"');
  }
  if (ids.some((id) => id !== uid)) throw new UpstreamError('weibo', 'userinfo', 'users/show answered for another uid than get_token_info');
  const displayName = text(user.screen_name) ?? text(user.name);
  if (!displayName) throw new UpstreamError('weibo', 'profile_decode', 'users/show answered no "screen_name" or "name"');
  const identity: UpstreamIdentity = { provider: 'weibo', subject: uid, keys: weiboKeys(uid), displayName };
  const avatar = httpUrl(user.avatar_large) ?? httpUrl(user.profile_image_url);
  if (avatar) identity.avatar = avatar;
  const locale = localeOf(user.lang);
  if (locale) identity.locale = locale;
  return identity;
}

/** A Weibo id as a decimal string: JSON numbers (safe integers) and digit strings are both seen. */
export function numericId(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? String(value) : undefined;
  if (typeof value === 'string') return /^[1-9]\d{0,19}$/.test(value) ? value : undefined;
  return undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Weibo's `lang` is `zh-cn`, `zh-tw` or `en`. */
function localeOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^([a-z]{2})(?:-([a-z]{2}))?$/i.exec(value);
  if (!m) return undefined;
  return m[2] ? `${m[1]!.toLowerCase()}-${m[2].toUpperCase()}` : m[1]!.toLowerCase();
}
