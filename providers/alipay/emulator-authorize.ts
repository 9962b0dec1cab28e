// The emulated publicAppAuthorize.htm. An unknown `app_id`, a missing or unknown `scope`, an unregistered
// `redirect_uri` or a `state` over 100 characters get an error page and no redirect (Alipay documents the
// rules, not the page). Approving redirects with `app_id`, `source=alipay_wallet`, `scope`, `auth_code`
// and `state`, as the documented example; refusing redirects with the same minus `auth_code` (invented:
// Alipay's refusal behaviour is not documented).

import express, { type Request, type Response, type Router } from 'express';
import { renderAuthorizePage } from '../shared/emulator/authorize-page.ts';
import type { FaultSwitch } from '../shared/emulator/fault-switch.ts';
import { resolveAutoApprove } from '../shared/emulator/test-users.ts';
import { CODE_TTL_SECONDS, type AlipayApp, type AlipayWorld } from './emulator-world.ts';
import { sendErrorPage, sendHtml } from './emulator-replies.ts';

export const AUTHORIZE_PATH = '/oauth2/publicAppAuthorize.htm';
const SCOPES = new Set(['auth_user', 'auth_base']);
const CARRIED = ['app_id', 'scope', 'redirect_uri', 'state'] as const;

type Checked = { kind: 'ok'; app: AlipayApp; redirectUri: string; scope: string; state?: string; carried: Record<string, string> } | { kind: 'handled' };

export function authorizeRoutes(world: AlipayWorld, faults: FaultSwitch): Router {
  const router = express.Router();
  const guard = faults.guard('authorize', { contentType: 'text/html;charset=utf-8', body: '<html><body><div class="error-' });

  router.get(AUTHORIZE_PATH, guard, (req, res) => {
    const checked = check(req, res);
    if (checked.kind !== 'ok') return;
    if (world.autoApprove !== undefined) return approve(res, checked, world.ensureUser(resolveAutoApprove(world.autoApprove)).login);
    sendPage(res, checked);
  });

  router.post(AUTHORIZE_PATH, express.urlencoded({ extended: false, limit: '20kb' }), guard, (req, res) => {
    const checked = check(req, res);
    if (checked.kind !== 'ok') return;
    const form = params(req);
    if (form.decision === 'deny') return redirect(res, checked, undefined);
    if (form.decision !== 'approve') return sendErrorPage(res, 400, 'INVALID_PARAMETER', '参数错误：decision');
    const login = (form.typed_login ?? '').trim() || (form.login ?? '').trim();
    if (!login) return sendPage(res, checked, '请选择或输入一个用户 / pick or type a user', 400);
    approve(res, checked, world.ensureUser(login).login);
  });

  function check(req: Request, res: Response): Checked {
    const p = params(req);
    const app = world.app(p.app_id);
    const refuse = (code: string, message: string): Checked => {
      sendErrorPage(res, 400, code, message);
      return { kind: 'handled' };
    };
    if (!app) return refuse('INVALID_APP_ID', p.app_id ? '应用不存在 / unknown app_id' : '缺少参数 app_id / app_id is missing');
    const scopes = (p.scope ?? '').split(',').filter(Boolean);
    if (scopes.length === 0 || !scopes.every((s) => SCOPES.has(s))) return refuse('INVALID_SCOPE', `scope 无效 / invalid scope: ${p.scope ?? ''}`);
    if (!p.redirect_uri || !app.app.redirectUris.includes(p.redirect_uri))
      return refuse('INVALID_REDIRECT_URI', '回调地址与应用配置不一致 / redirect_uri is not registered');
    if (p.state !== undefined && p.state.length > 100) return refuse('INVALID_STATE', 'state 超过 100 个字符 / state is over 100 characters');
    const carried: Record<string, string> = {};
    for (const name of CARRIED) if (p[name] !== undefined) carried[name] = p[name];
    return { kind: 'ok', app, redirectUri: p.redirect_uri, scope: scopes.join(','), state: p.state, carried };
  }

  function sendPage(res: Response, checked: Extract<Checked, { kind: 'ok' }>, notice?: string, status = 200): void {
    const html = renderAuthorizePage({
      providerName: '支付宝 · Alipay',
      appName: checked.app.app.name ?? checked.app.app.clientId,
      action: AUTHORIZE_PATH,
      params: checked.carried,
      users: world.users,
      color: '#1677FF',
      approveLabel: '确认授权 / Approve',
      denyLabel: '取消 / Deny',
      notice,
      banner: world.banner?.(),
    });
    sendHtml(res, status, html);
  }

  function approve(res: Response, checked: Extract<Checked, { kind: 'ok' }>, login: string): void {
    // The token call names no redirect_uri, so the code is bound to the app alone.
    const code = world.codes.issueCode({ clientId: checked.app.app.clientId, redirectUri: '', login, scope: checked.scope }, CODE_TTL_SECONDS, 32);
    redirect(res, checked, code);
  }

  return router;
}

function redirect(res: Response, checked: Extract<Checked, { kind: 'ok' }>, code: string | undefined): void {
  const query: [string, string | undefined][] = [
    ['app_id', checked.app.app.clientId],
    ['source', 'alipay_wallet'],
    ['scope', checked.scope],
    ['auth_code', code],
    ['state', checked.state],
  ];
  const qs = query
    .filter((q): q is [string, string] => q[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  res.status(302).setHeader('Location', checked.redirectUri + (checked.redirectUri.includes('?') ? '&' : '?') + qs);
  res.end();
}

function params(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  const sources = [req.query as Record<string, unknown>];
  if (req.body && typeof req.body === 'object') sources.push(req.body as Record<string, unknown>);
  for (const source of sources) for (const [k, v] of Object.entries(source)) if (typeof v === 'string') out[k] = v;
  return out;
}
