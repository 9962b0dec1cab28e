// Instants as shoppers read them: "2013年9月25日 0:00（北京时间）" / "25 September 2013 at 00:00 (Beijing
// time)", the zone in words (Beijing time for China's zone, else the zone's own localized name), never
// "(UTC+08:00)". The Chinese form leaves out the year when it is the current one.

import { DateTime } from 'luxon';
import type { EpochMs } from '../clock.ts';

type ShopperLocale = 'zh-CN' | 'en';

const CHINA_ZONES = new Set(['Asia/Shanghai', 'Asia/Chongqing', 'Asia/Harbin', 'PRC']);

/** The zone in words: 北京时间 / Beijing time, or e.g. 中欧夏令时间 / Central European Summer Time. */
export function zoneInWords(ms: EpochMs, zone: string, locale: ShopperLocale): string {
  if (CHINA_ZONES.has(zone)) return locale === 'zh-CN' ? '北京时间' : 'Beijing time';
  return DateTime.fromMillis(ms, { zone })
    .setLocale(locale === 'zh-CN' ? 'zh-CN' : 'en-GB')
    .toFormat('ZZZZZ');
}

/** A date and time with its zone in words; `now` (same zone) drops the year in Chinese when it is this year's. */
export function naturalInstant(ms: EpochMs, zone: string, locale: ShopperLocale, now?: EpochMs): string {
  const dt = DateTime.fromMillis(ms, { zone });
  const words = zoneInWords(ms, zone, locale);
  if (locale === 'zh-CN') {
    const sameYear = now !== undefined && DateTime.fromMillis(now, { zone }).year === dt.year;
    return `${sameYear ? '' : `${dt.year}年`}${dt.month}月${dt.day}日 ${dt.toFormat('H:mm')}（${words}）`;
  }
  return `${dt.setLocale('en-GB').toFormat('d MMMM yyyy')} at ${dt.toFormat('HH:mm')} (${words})`;
}
