// The instants an error message suggests ("…; write 2013-10-26T00:00+08:00 or 2013-10-26T00:00[Asia/Shanghai]"),
// with the quoted input the message repeats left out (as JSON `"…"` or HTML-escaped `&#34;…&#34;`), and a
// partner in a zone other than Shanghai's to suggest them in.

import type { PartnerSeed } from '../../src/partners/partners.ts';

export function suggestedInstants(message: string): string[] {
  const unquoted = message.replace(/"(?:[^"\\]|\\.)*"/g, '').replace(/&#34;.*?&#34;/g, '');
  return [...unquoted.matchAll(/\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2}|\[[A-Za-z_/+-]+\])/g)].map((m) => m[0]);
}

/** The test partners plus `berlin`: beta's copy in Europe/Berlin, whose suggestions must use that zone. */
export function withBerlinPartner(seeds: PartnerSeed[]): PartnerSeed[] {
  return [
    ...seeds,
    {
      ...seeds[1]!,
      id: 'berlin',
      timeZone: 'Europe/Berlin',
      clients: [{ ...seeds[1]!.clients[0]!, client_id: 'berlin-basic', redirect_uris: ['https://berlin-basic.shop.test/cb'] }],
    },
  ];
}
