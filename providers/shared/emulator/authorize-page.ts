// The emulated provider's authorize page: the tester picks a test user or types a login, then approves
// or denies. Plain HTML, no script, so it works in headless browsers and with a form-following client.
// Buttons keep their (bilingual) text on one line; on a narrow phone a second button moves below the first.

import type { TestUser } from './test-users.ts';

export interface AuthorizePageOptions {
  providerName: string;
  appName: string;
  /** Where the form posts to (the emulator's own authorize path). */
  action: string;
  /** The original authorization request parameters, carried as hidden fields. */
  params: Record<string, string>;
  users: TestUser[];
  /** Accent colour of the page header. */
  color: string;
  /** Text of the approve and deny buttons. */
  approveLabel?: string;
  denyLabel?: string;
  notice?: string;
  /** Sandbox line above the page (e.g. the simulated time). */
  banner?: string | undefined;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function renderAuthorizePage(o: AuthorizePageOptions): string {
  const hidden = Object.entries(o.params)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n');
  const users = o.users
    .map(
      (u, i) =>
        `<label class="user"><input type="radio" name="login" value="${escapeHtml(u.login)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(u.name)} <small>(${escapeHtml(u.login)})</small></label>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(o.providerName)} — 授权 ${escapeHtml(o.appName)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#222}
header{background:${escapeHtml(o.color)};color:#fff;padding:14px 20px;font-size:18px}
main{max-width:480px;margin:24px auto;background:#fff;border-radius:8px;padding:20px 24px;box-shadow:0 1px 4px #0002}
.user{display:block;padding:6px 0}.typed{margin:12px 0}input[type=text]{padding:6px;width:60%}
.buttons{margin-top:18px;display:flex;flex-wrap:wrap;gap:12px}button{padding:8px 18px;font-size:15px;border-radius:4px;border:1px solid #aaa;cursor:pointer;white-space:nowrap}
button[value=approve]{background:${escapeHtml(o.color)};color:#fff;border:none}.sandbox{font-size:12px;color:#777;margin-top:18px}
</style></head>
<body>${o.banner ? `<div class="banner" style="background:#fff4c2;color:#5c4a00;text-align:center;font-size:14px;padding:6px">${escapeHtml(o.banner)}</div>` : ''}<header>${escapeHtml(o.providerName)}</header>
<main>
<h2>授权 ${escapeHtml(o.appName)} 访问你的帐号</h2>
${o.notice ? `<p>${escapeHtml(o.notice)}</p>` : ''}
<form method="post" action="${escapeHtml(o.action)}">
${hidden}
<fieldset><legend>选择测试用户 / Pick a test user</legend>
${users}
<div class="typed"><label>或输入用户名 / or type a login: <input type="text" name="typed_login" autocomplete="off"></label></div>
</fieldset>
<div class="buttons">
<button type="submit" name="decision" value="approve">${escapeHtml(o.approveLabel ?? '授权 / Approve')}</button>
<button type="submit" name="decision" value="deny">${escapeHtml(o.denyLabel ?? '取消 / Deny')}</button>
</div>
</form>
<p class="sandbox">Sandbox emulator — no real account is used.</p>
</main></body></html>`;
}
