// `denglu impact <partner> <provider> [--cutoff …]`: the impact report of ending a provider at a shop
// (admin API `GET /partners/:id/integrations/:provider/impact`), printed as counts for a person, as the
// API's JSON (--json), or as the CSV of affected shoppers by the shop's pairwise `sub` (--csv).

import type { Command } from './commands.ts';
import { table, when } from './format.ts';

interface Groups {
  stranded: number;
  atRisk: number;
  safe: number;
}

interface ImpactAnswer {
  partner: string;
  provider: string;
  now: string;
  cutoffAt: string;
  graceEndsAt?: string;
  noticeAt?: string;
  considered: boolean;
  activeDays: number;
  waysAtCutoff: string[];
  /** What the admin pages call the provider and each way, by method id (absent from older gateways). */
  labels?: Record<string, { en?: string }>;
  shoppers: Groups & { active: number; unaffected: number; affected: number };
  providerSignIns30d: Groups & { total: number };
  migration: { since: string; migrated: number; ratePerDay: number; rateDays: number; progress: { day: string; migrated: number }[] };
  projection: { strandedAtCutoff: number | null; strandedAtGraceEnd: number | null };
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const count = (n: number | null) => (n === null ? '—' : String(n));

export const impact: Command = {
  name: 'impact',
  usage: 'denglu impact <partner> <provider> [--cutoff <instant>] [--grace-ends <instant>] [--active-days <n>] [--csv]',
  summary: 'whom ending a provider at a shop strands, puts at risk or leaves safe; migration so far',
  help: [
    '  --cutoff <instant>       the cutoff to consider, e.g. 2013-09-30T00:00+08:00; default the scheduled one',
    "  --grace-ends <instant>   the grace end to consider; default the scheduled grace's length after the cutoff",
    '  --active-days <n>        shoppers are accounts signed in at the shop within n days (default 180)',
    "  --csv                    the affected shoppers, one row each, named by the shop's pairwise sub",
  ],
  options: { cutoff: { type: 'string' }, 'grace-ends': { type: 'string' }, 'active-days': { type: 'string' }, csv: { type: 'boolean' } },
  args: ['partner', 'provider'],
  async run({ api, json, args, values, print }) {
    const query = new URLSearchParams();
    if (str(values.cutoff) !== undefined) query.set('cutoff', str(values.cutoff)!);
    if (str(values['grace-ends']) !== undefined) query.set('graceEnds', str(values['grace-ends'])!);
    if (str(values['active-days']) !== undefined) query.set('activeDays', str(values['active-days'])!);
    const path = `/partners/${encodeURIComponent(args[0]!)}/integrations/${encodeURIComponent(args[1]!)}/impact`;
    if (values.csv) {
      query.set('format', 'csv');
      return print((await api.request<string>('GET', `${path}?${query}`, undefined, 'text')).trimEnd());
    }
    const a = await api.request<ImpactAnswer>('GET', `${path}${query.size ? `?${query}` : ''}`);
    if (json) return print(JSON.stringify(a, null, 2));
    // The command speaks English: methods by their English label, as the admin pages name them.
    const label = (method: string) => a.labels?.[method]?.en ?? method;
    print(
      `Ending ${label(a.provider)} at ${a.partner}: cutoff ${when(a.cutoffAt)}${a.considered ? ' (considered, not scheduled)' : ''}, grace ends ${when(a.graceEndsAt)}`,
    );
    print(
      `As of ${when(a.now)}; shoppers signed in within ${a.activeDays} days: ${a.shoppers.active}, of whom ${a.shoppers.affected} used ${label(a.provider)} there.`,
    );
    print(`Ways that still sign in at the cutoff: ${a.waysAtCutoff.map(label).join(', ') || 'none'}\n`);
    print(
      table(
        ['GROUP', 'SHOPPERS', `${label(a.provider).toUpperCase()} SIGN-INS (30 DAYS)`],
        [
          ['stranded (no other way)', String(a.shoppers.stranded), String(a.providerSignIns30d.stranded)],
          ['at risk (never used another way here)', String(a.shoppers.atRisk), String(a.providerSignIns30d.atRisk)],
          ['safe', String(a.shoppers.safe), String(a.providerSignIns30d.safe)],
        ],
      ),
    );
    print(`\nMigrated since ${when(a.migration.since)}: ${a.migration.migrated} (${a.migration.ratePerDay} a day over the last ${a.migration.rateDays} days)`);
    print(`Projected stranded at the cutoff: ${count(a.projection.strandedAtCutoff)}; at grace end: ${count(a.projection.strandedAtGraceEnd)}`);
  },
};
