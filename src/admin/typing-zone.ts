// The time zone a person typing an instant into the audit filters most likely means (suggestions in
// refusals are written in it): the partner the query names, else the only partner a manager manages,
// else the fallback (UTC for the API, the pages' own default for the pages).

import type { Principal } from './auth.ts';

export function typingZone(principal: Principal, partner: string | undefined, zones: ReadonlyMap<string, string>, fallback: string): string {
  const sole = principal.kind === 'manager' && principal.partners.size === 1 ? [...principal.partners][0] : undefined;
  return (partner && zones.get(partner)) || (sole && zones.get(sole)) || fallback;
}
