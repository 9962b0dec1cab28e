// The emulated Weibo's state: registered apps, users (uids derived from the login without collisions, so a typed login is
// the same Weibo user every time), authorization codes (single use, CODE_TTL_SECONDS) and access tokens
// (`2.00…`, one day by default as for an unaudited app; an app may set `extra.tokenLifetimeSeconds`).

import { pooledRandomBytes } from '../shared/emulator/random.ts';
import { systemClock, type Clock } from '../../src/clock.ts';
import type { EmulatorApp, EmulatorOptions } from '../contract.ts';
import { GrantStore } from '../shared/emulator/grant-store.ts';
import { testUserDigits } from '../shared/emulator/test-user-ids.ts';
import type { TestUser } from '../shared/emulator/test-users.ts';

/** Weibo does not document the code lifetime; 10 minutes is the common choice (QQ documents it). */
export const CODE_TTL_SECONDS = 600;
/** Unaudited ("test") apps get one-day tokens (doc; observed expires_in 86400 in 2011). */
export const DEFAULT_TOKEN_TTL_SECONDS = 86_400;

export interface WeiboToken {
  token: string;
  clientId: string;
  login: string;
  scope: string;
  issuedAt: number;
  expiresAt: number;
}

export type TokenCheck = { ok: true; grant: WeiboToken } | { ok: false; reason: 'missing' | 'unknown' | 'expired' };

export const DEFAULT_USERS: TestUser[] = [
  { login: 'xiaowang', name: '京东买家小王', extra: { gender: 'm', province: '11', city: '5', location: '北京 朝阳区', description: '买买买，剁手中' } },
  { login: 'lina', name: '李娜爱购物', extra: { gender: 'f', province: '31', city: '4', location: '上海 徐汇区', description: '生活需要仪式感' } },
  { login: 'zhangwei', name: '张伟_深圳', extra: { gender: 'm', province: '44', city: '3', location: '广东 深圳', description: '' } },
  { login: 'chenjing', name: '陈静Jing', extra: { gender: 'f', province: '33', city: '1', location: '浙江 杭州', description: '西湖边的程序媛' } },
];

/** The 10-digit uid of a login (observed uids: 1404376560, 5285840175); distinct test users, distinct uids. */
export function uidFor(login: string): string {
  return testUserDigits(10, 'weibo', login);
}

export class WeiboWorld {
  readonly clock: Clock;
  readonly apps: EmulatorApp[];
  /** Every user known so far (the contract's `Emulator.users`); typed logins are appended. */
  readonly users: TestUser[];
  /** Sandbox line shown on the authorize page. */
  readonly banner: (() => string | undefined) | undefined;
  readonly codes: GrantStore;
  autoApprove: string | undefined;
  readonly #byLogin = new Map<string, TestUser>();
  readonly #byUid = new Map<string, TestUser>();
  readonly #tokens = new Map<string, WeiboToken>();

  constructor(options: EmulatorOptions) {
    this.clock = options.clock ?? systemClock;
    this.banner = options.banner;
    // Weibo app keys are numbers (get_token_info answers `"appkey":1352222456`): a word cannot be registered.
    for (const app of options.apps) {
      if (!/^\d{1,19}$/.test(app.clientId)) throw new TypeError(`Weibo app keys are numbers; "${app.clientId}" cannot be registered with the Weibo emulator`);
    }
    this.apps = options.apps;
    this.users = [];
    this.codes = new GrantStore(this.clock);
    for (const user of options.users ?? DEFAULT_USERS) this.#add({ ...user });
  }

  app(clientId: unknown): EmulatorApp | undefined {
    return typeof clientId === 'string' ? this.apps.find((a) => a.clientId === clientId) : undefined;
  }

  user(login: string): TestUser | undefined {
    return this.#byLogin.get(login);
  }

  userByUid(uid: string): TestUser | undefined {
    return this.#byUid.get(uid);
  }

  userByName(name: string): TestUser | undefined {
    return this.users.find((u) => u.name === name);
  }

  /** A login typed on the authorize page that nobody used before becomes a user named after it. */
  ensureUser(login: string): TestUser {
    return this.#byLogin.get(login) ?? this.#add({ login, name: login });
  }

  issueToken(app: EmulatorApp, login: string, scope: string): WeiboToken {
    const now = this.clock.now();
    const configured = Number(app.extra?.tokenLifetimeSeconds);
    const ttl = configured > 0 ? configured : DEFAULT_TOKEN_TTL_SECONDS;
    const grant: WeiboToken = { token: newToken(), clientId: app.clientId, login, scope, issuedAt: now, expiresAt: now + ttl * 1000 };
    this.#tokens.set(grant.token, grant);
    return grant;
  }

  token(value: unknown): TokenCheck {
    if (typeof value !== 'string' || value === '') return { ok: false, reason: 'missing' };
    const grant = this.#tokens.get(value);
    if (!grant) return { ok: false, reason: 'unknown' };
    if (grant.expiresAt <= this.clock.now()) return { ok: false, reason: 'expired' };
    return { ok: true, grant };
  }

  revoke(value: string): boolean {
    return this.#tokens.delete(value);
  }

  #add(user: TestUser): TestUser {
    this.users.push(user);
    this.#byLogin.set(user.login, user);
    this.#byUid.set(uidFor(user.login), user);
    return user;
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Observed tokens look like `2.00hU…`: a version prefix and about 28 alphanumerics. */
function newToken(): string {
  return '2.00' + Array.from(pooledRandomBytes(28), (b) => ALPHABET[b % ALPHABET.length]).join('');
}
