// How the emulated Weibo answers: /oauth2/* bodies are JSON sent as `text/plain;charset=UTF-8` (as
// observed on the token endpoint), /2/* API bodies are JSON as `application/json;charset=UTF-8`, errors
// use Weibo's shapes, and problems that must not redirect get Weibo's HTML error page.

import type { Request, Response } from 'express';
import { escapeHtml } from '../shared/emulator/authorize-page.ts';

export const OAUTH_CONTENT_TYPE = 'text/plain;charset=UTF-8';
export const API_CONTENT_TYPE = 'application/json;charset=UTF-8';

/** Sends the body with exactly this Content-Type (express would rewrite `charset=UTF-8`). */
export function sendRaw(res: Response, status: number, contentType: string, body: string): void {
  res.status(status);
  res.setHeader('Content-Type', contentType);
  res.end(body);
}

export function sendOAuthJson(res: Response, status: number, value: unknown): void {
  sendRaw(res, status, OAUTH_CONTENT_TYPE, JSON.stringify(value));
}

/** `{"error","error_code","request","error_uri","error_description"}`, as on /oauth2/access_token. */
export function sendOAuthError(req: Request, res: Response, status: number, error: string, code: number, description: string): void {
  sendOAuthJson(res, status, { error, error_code: code, request: req.path, error_uri: req.path, error_description: description });
}

export function sendApiJson(res: Response, status: number, value: unknown): void {
  sendRaw(res, status, API_CONTENT_TYPE, JSON.stringify(value));
}

/** `{"error","error_code","request"}`, as on every /2/ API. */
export function sendApiError(req: Request, res: Response, status: number, code: number, error: string): void {
  sendApiJson(res, status, { error, error_code: code, request: req.path });
}

/** The page Weibo shows instead of redirecting (unknown app, unregistered redirect_uri). */
export function sendErrorPage(res: Response, status: number, error: string, code: number, message: string): void {
  const html = `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>微博-出错了！</title></head>
<body><div class="oauth_error">
<p class="oauth_error_title">你所访问的站点在新浪微博的认证失败，请你联系应用开发者或者稍后再试。</p>
<p>错误码：${code}</p>
<p>error: ${escapeHtml(error)}</p>
<p>${escapeHtml(message)}</p>
</div></body></html>`;
  sendRaw(res, status, 'text/html;charset=UTF-8', html);
}

/** Appends parameters to a redirect URI, encoding spaces as %20 the way Weibo does. */
export function withQuery(uri: string, params: [string, string | undefined][]): string {
  const query = params
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  if (!query) return uri;
  return uri + (uri.includes('?') ? '&' : '?') + query;
}

/** Request parameters from the query string and, for a form POST, the body (Weibo reads both). */
export function params(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  const sources = [req.query as Record<string, unknown>];
  if (req.is('application/x-www-form-urlencoded') && req.body && typeof req.body === 'object') sources.push(req.body as Record<string, unknown>);
  for (const source of sources) {
    for (const [k, v] of Object.entries(source)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}
