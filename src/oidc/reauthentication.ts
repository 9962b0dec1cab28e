// When a shop forces re-authentication, and what that means upstream. A login interaction caused by
// `prompt=login` or by `max_age` is forced: Denglu cannot see how long ago the shopper signed in at the
// provider, so providers that can be asked to sign the person in again are asked (the descriptor's
// `reauthentication` parameters), and a fresh `auth_time` then stands for a fresh upstream sign-in.
// (oidc-provider turns `max_age=0` into `prompt=login`, as OpenID Connect Core 3.1.2.1 says.)

/** Reasons of oidc-provider's login prompt that mean the shop asked for a new sign-in. */
const FORCING_REASONS = new Set(['login_prompt', 'max_age']);

/** Whether this interaction's login was forced by the shop (prompt=login, max_age). */
export function forcesReauthentication(prompt: { name?: string; reasons?: string[] } | undefined): boolean {
  return prompt?.name === 'login' && (prompt.reasons ?? []).some((r) => FORCING_REASONS.has(r));
}
