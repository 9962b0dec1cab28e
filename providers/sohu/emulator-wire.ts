// The emulated Sohu dialect's error answers (invented, see README.md): JSON
// `{"error","error_description","error_code","request"}` at 4xx from the token endpoint and the API, and
// a plain HTML page (never a redirect) for authorize requests that cannot be trusted with a redirect.

import type { Response } from 'express';
import { escapeHtml } from '../shared/emulator/authorize-page.ts';

export const JSON_TYPE = 'application/json;charset=UTF-8';

/** Every JSON error the emulator answers, with its HTTP status and numeric `error_code`. */
export const SOHU_ERRORS = {
  invalid_request: { status: 400, code: 40001 },
  unsupported_grant_type: { status: 400, code: 40002 },
  invalid_grant: { status: 400, code: 40003 },
  invalid_client: { status: 401, code: 40101 },
  invalid_token: { status: 401, code: 40102 },
  expired_token: { status: 401, code: 40103 },
} as const;

export type SohuErrorName = keyof typeof SOHU_ERRORS;

export interface SohuErrorBody {
  error: SohuErrorName;
  error_description: string;
  error_code: number;
  /** The path that failed, as Sina-style APIs report it. */
  request: string;
}

export function sendJsonError(res: Response, name: SohuErrorName, description: string, request: string): void {
  const { status, code } = SOHU_ERRORS[name];
  const body: SohuErrorBody = { error: name, error_description: description, error_code: code, request };
  res.status(status).set('cache-control', 'no-store').type(JSON_TYPE).send(JSON.stringify(body));
}

/** Errors the authorize page shows instead of redirecting. */
export type AuthorizeErrorName =
  | 'invalid_client'
  | 'redirect_uri_mismatch'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_request'
  | 'invalid_login';

export function sendErrorPage(res: Response, error: AuthorizeErrorName, description: string): void {
  res
    .status(400)
    .type('text/html; charset=utf-8')
    .send(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>搜狐微博 - 授权失败</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#222}header{background:#FFD100;padding:14px 20px;font-size:18px}main{max-width:480px;margin:24px auto;background:#fff;padding:20px 24px;border-radius:8px}code{color:#c00}</style>
</head><body><header>搜狐微博 开放平台</header>
<main><h2>授权失败 / Authorization failed</h2>
<p>错误代码 / error: <code id="error">${escapeHtml(error)}</code></p>
<p id="error_description">${escapeHtml(description)}</p>
<p>请联系应用开发者。 / Please contact the application's developer.</p></main></body></html>`);
}
