// The emulated /oauth2/authorize. An unknown app or an unregistered redirect_uri gets Weibo's error
// page and never a redirect; other problems redirect with `error`, `error_code`, `error_description`
// and `error_uri`. The page lets a tester pick or type a user; deny redirects with error_code 21330.
// `forcelogin=true` is honoured: the page is shown even when auto-approve stands for a shopper already
// signed in at Weibo, and says a new sign-in was asked for (so a test can see the parameter arrived).

import express, { type Request, type Response, type Router } from 'express';
import type { EmulatorApp } from '../contract.ts';
import { renderAuthorizePage } from '../shared/emulator/authorize-page.ts';
import type { FaultSwitch } from '../shared/emulator/fault-switch.ts';
import { resolveAutoApprove } from '../shared/emulator/test-users.ts';
import { CODE_TTL_SECONDS, type WeiboWorld } from './emulator-world.ts';
import { params, sendErrorPage, sendRaw, withQuery } from './emulator-replies.ts';

const AUTHORIZE_PATH = '/oauth2/authorize';
/** Shown on the page of a `forcelogin=true` request. */
export const FORCED_LOGIN_NOTICE = '请重新登录 / please sign in again (forcelogin)';
/** The authorization request parameters carried through the page as hidden fields. */
const CARRIED = ['client_id', 'redirect_uri', 'response_type', 'state', 'scope'] as const;

type Checked = { kind: 'ok'; app: EmulatorApp; redirectUri: string; state?: string; scope: string; carried: Record<string, string> } | { kind: 'handled' };

export function authorizeRoutes(world: WeiboWorld, faults: FaultSwitch): Router {
  const router = express.Router();
  const guard = faults.guard('authorize', { contentType: 'text/html;charset=UTF-8', body: '<html><body><div class="oauth_' });

  router.get(AUTHORIZE_PATH, guard, (req, res) => {
    const checked = check(req, res);
    if (checked.kind !== 'ok') return;
    const forceLogin = params(req).forcelogin === 'true';
    if (world.autoApprove !== undefined && !forceLogin) return approve(res, checked, world.ensureUser(resolveAutoApprove(world.autoApprove)).login);
    sendPage(res, checked, forceLogin ? { text: FORCED_LOGIN_NOTICE, status: 200 } : undefined);
  });

  router.post(AUTHORIZE_PATH, express.urlencoded({ extended: false, limit: '20kb' }), guard, (req, res) => {
    const checked = check(req, res);
    if (checked.kind !== 'ok') return;
    const form = params(req);
    if (form.decision === 'deny') {
      return redirect(res, checked.redirectUri, [
        ['error_uri', AUTHORIZE_PATH],
        ['error', 'access_denied'],
        ['error_description', 'user denied your request.'],
        ['error_code', '21330'],
        ['state', checked.state],
      ]);
    }
    if (form.decision !== 'approve') return sendErrorPage(res, 400, 'invalid_request', 21323, '请求不合法：decision');
    const login = (form.typed_login ?? '').trim() || (form.login ?? '').trim();
    if (!login) return sendPage(res, checked, { text: '请选择或输入一个用户 / pick or type a user', status: 400 });
    approve(res, checked, world.ensureUser(login).login);
  });

  /** Validates the request the way Weibo does; answers itself unless the request may proceed. */
  function check(req: Request, res: Response): Checked {
    const p = params(req);
    const app = world.app(p.client_id);
    if (!p.client_id) {
      sendErrorPage(res, 400, 'invalid_request', 21323, '请求不合法：缺少 client_id');
      return { kind: 'handled' };
    }
    if (!app) {
      sendErrorPage(res, 400, 'invalid_client', 21324, '应用不存在或 client_id 错误');
      return { kind: 'handled' };
    }
    if (!p.redirect_uri || !app.redirectUris.includes(p.redirect_uri)) {
      sendErrorPage(res, 400, 'redirect_uri_mismatch', 21322, '重定向地址不匹配');
      return { kind: 'handled' };
    }
    const redirectUri = p.redirect_uri;
    const redirectError = (error: string, code: number, description: string) => {
      redirect(res, redirectUri, [
        ['error_uri', AUTHORIZE_PATH],
        ['error', error],
        ['error_description', description],
        ['error_code', String(code)],
        ['state', p.state],
      ]);
      return { kind: 'handled' as const };
    };
    if (p.response_type !== undefined && p.response_type !== 'code') {
      return redirectError('unsupported_response_type', 21329, 'unsupported response type');
    }
    if (res.locals.fault === 'temporarily_unavailable') return redirectError('temporarily_unavailable', 21331, 'service temporarily unavailable');
    const carried: Record<string, string> = {};
    for (const name of CARRIED) if (p[name] !== undefined) carried[name] = p[name];
    return { kind: 'ok', app, redirectUri, state: p.state, scope: p.scope ?? '', carried };
  }

  function sendPage(res: Response, checked: Extract<Checked, { kind: 'ok' }>, notice?: { text: string; status: number }): void {
    const html = renderAuthorizePage({
      providerName: '新浪微博 · Weibo',
      appName: checked.app.name ?? checked.app.clientId,
      action: AUTHORIZE_PATH,
      params: checked.carried,
      users: world.users,
      color: '#E6162D',
      approveLabel: '授权 / Approve',
      denyLabel: '取消 / Deny',
      notice: notice?.text,
      banner: world.banner?.(),
    });
    sendRaw(res, notice?.status ?? 200, 'text/html;charset=UTF-8', html);
  }

  function approve(res: Response, checked: Extract<Checked, { kind: 'ok' }>, login: string): void {
    const code = world.codes.issueCode({ clientId: checked.app.clientId, redirectUri: checked.redirectUri, login, scope: checked.scope }, CODE_TTL_SECONDS, 32);
    redirect(res, checked.redirectUri, [
      ['code', code],
      ['state', checked.state],
    ]);
  }

  return router;
}

function redirect(res: Response, redirectUri: string, query: [string, string | undefined][]): void {
  res.status(302).setHeader('Location', withQuery(redirectUri, query));
  res.end();
}
