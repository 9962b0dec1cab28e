// How the QQ emulator answers on the wire: QQ's OAuth error numbers and descriptions, and the three
// body styles of graph.qq.com — JSONP `callback( {...} );\n` (default), JSON (fmt=json) and the
// form-encoded token. Every answer is HTTP 200 with Content-Type text/html, as QQ serves them.

import type { Response } from 'express';
import { formatJsonp } from './jsonp.ts';

/** QQ error numbers the emulator uses (public OAuth2 code list; descriptions where seen, else ours). */
export const QQ_ERRORS = {
  100000: 'response_type is wrong or lost',
  100001: 'client_id is lost',
  100002: 'client_secret is lost',
  100004: 'grant_type is wrong or lost',
  100005: 'code is lost',
  100006: 'refresh token is lost',
  100007: 'access token is lost',
  100008: 'client id is illegal',
  100009: 'client secret is illegal',
  100010: 'redirect uri is illegal',
  100014: 'access token expired',
  100016: 'access token check failed',
  100019: 'code to access token error',
  100020: 'code is reused error',
  100036: 'refresh token invalid',
  100048: 'companyid not set',
  100050: 'openid decrypt failed',
} as const;

export type QqErrorCode = keyof typeof QQ_ERRORS;

export function qqError(code: QqErrorCode): { error: number; error_description: string } {
  return { error: code, error_description: QQ_ERRORS[code] };
}

function send(res: Response, body: string): void {
  res.status(200).set('content-type', 'text/html; charset=utf-8').send(body);
}

/** An OAuth endpoint answer: JSONP by default, plain JSON with fmt=json. */
export function answerObject(res: Response, fmt: string | undefined, value: Record<string, unknown>): void {
  send(res, fmt === 'json' ? JSON.stringify(value) : formatJsonp(value));
}

/** The token endpoint's success: form-encoded by default, JSON with fmt=json (expires_in a string either way). */
export function answerToken(res: Response, fmt: string | undefined, value: Record<string, string>): void {
  send(res, fmt === 'json' ? JSON.stringify(value) : new URLSearchParams(value).toString());
}

/** An OpenAPI answer (get_user_info): JSON served as text/html. */
export function answerJson(res: Response, value: Record<string, unknown>): void {
  send(res, JSON.stringify(value));
}

/** The first value of a parameter if it is a single string (a repeated parameter counts as missing). */
export function param(source: unknown, name: string): string | undefined {
  if (!source || typeof source !== 'object') return undefined;
  const value = (source as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}
