// The emulated Sohu authorize endpoint. GET checks the request (client, exact redirect_uri, response_type,
// scope `basic`, optional S256 PKCE) and shows the test-user page, or approves at once in auto-approve
// mode; POST takes the tester's decision. A bad request gets an HTML page, never a redirect.

import express, { type Response, type Router } from 'express';
import { renderAuthorizePage } from '../shared/emulator/authorize-page.ts';
import { resolveAutoApprove } from '../shared/emulator/test-users.ts';
import { CODE_TTL_SECONDS, findApp, type SohuEmulatorContext } from './emulator-context.ts';
import { challengeProblem } from './emulator-pkce.ts';
import { sendErrorPage, type AuthorizeErrorName } from './emulator-wire.ts';

export const AUTHORIZE_PATH = '/oauth2/authorize';

/** Parameters the emulator understands; the rest (`display`, `isChangeUser`, `hd`, …) are ignored. */
const CARRIED = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'wrap_client_state', 'code_challenge', 'code_challenge_method'] as const;

export interface AuthorizeRequest {
  clientId: string;
  appName: string;
  redirectUri: string;
  scope: string;
  /** Echoed under the name it came in: `state`, or the WRAP-era alias `wrap_client_state`. */
  state?: { name: 'state' | 'wrap_client_state'; value: string };
  codeChallenge?: string;
  /** The recognised parameters as received, carried through the authorize form. */
  params: Record<string, string>;
}

export type AuthorizeCheck = { ok: true; request: AuthorizeRequest } | { ok: false; error: AuthorizeErrorName; description: string };

export function checkAuthorizeRequest(input: Record<string, unknown>, context: SohuEmulatorContext): AuthorizeCheck {
  const params: Record<string, string> = {};
  for (const name of CARRIED) {
    const value = input[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') return { ok: false, error: 'invalid_request', description: `"${name}" must be given once` };
    params[name] = value;
  }
  const app = findApp(context, params.client_id);
  if (!app) return { ok: false, error: 'invalid_client', description: params.client_id === undefined ? '"client_id" is required' : 'unknown "client_id"' };
  const redirectUri = params.redirect_uri;
  if (redirectUri === undefined) return { ok: false, error: 'redirect_uri_mismatch', description: '"redirect_uri" is required' };
  if (!app.redirectUris.includes(redirectUri)) {
    return { ok: false, error: 'redirect_uri_mismatch', description: '"redirect_uri" does not match a registered redirect URI' };
  }
  if (params.response_type !== 'code') return { ok: false, error: 'unsupported_response_type', description: '"response_type" must be "code"' };
  const scopes = (params.scope ?? '').split(/[\s,]+/).filter(Boolean);
  if (scopes.some((s) => s !== 'basic')) return { ok: false, error: 'invalid_scope', description: '"scope" must be "basic"' };
  if (params.state !== undefined && params.wrap_client_state !== undefined && params.state !== params.wrap_client_state) {
    return { ok: false, error: 'invalid_request', description: '"state" and "wrap_client_state" disagree' };
  }
  const pkce = challengeProblem(params.code_challenge, params.code_challenge_method);
  if (pkce) return { ok: false, error: 'invalid_request', description: pkce };

  const request: AuthorizeRequest = { clientId: app.clientId, appName: app.name ?? app.clientId, redirectUri, scope: 'basic', params };
  if (params.state !== undefined) request.state = { name: 'state', value: params.state };
  else if (params.wrap_client_state !== undefined) request.state = { name: 'wrap_client_state', value: params.wrap_client_state };
  if (params.code_challenge !== undefined) request.codeChallenge = params.code_challenge;
  return { ok: true, request };
}

export function authorizeRoutes(context: SohuEmulatorContext): Router {
  const router = express.Router();
  const garbage = { contentType: 'text/html; charset=utf-8', body: '<html><body><form method="post" action="/oauth2/auth' };

  router.get(AUTHORIZE_PATH, context.faults.guard('authorize', garbage), (req, res) => {
    const check = checkAuthorizeRequest(req.query as Record<string, unknown>, context);
    if (!check.ok) return sendErrorPage(res, check.error, check.description);
    if (context.autoApprove !== undefined) return approve(res, context, check.request, resolveAutoApprove(context.autoApprove));
    res
      .set('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(
        renderAuthorizePage({
          providerName: '搜狐微博 Sohu',
          appName: check.request.appName,
          action: AUTHORIZE_PATH,
          params: check.request.params,
          users: context.users,
          color: '#FFD100',
          approveLabel: '授权 / Authorize',
          denyLabel: '取消 / Cancel',
          notice: '该应用将获得你的搜狐微博基本资料（昵称、头像、简介）。',
          banner: context.banner?.(),
        }),
      );
  });

  router.post(AUTHORIZE_PATH, express.urlencoded({ extended: false, limit: '20kb' }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const check = checkAuthorizeRequest(body, context);
    if (!check.ok) return sendErrorPage(res, check.error, check.description);
    if (body.decision === 'deny') {
      return redirectBack(res, check.request, { error: 'access_denied', error_description: '用户拒绝授权 (the user denied the request)' });
    }
    if (body.decision !== 'approve') return sendErrorPage(res, 'invalid_request', '"decision" must be "approve" or "deny"');
    const login = pickLogin(body);
    if (!login) return sendErrorPage(res, 'invalid_login', 'pick a test user or type a login of 1-64 letters, digits, "_", ".", "@" or "-"');
    approve(res, context, check.request, login);
  });

  return router;
}

function pickLogin(body: Record<string, unknown>): string | undefined {
  const typed = typeof body.typed_login === 'string' ? body.typed_login.trim() : '';
  const login = typed || (typeof body.login === 'string' ? body.login.trim() : '');
  return /^[\p{L}\p{N}_.@-]{1,64}$/u.test(login) ? login : undefined;
}

function approve(res: Response, context: SohuEmulatorContext, request: AuthorizeRequest, login: string): void {
  const code = context.grants.issueCode(
    {
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      login,
      scope: request.scope,
      ...(request.codeChallenge !== undefined ? { codeChallenge: request.codeChallenge, codeChallengeMethod: 'S256' } : {}),
    },
    CODE_TTL_SECONDS,
  );
  redirectBack(res, request, { code });
}

function redirectBack(res: Response, request: AuthorizeRequest, params: Record<string, string>): void {
  const url = new URL(request.redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  if (request.state) url.searchParams.set(request.state.name, request.state.value);
  res.set('cache-control', 'no-store').redirect(302, url.toString());
}
