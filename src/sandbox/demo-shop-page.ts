// What the demo shop's page shows, as a real shop would draw it from Denglu's description of its sign-in
// methods (GET /clients/<client_id>/sign-in-methods): a button per method that signs in now (with the
// notice sentence while it is ending), a recovery entry during grace, nothing for ended or upcoming
// methods; and how the last sign-in came back — cancelled by the shopper, or failed, in words.

import type { ShopSignInMethod, ShopSignInMethods } from '../partners/sign-in-methods.ts';
import { escapeHtml } from '../../providers/shared/emulator/authorize-page.ts';
import type { ConnectPrompt } from '../../config/sandbox-seed.ts';

/** How a sign-in came back without a user: the shopper cancelled, or something went wrong. */
export interface ShopOutcome {
  kind: 'cancelled' | 'error' | 'refreshed';
  /** Bilingual sentence shown to the shopper. */
  text: string;
  /** The OAuth error code, for the developer reading the page. */
  code?: string;
}

const COLOUR = /^#[0-9a-fA-F]{3,8}$/;
const ID = /^[a-z0-9-]+$/;

/** The shopper-readable line for an authorization error the shop got back. */
export function outcomeOf(error: string | undefined): ShopOutcome {
  switch (error) {
    case 'access_denied':
      return { kind: 'cancelled', text: '您已取消登录。 · You cancelled signing in.' };
    case 'temporarily_unavailable':
      return { kind: 'error', code: error, text: '登录服务暂时不可用，请稍后再试。 · Signing in is temporarily unavailable; please try again later.' };
    case 'login_required':
    case 'interaction_required':
    case 'consent_required':
      return { kind: 'error', code: error, text: '请重新登录。 · Please log in again.' };
    case 'no_pending':
      return { kind: 'error', text: '登录已过期或在其他浏览器中开始，请重新登录。 · This sign-in expired or began in another browser; please log in again.' };
    default:
      return { kind: 'error', ...(error ? { code: error } : {}), text: '登录没有完成，请重试。 · Signing in did not complete; please try again.' };
  }
}

/** How the shop's refresh came back: renewed, or refused (`invalid_grant`: the shop signs the shopper out). */
export function refreshOutcome(error: string | undefined): ShopOutcome {
  if (error === undefined) return { kind: 'refreshed', text: '刷新令牌有效，商店已更新令牌。 · The refresh token still works: the shop renewed its tokens.' };
  if (error === 'invalid_grant') {
    return {
      kind: 'error',
      code: error,
      text: '刷新令牌已被拒绝，商店已退出登录，请重新登录。 · The refresh token was refused: the shop signed you out; please log in again.',
    };
  }
  return { kind: 'error', code: error, text: '刷新令牌暂时无法使用，请稍后再试。 · The tokens could not be renewed; please try again later.' };
}

/**
 * The shop's suggestion to a shopper signed in with the prompt's idp (Taobao's Weibo Pay: connect Alipay):
 * its text and a link to Denglu's account page, where the shopper links the provider.
 */
export function connectPromptSection(prompt: ConnectPrompt | undefined, idp: unknown, issuer: string): string {
  if (!prompt || idp !== prompt.idp) return '';
  return `<aside class="info" id="connect-prompt" data-connect="${escapeHtml(prompt.provider)}"><p>${both(prompt.text).join('<br>')}</p>
<a class="btn plain" href="${escapeHtml(issuer)}/account#link-${escapeHtml(prompt.provider)}" id="connect-prompt-link">去绑定 · Connect it (Denglu sign-in settings)</a></aside>`;
}

/** The signed-in shopper's refresh-token line: a Refresh button when the shop holds one. */
export function refreshSection(holdsRefreshToken: boolean): string {
  if (!holdsRefreshToken) return '<p><small>没有刷新令牌 · No refresh token (log in with "Stay signed in" to get one)</small></p>';
  return `<form method="post" action="/refresh"><button class="btn plain" type="submit" id="shop-refresh">用刷新令牌更新 · Refresh the tokens (refresh token)</button></form>`;
}

const both = (l: Partial<Record<string, string>> | undefined) => [l?.['zh-CN'], l?.en].filter(Boolean).map((s) => escapeHtml(s!));

function entry(m: ShopSignInMethod): string {
  const id = escapeHtml(m.id);
  const logo = m.logo ? `<img class="mark" src="${escapeHtml(m.logo)}" alt="" width="22" height="22"> ` : '';
  const notice = m.notice ? `<p class="method-notice" data-notice="${id}">${both(m.notice).join('<br>')}</p>` : '';
  const href = `/login?${new URLSearchParams(m.authorizationParams ?? {}).toString()}`;
  if (m.show === 'button') {
    return `<a class="btn method-${id}" data-method="${id}" href="${escapeHtml(href)}">${logo}${both(m.text).join(' · ')}</a>${notice}`;
  }
  return `<div class="recover" data-recover="${id}"><a class="btn plain" href="${escapeHtml(href)}">${logo}${both(m.text).join(' · ')}</a>${notice}</div>`;
}

/** The login section: the methods as described, or a line saying they could not be loaded. */
export function loginSection(methods: ShopSignInMethods | undefined): string {
  const drawn = methods?.methods.filter((m) => m.show !== 'none') ?? [];
  const list = methods
    ? drawn.map(entry).join('\n')
    : '<p class="error" id="methods-unavailable">登录方式暂时无法加载。 · The ways to log in could not be loaded.</p>';
  return `<section class="login"><h2>登录 · Log in</h2>${list}
<a class="btn plain" href="/login">更多登录方式 · More ways to log in (Denglu chooser)</a>
<a class="btn plain" href="/login?offline=1" id="stay-signed-in">保持登录 · Stay signed in (Denglu chooser, with a refresh token)</a></section>`;
}

/** Button colours as classes (the shop's own stylesheet), only for well-formed ids and colours. */
export function methodStyles(methods: ShopSignInMethods | undefined): string {
  return (methods?.methods ?? [])
    .filter((m) => ID.test(m.id) && COLOUR.test(m.colors.background) && COLOUR.test(m.colors.foreground))
    .map((m) => `.method-${m.id}{background:${m.colors.background};color:${m.colors.foreground}}`)
    .join('');
}

export function outcomeLine(outcome: ShopOutcome | undefined): string {
  if (!outcome) return '';
  if (outcome.kind === 'refreshed') return `<p class="info" id="shop-refreshed" role="status">${escapeHtml(outcome.text)}</p>`;
  if (outcome.kind === 'cancelled') return `<p class="info" id="shop-cancelled" role="status">${escapeHtml(outcome.text)}</p>`;
  const code = outcome.code ? ` <small>(${escapeHtml(outcome.code)})</small>` : '';
  return `<p class="error" id="shop-error" role="alert">${escapeHtml(outcome.text)}${code}</p>`;
}
