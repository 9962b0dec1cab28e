// The composition root of the gateway: createApp(deps) wires the store, the clock, the providers and the
// logger into one express app with Denglu's OpenID Provider mounted, and never listens (tests drive it
// with supertest or their own server; src/main.ts listens).

import express, { type Express } from 'express';
import cookieParser from 'cookie-parser';
import type { Config } from '../config/load-config.ts';
import type { ProviderModule, ProviderDescriptor } from '../providers/contract.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './log.ts';
import { httpLogger } from './log.ts';
import type { Store } from './store/store.ts';
import { Broker } from './broker/broker.ts';
import { interactionRoutes } from './broker/interaction-routes.ts';
import { callbackRoute } from './broker/callback-route.ts';
import { lifecycleRoutes } from './broker/lifecycle-routes.ts';
import { firstLoginRoutes } from './broker/first-login-page.ts';
import { interactionUrl } from './broker/interaction-url.ts';
import { LoginEventRecorder } from './events/recorder.ts';
import type { LoginContext } from './broker/login-context.ts';
import { createInteractionCsrf } from './broker/interaction-csrf.ts';
import { clientPartnerId, createOidcProvider, type OidcProvider } from './oidc/provider.ts';
import { providerOf } from './oidc/lifecycle-checks.ts';
import { resumeInPlace, type ResumeInPlace } from './oidc/resume-in-place.ts';
import { postAsGet } from './oidc/post-endpoints.ts';
import { notFoundPage } from './oidc/not-found-page.ts';
import { recordShopUse } from './accounts/shop-use.ts';
import { accountInRequest } from './accounts/account-in-request.ts';
import { loadCookieKeys, loadPairwiseSalt, type SigningKeys } from './oidc/secrets.ts';
import { SigningKeyRing, keyPolicy } from './oidc/signing-keys.ts';
import { ProviderHost } from './oidc/provider-host.ts';
import { createRenderer, VIEWS_DIR } from './http/render.ts';
import { securityHeaders } from './http/security.ts';
import { forwardedAsTrusted } from './http/trusted-proxy.ts';
import { issuerOriginCheck } from './http/issuer-origin-check.ts';
import { noStoreByDefault } from './http/no-store.ts';
import { CookieSigner } from './http/cookie-signer.ts';
import { errorHandler, notFound } from './http/error-handler.ts';
import { markStoreUnavailable, storeUnavailable, storeUnavailableKoa } from './http/store-unavailable.ts';
import { readiness } from './http/readiness.ts';
import { withPageRequest } from './http/page-request.ts';
import { localeSwitchRoute } from './http/locale-switch.ts';
import { brandRoutes } from './http/brand-routes.ts';
import { providerStylesheet } from './http/provider-styles.ts';
import { homeRoute } from './http/home.ts';
import { marksAcrossOrigins, signInMethodsRoute } from './http/sign-in-methods-route.ts';
import { tokenSealer } from './accounts/upstream-token.ts';
import { ensureConsolePartner } from './account-console/console-partner.ts';
import { accountConsoleRoutes } from './account-console/console-routes.ts';
import { accountDeleteRoutes } from './account-console/delete-routes.ts';
import { adminApi } from './admin/admin-api.ts';
import { PASSWORD_DESCRIPTOR, PASSWORD_METHOD } from './accounts/password-method.ts';
import { PHONE_DESCRIPTOR, PHONE_METHOD } from './accounts/phone-method.ts';
import { phoneSignInRoute } from './broker/phone-route.ts';
import { addMethodRoutes } from './broker/add-method-routes.ts';
import { phoneAccountRoutes } from './account-console/native-phone-routes.ts';
import { phoneServices } from './accounts/phone-services.ts';
import { CodeBook } from './accounts/verification-codes.ts';
import { nativeRoutes } from './account-console/native-routes.ts';
import { passwordSignInRoute } from './broker/password-route.ts';
import { createMailer } from './mail/mailer.ts';
import { noticeMailJob, type NoticeMailJob } from './notice-mail/notice-mail-job.ts';
import { noticeMailRoutes } from './notice-mail/notice-mail-routes.ts';
import { unsubscribeTokens } from './notice-mail/unsubscribe-token.ts';
import { adminPages } from './admin/pages/admin-pages.ts';
import { HashQueue } from './accounts/hash-queue.ts';
import { dummyHash } from './accounts/password-hash.ts';
import { passwordLimits } from './broker/password-limits.ts';
import { SignInsInProgress } from './broker/sign-ins-in-progress.ts';
import { inRequestScope } from './store/request-reads.ts';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { flowStarted, refuseSignInsWhenFull, signInPlace, signInRefusedRoute } from './broker/sign-in-admission.ts';
import { BINDING_COOKIE } from './broker/binding-cookie.ts';
import { clientAuthThrottle } from './oidc/client-auth-throttle.ts';
import { tickWebhooks } from './webhooks/webhook-jobs.ts';
import { sealStoredSecrets, webhookSecrets } from './webhooks/stored-secret.ts';
import { GatewayMetrics } from './metrics/gateway-metrics.ts';
import { integrationPhases } from './metrics/integration-phases.ts';

/** Paths served by oidc-provider (its default routes; see src/oidc/provider.ts). */
const OIDC_ENDPOINTS = /^\/(?:auth(?:\/|$)|token(?:\/revocation)?$|me$|jwks$|session\/end|request$|\.well-known\/openid-configuration$)/;

export interface AppDeps {
  config: Config;
  store: Store;
  clock: Clock;
  /** Provider modules by id (the registry); only those configured in `config.providers` are used. */
  providers: ReadonlyMap<string, ProviderModule>;
  log: Logger;
  /** Demo shop links for the home page (sandbox). */
  shopLinks?: { name: string; url: string }[];
  /** This process's metrics (the store given should report to the same: createStore's `metrics`); a fresh registry when absent. */
  metrics?: GatewayMetrics;
}

export interface DengluApp {
  app: Express;
  /** The OpenID Provider serving requests now (a key rotation replaces it, src/oidc/provider-host.ts). */
  readonly oidc: OidcProvider;
  broker: Broker;
  /** ID token signing keys; `maintain()` belongs in the periodic sweep (removal, schedule, other gateways). */
  signingKeys: SigningKeyRing;
  /** Every password and admin-secret hash waits here (its counts show what hashing was done). */
  hashes: HashQueue;
  /** Sign-ins in progress per browser and address. */
  signIns: SignInsInProgress;
  /** Webhook phase changes and deliveries: src/main.ts ticks it every WEBHOOK_TICK_MS (once per cluster at a time). */
  webhooks: { tick(): Promise<void> };
  /** What this process tells Prometheus (served by src/metrics/metrics-server.ts, never by this app). */
  metrics: GatewayMetrics;
  /** Sign-in attempts, buffered and written in batches; `close()` flushes them at shutdown. */
  loginEvents: LoginEventRecorder;
  /** Mails shoppers when a way of signing in enters notice; `run()` belongs in the periodic tick (once per cluster). */
  noticeMail: NoticeMailJob;
}

/** Upstream flows one sign-in may hold; starting another deletes its oldest. */
const FLOWS_PER_SIGNIN = 5;

export async function createApp(deps: AppDeps): Promise<DengluApp> {
  const { config, store, clock, log } = deps;
  const descriptors = new Map<string, ProviderDescriptor>([...deps.providers.values()].map((m) => [m.descriptor.id, m.descriptor]));
  descriptors.set(PASSWORD_METHOD, PASSWORD_DESCRIPTOR);
  descriptors.set(PHONE_METHOD, PHONE_DESCRIPTOR);
  const configured = new Map(
    Object.entries(config.providers)
      .filter(([id]) => deps.providers.has(id))
      .map(([id, credentials]) => [id, { module: deps.providers.get(id)!, credentials }]),
  );
  const { limits } = config;
  void dummyHash(); // made now, not in the first sign-in with an unknown email
  const loginEvents = new LoginEventRecorder({ store, clock, log, retentionDays: config.loginEvents.retentionDays, keepRaw: config.loginEvents.keepRaw });
  loginEvents.start();
  const hashes = new HashQueue({ concurrency: limits.hashConcurrency, maxWaiting: limits.hashQueue, maxWaitMs: limits.hashWaitMs });
  const signIns = new SignInsInProgress(
    { store, clock },
    { perBrowser: limits.signInsPerBrowser, perIp: limits.signInsPerIp, flowsPerSignIn: FLOWS_PER_SIGNIN },
  );
  const metrics = deps.metrics ?? new GatewayMetrics();
  const broker = new Broker({
    flowStarted: (flow) => flowStarted({ signIns, store }, flow),
    observeUpstream: metrics.upstream,
    store,
    clock,
    log,
    issuer: config.issuer,
    flowTtlSeconds: config.flowTtlSeconds,
    upstream: config.upstream,
    providers: configured,
    // Phone sign-in needs a way to send texts (SMS_SENDER).
    methods: [PASSWORD_METHOD, ...(config.sms ? [PHONE_METHOD] : [])],
  });
  const renderer = createRenderer({
    sandbox: config.sandbox.enabled,
    simulatedClock: config.sandbox.now !== undefined ? clock : undefined,
    // Templates are re-read on every render only in the sandbox (editing views); otherwise compiled once.
    cache: !config.sandbox.enabled,
  });
  const secureCookies = config.issuer.startsWith('https://');
  const cookieKeys = await loadCookieKeys(store, config.cookieKeys);
  const cookieSigner = new CookieSigner(cookieKeys);
  const sealedWebhookSecrets = webhookSecrets(cookieKeys);
  // Endpoints written before their secrets were sealed, or sealed under a cookie key rotated out since.
  await sealStoredSecrets({ store, clock, webhookSecrets: sealedWebhookSecrets, log });
  let host: ProviderHost | undefined;
  let resume: ResumeInPlace | undefined;
  const login: LoginContext = {
    store,
    clock,
    log,
    broker,
    renderer,
    descriptors,
    secureCookies,
    sealer: tokenSealer(cookieKeys),
    reauthAfterMs: config.accountReauthSeconds * 1000,
    oidc: () => host!.provider,
    resume: (req, res, returnTo) => resume!(req, res, returnTo),
    csrf: createInteractionCsrf({ cookieKeys, secure: secureCookies }),
    hashes,
    passwordLimits: passwordLimits({ store, clock }, { name: 'password', perIpPerMinute: limits.passwordPerIpPerMinute, perSignIn: limits.passwordPerSignIn }),
    signIns,
    metrics,
    events: loginEvents,
  };
  metrics.readIntegrationPhases(() => integrationPhases({ store, clock, configured: () => broker.configured(), methods: descriptors }));
  // Deliveries waiting for their next attempt (src/webhooks/deliveries.ts keeps them under the `due` index).
  metrics.readWebhookBacklog(async () => (await store.find('webhook_deliveries', 'due', 'pending')).length);
  await ensureConsolePartner(store, clock, config.issuer, [...broker.configured()]);

  const methodIds = new Set(descriptors.keys());
  const signingKeys = await SigningKeyRing.open({ store, clock, log, policy: keyPolicy(config) });
  const pairwiseSalt = await loadPairwiseSalt(store, config.pairwiseSalt);
  // Everything done to a Provider instance happens in here: a key rotation builds a new one.
  const buildOidc = (keys: SigningKeys): OidcProvider => {
    const oidc = createOidcProvider({
      issuer: config.issuer,
      store,
      clock,
      keys,
      cookieSigner,
      pairwiseSalt,
      sessionTtlSeconds: config.sessionTtlSeconds,
      interactionTtlSeconds: Math.max(3600, config.flowTtlSeconds * 2),
      renderer,
      providerIds: methodIds,
      configured: () => broker.configured(),
      interactionUrl: interactionUrl(login),
      secureCookies,
    });
    // Behind a reverse proxy: express and oidc-provider believe the same proxies (src/http/trusted-proxy.ts).
    oidc.proxy = true;
    oidc.use(notFoundPage(renderer));
    oidc.use(storeUnavailableKoa(log, renderer));
    // A resumed interaction is a sign-in no longer in progress: resumed with a result ('interaction.ended'),
    // or with an error such as "back to the shop" (oidc-provider then destroys the interaction and emits
    // only 'authorization.error'; counted as still in progress, such sign-ins filled the address's cap).
    const signInEnded = (ctx: KoaContextWithOIDC) => {
      const uid = (ctx.params as { uid?: unknown } | undefined)?.uid;
      if (typeof uid !== 'string') return;
      signIns
        .ended(uid, signInPlace(ctx.req, ctx.cookies.get(BINDING_COOKIE)))
        .catch((err: Error) => log.warn({ err: { message: err.message } }, 'could not count a sign-in as ended'));
    };
    oidc.on('interaction.ended', signInEnded);
    oidc.on('authorization.error', (ctx) => {
      if (ctx.oidc?.route === 'resume') signInEnded(ctx);
    });
    oidc.on(
      'server_error',
      (ctx, err) => markStoreUnavailable(ctx, err) || log.error({ err: { message: err.message, stack: err.stack } }, 'oidc-provider server error'),
    );
    // Every authorization a shop receives (fresh sign-in or single sign-on) counts as use of that shop.
    oidc.on('authorization.success', (ctx) => {
      const { session, client } = ctx.oidc;
      const partnerId = client ? clientPartnerId(client) : undefined;
      const method = providerOf(session?.amr, methodIds);
      if (!session?.accountId || !partnerId || !method) return;
      recordShopUse(store, clock, session.accountId, partnerId, method, accountInRequest.get(ctx.req, session.accountId)).catch((err) =>
        log.warn({ err: { message: (err as Error).message } }, 'could not record shop use'),
      );
    });
    return oidc;
  };
  host = new ProviderHost(buildOidc, signingKeys.jwks());
  signingKeys.onChange((keys) => host!.use(keys));

  // In the sandbox, avatars come from the emulators at the configured provider base URLs (plain http).
  const sandboxImages = Object.values(config.providers).flatMap((p) => Object.values(p.baseUrls).map((u) => new URL(u).origin));
  const imageOrigins = ['https:', ...(config.sandbox.enabled ? new Set([...Object.values(config.sandbox.emulatorUrls), ...sandboxImages]) : [])];
  const app = express();
  // Each request reads the shared store through what it already read or wrote (src/store/request-reads.ts).
  app.use((_req, res, next) => inRequestScope((close) => res.once('close', close), next));
  app.disable('x-powered-by');
  // Behind a reverse proxy: express and oidc-provider believe the same proxies (src/http/trusted-proxy.ts).
  app.set('trust proxy', config.trustProxy);
  app.use(forwardedAsTrusted(config.trustProxy));
  app.use(issuerOriginCheck(config.issuer, log));
  app.use(httpLogger(log));
  app.use(securityHeaders({ production: config.production, imageOrigins }));
  app.use(noStoreByDefault);
  // Pages read the request they answer (language switch, chosen language): see src/http/page-request.ts.
  app.use(withPageRequest);
  // The OpenID Provider's own endpoints go straight to it: no cookie parsing, no walk through Denglu's
  // page routers on the login hot path (/auth, /auth/<uid>, /token, …).
  const oidcCallback = host.callback;
  app.use(clientAuthThrottle({ store, clock, log }, limits.tokenAuthFailuresPerMinute));
  app.use(refuseSignInsWhenFull(login));
  resume = resumeInPlace({ issuer: config.issuer, handler: oidcCallback, cookieName: host.provider.cookieName('resume'), cookieSigner });
  // POST /auth and POST /session/end become a GET of the same endpoint (see src/oidc/post-endpoints.ts).
  app.use(postAsGet());
  app.use((req, res, next) => (OIDC_ENDPOINTS.test(req.path) ? oidcCallback(req, res) : next()));
  app.use(cookieParser());
  // Providers' callbacks are on every brokered login: matched before the page routers.
  app.use(callbackRoute(login));
  app.get('/static/providers.css', providerStylesheet([...descriptors.values()]));
  app.use(signInMethodsRoute({ store, clock, issuer: config.issuer, descriptors, configured: () => broker.configured() }));
  app.use('/static/marks', marksAcrossOrigins);
  app.use('/static', express.static(`${VIEWS_DIR}static`, { maxAge: config.production ? '1d' : 0 }));
  // No icon: an empty answer instead of a 404 that browsers report as a console error on every page.
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).set('cache-control', 'public, max-age=86400').end();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', readiness(store));
  app.get('/', homeRoute(renderer, deps.shopLinks ?? []));
  app.use(localeSwitchRoute(secureCookies));
  app.use(brandRoutes(store));
  app.use('/api/admin', adminApi(deps, signingKeys, hashes, sealedWebhookSecrets, login));
  app.use('/admin', adminPages(deps, { renderer, cookieKeys, secureCookies, hashes, webhookSecrets: sealedWebhookSecrets, grants: login }));
  app.use(signInRefusedRoute(login));
  app.use(accountConsoleRoutes(login, { cookieKeys, issuer: config.issuer }));
  app.use(accountDeleteRoutes(login, { cookieKeys }));
  const mailer = createMailer(config.mail, store, clock, log);
  const unsubscribe = unsubscribeTokens(cookieKeys, clock);
  app.use(noticeMailRoutes(login, { cookieKeys, tokens: unsubscribe }));
  const noticeMail = noticeMailJob({
    store,
    clock,
    log,
    mailer,
    issuer: config.issuer,
    tokens: unsubscribe,
    label: (id) => descriptors.get(id)?.label,
    configured: () => broker.configured(),
    // The sandbox has few accounts and a tester waiting for the mail: walk them again on every tick.
    ...(config.sandbox.enabled ? { rewalkMs: 30_000 } : {}),
  });
  app.use(nativeRoutes(login, { cookieKeys, issuer: config.issuer, mailer, sandbox: config.sandbox.enabled }));
  app.use(passwordSignInRoute(login));
  // Six-digit codes (texted or mailed) are keyed with a secret derived from the newest cookie key:
  // rotating the keys voids codes still waiting (they live 5 minutes).
  const codes = new CodeBook(store, clock, cookieKeys[0]!);
  const phone = phoneServices(config, { store, clock, log, codes });
  app.use(phoneSignInRoute(login, phone));
  app.use(addMethodRoutes(login, { phone, codes, native: { store, clock, log, mailer, issuer: config.issuer, hashes } }));
  app.use(phoneAccountRoutes(login, { phone, cookieKeys }));
  app.use(interactionRoutes(login));
  app.use(lifecycleRoutes(login));
  app.use(firstLoginRoutes(login));
  app.use(oidcCallback);
  app.use(notFound);
  app.use(storeUnavailable(log, { renderer, protocolPaths: OIDC_ENDPOINTS }));
  app.use(errorHandler(log, renderer));
  const running = host;
  return {
    app,
    get oidc() {
      return running.provider;
    },
    broker,
    signingKeys,
    hashes,
    signIns,
    webhooks: { tick: () => tickWebhooks({ store, clock, log, pairwiseSalt, policy: config.webhooks, webhookSecrets: sealedWebhookSecrets }) },
    metrics,
    loginEvents,
    noticeMail,
  };
}
