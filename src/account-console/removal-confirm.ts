// The question asked before a way to sign in is removed, for views/unlink-confirm.ejs: what is lost, the
// shops the remaining ways would not (or soon would not) reach, and whether it signs this session out.
// A linked provider uses it (console-routes.ts); a native method's removal (a phone number) can too.

import type { Locale } from '../../providers/contract.ts';
import { nativeMethodOf } from '../accounts/phone-method.ts';
import { shopsAtRisk } from '../accounts/unlink.ts';
import type { Account } from '../accounts/account.ts';
import type { EpochMs } from '../clock.ts';
import type { Translate } from '../i18n/messages.ts';
import { partnerName, type Partner } from '../partners/partner.ts';
import { formatInstant } from '../time/instant.ts';

export interface RemovalConfirm {
  title: string;
  what: string;
  risks: string[];
  signsOut?: string;
  /** Where the confirmed form posts, and its fields besides `_csrf` and `confirm=yes`. */
  action: string;
  fields: Record<string, string>;
  yes: string;
  cancelHref: string;
}

export interface Removal {
  account: Account;
  /** The method's id (`weibo`, `password`, `phone`) and its name in the shopper's language. */
  method: string;
  label: string;
  /** The `amr` of this session: removing the method it signed in with signs it out. */
  amr: readonly string[];
  action: string;
  fields: Record<string, string>;
  /** The question's words when the method is removed rather than unlinked (a phone number): default "unlink {label}". */
  words?: { title: string; what: string; yes: string; signsOut: string; yesSignOut: string };
}

export function removalConfirm(
  r: Removal,
  o: { partners: readonly Partner[]; configured: ReadonlySet<string>; now: EpochMs; locale: Locale; t: Translate },
): RemovalConfirm {
  const { t, locale } = o;
  const provider = r.label;
  const byId = new Map(o.partners.map((p) => [p.id, p]));
  const risks = shopsAtRisk(r.account, r.method, o.partners, o.configured, o.now).map((risk) => {
    const p = byId.get(risk.partner)!;
    const shop = partnerName(p, locale);
    return risk.risk === 'none'
      ? t('account.unlinkConfirm.none', { shop })
      : t('account.unlinkConfirm.ending', { shop, date: formatInstant(risk.endsAt!, p.timeZone, locale, 'date') });
  });
  // A provider's amr names it (["fed", "weibo"]); a native method's names how it proved ("sms" for `phone`).
  const signsOut = r.amr.includes(r.method) || nativeMethodOf(r.amr) === r.method;
  const w = r.words ?? {
    title: t('account.unlinkConfirm.title', { provider }),
    what: t('account.unlinkConfirm.what', { provider }),
    yes: risks.length ? t('account.unlinkConfirm.yes') : t('account.unlinkConfirm.unlink', { provider }),
    signsOut: t('account.unlinkConfirm.signsOut', { provider }),
    yesSignOut: t('account.unlinkConfirm.unlinkSignOut'),
  };
  return {
    title: w.title,
    what: w.what,
    risks,
    ...(signsOut ? { signsOut: w.signsOut } : {}),
    action: r.action,
    fields: r.fields,
    yes: signsOut ? w.yesSignOut : w.yes,
    cancelHref: '/account',
  };
}
