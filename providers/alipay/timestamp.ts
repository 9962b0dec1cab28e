// Alipay's time format: `yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8, no daylight saving), as the gateway's
// `timestamp` parameter and the token answer's `auth_start` carry it.

const BEIJING_OFFSET_MS = 8 * 3600_000;

export function beijingTimestamp(epochMs: number): string {
  return new Date(epochMs + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** The instant of a `yyyy-MM-dd HH:mm:ss` Beijing time, or undefined when the text is not one. */
export function parseBeijingTimestamp(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text.replace(' ', 'T')}+08:00`);
  return Number.isNaN(ms) ? undefined : ms;
}
