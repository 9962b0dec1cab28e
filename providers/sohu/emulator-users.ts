// The emulated Sohu's people: default test users with Chinese names, a deterministic 9-digit user id per
// login (so a typed-in login is the same person every time), the users/show.json object and its avatar.

import { escapeHtml } from '../shared/emulator/authorize-page.ts';
import { testUserDigits } from '../shared/emulator/test-user-ids.ts';
import type { TestUser } from '../shared/emulator/test-users.ts';

export const DEFAULT_USERS: TestUser[] = [
  { login: 'zhangwei', name: '张伟', extra: { description: '北京，电商运营' } },
  { login: 'lina', name: '李娜', extra: { description: '网球和旅行' } },
  { login: 'wangfang', name: '王芳', extra: { description: '' } },
  { login: 'liuyang', name: '刘洋', extra: { description: '搜狐微博老用户' } },
];

/** The Sohu user id of a login: global, not per app; distinct test users, distinct ids. */
export function sohuUserId(login: string): string {
  return testUserDigits(9, 'sohu', login);
}

/** A configured user, or the person a typed-in login stands for. */
export function findUser(users: TestUser[], login: string): TestUser {
  return users.find((u) => u.login === login) ?? { login, name: login };
}

/** The users/show.json object (fields documented by client code; `id` a JSON number here). */
export interface SohuUser {
  id: number | string;
  screen_name: string;
  name: string;
  description: string;
  profile_image_url: string;
  location: string;
  created_at: string;
}

/**
 * `screen_name` is the nickname (a test user may set `extra.screen_name`, even to '', to exercise the
 * adapter's fallback to `name`); `name` is the display name; `extra.avatarUrl` (any text) replaces the avatar URL.
 */
export function userObject(user: TestUser, origin: string): SohuUser {
  const id = sohuUserId(user.login);
  return {
    id: Number(id),
    screen_name: user.extra?.screen_name ?? user.name,
    name: user.name,
    description: user.extra?.description ?? '',
    profile_image_url: user.extra?.avatarUrl ?? `${origin}/__avatars/${id}.svg`,
    location: user.extra?.location ?? '',
    created_at: 'Mon Mar 01 10:00:00 +0800 2010',
  };
}

/** A 64×64 Sohu-yellow square with the first character of the name. */
export function avatarSvg(name: string): string {
  const initial = escapeHtml(Array.from(name)[0] ?? '搜');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" rx="8" fill="#FFD100"/><text x="32" y="42" font-size="28" font-family="sans-serif" text-anchor="middle" fill="#222">${initial}</text></svg>`;
}
