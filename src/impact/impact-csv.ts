// The impact report's shopper list as CSV (RFC 4180, CRLF, a header row): one row per affected shopper,
// identified only by the shop's own pairwise `sub`, with the group, the last sign-in with the provider
// there, its sign-ins in the last 30 days and the ways that still sign in at the cutoff. Rows come a page
// of shoppers at a time (src/impact/impact-service.ts affectedShopperPages), for a streamed download.

import type { AffectedShopper } from './impact-report.ts';

export const IMPACT_CSV_HEADER = ['sub', 'group', 'last_sign_in_with_provider', 'provider_sign_ins_30d', 'ways_at_cutoff'];

export function impactCsvRows(shoppers: readonly AffectedShopper[], subOf: (accountId: string) => string): string[][] {
  return shoppers.map((s) => [subOf(s.account), s.group, new Date(s.lastWithProviderAt).toISOString(), String(s.providerSignIns30d), s.ways.join(' ')]);
}
