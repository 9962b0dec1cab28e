// The emulated Alipay's state: registered apps with their keys (the app's public key that checks its
// requests, and the per-app Alipay key pair that signs answers, as Alipay's console shows one "Alipay
// public key" per app), test users, auth codes (single use, CODE_TTL_SECONDS) and access/refresh tokens
// (`authusrB…`, 15 and 30 days as observed). An app with `extra.openIdOnly` is one created since 2023:
// its answers carry `open_id` and no `user_id`. Keys an app does not name are the sandbox's throwaway ones.

import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { systemClock, type Clock } from '../../src/clock.ts';
import type { EmulatorApp, EmulatorOptions } from '../contract.ts';
import { GrantStore } from '../shared/emulator/grant-store.ts';
import { pooledRandomBytes } from '../shared/emulator/random.ts';
import { testUserDigits } from '../shared/emulator/test-user-ids.ts';
import type { TestUser } from '../shared/emulator/test-users.ts';
import type { AlipayIds } from './identity.ts';
import { privateKeyFrom, publicKeyFrom } from './keys.ts';
import { sandboxKeys } from './sandbox-keys.ts';

/** auth_code is valid "3 minutes to 24 hours" (doc); the emulator keeps it 10 minutes. */
export const CODE_TTL_SECONDS = 600;
/** Observed `expires_in` 1296000 (15 days) and `re_expires_in` 2592000 (30 days). */
export const ACCESS_TTL_SECONDS = 1_296_000;
export const REFRESH_TTL_SECONDS = 2_592_000;

export const DEFAULT_USERS: TestUser[] = [
  { login: 'xiaowang', name: '小王爱淘宝', extra: { gender: 'M', province: '北京', city: '北京市' } },
  { login: 'lina', name: '李娜', extra: { gender: 'F', province: '上海', city: '上海市' } },
  { login: 'zhangwei', name: '张伟', extra: { gender: 'M', province: '广东省', city: '深圳市' } },
  { login: 'chenjing', name: '陈静', extra: { gender: 'F', province: '浙江省', city: '杭州市' } },
];

export interface AlipayApp {
  app: EmulatorApp;
  /** Checks the app's request signatures. */
  appPublicKey: KeyObject;
  /** Signs this app's answers. */
  alipayPrivateKey: KeyObject;
  openIdOnly: boolean;
}

export interface AlipayToken {
  accessToken: string;
  refreshToken: string;
  appId: string;
  login: string;
  scope: string;
  authStart: number;
  expiresAt: number;
  refreshExpiresAt: number;
}

/** `2088` and 12 digits, distinct per login (observed user ids: 2088102104794936). */
export function userIdFor(login: string): string {
  return `2088${testUserDigits(12, 'alipay', login)}`;
}

/** A per-app id of the shape seen in open_id samples (invented: `0` and 45 letters and digits). */
export function openIdFor(appId: string, login: string): string {
  const digest = createHash('sha256').update(`alipay-open-id\u0000${appId}\u0000${login}`).digest('base64url');
  return `0${digest.replace(/[-_]/g, '0')}`.slice(0, 46);
}

export class AlipayWorld {
  readonly clock: Clock;
  readonly apps: AlipayApp[];
  readonly users: TestUser[] = [];
  readonly banner: (() => string | undefined) | undefined;
  readonly codes: GrantStore;
  autoApprove: string | undefined;
  readonly #byLogin = new Map<string, TestUser>();
  readonly #tokens = new Map<string, AlipayToken>();
  readonly #refresh = new Map<string, AlipayToken>();

  constructor(options: EmulatorOptions) {
    this.clock = options.clock ?? systemClock;
    this.banner = options.banner;
    this.codes = new GrantStore(this.clock);
    this.apps = options.apps.map(appWithKeys);
    for (const user of options.users ?? DEFAULT_USERS) this.#add({ ...user });
  }

  app(appId: unknown): AlipayApp | undefined {
    return typeof appId === 'string' ? this.apps.find((a) => a.app.clientId === appId) : undefined;
  }

  user(login: string): TestUser | undefined {
    return this.#byLogin.get(login);
  }

  ensureUser(login: string): TestUser {
    return this.#byLogin.get(login) ?? this.#add({ login, name: login });
  }

  /** The ids an app's answers carry for a person (an app not registered here gets both). */
  idsFor(appId: string, login: string): AlipayIds {
    const openId = openIdFor(appId, login);
    return this.app(appId)?.openIdOnly ? { openId } : { openId, userId: userIdFor(login) };
  }

  issueToken(appId: string, login: string, scope: string): AlipayToken {
    const now = this.clock.now();
    const token: AlipayToken = {
      accessToken: newToken(),
      refreshToken: newToken(),
      appId,
      login,
      scope,
      authStart: now,
      expiresAt: now + ACCESS_TTL_SECONDS * 1000,
      refreshExpiresAt: now + REFRESH_TTL_SECONDS * 1000,
    };
    this.#tokens.set(token.accessToken, token);
    this.#refresh.set(token.refreshToken, token);
    return token;
  }

  token(value: string | undefined): { ok: true; token: AlipayToken } | { ok: false; reason: 'missing' | 'unknown' | 'expired' } {
    if (!value) return { ok: false, reason: 'missing' };
    const token = this.#tokens.get(value);
    if (!token) return { ok: false, reason: 'unknown' };
    if (token.expiresAt <= this.clock.now()) return { ok: false, reason: 'expired' };
    return { ok: true, token };
  }

  /** A refresh token is used once: it gives a new pair and retires the old one. */
  refresh(value: string, appId: string): AlipayToken | undefined {
    const old = this.#refresh.get(value);
    if (!old || old.appId !== appId || old.refreshExpiresAt <= this.clock.now()) return undefined;
    this.#refresh.delete(value);
    this.#tokens.delete(old.accessToken);
    return this.issueToken(old.appId, old.login, old.scope);
  }

  #add(user: TestUser): TestUser {
    this.users.push(user);
    this.#byLogin.set(user.login, user);
    return user;
  }
}

/**
 * The keys of a registered app: `extra.appPublicKey` (or the public half of `extra.appPrivateKey`, when a
 * test hands the emulator the same settings as the adapter) and `extra.alipayPrivateKey`; the sandbox's
 * throwaway keys for whatever is not named.
 */
function appWithKeys(app: EmulatorApp): AlipayApp {
  const text = (name: string) => (typeof app.extra?.[name] === 'string' ? (app.extra[name] as string) : undefined);
  const appPublic = text('appPublicKey');
  const appPrivate = text('appPrivateKey');
  const appPublicKey = appPublic
    ? publicKeyFrom(appPublic, 'appPublicKey')
    : appPrivate
      ? createPublicKey(privateKeyFrom(appPrivate, 'appPrivateKey'))
      : publicKeyFrom(sandboxKeys().appPublicKey, 'sandbox app public key');
  const alipayPrivateKey = privateKeyFrom(text('alipayPrivateKey') ?? sandboxKeys().alipayPrivateKey, 'alipayPrivateKey');
  return { app, appPublicKey, alipayPrivateKey, openIdOnly: app.extra?.openIdOnly === true };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Observed tokens start `authusrB` (user authorization) followed by letters and digits. */
function newToken(): string {
  return `authusrB${Array.from(pooledRandomBytes(32), (b) => ALPHABET[b % ALPHABET.length]).join('')}`;
}
