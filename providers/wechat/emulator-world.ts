// The emulated WeChat's state: its apps (website apps for the QR login, official accounts for the
// in-WeChat one; an app outside an open-platform account gets no unionid), its people with per-app
// openids and per-account unionids (collision-free, so a typed login is the same person every time),
// authorization codes (10 minutes, single use), access tokens (7,200 s) and refresh tokens (30 days,
// never extended), and the QR login sessions the qrconnect page waits on.

import { systemClock, type Clock } from '../../src/clock.ts';
import type { EmulatorApp, EmulatorOptions } from '../contract.ts';
import { pooledRandomBytes } from '../shared/emulator/random.ts';
import { hexSpace, testUserIndex } from '../shared/emulator/test-user-ids.ts';
import type { TestUser } from '../shared/emulator/test-users.ts';

/** Code 10 minutes, access token 7,200 s, refresh token 30 days (official website-login doc). */
export const CODE_TTL_SECONDS = 600;
export const ACCESS_TOKEN_TTL_SECONDS = 7200;
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
/** How long a QR code waits to be scanned (invented: WeChat shows "二维码已失效" after some minutes). */
export const QR_TTL_SECONDS = 300;

export type AppKind = 'website' | 'official_account';

export interface WechatEmulatorApp {
  appId: string;
  secret: string;
  kind: AppKind;
  name: string;
  /** Hosts of the registered callback domain (WeChat checks the redirect_uri's domain, not the string). */
  callbackHosts: Set<string>;
  /** Bound to an open-platform account: its users have a unionid. */
  unionid: boolean;
}

/**
 * Default users. `extra`: `sex` (1 male, 2 female, 0 unknown), `province`, `city`, `country`,
 * `language` (zh_CN/en), `avatar: 'none'` for a person without a profile picture (headimgurl ""),
 * `avatarUrl` (any text) as headimgurl instead of the emulator's own picture.
 */
export const DEFAULT_WECHAT_USERS: TestUser[] = [
  { login: 'chenhao', name: '陈浩', extra: { sex: '1', province: 'Guangdong', city: 'Shenzhen', country: 'CN', language: 'zh_CN' } },
  { login: 'linxue', name: '林雪', extra: { sex: '2', province: 'Zhejiang', city: 'Hangzhou', country: 'CN', language: 'zh_CN' } },
  { login: 'wuyu', name: '吴雨', extra: { sex: '0', province: '', city: '', country: '', language: 'zh_CN', avatar: 'none' } },
  { login: 'tom', name: 'Tom', extra: { sex: '1', province: 'Shanghai', city: 'Pudong', country: 'CN', language: 'en' } },
];

/** An opaque WeChat id: `o` and base64url of an index in a collision-free space (28 or 29 characters like the real ones). */
function wechatId(bytes: number, key: string, login: string): string {
  const index = testUserIndex(hexSpace(bytes * 2), key, login);
  return `o${Buffer.from(index.toString(16).padStart(bytes * 2, '0'), 'hex').toString('base64url')}`;
}

/** The openid: one per person and app id (28 characters, `o…`). */
export function openidFor(appId: string, login: string): string {
  return wechatId(20, `wechat-openid\u0000${appId}`, login);
}

/** The unionid: one per person across the apps of one open-platform account (the emulator has one). */
export function unionidFor(login: string): string {
  return wechatId(21, 'wechat-unionid', login);
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random letters and digits (codes look like `0716AVll20uHk94SLDml27etM946AVlq`). */
export function randomAlnum(length: number): string {
  return [...pooledRandomBytes(length)].map((b) => ALNUM[b % ALNUM.length]).join('');
}

export interface CodeGrant {
  appId: string;
  login: string;
  scope: string;
  expiresAt: number;
  used: boolean;
  /** A token from this code carries no unionid (fault mode `no_unionid`). */
  noUnionid?: boolean;
}

export interface AccessGrant {
  appId: string;
  login: string;
  scope: string;
  expiresAt: number;
  noUnionid?: boolean;
}

export interface RefreshGrant extends AccessGrant {
  accessToken: string;
}

/** The request a QR page or an in-WeChat authorize page was opened with, once validated. */
export interface AuthorizeRequest {
  app: WechatEmulatorApp;
  redirectUri: string;
  scope: string;
  state: string;
}

export interface QrSession {
  request: AuthorizeRequest;
  status: 'waiting' | 'confirmed' | 'denied';
  login?: string;
  expiresAt: number;
}

export class WechatWorld {
  readonly clock: Clock;
  readonly apps = new Map<string, WechatEmulatorApp>();
  readonly users: TestUser[];
  readonly banner: (() => string | undefined) | undefined;
  autoApprove: string | undefined;
  readonly codes = new Map<string, CodeGrant>();
  readonly tokens = new Map<string, AccessGrant>();
  readonly refreshTokens = new Map<string, RefreshGrant>();
  readonly qr = new Map<string, QrSession>();

  constructor(options: EmulatorOptions) {
    this.clock = options.clock ?? systemClock;
    this.banner = options.banner;
    this.users = [...(options.users ?? DEFAULT_WECHAT_USERS)];
    for (const app of options.apps) this.#register(app);
  }

  /**
   * A contract app is a website app (or an official account with `extra.kind`); `extra.mpAppId` and
   * `extra.mpAppSecret` (the adapter's settings) register its official account too, on the same
   * open-platform account. `extra.openPlatform: false`: not bound to one, so no unionid.
   */
  #register(app: EmulatorApp): void {
    const extra = app.extra ?? {};
    const hosts = new Set(app.redirectUris.map((u) => new URL(u).host));
    const unionid = extra.openPlatform !== false;
    const kind: AppKind = extra.kind === 'official_account' ? 'official_account' : 'website';
    this.apps.set(app.clientId, { appId: app.clientId, secret: app.clientSecret, kind, name: app.name ?? app.clientId, callbackHosts: hosts, unionid });
    if (typeof extra.mpAppId === 'string' && typeof extra.mpAppSecret === 'string' && extra.mpAppId && extra.mpAppSecret) {
      const name = `${app.name ?? app.clientId} 公众号`;
      this.apps.set(extra.mpAppId, { appId: extra.mpAppId, secret: extra.mpAppSecret, kind: 'official_account', name, callbackHosts: hosts, unionid });
    }
  }

  user(login: string): TestUser {
    let user = this.users.find((u) => u.login === login);
    if (!user) {
      user = { login, name: login, extra: { sex: '0', province: '', city: '', country: '', language: 'zh_CN' } };
      this.users.push(user);
    }
    return user;
  }

  /** The unionid a grant's answers carry, if any. */
  unionidOf(grant: { appId: string; login: string; noUnionid?: boolean }): string | undefined {
    return this.apps.get(grant.appId)?.unionid && !grant.noUnionid ? unionidFor(grant.login) : undefined;
  }

  issueCode(request: AuthorizeRequest, login: string): string {
    this.user(login);
    if (this.codes.size > 50_000) this.#prune();
    const code = randomAlnum(32);
    this.codes.set(code, { appId: request.app.appId, login, scope: request.scope, expiresAt: this.clock.now() + CODE_TTL_SECONDS * 1000, used: false });
    return code;
  }

  issueTokens(grant: AccessGrant): { accessToken: string; refreshToken: string } {
    const now = this.clock.now();
    const accessToken = `${randomAlnum(2)}_${pooledRandomBytes(80).toString('base64url')}`;
    const refreshToken = `${randomAlnum(2)}_${pooledRandomBytes(80).toString('base64url')}`;
    const access: AccessGrant = { appId: grant.appId, login: grant.login, scope: grant.scope, expiresAt: now + ACCESS_TOKEN_TTL_SECONDS * 1000 };
    if (grant.noUnionid) access.noUnionid = true;
    this.tokens.set(accessToken, access);
    this.refreshTokens.set(refreshToken, { ...access, accessToken, expiresAt: now + REFRESH_TOKEN_TTL_SECONDS * 1000 });
    return { accessToken, refreshToken };
  }

  /** A live access token, or why not. */
  token(value: string | undefined): { ok: true; grant: AccessGrant } | { ok: false; reason: 'missing' | 'malformed' | 'unknown' | 'expired' } {
    if (!value) return { ok: false, reason: 'missing' };
    if (!/^[\w-]{16,512}$/.test(value)) return { ok: false, reason: 'malformed' };
    const grant = this.tokens.get(value);
    if (!grant) return { ok: false, reason: 'unknown' };
    if (grant.expiresAt <= this.clock.now()) return { ok: false, reason: 'expired' };
    return { ok: true, grant };
  }

  #prune(): void {
    const now = this.clock.now();
    for (const [code, grant] of this.codes) if (grant.expiresAt + 3600_000 < now) this.codes.delete(code);
    for (const [token, grant] of this.tokens) if (grant.expiresAt < now) this.tokens.delete(token);
    for (const [uuid, session] of this.qr) if (session.expiresAt < now) this.qr.delete(uuid);
  }
}
