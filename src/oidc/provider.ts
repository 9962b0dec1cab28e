// Denglu as OpenID Provider: oidc-provider configured for shops. Code flow only, PKCE S256 required for
// every client (but confidential ones registered "nonce instead of PKCE", see pkce-policy.ts), public
// clients (`none`) and client_secret_basic / client_secret_post / private_key_jwt, refresh tokens with
// rotation for offline_access, pairwise `sub` per partner, `iss` in authorization responses, RP-initiated
// logout, persisted signing keys, artifacts in the Store. First-party partners never see a consent page.

import Provider, { type Client, type Configuration, type Interaction, type KoaContextWithOIDC } from 'oidc-provider';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/store.ts';
import type { Renderer } from '../http/render.ts';
import { LOCALES, pickLocale } from '../i18n/locale.ts';
import { translator } from '../i18n/messages.ts';
import { oidcErrorText } from './error-text.ts';
import { partnerOfClient } from '../partners/partners.ts';
import { shopHeader } from '../http/shop-header.ts';
import { getAccount, normalisedAccount } from '../accounts/sign-in.ts';
import { accountInRequest } from '../accounts/account-in-request.ts';
import { grantInRequest } from './grant-in-request.ts';
import { verifiedEmailClaims } from '../accounts/verified-email.ts';
import { createStoreAdapter } from './store-adapter.ts';
import { pairwiseSubject } from './pairwise.ts';
import type { SigningKeys } from './secrets.ts';
import type { CookieSigner } from '../http/cookie-signer.ts';
import { assertRefreshAllowed, interactionPolicyWithLifecycle, providerOf } from './lifecycle-checks.ts';
import { NONCE_INSTEAD_OF_PKCE, pkceRequired } from './pkce-policy.ts';
import { clientBasedCors } from './client-cors.ts';
import { ACCESS_TOKEN_TTL_SECONDS, ID_TOKEN_TTL_SECONDS } from './token-lifetimes.ts';

export interface OidcOptions {
  issuer: string;
  store: Store;
  clock: Clock;
  keys: SigningKeys;
  /** Signs and verifies oidc-provider's cookies (keygrip-compatible, see src/http/cookie-signer.ts). */
  cookieSigner: CookieSigner;
  pairwiseSalt: string;
  sessionTtlSeconds: number;
  interactionTtlSeconds: number;
  renderer: Renderer;
  /** Provider ids, to pick the provider out of `amr`. */
  providerIds: ReadonlySet<string>;
  /** Providers this deployment can reach (lifecycle checks). */
  configured: () => ReadonlySet<string>;
  /** Where oidc-provider sends the browser for an interaction (the broker decides). */
  interactionUrl: (ctx: KoaContextWithOIDC, interaction: Interaction) => Promise<string>;
  secureCookies: boolean;
}

export type OidcProvider = Provider;

/** Extra client metadata Denglu keeps on every client. */
export function clientPartnerId(client: Client): string {
  return (client.partner_id ?? client.metadata?.().partner_id) as string;
}
function clientIsFirstParty(client: Client): boolean {
  return Boolean(client.first_party ?? client.metadata?.().first_party);
}

const REFRESH_TOKEN_LIFETIME_S = 30 * 24 * 3600;

export function createOidcProvider(o: OidcOptions): Provider {
  const lifecycle = { store: o.store, clock: o.clock, providerIds: o.providerIds, configured: o.configured };
  const t = (ctx: KoaContextWithOIDC) => {
    const locale = pickLocale({ uiLocales: ctx.oidc?.params?.ui_locales, acceptLanguage: ctx.get('accept-language') });
    return { locale, t: translator(locale) };
  };

  const configuration: Configuration = {
    adapter: createStoreAdapter(o.store, o.clock),
    clients: [],
    jwks: o.keys,
    cookies: {
      keys: o.cookieSigner,
      names: { session: 'dl_session', interaction: 'dl_interaction', resume: 'dl_resume' },
      long: { signed: true, httpOnly: true, sameSite: 'lax', secure: o.secureCookies },
      short: { signed: true, httpOnly: true, sameSite: 'lax', secure: o.secureCookies },
    },
    claims: {
      openid: ['sub', 'idp', 'amr'],
      profile: ['name', 'picture', 'locale'],
      email: ['email', 'email_verified'],
      amr: null,
      acr: null,
      auth_time: null,
      sid: null,
      iss: null,
    },
    conformIdTokenClaims: false,
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    responseTypes: ['code'],
    subjectTypes: ['pairwise'],
    discovery: { claim_types_supported: ['normal'], ui_locales_supported: [...LOCALES] },
    pairwiseIdentifier: async (_ctx, accountId, client) => pairwiseSubject(o.pairwiseSalt, clientPartnerId(client), accountId),
    sectorIdentifierUriValidate: () => false,
    extraClientMetadata: { properties: ['partner_id', 'first_party', NONCE_INSTEAD_OF_PKCE] },
    extraParams: ['provider'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    pkce: { required: pkceRequired },
    clientBasedCORS: clientBasedCors,
    allowOmittingSingleRegisteredRedirectUri: false,
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      IdToken: ID_TOKEN_TTL_SECONDS,
      Interaction: o.interactionTtlSeconds,
      Session: o.sessionTtlSeconds,
      Grant: o.sessionTtlSeconds,
      // Absolute lifetime: rotation hands out the remaining time, never a fresh 30 days.
      RefreshToken: (ctx) => ctx?.oidc?.entities?.RotatedRefreshToken?.remainingTTL ?? REFRESH_TOKEN_LIFETIME_S,
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          const { locale } = t(ctx);
          ctx.type = 'html';
          ctx.body = await o.renderer.render('logout', { locale }, { form });
        },
        postLogoutSuccessSource: async (ctx) => {
          const { locale } = t(ctx);
          ctx.type = 'html';
          ctx.body = await o.renderer.render('logged-out', { locale });
        },
      },
      resourceIndicators: { enabled: false },
    },
    interactions: { url: o.interactionUrl, policy: interactionPolicyWithLifecycle(lifecycle) },
    loadExistingGrant: async (ctx) => {
      const { client, session, result } = ctx.oidc;
      const grantId = result?.consent?.grantId || session!.grantIdFor(client!.clientId);
      // Saved by the callback this resume runs in (grant-in-request.ts), or read.
      const atHand = grantId ? grantInRequest.get(ctx.req, grantId) : undefined;
      const existing = atHand instanceof ctx.oidc.provider.Grant ? atHand : grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (!clientIsFirstParty(client!) || !session?.accountId) return existing;
      // First-party shops: grant what they ask for, without a consent page (and without an extra hop).
      const grant =
        existing && existing.accountId === session.accountId
          ? existing
          : new ctx.oidc.provider.Grant({ accountId: session.accountId, clientId: client!.clientId });
      const wanted = [...ctx.oidc.requestParamOIDCScopes].join(' ');
      if (wanted && !wanted.split(' ').every((s) => grant.getOIDCScope().split(' ').includes(s))) {
        grant.addOIDCScope(wanted);
        await grant.save();
      } else if (!grant.jti) {
        await grant.save();
      }
      return grant;
    },
    findAccount: async (ctx, sub, token) => {
      await assertRefreshAllowed(lifecycle, ctx, token);
      // Resumed in the callback that signed the account in: that request has it at hand (account-in-request.ts).
      const atHand = accountInRequest.get(ctx.req, sub);
      const account = atHand ? normalisedAccount(atHand) : await getAccount(o.store, sub);
      if (!account) return undefined;
      const amr: string[] = (token as { amr?: string[] } | undefined)?.amr ?? [];
      const idp = providerOf(amr, o.providerIds);
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            name: account.profile.name,
            ...(account.profile.picture ? { picture: account.profile.picture } : {}),
            ...(account.profile.locale ? { locale: account.profile.locale } : {}),
            ...(idp ? { idp } : {}),
            ...verifiedEmailClaims(account),
          };
        },
      };
    },
    renderError: async (ctx, out, error) => {
      const { locale, t: tr } = t(ctx);
      ctx.type = 'html';
      // Denglu's sentence in the shopper's language, never oidc-provider's English description.
      const requestId = ctx.res.getHeader('x-request-id');
      // A known client: the page is the shop's (its header leads to its registered home, never to the refused URI).
      const clientId = ctx.oidc?.client?.clientId;
      const partner = clientId ? await partnerOfClient(o.store, clientId) : undefined;
      ctx.body = await o.renderer.render(
        'error',
        { locale, requestId: typeof requestId === 'string' ? requestId : undefined, ...(partner ? { shop: shopHeader(partner, locale) } : {}) },
        {
          code: out.error,
          message: oidcErrorText(tr, out.error),
          actions: [{ href: '/', label: tr('error.home') }],
        },
      );
      void error;
    },
  };

  return new Provider(o.issuer, configuration);
}
