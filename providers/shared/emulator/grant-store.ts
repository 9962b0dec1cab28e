// Codes and tokens of an emulated provider, in memory, with the real rules: a code is bound to its
// client and exact redirect_uri, expires, and works once; tokens expire and can be revoked.

import { pooledRandomBytes } from './random.ts';
import type { Clock } from '../../../src/clock.ts';
import { systemClock } from '../../../src/clock.ts';

export interface CodeGrant {
  code: string;
  clientId: string;
  redirectUri: string;
  login: string;
  scope: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
}

export interface TokenGrant {
  token: string;
  clientId: string;
  login: string;
  scope: string;
  issuedAt: number;
  expiresAt: number;
  refreshToken?: string;
}

/** How a provider's codes and tokens look (the default: lowercase hex, 32 characters for codes, 48 for tokens). */
export interface GrantShapes {
  code(length: number): string;
  token(): string;
}

const HEX_SHAPES: GrantShapes = {
  code: (length) => pooledRandomBytes(length).toString('hex').slice(0, length),
  token: () => pooledRandomBytes(24).toString('hex'),
};

export type CodeCheck = { ok: true; grant: CodeGrant } | { ok: false; reason: 'unknown' | 'reused' | 'expired' | 'client_mismatch' | 'redirect_mismatch' };

export class GrantStore {
  readonly clock: Clock;
  readonly #shapes: GrantShapes;
  readonly #codes = new Map<string, CodeGrant>();
  readonly #used = new Set<string>();
  readonly #tokens = new Map<string, TokenGrant>();
  readonly #refresh = new Map<string, string>();

  constructor(clock: Clock = systemClock, shapes: GrantShapes = HEX_SHAPES) {
    this.clock = clock;
    this.#shapes = shapes;
  }

  issueCode(grant: Omit<CodeGrant, 'code' | 'expiresAt'>, ttlSeconds: number, codeLength = 32): string {
    const code = this.#shapes.code(codeLength);
    this.#codes.set(code, { ...grant, code, expiresAt: this.clock.now() + ttlSeconds * 1000 });
    return code;
  }

  /** Redeems a code once; every failure reason is distinguishable so the emulator can answer like the provider. */
  redeemCode(code: string, clientId: string, redirectUri: string | undefined): CodeCheck {
    if (this.#used.has(code)) return { ok: false, reason: 'reused' };
    const grant = this.#codes.get(code);
    if (!grant) return { ok: false, reason: 'unknown' };
    if (grant.clientId !== clientId) return { ok: false, reason: 'client_mismatch' };
    this.#codes.delete(code);
    this.#used.add(code);
    if (grant.expiresAt <= this.clock.now()) return { ok: false, reason: 'expired' };
    if (redirectUri !== grant.redirectUri) return { ok: false, reason: 'redirect_mismatch' };
    return { ok: true, grant };
  }

  issueToken(clientId: string, login: string, scope: string, ttlSeconds: number, withRefresh = false): TokenGrant {
    const now = this.clock.now();
    const grant: TokenGrant = {
      token: this.#shapes.token(),
      clientId,
      login,
      scope,
      issuedAt: now,
      expiresAt: now + ttlSeconds * 1000,
    };
    if (withRefresh) {
      grant.refreshToken = this.#shapes.token();
      this.#refresh.set(grant.refreshToken, grant.token);
    }
    this.#tokens.set(grant.token, grant);
    return grant;
  }

  /** The live token, or why it is not. */
  token(token: string | undefined): { ok: true; grant: TokenGrant } | { ok: false; reason: 'missing' | 'unknown' | 'expired' } {
    if (!token) return { ok: false, reason: 'missing' };
    const grant = this.#tokens.get(token);
    if (!grant) return { ok: false, reason: 'unknown' };
    if (grant.expiresAt <= this.clock.now()) return { ok: false, reason: 'expired' };
    return { ok: true, grant };
  }

  revoke(token: string): boolean {
    return this.#tokens.delete(token);
  }

  /** Number of live tokens (tests assert revocation through this). */
  get tokenCount(): number {
    return this.#tokens.size;
  }
}
