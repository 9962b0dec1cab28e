// How Alipay's answers become Denglu's identity. `open_id` (per app; the only id apps created since 2023
// get) is the first key, scoped by app id; `user_id` (`2088…`, 16 digits, the same person in every app)
// is the legacy second key. The ids come from the signed token answer; a profile answer must name the
// same ids. Ids may arrive as strings or numbers; both are read as text.

import { UpstreamError } from '../../src/errors.ts';
import type { UpstreamIdentity } from '../contract.ts';
import { httpUrl } from '../shared/profile-fields.ts';
import type { GatewayJson } from './gateway-call.ts';

export interface AlipayIds {
  openId?: string;
  userId?: string;
}

/** The keys the account is found under, open_id first; the emulator's identityKeysFor must agree. */
export function alipayKeys(appId: string, ids: AlipayIds): string[] {
  const keys: string[] = [];
  if (ids.openId) keys.push(`alipay:open_id:${appId}:${ids.openId}`);
  if (ids.userId) keys.push(`alipay:user_id:${ids.userId}`);
  return keys;
}

/** The stable subject: the app-scoped open_id when there is one, else the legacy user_id. */
export function alipaySubject(appId: string, ids: AlipayIds): string {
  return ids.openId ? `${appId}:${ids.openId}` : ids.userId!;
}

/** The ids of an answer (token or profile); at least one must be usable. */
export function readIds(json: GatewayJson, step: 'token_exchange' | 'userinfo', what: string): AlipayIds {
  const ids: AlipayIds = {};
  const openId = idText(json.open_id);
  const userId = idText(json.user_id);
  if (json.open_id !== undefined && !openId) throw new UpstreamError('alipay', step, `${what} answered an unusable "open_id"`);
  if (json.user_id !== undefined && !(userId && /^2088\d{12}$/.test(userId)))
    throw new UpstreamError('alipay', step, `${what} answered a "user_id" that is not 2088 and 12 digits`);
  if (openId) ids.openId = openId;
  if (userId) ids.userId = userId;
  if (!ids.openId && !ids.userId) throw new UpstreamError('alipay', step, `${what} answered neither "open_id" nor "user_id"`);
  return ids;
}

/** The identity from the token answer's ids and an `alipay.user.info.share` answer for the same person. */
export function toIdentity(appId: string, ids: AlipayIds, info: GatewayJson): UpstreamIdentity {
  const profileIds = readIds(info, 'userinfo', 'alipay.user.info.share');
  if ((ids.openId && profileIds.openId && ids.openId !== profileIds.openId) || (ids.userId && profileIds.userId && ids.userId !== profileIds.userId)) {
    throw new UpstreamError('alipay', 'userinfo', 'alipay.user.info.share answered for another person than the token');
  }
  const nick = typeof info.nick_name === 'string' && info.nick_name.trim() !== '' ? info.nick_name.trim() : undefined;
  const identity: UpstreamIdentity = {
    provider: 'alipay',
    subject: alipaySubject(appId, ids),
    keys: alipayKeys(appId, ids),
    // A person without a nick name (or an `auth_base` grant) is shown by the end of their id.
    displayName: nick ?? `支付宝用户 ${(ids.userId ?? ids.openId!).slice(-4)}`,
  };
  const avatar = httpUrl(info.avatar);
  if (avatar) identity.avatar = avatar;
  return identity;
}

function idText(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? String(value) : undefined;
  if (typeof value === 'string') return /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : undefined;
  return undefined;
}
