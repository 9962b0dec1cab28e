// How a QQ sign-in becomes Denglu identity keys: openid is only unique per app id, so the subject and
// the openid key carry the app id; the unionid (one per developer account) is a second key when granted.
// Shared by the adapter and by the emulator's identityKeysFor so both always agree.

export function qqSubject(appId: string, openid: string): string {
  return `${appId}:${openid}`;
}

export function qqIdentityKeys(appId: string, openid: string, unionid?: string): string[] {
  const keys = [`qq:openid:${appId}:${openid}`];
  if (unionid) keys.push(`qq:unionid:${unionid}`);
  return keys;
}
