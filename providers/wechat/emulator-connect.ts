// The emulated open.weixin.qq.com: the website QR login (`/connect/qrconnect`: a QR code of the
// confirmation URL; the phone's confirmation at `/connect/confirm`; the page polling
// `/connect/l/qrconnect`; the sandbox's scan buttons) and the official account's in-WeChat authorize
// (`/connect/oauth2/authorize`, parameters in WeChat's order). A bad link is an HTML error page, never a
// redirect; a refusal redirects with `state` only; a confirmation with `code` and `state`.

import express, { type Request, type Response, type Router } from 'express';
import QRCode from 'qrcode';
import { randomBytes } from 'node:crypto';
import type { FaultSwitch } from '../shared/emulator/fault-switch.ts';
import { resolveAutoApprove } from '../shared/emulator/test-users.ts';
import { confirmedPage, confirmPage, errorPage, expiredPage, inAppAuthorizePage, qrPage } from './emulator-pages.ts';
import { param } from './emulator-wire.ts';
import { type AppKind, type AuthorizeRequest, QR_TTL_SECONDS, type QrSession, type WechatWorld } from './emulator-world.ts';

const HTML = 'text/html; charset=utf-8';
const MALFORMED = { contentType: HTML, body: '<!DOCTYPE html><html><head><title>微信登录' };
/** The official-account doc: WeChat matches the authorize link against this parameter order. */
const OAUTH2_ORDER = ['appid', 'redirect_uri', 'response_type', 'scope', 'state'];
const SCOPES: Record<AppKind, string[]> = { website: ['snsapi_login'], official_account: ['snsapi_base', 'snsapi_userinfo'] };

type Refusal = { refused: string; detail?: string };

export function connectRoutes(world: WechatWorld, faults: FaultSwitch): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '20kb' });

  /** Checks an authorize request for an app of `kind`, in the order WeChat reports problems. */
  function check(source: unknown, kind: AppKind): AuthorizeRequest | Refusal {
    const app = world.apps.get(param(source, 'appid') ?? '');
    if (!app) return { refused: 'AppID 参数错误', detail: 'appid is missing or unknown' };
    const redirectUri = param(source, 'redirect_uri');
    let host: string | undefined;
    try {
      host = redirectUri ? new URL(redirectUri).host : undefined;
    } catch {
      host = undefined;
    }
    if (!redirectUri || !host || !app.callbackHosts.has(host)) {
      return { refused: 'redirect_uri 参数错误', detail: "the redirect_uri's domain is not the app's registered callback domain" };
    }
    if (param(source, 'response_type') !== 'code') return { refused: 'response_type 参数错误', detail: 'response_type must be code' };
    const scopes = (param(source, 'scope') ?? '').split(',').filter(Boolean);
    if (app.kind !== kind || scopes.length === 0 || scopes.some((s) => !SCOPES[kind].includes(s))) {
      return { refused: 'Scope 参数错误或没有 Scope 权限', detail: `this app (${app.kind}) may use scope ${SCOPES[app.kind].join(' / ')}` };
    }
    const state = param(source, 'state') ?? '';
    if (Buffer.byteLength(state) > 128) return { refused: 'state 参数过长', detail: 'state is limited to 128 bytes' };
    if (!/^[A-Za-z0-9]*$/.test(state)) return { refused: 'state 参数错误', detail: 'state may hold only a-zA-Z0-9' };
    return { app, redirectUri, scope: scopes.join(','), state };
  }

  const refuse = (res: Response, r: Refusal) => res.status(200).type(HTML).send(errorPage(r.refused, r.detail));
  /** A page, answered 400 when it comes back with a notice (nothing picked). */
  const sendPage = (res: Response, html: string, notice: string | undefined) =>
    res
      .status(notice ? 400 : 200)
      .type(HTML)
      .send(html);

  function back(res: Response, request: AuthorizeRequest, login: string | undefined): void {
    const location = new URL(request.redirectUri);
    if (login !== undefined) location.searchParams.set('code', world.issueCode(request, login));
    if (request.state) location.searchParams.set('state', request.state);
    res.redirect(302, location.toString());
  }

  const chosenLogin = (body: unknown) => (param(body, 'typed_login') || param(body, 'login') || '').trim();

  async function showQr(req: Request, res: Response, uuid: string, session: QrSession, notice?: string): Promise<void> {
    const origin = `${req.protocol}://${req.get('host')}`;
    const confirmUrl = `${origin}/connect/confirm?uuid=${uuid}`;
    const svg = await QRCode.toString(confirmUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    const html = qrPage({
      appName: session.request.app.name,
      uuid,
      qrImage: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
      confirmUrl,
      pollUrl: `/connect/l/qrconnect?uuid=${uuid}`,
      users: world.users,
      ...(notice ? { notice } : {}),
      banner: world.banner?.(),
    });
    sendPage(res, html, notice);
  }

  /** The live QR session named by `uuid`, or the expired page. */
  function session(res: Response, uuid: string | undefined): QrSession | undefined {
    const found = uuid ? world.qr.get(uuid) : undefined;
    if (found && found.expiresAt > world.clock.now()) return found;
    if (uuid) world.qr.delete(uuid);
    res.status(200).type(HTML).send(expiredPage());
    return undefined;
  }

  router.get('/connect/qrconnect', faults.guard('qrconnect', MALFORMED), async (req, res) => {
    const request = check(req.query, 'website');
    if (!('app' in request)) return refuse(res, request);
    if (world.autoApprove) return back(res, request, resolveAutoApprove(world.autoApprove));
    const uuid = randomBytes(12).toString('base64url');
    const qr: QrSession = { request, status: 'waiting', expiresAt: world.clock.now() + QR_TTL_SECONDS * 1000 };
    world.qr.set(uuid, qr);
    await showQr(req, res, uuid, qr);
  });

  // The sandbox's "scan as a test user": scanning and answering on the phone in one step.
  router.post('/connect/qrconnect/scan', form, async (req, res) => {
    const uuid = param(req.body, 'uuid');
    const qr = session(res, uuid);
    if (!qr || !uuid) return;
    const decision = param(req.body, 'decision');
    if (decision === 'deny') {
      world.qr.delete(uuid);
      return back(res, qr.request, undefined);
    }
    const login = chosenLogin(req.body);
    if (decision !== 'approve' || !login) return showQr(req, res, uuid, qr, '请选择或输入一个测试用户 / pick or type a login');
    world.qr.delete(uuid);
    back(res, qr.request, login);
  });

  // The page's poll (WeChat long-polls lp.open.weixin.qq.com/connect/l/qrconnect): back to the site once the phone answered.
  router.get('/connect/l/qrconnect', async (req, res) => {
    const uuid = param(req.query, 'uuid');
    const qr = session(res, uuid);
    if (!qr || !uuid) return;
    if (qr.status === 'waiting') return showQr(req, res, uuid, qr);
    world.qr.delete(uuid);
    back(res, qr.request, qr.status === 'confirmed' ? qr.login : undefined);
  });

  router.get('/connect/confirm', (req, res) => {
    const uuid = param(req.query, 'uuid');
    const qr = session(res, uuid);
    if (!qr || !uuid) return;
    res
      .status(200)
      .type(HTML)
      .send(confirmPage({ appName: qr.request.app.name, uuid, users: world.users, banner: world.banner?.() }));
  });

  router.post('/connect/confirm', form, (req, res) => {
    const qr = session(res, param(req.body, 'uuid'));
    if (!qr) return;
    const login = chosenLogin(req.body);
    const approved = param(req.body, 'decision') === 'approve' && login !== '';
    qr.status = approved ? 'confirmed' : 'denied';
    if (approved) qr.login = login;
    res.status(200).type(HTML).send(confirmedPage(approved));
  });

  router.get('/connect/oauth2/authorize', faults.guard('authorize', MALFORMED), (req, res) => {
    const given = [...new URLSearchParams(req.originalUrl.split('?')[1] ?? '').keys()].filter((k) => OAUTH2_ORDER.includes(k));
    if (given.join() !== OAUTH2_ORDER.filter((k) => given.includes(k)).join()) {
      return refuse(res, { refused: '该链接无法访问', detail: 'WeChat matches the parameters in the order appid, redirect_uri, response_type, scope, state' });
    }
    const request = check(req.query, 'official_account');
    if (!('app' in request)) return refuse(res, request);
    // snsapi_base asks nothing of the person: WeChat redirects at once.
    if (request.scope === 'snsapi_base') return back(res, request, resolveAutoApprove(world.autoApprove ?? world.users[0]!.login));
    if (world.autoApprove) return back(res, request, resolveAutoApprove(world.autoApprove));
    inApp(req, res, request);
  });

  function inApp(req: Request, res: Response, request: AuthorizeRequest, notice?: string): void {
    const params = { appid: request.app.appId, redirect_uri: request.redirectUri, response_type: 'code', scope: request.scope, state: request.state };
    const outsideWeChat = !/\bMicroMessenger\//i.test(req.get('user-agent') ?? '');
    const html = inAppAuthorizePage({
      appName: request.app.name,
      params,
      users: world.users,
      outsideWeChat,
      ...(notice ? { notice } : {}),
      banner: world.banner?.(),
    });
    sendPage(res, html, notice);
  }

  router.post('/connect/oauth2/authorize', form, (req, res) => {
    const request = check(req.body, 'official_account');
    if (!('app' in request)) return refuse(res, request);
    const decision = param(req.body, 'decision');
    if (decision === 'deny') return back(res, request, undefined);
    const login = chosenLogin(req.body);
    if (decision !== 'approve' || !login) return inApp(req, res, request, '请选择或输入一个测试用户 / pick or type a login');
    back(res, request, login);
  });

  return router;
}
