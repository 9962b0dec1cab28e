// Revoking the grant a provider gave Denglu (Weibo's `revokeoauth2`), with the token sealed when the
// identity was linked, when a shopper removes that identity (unlink, account deletion). Best effort: the
// outcome is reported, a failure logged with its step, never with the token.

import { UpstreamError } from '../errors.ts';
import type { LoginContext } from '../broker/login-context.ts';

export type UpstreamRevoke = 'revoked' | 'none' | 'failed';

/** Calls the provider's revoke endpoint with the stored token, where the provider has one. */
export async function revokeUpstream(ctx: LoginContext, provider: string, sealed: string | undefined): Promise<UpstreamRevoke> {
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
