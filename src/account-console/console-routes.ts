// The shopper's account console at /account (documented for shops to link to): linked identities with
// their status at the shops the shopper uses, linking another provider, unlinking one (never the last
// way to sign in; always confirmed first, naming the shops that would become unreachable and warning
// when it ends this session; revoking what it gave), and recent security events. Every change is a POST
// with a CSRF token and needs a recent sign-in.

import { randomBytes, createHash } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { GatewayError } from '../errors.ts';
import { translator, hasMessage, type MessageKey, type Translate } from '../i18n/messages.ts';
import { listAudit } from '../audit/audit.ts';
import { findIdentity, signInMethods, unlinkIdentity } from '../accounts/unlink.ts';
import type { LinkedIdentity } from '../accounts/account.ts';
import { listPartners } from '../partners/partners.ts';
import { getAccount } from '../accounts/sign-in.ts';
import { partnerName } from '../partners/partner.ts';
import { revokeAccessThrough } from '../oidc/revoke-sessions.ts';
import { formatInstant } from '../time/instant.ts';
import { naturalInstant } from '../time/natural-date.ts';
import type { Locale } from '../../providers/contract.ts';
import { browserBinding } from '../broker/binding-cookie.ts';
import type { LoginContext } from '../broker/login-context.ts';
import { CONSOLE_CLIENT, consoleRedirectUri } from './console-partner.ts';
import { noteAtShops } from './shop-notes.ts';
import { currentAccount, type SignedIn } from './current-account.ts';
import { identityStatus } from './identity-status.ts';
import { endingBanners } from './ending-banners.ts';
import { noticeMailAddress, noticeMailOff } from '../notice-mail/affected-shopper.ts';
import { nativeSection } from './native-view.ts';
import { removalConfirm } from './removal-confirm.ts';
import { requestIdOf } from '../log.ts';
import { signedInShopper } from './shopper-guard.ts';
import { revokeUpstream } from '../accounts/upstream-revoke.ts';
import { accountCsrf } from './account-csrf.ts';
import { pageLocale } from '../broker/locale.ts';
import { methodLabel } from '../i18n/method-label.ts';

const STATE_COOKIE = 'dl_console_state';

export function accountConsoleRoutes(ctx: LoginContext, o: { cookieKeys: string[]; issuer: string }): Router {
  const router = express.Router();
  const csrf = accountCsrf(o.cookieKeys, ctx.secureCookies);
  const form = express.urlencoded({ extended: false, limit: '10kb' });
  const label = (id: string, locale: Locale) => methodLabel(ctx.descriptors, id, locale);

  async function page(req: Request, res: Response, s: SignedIn, flash: { notice?: string; error?: string; status?: number } = {}): Promise<void> {
    const locale = pageLocale(req);
    const t = translator(locale);
    const now = ctx.clock.now();
    const partners = (await listPartners(ctx.store)).filter((p) => !p.internal);
    const used = partners.filter((p) => s.account.shops[p.id]);
    const date = (ms: number) => formatInstant(ms, 'Asia/Shanghai', locale, 'date');
    const linked = new Set(s.account.identities.map((i) => i.provider));
    const events = (await listAudit(ctx.store, { account: s.account.id, limit: 10 })).entries.map((e) => ({
      at: naturalInstant(e.at, 'Asia/Shanghai', locale),
      // An event without words of its own reads as a change, never as its code.
      text: hasMessage(`event.${e.action}`) ? t(`event.${e.action}` as MessageKey, { provider: label(e.target.provider ?? '', locale) }) : t('event.other'),
    }));
    res
      .status(flash.status ?? 200)
      .type('html')
      .send(
        await ctx.renderer.render(
          'account',
          { locale, requestId: requestIdOf(res) },
          {
            csrf: csrf.token(req, res),
            name: s.account.profile.name,
            canUnlink: signInMethods(s.account).length > 1,
            identities: s.account.identities.map((i) => ({
              provider: i.provider,
              subject: i.subject,
              label: label(i.provider, locale),
              displayName: i.displayName,
              avatar: i.avatar,
              linkedAt: date(i.linkedAt),
              lastUsedAt: date(i.lastUsedAt),
              statuses: used.map((p) => identityStatus(p, i.provider, now, locale, t)),
            })),
            linkable: [...ctx.broker.configured()].filter((p) => !linked.has(p) && ctx.broker.upstream(p)).map((id) => ({ id, label: label(id, locale) })),
            shops: used.map((p) => ({
              name: partnerName(p, locale),
              last: t('account.shopLast', { date: date(s.account.shops[p.id]!.lastAt), provider: label(s.account.shops[p.id]!.lastProvider, locale) }),
            })),
            native: nativeSection(ctx, s, locale, {}, used),
            events,
            banners: endingBanners(s.account, used, (id) => ctx.descriptors.get(id)?.label, locale, ctx.broker.configured(), now).map((b) => ({
              ...b,
              kept: b.keeps.length
                ? t('noticeMail.banner.kept', {
                    shop: partnerName(used.find((p) => p.id === b.partner)!, locale),
                    ways: b.keeps.map((m) => label(m, locale)).join(t('punct.listSep')),
                  })
                : undefined,
            })),
            noticeMail: { off: noticeMailOff(s.account), email: noticeMailAddress(s.account) },
            notice: flash.notice,
            error: flash.error,
            logoutUrl: `/session/end?client_id=${CONSOLE_CLIENT}&post_logout_redirect_uri=${encodeURIComponent(`${o.issuer}/account`)}`,
          },
        ),
      );
  }

  async function signInPage(req: Request, res: Response, reauth = false, notice?: string): Promise<void> {
    const locale = pageLocale(req);
    res.type('html').send(await ctx.renderer.render('account-signin', { locale, requestId: requestIdOf(res) }, { reauth, notice }));
  }

  /** The notice named in the query (`?notice=unlinked&provider=weibo`), in the shopper's language. */
  function noticeOf(req: Request): string | undefined {
    const key = typeof req.query.notice === 'string' ? `account.notice.${req.query.notice}` : undefined;
    if (!key || !hasMessage(key)) return undefined;
    // Only a known provider's name: the query must not put words of its own on the page.
    const id = typeof req.query.provider === 'string' ? req.query.provider : undefined;
    if (id !== undefined && !ctx.descriptors.has(id)) return undefined;
    return translator(pageLocale(req))(key, { provider: id === undefined ? '' : label(id, pageLocale(req)) });
  }

  const signedIn = (req: Request, res: Response, recent: boolean) => signedInShopper(ctx, req, res, recent);

  router.get('/account', async (req, res) => {
    const s = await currentAccount(ctx.oidc(), ctx.store, req, res);
    const notice = noticeOf(req);
    // Unlinking the identity this session signed in with ends the session too: still say what happened.
    if (!s) return signInPage(req, res, false, notice);
    await page(req, res, s, notice ? { notice } : {});
  });

  // Signing in to the console is an ordinary OpenID Connect authorization for Denglu's own client.
  router.get('/account/login', async (req, res) => {
    const state = randomBytes(16).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    res.cookie(STATE_COOKIE, state, { httpOnly: true, sameSite: 'lax', secure: ctx.secureCookies, path: '/account', maxAge: 15 * 60 * 1000 });
    const url = new URL(`${o.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: CONSOLE_CLIENT,
      redirect_uri: consoleRedirectUri(o.issuer),
      response_type: 'code',
      scope: 'openid',
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ui_locales: pageLocale(req),
      ...(req.query.reauth ? { prompt: 'login' } : {}),
    }).toString();
    res.redirect(303, url.href);
  });

  router.get('/account/callback', (req, res) => {
    const expected = req.cookies?.[STATE_COOKIE];
    res.clearCookie(STATE_COOKIE, { path: '/account' });
    // The session is already set by the authorization; the code is not needed. A foreign or replayed
    // callback (state mismatch) changes nothing and lands on the console like any visit.
    const ok = typeof req.query.state === 'string' && req.query.state === expected && typeof req.query.code === 'string';
    res.redirect(303, ok ? '/account?notice=reauthed' : '/account');
  });

  router.post('/account/link/:provider', form, csrf.protect, async (req, res) => {
    const s = await signedIn(req, res, true);
    if (!s) return;
    const provider = String(req.params.provider);
    if (!ctx.broker.upstream(provider) || s.account.identities.some((i) => i.provider === provider)) {
      return page(req, res, s, {
        error: translator(pageLocale(req))('error.ERR_PROVIDER_UNAVAILABLE', { provider: label(provider, pageLocale(req)), shop: 'Denglu' }),
        status: 400,
      });
    }
    const url = await ctx.broker.start({
      provider,
      purpose: 'link',
      binding: browserBinding(req, res, ctx.secureCookies),
      locale: pageLocale(req),
      accountId: s.account.id,
      userAgent: req.get('user-agent'),
    });
    res.redirect(303, url);
  });

  /** The confirmation asked before unlinking `identity` (views/unlink-confirm.ejs). */
  async function confirmUnlink(req: Request, res: Response, s: SignedIn, identity: LinkedIdentity): Promise<void> {
    const locale = pageLocale(req);
    const confirm = removalConfirm(
      {
        account: s.account,
        method: identity.provider,
        label: label(identity.provider, locale),
        amr: s.amr,
        action: '/account/unlink',
        fields: { provider: identity.provider, subject: identity.subject },
      },
      { partners: await listPartners(ctx.store), configured: ctx.broker.configured(), now: ctx.clock.now(), locale, t: translator(locale) },
    );
    res.type('html').send(await ctx.renderer.render('unlink-confirm', { locale, requestId: requestIdOf(res) }, { csrf: csrf.token(req, res), confirm }));
  }

  // The confirmation as a page of its own (no script needed); the account page's "Unlink" links here.
  router.get('/account/unlink/:provider', async (req, res) => {
    const s = await signedIn(req, res, true);
    if (!s) return;
    const t = translator(pageLocale(req));
    const identity = s.account.identities.find((i) => i.provider === req.params.provider);
    if (!identity) return page(req, res, s, { error: t('error.ERR_NOT_FOUND'), status: 404 });
    if (signInMethods(s.account).length <= 1) return page(req, res, s, { error: t('error.ERR_LAST_METHOD'), status: 409 });
    await confirmUnlink(req, res, s, identity);
  });

  // Where unlinking the way this session signed in with lands: signed out, and told so.
  router.get('/account/signed-out', async (req, res) => {
    if (await currentAccount(ctx.oidc(), ctx.store, req, res)) return res.redirect(303, '/account');
    const id = typeof req.query.provider === 'string' ? req.query.provider : '';
    // Only a known provider's name: the query must not put words of its own on the page.
    if (!ctx.descriptors.has(id)) return res.redirect(303, '/account');
    const locale = pageLocale(req);
    res
      .type('html')
      .send(
        await ctx.renderer.render(
          'unlink-signed-out',
          { locale, requestId: requestIdOf(res) },
          { provider: label(id, locale), providerId: id, noRevoke: req.query.revoke === 'failed' },
        ),
      );
  });

  router.post('/account/unlink', form, csrf.protect, async (req, res) => {
    const s = await signedIn(req, res, true);
    if (!s) return;
    const locale = pageLocale(req);
    const t = translator(locale);
    const provider = String(req.body.provider ?? '');
    const subject = String(req.body.subject ?? '');
    const identity = findIdentity(s.account, provider, subject);
    if (!identity) return page(req, res, s, { error: t('error.ERR_NOT_FOUND'), status: 404 });
    if (signInMethods(s.account).length <= 1) return page(req, res, s, { error: t('error.ERR_LAST_METHOD'), status: 409 });
    // Nothing is removed without the shopper's confirmation on the page above.
    if (req.body.confirm !== 'yes') return confirmUnlink(req, res, s, identity);
    try {
      await unlinkIdentity(ctx.store, ctx.clock, s.account.id, provider, subject);
    } catch (err) {
      if (!(err instanceof GatewayError && err.expose)) throw err;
      // Show the account as it is now: another tab may have changed it since this request read it.
      const current = { ...s, account: (await getAccount(ctx.store, s.account.id)) ?? s.account };
      return page(req, res, current, { error: hasMessage(`error.${err.code}`) ? t(`error.${err.code}` as MessageKey) : err.message, status: err.status });
    }
    const revoked = await revokeAccessThrough(ctx.store, s.account.id, provider);
    const upstream = await revokeUpstream(ctx, provider, identity.upstreamToken);
    ctx.log.info({ reqId: requestIdOf(res), account: s.account.id, provider, revoked, upstream }, 'identity unlinked');
    noteAtShops(ctx, s.account, 'unlink', provider);
    const where = encodeURIComponent(provider);
    // The session signed in through it has just been deleted with the rest (revokeAccessThrough): say so.
    if (s.amr.includes(provider)) return res.redirect(303, `/account/signed-out?provider=${where}${upstream === 'failed' ? '&revoke=failed' : ''}`);
    res.redirect(303, `/account?notice=${upstream === 'failed' ? 'unlinkedNoRevoke' : 'unlinked'}&provider=${where}`);
  });

  return router;
}

export type { Translate };
