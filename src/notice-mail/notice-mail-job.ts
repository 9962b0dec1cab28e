// The job that mails shoppers when a way of signing in enters notice at a shop they use. It runs once per
// cluster (src/main.ts ticks it through runOncePerPeriod: store.exclusive and the `jobs` record), walks
// the accounts in id order one page at a time (store.dump: keyset pagination, never all accounts at once)
// for every (partner, provider) in notice, and mails each affected shopper (src/notice-mail/affected-shopper.ts)
// with a verified email who has not turned such mail off and has not already linked another way into the
// shop that still signs in after the cutoff.
//
// Never twice: before a message is handed to the mailer, a `notice_mails` record with id
// `<account>|<partner>|<provider>` is created (create refuses an existing id), and its state becomes
// `sent` once the mailer took the message. A job that crashes and runs again finds the record and skips
// the shopper. The price, stated: a crash between the record and the hand-over loses that one message (the
// record stays `queued`: at most once, never twice). A mailer that refuses (SMTP down) removes the record
// and stops the run, so the next run tries the same page again.
// Progress per (partner, provider) is kept in `notice_mail_runs` (the cursor after each finished page, and
// the notice instant it belongs to, so a rescheduled notice walks again; records still prevent repeats)
// and logged after each page. A finished walk starts over after `rewalkMs` while the notice lasts, to reach
// shoppers who became affected or verified their email since (the sandbox: on every tick; otherwise 6 hours).

import type { Locale } from '../../providers/contract.ts';
import type { Account } from '../accounts/account.ts';
import type { Clock, EpochMs } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Integration, Partner } from '../partners/partner.ts';
import { listPartners } from '../partners/partners.ts';
import { phaseAt } from '../partners/phase.ts';
import type { Store } from '../store/store.ts';
import { methodsSigningInAt } from '../impact/ways-after-cutoff.ts';
import { alreadyMigrated, mailLocale, noticeMailAddress, noticeMailOff, usesShopWith } from './affected-shopper.ts';
import { noticeMail } from './notice-mail-text.ts';
import type { UnsubscribeTokens } from './unsubscribe-token.ts';

export const NOTICE_MAILS = 'notice_mails';
export const NOTICE_MAIL_RUNS = 'notice_mail_runs';
export const DEFAULT_PAGE_SIZE = 500;
export const DEFAULT_REWALK_MS = 6 * 60 * 60 * 1000;

export interface NoticeMailRecord {
  accountId: string;
  partner: string;
  provider: string;
  state: 'queued' | 'sent';
  at: EpochMs;
}

export interface NoticeMailRun {
  partner: string;
  provider: string;
  noticeAt: EpochMs;
  /** The last account id of the last finished page. */
  cursor?: string;
  scanned: number;
  sent: number;
  done: boolean;
  updatedAt: EpochMs;
}

export interface NoticeMailDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  mailer: Mailer;
  issuer: string;
  tokens: UnsubscribeTokens;
  /** The provider's name in both languages, or undefined for an unknown provider. */
  label: (provider: string) => Record<Locale, string> | undefined;
  configured: () => ReadonlySet<string>;
  pageSize?: number;
  rewalkMs?: number;
}

export interface NoticeMailJob {
  /** One pass over every integration in notice; resolves to the messages sent by this pass. */
  run(): Promise<number>;
}

type InNotice = Integration & { noticeAt: EpochMs; cutoffAt: EpochMs };

/** The integrations in notice now, with the dates a mail needs. */
function inNotice(partner: Partner, configured: ReadonlySet<string>, now: EpochMs): InNotice[] {
  return partner.integrations.filter((i): i is InNotice => {
    if (!configured.has(i.provider) || i.noticeAt === undefined || i.cutoffAt === undefined) return false;
    try {
      return phaseAt(i, now).phase === 'notice';
    } catch {
      return false;
    }
  });
}

export const noticeMailId = (accountId: string, partner: string, provider: string) => `${accountId}|${partner}|${provider}`;
const runId = (partner: string, provider: string) => `${partner}|${provider}`;

export function noticeMailJob(d: NoticeMailDeps): NoticeMailJob {
  const pageSize = d.pageSize ?? DEFAULT_PAGE_SIZE;
  const rewalkMs = d.rewalkMs ?? DEFAULT_REWALK_MS;

  /** Mails one shopper unless a record says it was done; true when this call sent it. */
  async function mailOnce(account: Account, to: string, partner: Partner, integration: InNotice, label: Record<Locale, string>): Promise<boolean> {
    const id = noticeMailId(account.id, partner.id, integration.provider);
    // The message is made first (no store call), so that the record's create is the only round trip for
    // a shopper already mailed (a walk starting over meets many).
    const locale = mailLocale(account);
    const now = d.clock.now();
    const message = noticeMail({
      to,
      name: account.profile.name,
      locale,
      partner,
      integration,
      providerLabel: label,
      accountUrl: `${d.issuer}/account?ui_locales=${locale}`,
      unsubscribeUrl: `${d.issuer}/notice-mail/unsubscribe?token=${await d.tokens.issue(account.id)}`,
      now,
    });
    const record: NoticeMailRecord = { accountId: account.id, partner: partner.id, provider: integration.provider, state: 'queued', at: now };
    try {
      await d.store.create(NOTICE_MAILS, id, record);
    } catch (err) {
      // Mailed before (an earlier walk, or a run that crashed), or by another instance walking now.
      if (err instanceof GatewayError && err.code === 'ERR_ALREADY_EXISTS') return false;
      throw err;
    }
    try {
      await d.mailer.send(message);
    } catch (err) {
      await d.store.delete(NOTICE_MAILS, id);
      throw err;
    }
    await d.store.put(NOTICE_MAILS, id, { ...record, state: 'sent' });
    return true;
  }

  /** Walks the accounts for one integration in notice, from where the last run stopped. */
  async function walk(partner: Partner, integration: InNotice, label: Record<Locale, string>, configured: ReadonlySet<string>): Promise<number> {
    const id = runId(partner.id, integration.provider);
    const waysAfterCutoff = methodsSigningInAt(partner, integration.provider, configured, integration.cutoffAt);
    const saved = await d.store.get<NoticeMailRun>(NOTICE_MAIL_RUNS, id);
    const fresh: NoticeMailRun = {
      partner: partner.id,
      provider: integration.provider,
      noticeAt: integration.noticeAt,
      scanned: 0,
      sent: 0,
      done: false,
      updatedAt: d.clock.now(),
    };
    let run = saved && saved.noticeAt === integration.noticeAt ? saved : fresh;
    if (run.done) {
      if (d.clock.now() - run.updatedAt < rewalkMs) return 0;
      run = { ...fresh, sent: run.sent };
    }
    let sentNow = 0;
    for (;;) {
      const page = await d.store.dump('accounts', { ...(run.cursor !== undefined ? { after: run.cursor } : {}), limit: pageSize });
      let sent = 0;
      for (const { value } of page) {
        const account = value as Account;
        if (!usesShopWith(account, partner.id, integration.provider) || noticeMailOff(account)) continue;
        if (alreadyMigrated(account, waysAfterCutoff)) continue;
        const to = noticeMailAddress(account);
        if (to && (await mailOnce(account, to, partner, integration, label))) sent++;
      }
      sentNow += sent;
      const done = page.length < pageSize;
      run = {
        ...run,
        ...(page.length ? { cursor: page[page.length - 1]!.id } : {}),
        scanned: run.scanned + page.length,
        sent: run.sent + sent,
        done,
        updatedAt: d.clock.now(),
      };
      await d.store.put(NOTICE_MAIL_RUNS, id, run);
      d.log.info({ partner: partner.id, provider: integration.provider, scanned: run.scanned, sent: run.sent, done }, 'notice mail progress');
      if (done) return sentNow;
    }
  }

  return {
    async run() {
      const now = d.clock.now();
      const configured = d.configured();
      let sent = 0;
      for (const partner of await listPartners(d.store)) {
        if (partner.internal) continue;
        for (const integration of inNotice(partner, configured, now)) {
          const label = d.label(integration.provider);
          if (label) sent += await walk(partner, integration, label, configured);
        }
      }
      return sent;
    },
  };
}
