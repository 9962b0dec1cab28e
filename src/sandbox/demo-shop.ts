// A demo shop: a small OpenID Connect relying party built on openid-client, exactly what a real shop
// would write. It draws its own "Log in with Weibo / QQ / Sohu" buttons (Denglu's provider hint) from
// Denglu's description of its sign-in methods at every page render, and a "more ways" button (Denglu's
// chooser); it validates the ID token, shows what it learnt, and says how a sign-in came back. "Stay
// signed in" asks for a refresh token (offline_access), and "Refresh" redeems it as a shop's back end
// would, so a tester sees a cutoff's `revoke` policy end what the shop holds. In the
// sandbox it also receives Denglu's webhooks and lists them.

import { randomBytes } from 'node:crypto';
import express, { type Express } from 'express';
import cookieParser from 'cookie-parser';
import * as oidc from 'openid-client';
import { escapeHtml } from '../../providers/shared/emulator/authorize-page.ts';
import type { ConnectPrompt } from '../../config/sandbox-seed.ts';
import type { ShopSignInMethods } from '../partners/sign-in-methods.ts';
import { webhookInbox } from './demo-shop-webhooks.ts';
import {
  connectPromptSection,
  loginSection,
  methodStyles,
  outcomeLine,
  outcomeOf,
  refreshOutcome,
  refreshSection,
  type ShopOutcome,
} from './demo-shop-page.ts';

export interface DemoShopOptions {
  name: { 'zh-CN': string; en: string };
  /** Denglu's issuer. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  authMethod: 'client_secret_basic' | 'client_secret_post';
  /** This shop's own base URL (redirect_uri = <url>/callback). */
  url: string;
  /** Cookie name prefix, so two shops on one host keep separate sessions. */
  cookiePrefix: string;
  /** Sandbox line shown on top of the page (the simulated time). */
  banner?: () => string;
  /** The shop's webhook signing secret: POST /webhooks receives and the page lists what came (demo-shop-webhooks.ts). */
  webhooks?: { secret: string; now: () => number };
  /** A suggestion to connect another way on Denglu's account page, shown to shoppers signed in with its idp. */
  connectPrompt?: ConnectPrompt;
}

interface ShopSession {
  pending?: { state: string; nonce: string; verifier: string };
  user?: { claims: Record<string, unknown>; idToken: string; refreshToken?: string };
  outcome?: ShopOutcome;
}

/** Denglu's description of this shop's sign-in methods now; undefined when it cannot be had. */
async function signInMethods(o: DemoShopOptions): Promise<ShopSignInMethods | undefined> {
  try {
    const res = await fetch(`${o.issuer}/clients/${encodeURIComponent(o.clientId)}/sign-in-methods`, { signal: AbortSignal.timeout(3000) });
    return res.ok ? ((await res.json()) as ShopSignInMethods) : undefined;
  } catch {
    return undefined;
  }
}

export function createDemoShop(o: DemoShopOptions): Express {
  const sessions = new Map<string, ShopSession>();
  const cookie = `${o.cookiePrefix}_shop_session`;
  let config: Promise<oidc.Configuration> | undefined;
  const discover = () =>
    (config ??= oidc
      .discovery(
        new URL(o.issuer),
        o.clientId,
        { client_secret: o.clientSecret, token_endpoint_auth_method: o.authMethod },
        o.authMethod === 'client_secret_post' ? oidc.ClientSecretPost(o.clientSecret) : oidc.ClientSecretBasic(o.clientSecret),
        { execute: o.issuer.startsWith('http://') ? [oidc.allowInsecureRequests] : [] },
      )
      .catch((err) => {
        config = undefined;
        throw err;
      }));

  const app = express();
  app.use(cookieParser());
  const inbox = o.webhooks ? webhookInbox(o.webhooks.secret, o.webhooks.now) : undefined;
  inbox?.mount(app);
  const session = (req: express.Request, res: express.Response): ShopSession => {
    let id = req.cookies?.[cookie] as string | undefined;
    if (!id || !sessions.has(id)) {
      id = randomBytes(16).toString('base64url');
      sessions.set(id, {});
      res.cookie(cookie, id, { httpOnly: true, sameSite: 'lax', path: '/' });
    }
    return sessions.get(id)!;
  };

  app.get('/', async (req, res) => {
    const s = session(req, res);
    const methods = s.user ? undefined : await signInMethods(o);
    res.type('html').send(page(o, s, methods, inbox?.section() ?? ''));
    delete s.outcome;
  });

  app.get('/login', async (req, res, next) => {
    try {
      const s = session(req, res);
      const cfg = await discover();
      const verifier = oidc.randomPKCECodeVerifier();
      s.pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier };
      const params: Record<string, string> = {
        redirect_uri: `${o.url}/callback`,
        // "Stay signed in": a refresh token, which OpenID Connect grants only with prompt=consent.
        scope: req.query.offline === '1' ? 'openid profile offline_access' : 'openid profile',
        ...(req.query.offline === '1' ? { prompt: 'consent' } : {}),
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: s.pending.state,
        nonce: s.pending.nonce,
      };
      if (typeof req.query.provider === 'string') params.provider = req.query.provider;
      if (typeof req.query.ui_locales === 'string') params.ui_locales = req.query.ui_locales;
      res.redirect(303, oidc.buildAuthorizationUrl(cfg, params).href);
    } catch (err) {
      next(err);
    }
  });

  app.get('/callback', async (req, res) => {
    const s = session(req, res);
    try {
      if (!s.pending) throw Object.assign(new Error('no sign-in in progress in this browser'), { error: 'no_pending' });
      const cfg = await discover();
      const tokens = await oidc.authorizationCodeGrant(cfg, new URL(req.originalUrl, o.url), {
        pkceCodeVerifier: s.pending.verifier,
        expectedState: s.pending.state,
        expectedNonce: s.pending.nonce,
        idTokenExpected: true,
      });
      s.user = { claims: { ...tokens.claims() }, idToken: tokens.id_token!, ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}) };
    } catch (err) {
      s.outcome = outcomeOf((err as { error?: string }).error);
    }
    delete s.pending;
    res.redirect(303, '/');
  });

  // The shop's back end renews its tokens; a refused refresh token ends the shop's session.
  app.post('/refresh', async (req, res) => {
    const s = session(req, res);
    const refreshToken = s.user?.refreshToken;
    if (!refreshToken) return res.redirect(303, '/');
    try {
      const tokens = await oidc.refreshTokenGrant(await discover(), refreshToken);
      s.user = { ...s.user!, ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}) };
      s.outcome = refreshOutcome(undefined);
    } catch (err) {
      s.outcome = refreshOutcome((err as { error?: string }).error ?? 'server_error');
      if ((err as { error?: string }).error === 'invalid_grant') delete s.user;
    }
    res.redirect(303, '/');
  });

  app.get('/logout', async (req, res, next) => {
    try {
      const s = session(req, res);
      const idToken = s.user?.idToken;
      delete s.user;
      if (!idToken) return res.redirect(303, '/');
      const cfg = await discover();
      res.redirect(303, oidc.buildEndSessionUrl(cfg, { id_token_hint: idToken, post_logout_redirect_uri: `${o.url}/` }).href);
    } catch (err) {
      next(err);
    }
  });
  return app;
}

function page(o: DemoShopOptions, s: ShopSession, methods: ShopSignInMethods | undefined, webhooks: string): string {
  const user = s.user
    ? `<section class="user"><h2>已登录 · Signed in</h2>
${typeof s.user.claims.picture === 'string' ? `<img alt="" src="${escapeHtml(s.user.claims.picture)}" width="64" height="64">` : ''}
<p class="name">${escapeHtml(String(s.user.claims.name ?? ''))}</p>
<dl><dt>sub (this shop's account id)</dt><dd id="sub">${escapeHtml(String(s.user.claims.sub))}</dd>
<dt>idp</dt><dd id="idp">${escapeHtml(String(s.user.claims.idp ?? ''))}</dd>
<dt>amr</dt><dd>${escapeHtml(JSON.stringify(s.user.claims.amr ?? []))}</dd></dl>
<details><summary>ID token claims</summary><pre>${escapeHtml(JSON.stringify(s.user.claims, null, 2))}</pre></details>
${connectPromptSection(o.connectPrompt, s.user.claims.idp, o.issuer)}
${refreshSection(s.user.refreshToken !== undefined)}
<p><a class="btn plain" href="${escapeHtml(o.issuer)}/account" id="denglu-account">管理登录方式 · Manage how you sign in (Denglu account)</a></p>
<p><a class="btn plain" href="/logout">退出 · Log out</a></p></section>`
    : loginSection(methods);
  return `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(o.name['zh-CN'])} · ${escapeHtml(o.name.en)}</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#f2f2f2;color:#222}header{background:#c81623;color:#fff;padding:14px 24px;font-size:20px}
main{max-width:520px;margin:24px auto;background:#fff;padding:20px 28px;border-radius:8px}.btn{display:block;margin:10px 0;padding:10px;border-radius:6px;text-align:center;text-decoration:none;font-weight:600}
.banner{background:#fff4c2;color:#5c4a00;text-align:center;font-size:14px;padding:6px}.btn.plain{background:#eee;color:#222}.error{background:#fde8e8;color:#8a1212;padding:8px 12px;border-radius:6px}dt{font-weight:600;margin-top:8px}dd{margin:0;word-break:break-all;font-family:monospace}
.info{background:#eef3fb;color:#1d3b6b;padding:8px 12px;border-radius:6px}.mark{vertical-align:middle}.method-notice{margin:-4px 0 12px;font-size:14px;color:#5c4a00;background:#fff8e0;padding:6px 10px;border-radius:6px}.recover .btn{border:1px solid #888}
${methodStyles(methods)}</style></head>
<body>${o.banner ? `<div class="banner">${escapeHtml(o.banner())}</div>` : ''}<header>${escapeHtml(o.name['zh-CN'])} · ${escapeHtml(o.name.en)}</header><main>
${outcomeLine(s.outcome)}
${user}
${webhooks}
<p><small>Demo shop (OpenID Connect client <code>${escapeHtml(o.clientId)}</code>) of the Denglu sandbox.</small></p>
</main></body></html>`;
}
