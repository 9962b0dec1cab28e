// HTML the QQ emulator shows instead of redirecting: QQ's error page for a bad authorize request
// (code + description, never a redirect), the "sign-in cancelled" page QQ's closing login window
// amounts to, and the small SVG avatars behind figureurl*.

import { escapeHtml } from '../shared/emulator/authorize-page.ts';

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#222}
header{background:#12B7F5;color:#fff;padding:14px 20px;font-size:18px}
main{max-width:520px;margin:24px auto;background:#fff;border-radius:8px;padding:20px 24px;box-shadow:0 1px 4px #0002}
.code{font-family:monospace;color:#c00}.sandbox{font-size:12px;color:#777;margin-top:18px}`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><header>QQ互联</header><main>
${body}
<p class="sandbox">Sandbox emulator — no real account is used.</p>
</main></body></html>`;
}

/** QQ's authorize error page: `code` is QQ's error number when one is documented. */
export function errorPage(code: number | undefined, description: string): string {
  return page(
    'QQ互联 — 出错了',
    `<h2>很抱歉！出现了错误 / Sorry, something went wrong</h2>
${code === undefined ? '' : `<p class="code">error: ${code}</p>`}
<p class="code">error_description: ${escapeHtml(description)}</p>
<p>请联系网站管理员 / please contact the website that sent you here.</p>`,
  );
}

/** What the shopper sees after pressing cancel: QQ closes its login window and never redirects. */
export function cancelledPage(appName: string): string {
  return page(
    'QQ互联 — 已取消',
    `<h2>已取消登录</h2>
<p>你取消了使用 QQ 帐号登录 ${escapeHtml(appName)}。QQ 不会通知该网站，请关闭此窗口。</p>
<p>Sign-in with QQ was cancelled. QQ does not redirect back to ${escapeHtml(appName)}; close this window.</p>`,
  );
}

/** A 64×64 placeholder avatar whose colour follows the openid. */
export function avatarSvg(openid: string): string {
  const hue = parseInt(openid.slice(0, 4), 16) % 360;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" rx="8" fill="hsl(${hue},60%,55%)"/><text x="32" y="41" font-size="24" font-family="sans-serif" text-anchor="middle" fill="#fff">QQ</text></svg>`;
}
