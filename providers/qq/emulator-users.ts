// The QQ emulator's people: default test users with Chinese nicknames, their per-app openids and
// per-developer unionids (deterministic, so a typed login always gets the same ids), and the
// get_user_info body QQ would answer for them.

import { testUserHex } from '../shared/emulator/test-user-ids.ts';
import type { TestUser } from '../shared/emulator/test-users.ts';

/**
 * Default users. `extra` holds get_user_info fields; `qqAvatar100: 'none'` models a user without a
 * 100×100 QQ avatar (QQ then omits figureurl_qq_2). `avatarUrl` (any text) replaces every figureurl.
 */
export const DEFAULT_QQ_USERS: TestUser[] = [
  { login: 'xiaoming', name: '小明', extra: { gender: '男', province: '广东', city: '深圳', year: '1990', constellation: '白羊座' } },
  { login: 'lihua', name: '李华', extra: { gender: '女', province: '北京', city: '海淀', year: '1993', constellation: '天秤座' } },
  { login: 'zhangwei', name: '张伟', extra: { gender: '男', province: '上海', city: '浦东新区', year: '1985', constellation: '' } },
  { login: 'wangfang', name: '王芳', extra: { gender: '女', province: '四川', city: '成都', year: '1998', constellation: '双鱼座', qqAvatar100: 'none' } },
];

/** openid: 32 uppercase hex characters, different for every app id (QQ: unique per appid); distinct test users, distinct openids. */
export function openidFor(clientId: string, login: string): string {
  return testUserHex(32, `qq-openid\u0000${clientId}`, login);
}

/**
 * unionid: the same for one person across every app of one developer account. The emulator treats all
 * its apps as one developer, so the unionid depends on the login only. The `UID_` prefix is the shape
 * seen in client code for QQ unionids; the exact real format is not documented.
 */
export function unionidFor(login: string): string {
  return 'UID_' + testUserHex(28, 'qq-union', login);
}

/** A user typed on the authorize page that is not in the list: QQ's documented defaults apply. */
export function typedUser(login: string): TestUser {
  return { login, name: login, extra: { gender: '男', province: '', city: '', year: '', constellation: '' } };
}

/** get_user_info's success body. gender_type: 2 for 男 (QQ's documented default pair), 1 for 女. */
export function userInfoBody(user: TestUser, openid: string, origin: string): Record<string, unknown> {
  const extra = user.extra ?? {};
  const gender = extra.gender === '女' ? '女' : '男';
  const avatar = (kind: string, size: number) => extra.avatarUrl ?? `${origin}/__avatars/${openid}.svg?kind=${kind}&size=${size}`;
  const body: Record<string, unknown> = {
    ret: 0,
    msg: '',
    is_lost: 0,
    nickname: user.name,
    gender,
    gender_type: gender === '女' ? 1 : 2,
    province: extra.province ?? '',
    city: extra.city ?? '',
    year: extra.year ?? '',
    constellation: extra.constellation ?? '',
    figureurl: avatar('qzone', 30),
    figureurl_1: avatar('qzone', 50),
    figureurl_2: avatar('qzone', 100),
    figureurl_qq_1: avatar('qq', 40),
    figureurl_qq_2: avatar('qq', 100),
    is_yellow_vip: '0',
    vip: '0',
    yellow_vip_level: '0',
    level: '0',
    is_yellow_year_vip: '0',
  };
  if (extra.qqAvatar100 === 'none') delete body.figureurl_qq_2;
  return body;
}
