// The schedule form and the schedule change it stands for (pure). The form shows an integration's dates
// in the partner's zone and its options; a posted form becomes the same input the admin API takes
// (dates as typed, null to clear, notice texts null for the default), so one set of rules
// (applySchedule) validates both. A date left empty or ticked "clear" is removed.

import type { Integration } from '../../partners/partner.ts';
import { DATE_FIELDS, type DateField } from '../../partners/schedule.ts';
import { inputInstant } from './dates.ts';

export interface ScheduleForm {
  dates: Record<DateField, string>;
  clear: Record<DateField, boolean>;
  atCutoff: string;
  /** 'yes' | 'no' */
  newAccountsDuringNotice: string;
  notice: { 'zh-CN': string; en: string };
  effectiveImmediately: boolean;
}

const MAX_FIELD = 2000;

function emptyDates(): Record<DateField, string> {
  return { startsAt: '', noticeAt: '', cutoffAt: '', graceEndsAt: '' };
}

function noClears(): Record<DateField, boolean> {
  return { startsAt: false, noticeAt: false, cutoffAt: false, graceEndsAt: false };
}

/** The form for an existing integration (or a new one: empty dates, keep, new accounts allowed). */
export function formFromIntegration(integration: Integration | undefined, zone: string): ScheduleForm {
  const dates = emptyDates();
  for (const field of DATE_FIELDS) {
    const ms = integration?.[field];
    if (ms !== undefined) dates[field] = inputInstant(ms, zone);
  }
  return {
    dates,
    clear: noClears(),
    atCutoff: integration?.atCutoff ?? 'keep',
    newAccountsDuringNotice: integration?.newAccountsDuringNotice === false ? 'no' : 'yes',
    notice: { 'zh-CN': integration?.notice?.['zh-CN'] ?? '', en: integration?.notice?.en ?? '' },
    effectiveImmediately: false,
  };
}

/** The form as posted (urlencoded), every value kept as typed so it can be shown again. */
export function formFromBody(body: Record<string, unknown>): ScheduleForm {
  const text = (name: string): string => {
    const value = body[name];
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' ? first.slice(0, MAX_FIELD) : '';
  };
  const dates = emptyDates();
  const clear = noClears();
  for (const field of DATE_FIELDS) {
    dates[field] = text(field);
    clear[field] = text(`clear.${field}`) === 'on';
  }
  return {
    dates,
    clear,
    atCutoff: text('atCutoff'),
    newAccountsDuringNotice: text('newAccountsDuringNotice'),
    notice: { 'zh-CN': text('notice.zh-CN'), en: text('notice.en') },
    effectiveImmediately: text('effectiveImmediately') === 'on',
  };
}

/** The schedule change the form asks for, in the admin API's input shape. */
export function scheduleInput(form: ScheduleForm, current: Integration | undefined): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const field of DATE_FIELDS) {
    const typed = form.dates[field].trim();
    if (form.clear[field] || typed === '') {
      if (current?.[field] !== undefined) input[field] = null;
    } else {
      input[field] = typed;
    }
  }
  input.atCutoff = form.atCutoff;
  input.newAccountsDuringNotice = form.newAccountsDuringNotice === 'yes' ? true : form.newAccountsDuringNotice === 'no' ? false : form.newAccountsDuringNotice;
  const zh = form.notice['zh-CN'].trim();
  const en = form.notice.en.trim();
  if (zh || en || current?.notice) input.notice = { 'zh-CN': zh || null, en: en || null };
  if (form.effectiveImmediately) input.effectiveImmediately = true;
  return input;
}
