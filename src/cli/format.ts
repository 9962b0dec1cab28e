// Text output of the command line: aligned tables (CJK characters count two columns) and instants in
// a partner's time zone, `2013-09-25 00:00` in tables and `2013-09-25 00:00 +08:00` elsewhere.

import { DateTime } from 'luxon';

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += WIDE.test(ch) ? 2 : 1;
  return width;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** Rows under a header, columns separated by two spaces; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** An instant from the API (ISO 8601 with offset, or epoch ms with a zone) as `2013-09-25 00:00 +08:00`. */
export function when(value: string | number | undefined | null, zone?: string, withOffset = true): string {
  if (value === undefined || value === null) return '—';
  const dt = typeof value === 'number' ? DateTime.fromMillis(value, { zone: zone ?? 'UTC' }) : DateTime.fromISO(value, { setZone: true });
  if (!dt.isValid) return String(value);
  return dt.toFormat(withOffset ? 'yyyy-MM-dd HH:mm ZZ' : 'yyyy-MM-dd HH:mm');
}

export function yesNo(value: unknown): string {
  return value ? 'yes' : 'no';
}
