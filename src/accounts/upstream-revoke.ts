// Revoking the grant a provider gave Denglu (Weibo's `revokeoauth2`), with the token sealed when the
// identity was linked, when an identity goes (unlink, account deletion by the shopper or an operator).
// Best effort: the outcome is reported, a failure logged with its step, never with the token. Only
// providers whose descriptor says `revocable` have such an endpoint (of Denglu's providers, Weibo).

import type { Broker } from '../broker/broker.ts';
import { UpstreamError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { TokenSealer } from './upstream-token.ts';

export type UpstreamRevoke = 'revoked' | 'none' | 'failed';

/** What revoking needs: the providers (the broker), the sealer of stored tokens, a log for failures. */
export interface UpstreamRevoker {
  broker: Pick<Broker, 'module' | 'revoke'>;
  sealer: Pick<TokenSealer, 'open'>;
  log: Pick<Logger, 'warn'>;
}

/** Calls the provider's revoke endpoint with the stored token, where the provider has one. */
export async function revokeUpstream(ctx: UpstreamRevoker, provider: string, sealed: string | undefined): Promise<UpstreamRevoke> {
  if (!ctx.broker.module(provider)?.descriptor.revocable || !sealed) return 'none';
  const token = await ctx.sealer.open(sealed);
  if (!token) return 'failed';
  try {
    return (await ctx.broker.revoke(provider, token)) ? 'revoked' : 'none';
  } catch (err) {
    // The step (`revoke`, or `timeout`) tells the operator where it failed; the message never holds the token.
    ctx.log.warn({ provider, step: err instanceof UpstreamError ? err.step : undefined, err: { message: (err as Error).message } }, 'upstream revoke failed');
    return 'failed';
  }
}
