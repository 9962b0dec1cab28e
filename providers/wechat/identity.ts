// How a WeChat sign-in becomes Denglu identity keys: the unionid (one per person across every app of a
// shop's open-platform account — the website app and the official account alike) is the first key and
// the subject; the openid, unique only per app id, is the second key, scoped by that app id, and the
// subject when WeChat sends no unionid (an app not bound to an open-platform account). Shared by the
// adapter and the emulator's identityKeysFor so both always agree.

export function wechatSubject(appId: string, openid: string, unionid?: string): string {
  return unionid ?? `${appId}:${openid}`;
}

export function wechatIdentityKeys(appId: string, openid: string, unionid?: string): string[] {
  const keys = [`wechat:openid:${appId}:${openid}`];
  return unionid ? [`wechat:unionid:${unionid}`, ...keys] : keys;
}
