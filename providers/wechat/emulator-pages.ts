// The HTML the WeChat emulator shows, bilingual because the real pages are Chinese: the website QR
// login page (a QR code of the confirmation URL a phone would open, plus the sandbox's "scan as test
// user" buttons), the phone's confirmation page, the in-WeChat authorize page of an official account,
// WeChat's error pages for a bad authorize link, and the small SVG avatars behind headimgurl. No script:
// the QR page polls with a meta refresh.

import { escapeHtml } from '../shared/emulator/authorize-page.ts';
import type { TestUser } from '../shared/emulator/test-users.ts';

const GREEN = '#07C160';
const STYLE = `body{font-family:system-ui,sans-serif;margin:0;background:#f2f2f2;color:#222}
header{background:#2e3132;color:#fff;padding:14px 20px;font-size:18px}
main{max-width:520px;margin:24px auto;background:#fff;border-radius:8px;padding:20px 24px;box-shadow:0 1px 4px #0002;text-align:center}
.qr{width:220px;height:220px;border:1px solid #ddd;padding:8px;background:#fff}
.hint{color:#555;font-size:14px}.sandbox{font-size:12px;color:#777;margin-top:18px}
fieldset{text-align:left;border:1px solid #ddd;border-radius:6px;margin-top:18px}.user{display:block;padding:4px 0}
.buttons{margin-top:14px;display:flex;gap:12px;justify-content:center}
button{padding:8px 16px;font-size:15px;border-radius:4px;border:1px solid #aaa;background:#fff;cursor:pointer}
button[value=approve]{background:${GREEN};border-color:${GREEN};color:#fff}.error{color:#c00}`;

function page(title: string, body: string, options: { banner?: string | undefined; refresh?: string } = {}): string {
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
${options.refresh ? `<meta http-equiv="refresh" content="${escapeHtml(options.refresh)}">` : ''}<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${options.banner ? `<div style="background:#fff4c2;color:#5c4a00;text-align:center;font-size:14px;padding:6px">${escapeHtml(options.banner)}</div>` : ''}<header>微信 WeChat</header>
<main>
${body}
<p class="sandbox">Sandbox emulator — no real account is used. 沙盒模拟器，不使用真实帐号。</p>
</main></body></html>`;
}

function userChoice(users: TestUser[]): string {
  const radios = users
    .map(
      (u, i) =>
        `<label class="user"><input type="radio" name="login" value="${escapeHtml(u.login)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(u.name)} <small>(${escapeHtml(u.login)})</small></label>`,
    )
    .join('\n');
  return `${radios}
<label class="user">或输入用户名 / or type a login: <input type="text" name="typed_login" autocomplete="off"></label>`;
}

function hidden(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n');
}

export interface QrPageOptions {
  appName: string;
  uuid: string;
  /** data: URL of the QR image of `confirmUrl`. */
  qrImage: string;
  confirmUrl: string;
  /** Where the page polls (meta refresh) for the phone's answer. */
  pollUrl: string;
  users: TestUser[];
  notice?: string;
  banner?: string | undefined;
}

/** open.weixin.qq.com/connect/qrconnect: "使用微信扫一扫登录「<app>」", and the sandbox's scan buttons. */
export function qrPage(o: QrPageOptions): string {
  return page(
    '微信登录',
    `<h2>微信登录 · Sign in with WeChat</h2>
<img class="qr" src="${escapeHtml(o.qrImage)}" alt="二维码 / QR code">
<p class="hint">请使用微信扫描二维码登录「${escapeHtml(o.appName)}」<br>Scan with WeChat to sign in to “${escapeHtml(o.appName)}”</p>
<p class="hint"><a href="${escapeHtml(o.confirmUrl)}">在手机上打开 / open what the phone would</a></p>
${o.notice ? `<p class="error">${escapeHtml(o.notice)}</p>` : ''}
<form method="post" action="/connect/qrconnect/scan">
${hidden({ uuid: o.uuid })}
<fieldset><legend>沙盒：以测试用户扫码 / Sandbox: scan as a test user</legend>
${userChoice(o.users)}
</fieldset>
<div class="buttons">
<button type="submit" name="decision" value="approve">扫码并确认登录 / Scan and confirm</button>
<button type="submit" name="decision" value="deny">扫码后拒绝 / Scan and refuse</button>
</div>
</form>`,
    { banner: o.banner, refresh: `3;url=${o.pollUrl}` },
  );
}

/** What the phone shows after scanning: confirm or refuse the sign-in to the app. */
export function confirmPage(o: { appName: string; uuid: string; users: TestUser[]; banner?: string | undefined }): string {
  return page(
    '微信登录确认',
    `<h2>登录「${escapeHtml(o.appName)}」</h2>
<p class="hint">确认在电脑上登录？ / Confirm the sign-in on your computer?</p>
<form method="post" action="/connect/confirm">
${hidden({ uuid: o.uuid })}
<fieldset><legend>以谁的微信确认 / Confirm as</legend>
${userChoice(o.users)}
</fieldset>
<div class="buttons">
<button type="submit" name="decision" value="approve">确认登录 / Confirm</button>
<button type="submit" name="decision" value="deny">取消登录 / Cancel</button>
</div>
</form>`,
    { banner: o.banner },
  );
}

export function confirmedPage(approved: boolean): string {
  return page(
    approved ? '已确认' : '已取消',
    approved
      ? '<h2>已确认登录</h2><p class="hint">请回到电脑上继续。 / Confirmed: continue on the computer.</p>'
      : '<h2>已取消登录</h2><p class="hint">你已拒绝此次登录。 / You refused this sign-in.</p>',
  );
}

/** open.weixin.qq.com/connect/oauth2/authorize (snsapi_userinfo): the official account asks for the profile. */
export function inAppAuthorizePage(o: {
  appName: string;
  params: Record<string, string>;
  users: TestUser[];
  outsideWeChat: boolean;
  notice?: string;
  banner?: string | undefined;
}): string {
  return page(
    '微信授权',
    `<h2>「${escapeHtml(o.appName)}」申请获得以下权限</h2>
<p class="hint">获得你的公开信息（昵称、头像等）<br>“${escapeHtml(o.appName)}” asks for your public profile (nickname, avatar).</p>
${o.outsideWeChat ? '<p class="error">请在微信客户端打开链接 — the real page works only inside WeChat; the sandbox lets any browser through.</p>' : ''}
${o.notice ? `<p class="error">${escapeHtml(o.notice)}</p>` : ''}
<form method="post" action="/connect/oauth2/authorize">
${hidden(o.params)}
<fieldset><legend>沙盒：以测试用户授权 / Sandbox: allow as a test user</legend>
${userChoice(o.users)}
</fieldset>
<div class="buttons">
<button type="submit" name="decision" value="approve">允许 / Allow</button>
<button type="submit" name="decision" value="deny">拒绝 / Refuse</button>
</div>
</form>`,
    { banner: o.banner },
  );
}

/** WeChat's error page for a bad authorize link (HTTP 200, never a redirect). */
export function errorPage(message: string, detail?: string): string {
  return page('微信登录 — 出错了', `<h2>出错了</h2><p class="error">${escapeHtml(message)}</p>${detail ? `<p class="hint">${escapeHtml(detail)}</p>` : ''}`);
}

/** The QR page after its code expired: scan again from the shop. */
export function expiredPage(): string {
  return page('二维码已失效', '<h2>二维码已失效</h2><p class="hint">请返回网站重新发起登录。 / The QR code expired: start again from the website.</p>');
}

/** A 132×132 placeholder avatar whose colour follows the openid. */
export function avatarSvg(openid: string, size: number): string {
  const hue = [...openid].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);
  const px = size || 132;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${px}" viewBox="0 0 64 64"><rect width="64" height="64" rx="6" fill="hsl(${hue},55%,50%)"/><text x="32" y="41" font-size="22" font-family="sans-serif" text-anchor="middle" fill="#fff">微</text></svg>`;
}
