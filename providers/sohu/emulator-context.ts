// What the emulated Sohu's routes share: registered apps, test users, codes and tokens, the refresh
// tokens it rotates, the fault switch and the auto-approve login. Also the lifetimes it enforces.

import type { Clock } from '../../src/clock.ts';
import type { EmulatorApp } from '../contract.ts';
import type { FaultSwitch } from '../shared/emulator/fault-switch.ts';
import type { GrantStore } from '../shared/emulator/grant-store.ts';
import type { TestUser } from '../shared/emulator/test-users.ts';

/** An authorization code lives 60 s (invented; RFC 6749 recommends at most 10 minutes). */
export const CODE_TTL_SECONDS = 60;
/** An access token lives one day (invented). */
export const ACCESS_TOKEN_TTL_SECONDS = 86_400;
/** A refresh token lives 30 days and is rotated on use (invented). */
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 86_400;

export interface RefreshGrant {
  clientId: string;
  login: string;
  scope: string;
  /** The access token issued with this refresh token (revoked with it on code reuse). */
  accessToken: string;
  expiresAt: number;
}

export interface SohuEmulatorContext {
  apps: EmulatorApp[];
  users: TestUser[];
  clock: Clock;
  grants: GrantStore;
  faults: FaultSwitch;
  autoApprove: string | undefined;
  refreshTokens: Map<string, RefreshGrant>;
  /** Tokens issued per code, so that a replayed code revokes them (RFC 6749 §4.1.2). */
  tokensByCode: Map<string, { accessToken: string; refreshToken: string }>;
  /** Sohu user id → display name of everyone shown so far (for /__avatars). */
  avatarNames: Map<string, string>;
  /** Sandbox line shown on the authorize page. */
  banner?: () => string | undefined;
}

export function findApp(context: SohuEmulatorContext, clientId: string | undefined): EmulatorApp | undefined {
  return clientId === undefined ? undefined : context.apps.find((a) => a.clientId === clientId);
}
