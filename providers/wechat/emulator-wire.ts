// How the WeChat emulator answers on api.weixin.qq.com: every answer is JSON served as `text/plain`
// at HTTP 200, errors included — `{"errcode":40029,"errmsg":"invalid code, rid: …"}`, the documented
// errmsg with the request-id suffix live answers carry.

import type { Response } from 'express';
import { pooledRandomBytes } from '../shared/emulator/random.ts';

/** The errcodes the emulator answers, with their errmsg (documented or observed; see README.md). */
export const WECHAT_ERRORS = {
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40030: 'invalid refresh_token',
  40125: 'invalid appsecret',
  40163: 'code been used',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41008: 'missing code',
  41009: 'missing openid',
  42001: 'access_token expired',
  42002: 'refresh_token expired',
  42003: 'code expired',
  43001: 'require GET method',
  48001: 'api unauthorized',
} as const;

export type WechatErrcode = keyof typeof WECHAT_ERRORS;

/** A request id in the shape live answers show (`rid: 6566a1b2-1a2b3c4d-5e6f7a8b`). */
function rid(): string {
  const hex = pooledRandomBytes(12).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 16)}-${hex.slice(16, 24)}`;
}

/** JSON as text/plain, HTTP 200, as api.weixin.qq.com serves it. */
export function sendJson(res: Response, value: Record<string, unknown>, status = 200): void {
  // setHeader, not res.set/type: express would add `; charset=utf-8`, which WeChat does not send.
  res.status(status).setHeader('content-type', 'text/plain');
  res.end(JSON.stringify(value));
}

export function sendErrcode(res: Response, errcode: WechatErrcode): void {
  sendJson(res, { errcode, errmsg: `${WECHAT_ERRORS[errcode]}, rid: ${rid()}` });
}

/** The first value of a parameter if it is a single string (a repeated parameter counts as missing). */
export function param(source: unknown, name: string): string | undefined {
  if (!source || typeof source !== 'object') return undefined;
  const value = (source as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}
