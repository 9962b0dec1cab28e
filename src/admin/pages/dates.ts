// How the admin pages write instants: short text for tables and axes (`2013-09-25 00:00`, in the
// partner's zone) and the text a schedule form is prefilled with, which parses back to the very same
// instant (`2013-09-25T00:00+08:00`, seconds and milliseconds only when they are not zero).

import { DateTime } from 'luxon';
import type { EpochMs } from '../../clock.ts';

/** `2013-09-25 00:00` in `zone`. */
export function shortInstant(ms: EpochMs, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

/** `2013-09-25 00:00 UTC+08:00` in `zone`. */
export function instantWithOffset(ms: EpochMs, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd HH:mm 'UTC'ZZ");
}

/** `2013-09-25T00:00+08:00`: what a form field shows; parseInstant reads it back exactly. */
export function inputInstant(ms: EpochMs, zone: string): string {
  const dt = DateTime.fromMillis(ms, { zone });
  const time = dt.millisecond ? 'HH:mm:ss.SSS' : dt.second ? 'HH:mm:ss' : 'HH:mm';
  return dt.toFormat(`yyyy-MM-dd'T'${time}ZZ`);
}
