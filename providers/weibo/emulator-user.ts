// The users/show object of an emulated Weibo user, shaped like an observed live answer: `id` a number
// with `idstr` beside it, avatars as absolute URLs on the emulator, `created_at` in Weibo's
// "Fri Aug 28 00:00:00 +0800 2009" form, `status` empty (what apps get since 2014). Values are derived
// from the login so they never change between runs.

import { stableDigits, type TestUser } from '../shared/emulator/test-users.ts';
import { uidFor } from './emulator-world.ts';

export function weiboUser(user: TestUser, origin: string): Record<string, unknown> {
  const uid = uidFor(user.login);
  const extra = user.extra ?? {};
  // `extra.avatarUrl` (any text) replaces every avatar URL: what a hostile or broken profile may answer.
  const avatar = (size: number) => extra.avatarUrl ?? `${origin}/__avatars/${uid}.svg?size=${size}`;
  const count = (what: string, digits: number) => Number(stableDigits(digits, 'weibo', what, user.login));
  return {
    id: Number(uid),
    idstr: uid,
    class: 1,
    screen_name: user.name,
    name: user.name,
    province: extra.province ?? '100',
    city: extra.city ?? '1000',
    location: extra.location ?? '其他',
    description: extra.description ?? '',
    url: '',
    profile_image_url: avatar(50),
    profile_url: `u/${uid}`,
    domain: '',
    weihao: '',
    gender: extra.gender === 'm' || extra.gender === 'f' ? extra.gender : 'n',
    followers_count: count('followers', 3),
    friends_count: count('friends', 3),
    pagefriends_count: 0,
    statuses_count: count('statuses', 4),
    favourites_count: count('favourites', 2),
    created_at: createdAt(user.login),
    following: false,
    allow_all_act_msg: false,
    geo_enabled: true,
    verified: false,
    verified_type: -1,
    remark: '',
    status: {},
    ptype: 0,
    allow_all_comment: true,
    avatar_large: avatar(180),
    avatar_hd: avatar(1024),
    verified_reason: '',
    follow_me: false,
    online_status: 0,
    bi_followers_count: count('bi_followers', 2),
    lang: 'zh-cn',
    star: 0,
    mbtype: 0,
    mbrank: 0,
    block_word: 0,
    block_app: 0,
    credit_score: 80,
  };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Weibo opened to the public on 14 August 2009 (+08:00). */
const WEIBO_OPENED = Date.parse('2009-08-14T00:00:00+08:00');
const FOUR_YEARS_S = 4 * 365 * 86_400;

/** A sign-up instant between Weibo's opening and 2013, formatted in Beijing time. */
export function createdAt(login: string): string {
  const ms = WEIBO_OPENED + (Number(stableDigits(12, 'weibo', 'created', login)) % FOUR_YEARS_S) * 1000;
  const d = new Date(ms + 8 * 3600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0800 ${d.getUTCFullYear()}`;
}

/** A small round avatar with the first character of the name. */
export function avatarSvg(name: string, uid: string): string {
  const hue = Number(uid.slice(-3)) % 360;
  const initial = Array.from(name)[0] ?? 'W';
  const escaped = initial.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="180" height="180" viewBox="0 0 180 180"><circle cx="90" cy="90" r="90" fill="hsl(${hue},60%,55%)"/><text x="90" y="112" font-size="72" text-anchor="middle" fill="#fff" font-family="sans-serif">${escaped}</text></svg>`;
}
