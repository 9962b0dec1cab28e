// How the emulated gateway answers: always HTTP 200, `{"<method>_response":{…},"sign":"…"}` with the sign
// over the member's exact JSON text, in the request's charset (the body encoded in it and named in
// Content-Type `text/html;charset=…`). Faults that break the signature on purpose are applied here:
// `unsigned` (no sign), `tampered` (a value changed after signing), `other_key` (signed by a stranger).

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Response } from 'express';
import { escapeHtml } from '../shared/emulator/authorize-page.ts';
import { encodeText, signText, type SignType } from './signature.ts';

export interface ReplyContext {
  charset: 'utf-8' | 'gbk';
  signType: SignType;
  /** The app's Alipay key; undefined when the app is unknown (answers then go unsigned, as Alipay's do). */
  key: KeyObject | undefined;
  fault?: string;
}

let strangerKey: KeyObject | undefined;

/** A key Alipay never gave this app (the `other_key` fault), made on first use. */
function stranger(): KeyObject {
  strangerKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return strangerKey;
}

export function sendSigned(res: Response, ctx: ReplyContext, member: string, value: Record<string, unknown>): void {
  let text = JSON.stringify(value);
  const signKey = ctx.fault === 'other_key' ? stranger() : ctx.key;
  const sign = signKey && ctx.fault !== 'unsigned' ? signText(text, signKey, ctx.signType, ctx.charset) : undefined;
  // A value changed after signing: the first digit or letter of the answer's first string is altered.
  if (ctx.fault === 'tampered') text = text.replace(/":"([0-9A-Za-z])/, (_m, c: string) => `":"${c === '1' ? '2' : '1'}`);
  const body = `{"${member}":${text}${sign === undefined ? '' : `,"sign":${JSON.stringify(sign)}`}}`;
  res.status(200);
  res.setHeader('Content-Type', `text/html;charset=${ctx.charset}`);
  res.end(encodeText(body, ctx.charset));
}

/** The page Alipay's authorize host shows instead of redirecting (unknown app, unregistered redirect_uri). */
export function sendErrorPage(res: Response, status: number, code: string, message: string): void {
  res.status(status);
  res.setHeader('Content-Type', 'text/html;charset=utf-8');
  res.end(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>支付宝 - 网上支付 安全快速！</title></head>
<body><div class="error-box"><h2>很抱歉，您访问的页面出错了</h2>
<p>错误代码：${escapeHtml(code)}</p><p>${escapeHtml(message)}</p></div></body></html>`);
}

export function sendHtml(res: Response, status: number, html: string): void {
  res.status(status);
  res.setHeader('Content-Type', 'text/html;charset=utf-8');
  res.end(html);
}
