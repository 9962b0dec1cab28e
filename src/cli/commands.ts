// The `denglu` commands: what each asks the admin API and how it prints the answer for a person
// (tables, instants in the partner's time zone) or, with --json, the API's JSON as is.

import { CliError, EXIT, type AdminClient } from './admin-client.ts';
import type {
  AuditAnswer,
  AuditEntryAnswer,
  IntegrationAnswer,
  IntegrationDetailAnswer,
  IntegrationsAnswer,
  KeyAnswer,
  KeysAnswer,
  NextChange,
  PartnersAnswer,
  PreviewAnswer,
} from './answers.ts';
import { table, when, yesNo } from './format.ts';
import { store } from './store-command.ts';
import { analytics } from './analytics-command.ts';
import { impact } from './impact-command.ts';

type OptionSpec = { type: 'string' | 'boolean'; short?: string };

export interface CommandContext {
  api: AdminClient;
  json: boolean;
  values: Record<string, string | boolean | undefined>;
  args: string[];
  print: (text: string) => void;
  /** Lines for the person at the terminal, on stderr (never parsed by scripts). */
  note: (text: string) => void;
  /** Redraws a one-line progress indicator on a terminal's stderr; undefined when stderr is not a terminal. */
  progress: ((line: string) => void) | undefined;
  env: Record<string, string | undefined>;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  /** Lines after the usage in `denglu <command> --help`. */
  help: string[];
  options: Record<string, OptionSpec>;
  /** Positional arguments after the command name. */
  args: string[];
  /** Positional arguments that may follow `args`. */
  optionalArgs?: string[];
  /** Runs on this machine's store instead of a gateway's admin API (no --url, no --token). */
  local?: boolean;
  run(ctx: CommandContext): Promise<void>;
}

const seg = (s: string) => encodeURIComponent(s);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function phaseText(i: IntegrationAnswer): string {
  return i.since ? `${i.phase} since ${when(i.since)}` : i.phase;
}

function nextText(next: NextChange | null | undefined, withOffset = true): string {
  return next ? `${next.phase} at ${when(next.at, undefined, withOffset)}` : '—';
}

function integrationsTable(integrations: IntegrationAnswer[]): string {
  return table(
    ['PROVIDER', 'PHASE', 'NEXT CHANGE', 'STARTS', 'NOTICE', 'CUTOFF', 'GRACE ENDS', 'AT CUTOFF'],
    integrations.map((i) => [
      i.provider + (i.configured ? '' : ' (not configured)'),
      i.phase,
      nextText(i.next, false),
      when(i.startsAt, undefined, false),
      when(i.noticeAt, undefined, false),
      when(i.cutoffAt, undefined, false),
      when(i.graceEndsAt, undefined, false),
      i.atCutoff,
    ]),
  );
}

function integrationDetails(partner: string, timeZone: string, i: IntegrationAnswer): string {
  const rows: [string, string][] = [
    ['phase', phaseText(i)],
    ['next change', nextText(i.next)],
    ['starts', when(i.startsAt)],
    ['notice from', when(i.noticeAt)],
    ['cutoff', when(i.cutoffAt)],
    ['grace ends', when(i.graceEndsAt)],
    ['new accounts in notice', yesNo(i.newAccountsDuringNotice)],
    ['at cutoff', i.atCutoff === 'revoke' ? 'revoke refresh tokens' : 'keep refresh tokens until they expire'],
    ['configured here', yesNo(i.configured)],
  ];
  for (const locale of ['zh-CN', 'en']) {
    const text = i.noticeText?.[locale];
    if (text) rows.push([`notice text (${locale})${i.notice?.[locale] ? '' : ', default'}`, text]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`${i.provider} at ${partner} (times in ${timeZone})`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}

const partners: Command = {
  name: 'partners',
  usage: 'denglu partners',
  summary: 'list the partners you may see, with their providers and phases now',
  help: ['The operator sees every partner; a partner manager sees the partners they manage.'],
  options: {},
  args: [],
  async run({ api, json, print }) {
    const answer = await api.request<PartnersAnswer>('GET', '/partners');
    if (json) return print(JSON.stringify(answer, null, 2));
    if (!answer.partners.length) return print('No partners.');
    print(
      table(
        ['ID', 'NAME', 'TIME ZONE', 'CLIENTS', 'PROVIDERS (PHASE NOW)'],
        answer.partners.map((p) => [
          p.id,
          p.name['zh-CN'] === p.name.en ? p.name.en : `${p.name['zh-CN']} · ${p.name.en}`,
          p.timeZone,
          String(p.clients.length),
          p.integrations.map((i) => `${i.provider} ${i.phase}`).join(', ') || '—',
        ]),
      ),
    );
  },
};

const integrations: Command = {
  name: 'integrations',
  usage: 'denglu integrations <partner>',
  summary: "a partner's providers: phase now, next change and scheduled dates",
  help: ["Dates are shown in the partner's time zone."],
  options: {},
  args: ['partner'],
  async run({ api, json, args, print }) {
    const answer = await api.request<IntegrationsAnswer>('GET', `/partners/${seg(args[0]!)}/integrations`);
    if (json) return print(JSON.stringify(answer, null, 2));
    print(`${answer.partner}: times in ${answer.timeZone}, now ${when(answer.now)}\n`);
    print(answer.integrations.length ? integrationsTable(answer.integrations) : 'No providers yet: add one with `denglu schedule <partner> <provider>`.');
  },
};

const show: Command = {
  name: 'show',
  usage: 'denglu show <partner> <provider>',
  summary: 'one integration in detail, with the notice texts shoppers read',
  help: [],
  options: {},
  args: ['partner', 'provider'],
  async run({ api, json, args, print }) {
    const answer = await api.request<IntegrationDetailAnswer>('GET', `/partners/${seg(args[0]!)}/integrations/${seg(args[1]!)}`);
    if (json) return print(JSON.stringify(answer, null, 2));
    print(integrationDetails(answer.partner, answer.timeZone, answer.integration));
  },
};

const DATE_FLAGS = [
  ['starts', 'startsAt'],
  ['notice', 'noticeAt'],
  ['cutoff', 'cutoffAt'],
  ['grace-ends', 'graceEndsAt'],
] as const;

const schedule: Command = {
  name: 'schedule',
  usage: 'denglu schedule <partner> <provider> [options]',
  summary: 'add a provider to a partner or change its lifecycle dates and options',
  help: [
    'Instants need an offset or an IANA zone: 2013-09-25T00:00+08:00 or 2013-09-25T00:00[Asia/Shanghai].',
    'Options left out keep their value. Dates must follow starts < notice < cutoff < grace ends.',
    '',
    '  --starts <instant>                 go-live (before it the provider is not offered)',
    '  --notice <instant>                 start of the notice period (shoppers are warned)',
    '  --cutoff <instant>                 end of sign-in into the shop; grace (migration only) starts',
    '  --grace-ends <instant>             end of the migration window',
    '  --clear-starts, --clear-notice, --clear-cutoff, --clear-grace-ends',
    '                                     remove that date',
    '  --policy keep|revoke               at cutoff: keep refresh tokens until they expire, or revoke them',
    '  --no-new-accounts-during-notice    refuse new accounts through this provider during notice',
    '  --new-accounts-during-notice       allow them again (the default)',
    '  --notice-zh <text>, --notice-en <text>',
    '                                     custom notice texts (default: generated from the dates)',
    '  --clear-notice-texts               go back to the generated notice texts',
    '  --immediately                      confirm a change that ends sign-in now; alone, cuts off now',
    '',
    'Example: denglu schedule jd weibo --notice 2013-09-10T00:00+08:00 --cutoff 2013-09-25T00:00+08:00 --grace-ends 2013-10-25T00:00+08:00',
  ],
  options: {
    starts: { type: 'string' },
    notice: { type: 'string' },
    cutoff: { type: 'string' },
    'grace-ends': { type: 'string' },
    'clear-starts': { type: 'boolean' },
    'clear-notice': { type: 'boolean' },
    'clear-cutoff': { type: 'boolean' },
    'clear-grace-ends': { type: 'boolean' },
    policy: { type: 'string' },
    'no-new-accounts-during-notice': { type: 'boolean' },
    'new-accounts-during-notice': { type: 'boolean' },
    'notice-zh': { type: 'string' },
    'notice-en': { type: 'string' },
    'clear-notice-texts': { type: 'boolean' },
    immediately: { type: 'boolean' },
  },
  args: ['partner', 'provider'],
  async run({ api, json, args, values, print }) {
    const body: Record<string, unknown> = {};
    for (const [flag, field] of DATE_FLAGS) {
      const value = str(values[flag]);
      if (value !== undefined && values[`clear-${flag}`]) throw new CliError(EXIT.usage, `--${flag} and --clear-${flag} contradict each other`);
      if (value !== undefined) body[field] = value;
      if (values[`clear-${flag}`]) body[field] = null;
    }
    const policy = str(values.policy);
    if (policy !== undefined) {
      if (policy !== 'keep' && policy !== 'revoke') throw new CliError(EXIT.usage, `--policy must be keep or revoke (got ${JSON.stringify(policy)})`);
      body.atCutoff = policy;
    }
    if (values['no-new-accounts-during-notice'] && values['new-accounts-during-notice']) {
      throw new CliError(EXIT.usage, '--no-new-accounts-during-notice and --new-accounts-during-notice contradict each other');
    }
    if (values['no-new-accounts-during-notice']) body.newAccountsDuringNotice = false;
    if (values['new-accounts-during-notice']) body.newAccountsDuringNotice = true;
    const notice: Record<string, string | null> = {};
    if (values['clear-notice-texts']) Object.assign(notice, { 'zh-CN': null, en: null });
    if (str(values['notice-zh']) !== undefined) notice['zh-CN'] = str(values['notice-zh'])!;
    if (str(values['notice-en']) !== undefined) notice.en = str(values['notice-en'])!;
    if (Object.keys(notice).length) body.notice = notice;
    if (values.immediately) body.effectiveImmediately = true;

    const [partner, provider] = [args[0]!, args[1]!];
    const answer = await api.request<IntegrationDetailAnswer>('PUT', `/partners/${seg(partner)}/integrations/${seg(provider)}`, body);
    if (json) return print(JSON.stringify(answer, null, 2));
    const verb = answer.created
      ? `Added ${provider} to ${partner}`
      : Object.keys(body).length
        ? `Scheduled ${provider} at ${partner}`
        : `No change to ${provider} at ${partner}`;
    print(`${verb}.${answer.immediate ? ` Sign-in with ${provider} at ${partner} ended now (effective immediately).` : ''}\n`);
    print(integrationDetails(answer.partner, answer.timeZone, answer.integration));
  },
};

const preview: Command = {
  name: 'preview',
  usage: 'denglu preview <partner> [--at <instant>] [--locale zh-CN|en]',
  summary: "what the partner's login page shows at an instant",
  help: [
    '  --at <instant>       e.g. 2013-09-26T10:00+08:00 (an offset or IANA zone is required); default now',
    "  --locale zh-CN|en    default: the partner's first locale",
  ],
  options: { at: { type: 'string' }, locale: { type: 'string' } },
  args: ['partner'],
  async run({ api, json, args, values, print }) {
    const query = new URLSearchParams();
    if (str(values.at) !== undefined) query.set('at', str(values.at)!);
    if (str(values.locale) !== undefined) query.set('locale', str(values.locale)!);
    const answer = await api.request<PreviewAnswer>('GET', `/partners/${seg(args[0]!)}/preview${query.size ? `?${query}` : ''}`);
    if (json) return print(JSON.stringify(answer, null, 2));
    print(`Login page of ${answer.shop} (${answer.partner}) at ${when(answer.at)} (${answer.timeZone}), ${answer.locale}\n`);
    const shown: Record<string, string> = { button: 'button', 'migrate-link': 'migration link only', hidden: 'hidden' };
    print(
      table(
        ['PROVIDER', 'SHOWN AS', 'PHASE', 'NOTE'],
        answer.providers.map((p) => [
          `${p.label} (${p.id})`,
          shown[p.shown] ?? p.shown,
          p.phase,
          p.note ?? p.reason ?? (p.next ? `${p.next.phase} at ${when(p.next.at)}` : ''),
        ]),
      ),
    );
    const notices = answer.providers.filter((p) => p.notice);
    if (notices.length) print(`\n${notices.map((p) => `${p.label}: ${p.notice}`).join('\n')}`);
  },
};

function changeSummary(entry: AuditEntryAnswer): string {
  const before = (entry.before && typeof entry.before === 'object' ? entry.before : {}) as Record<string, unknown>;
  const after = (entry.after && typeof entry.after === 'object' ? entry.after : {}) as Record<string, unknown>;
  if (entry.before === null) return 'created';
  if (entry.after === null) return 'removed';
  const fmt = (k: string, v: unknown) =>
    v === undefined ? '—' : k.endsWith('At') && (typeof v === 'number' || typeof v === 'string') ? when(v, entry.timeZone, false) : JSON.stringify(v);
  // Each instant comes twice (`cutoffAt` in the partner's zone and `cutoffAtMs`): show it once.
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (k) => !k.endsWith('AtMs') && JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
  return keys.map((k) => `${k}: ${fmt(k, before[k])} → ${fmt(k, after[k])}`).join('; ') || 'no change';
}

const audit: Command = {
  name: 'audit',
  usage:
    'denglu audit [--partner <id>] [--account <id>] [--actor <id>] [--action <action>] [--from <instant>] [--to <instant>] [--limit <n>] [--before <cursor>]',
  summary: 'audit log entries, newest first',
  help: [
    '  --partner <id>       entries about that partner (a manager sees only their partners)',
    '  --account <id>       entries about a shopper account (a deleted one: the deleted-… id its deletion printed)',
    '  --actor <id>         operator, a manager id, or kind:id',
    '  --action <action>    e.g. integration.schedule, or integration for every integration change',
    '  --from, --to         instants with an offset or zone; --to is exclusive',
    '  --limit <n>          1 to 500 (default 50)',
    '  --before <cursor>    the cursor printed at the end of the previous page',
  ],
  options: {
    partner: { type: 'string' },
    account: { type: 'string' },
    actor: { type: 'string' },
    action: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    limit: { type: 'string' },
    before: { type: 'string' },
  },
  args: [],
  async run({ api, json, values, print }) {
    const query = new URLSearchParams();
    for (const key of ['partner', 'account', 'actor', 'action', 'from', 'to', 'limit', 'before'])
      if (str(values[key]) !== undefined) query.set(key, str(values[key])!);
    const answer = await api.request<AuditAnswer>('GET', `/audit${query.size ? `?${query}` : ''}`);
    if (json) return print(JSON.stringify(answer, null, 2));
    if (!answer.entries.length) return print('No audit entries.');
    print(
      table(
        ['TIME', 'ACTOR', 'ACTION', 'TARGET', 'CHANGE'],
        answer.entries.map((e) => [
          when(e.at),
          `${e.actor.kind}:${e.actor.id}`,
          e.action,
          Object.entries(e.target)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
          changeSummary(e),
        ]),
      ),
    );
    if (answer.next) print(`\nMore: denglu audit --before ${answer.next}${query.size ? ' (with the same filters)' : ''}`);
  },
};

const KEY_STAGE_NOTE: Record<string, (k: KeyAnswer) => string> = {
  next: (k) => `published; may sign from ${when(k.signsFrom)}`,
  current: (k) => `signing since ${when(k.activatedAt)}`,
  previous: (k) => `verification only; removed at ${when(k.removedAt)}`,
};

function keysTable(answer: KeysAnswer): string {
  const p = answer.policy;
  const schedule = p.rotationDays === null ? 'on request only' : `every ${p.rotationDays} days`;
  return [
    table(
      ['KID', 'STAGE', 'ALG', 'PUBLISHED', 'NOTE'],
      answer.keys.map((k) => [k.kid, k.stage, k.alg, when(k.createdAt), KEY_STAGE_NOTE[k.stage]?.(k) ?? '']),
    ),
    '',
    `Rotation: ${schedule}; a next key is published ${p.publishLeadSeconds} s before it may sign; previous keys stay ${p.retentionSeconds} s (the longest token lifetime).`,
  ].join('\n');
}

const keys: Command = {
  name: 'keys',
  usage: 'denglu keys list | denglu keys rotate [--force]',
  summary: 'the ID token signing keys in their stages, and rotation (operator)',
  help: [
    '  list       the next key (published, not signing yet), the current key (signing) and previous keys',
    '             (published until every token they signed has expired)',
    '  rotate     the next key starts signing at once, the current one becomes previous, a new next key is',
    '             published; refused while the next key is younger than KEY_PUBLISH_LEAD_SECONDS',
    '  --force    rotate anyway (shops that cached the JWKS may fail to verify tokens for a while)',
  ],
  options: { force: { type: 'boolean' } },
  args: ['list|rotate'],
  async run({ api, json, args, values, print }) {
    const action = args[0];
    if (action !== 'list' && action !== 'rotate') throw new CliError(EXIT.usage, `unknown action "${action}": use list or rotate`);
    if (action === 'list' && values.force) throw new CliError(EXIT.usage, '--force goes with rotate only');
    const answer =
      action === 'list'
        ? await api.request<KeysAnswer>('GET', '/keys')
        : await api.request<KeysAnswer>('POST', '/keys/rotate', values.force ? { force: true } : {});
    if (json) return print(JSON.stringify(answer, null, 2));
    if (action === 'rotate') print(`Rotated: ${answer.keys.find((k) => k.stage === 'current')!.kid} signs now.\n`);
    print(keysTable(answer));
  },
};

const account: Command = {
  name: 'account',
  usage: 'denglu account delete <account id>',
  summary: "delete a shopper's account on a support request (operator)",
  help: [
    '  delete     the same deletion as "Delete my account" on the account page: sign-ins, grants and tokens end,',
    '             the account goes with every linked sign-in method, email, phone and password, and every shop',
    '             it used gets the webhook account.deleted with its own pairwise sub. Safe to run again: for an',
    '             account already gone it finishes what an interrupted deletion left. Its raw login events and',
    '             usage summaries go; its audit entries keep the action under a tombstone id, without its data.',
    '             Each provider grant it held is revoked where the provider can (Weibo); a failure is reported.',
  ],
  options: {},
  args: ['delete', 'account id'],
  async run({ api, json, args, print }) {
    if (args[0] !== 'delete') throw new CliError(EXIT.usage, `unknown action "${args[0]}": use delete`);
    const answer = await api.request<{ account: string; deleted: boolean; partnersTold: number; auditAccount: string; upstream: Record<string, string> }>(
      'DELETE',
      `/accounts/${seg(args[1]!)}`,
    );
    if (json) return print(JSON.stringify(answer, null, 2));
    const grants = Object.entries(answer.upstream).map(([provider, outcome]) => `${provider} ${outcome === 'none' ? 'has no revocation' : outcome}`);
    print(
      answer.deleted
        ? `Deleted account ${answer.account}; ${answer.partnersTold} shop(s) get account.deleted. The audit log names it ${answer.auditAccount}.`
        : `No account ${answer.account} is left (deleted before, or never existed); whatever remained of it was removed. The audit log names it ${answer.auditAccount}.`,
    );
    if (grants.length) print(`Provider grants: ${grants.join(', ')}.`);
  },
};

export const COMMANDS: readonly Command[] = [partners, integrations, show, schedule, preview, impact, analytics, audit, keys, account, store];
