// A flow is one upstream round trip: its id is the `state` sent to the provider. It is bound to the
// browser (a hash of the binding cookie), to the provider (its callback path), to the purpose and to
// the downstream interaction; it expires, and taking it at the callback uses it up.

import { createHash, randomBytes } from 'node:crypto';
import type { EpochMs } from '../clock.ts';
import type { Locale } from '../../providers/contract.ts';

export type FlowPurpose = 'login' | 'link' | 'migrate';

export interface Flow {
  id: string;
  provider: string;
  purpose: FlowPurpose;
  /** oidc-provider interaction uid (login/migrate). */
  interactionUid?: string;
  partnerId?: string;
  clientId?: string;
  /** The account a link attaches to. */
  accountId?: string;
  bindingHash: string;
  /** PKCE verifier, when the provider supports PKCE. */
  codeVerifier?: string;
  locale: Locale;
  createdAt: EpochMs;
  expiresAt: EpochMs;
}

/** A flow's id and expiry, made before the flow itself so that a new sign-in's admission counts it (Broker.plan). */
export interface PlannedFlow {
  id: string;
  expiresAt: EpochMs;
}

/** Unused flows stay readable this long after expiry, so a late callback gets "expired", not "unknown". */
export const FLOW_RETENTION_MS = 60 * 60 * 1000;

/**
 * 256 random bits as 64 hex digits: the flow id is the `state` every provider passes back, so it uses
 * only letters and digits and stays within 128 bytes (WeChat refuses anything else, see providers/wechat).
 */
export function newFlowId(): string {
  return randomBytes(32).toString('hex');
}

export function bindingHash(binding: string): string {
  return createHash('sha256').update(binding).digest('base64url');
}
