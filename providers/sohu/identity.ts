// How a Sohu user becomes Denglu identity keys: the users/show `id` is a global Sohu user id (not per
// app, unlike QQ's openid), so one key `sohu:id:<id>`. Shared by the adapter and the emulator's
// identityKeysFor so that both always agree.

export function sohuIdentityKeys(id: string): string[] {
  return [`sohu:id:${id}`];
}
