// The "before → after" of an audit entry in words (pure): one line per changed field, nested fields
// named by their path (`notice.zh-CN`), only the fields that changed. Values are written for people,
// never as JSON: yes/no (是/否), instants as dates in the partner's zone, providers by name, known
// values in words (keep → 保留), lists joined, lists of records by what identifies each, secrets hidden.
// A creation lists what was set, a removal what was there.

import { DateTime } from 'luxon';
import type { Locale } from '../../../providers/contract.ts';
import { isAdminMessage, type AdminTranslate } from './messages.ts';

export interface Change {
  /** The field's path in the stored document (`noticeAt`, `notice.zh-CN`); '' for a value that is not a record. */
  field: string;
  /** The field's name in words. */
  label: string;
  before?: string;
  after?: string;
}

/** What the words depend on: the page language, the partner's zone, and names the admin pages know. */
export interface AuditWords {
  locale: Locale;
  zone: string;
  /** The name of a field path in words, or undefined when none is known. */
  field(path: string): string | undefined;
  /** A known value of a field in words (atCutoff `keep` → "keep: …"), or undefined. */
  value(path: string, value: string): string | undefined;
  provider(id: string): string;
  yes: string;
  no: string;
  hidden: string;
  /** `{count} items` for a list of records with nothing naming them. */
  items(count: number): string;
}

const MAX_VALUE = 160;
const MAX_DEPTH = 3;
const SECRET = /secret|hash|token|password|private/i;
const NAMING_KEYS = ['provider', 'client_id', 'kid', 'id', 'name'] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const lastSegment = (path: string): string => path.slice(path.lastIndexOf('.') + 1);

/** A date in the partner's zone: `2013年9月25日 00:00` or `25 Sep 2013, 00:00`. */
export function auditDate(ms: number, zone: string, locale: Locale): string {
  const dt = DateTime.fromMillis(ms, { zone });
  return locale === 'zh-CN' ? dt.toFormat('yyyy年M月d日 HH:mm') : dt.setLocale('en').toFormat('d LLL yyyy, HH:mm');
}

function scalar(path: string, value: unknown, w: AuditWords): string {
  const name = lastSegment(path);
  if (SECRET.test(name)) return w.hidden;
  if (typeof value === 'boolean') return value ? w.yes : w.no;
  if (typeof value === 'number' && /At$/.test(name) && value > 1e11) return auditDate(value, w.zone, w.locale);
  if (typeof value === 'string' && name === 'provider') return w.provider(value);
  const text = typeof value === 'string' ? (w.value(path, value) ?? value) : String(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** A record in a list, by what names it (a provider, a client id, a key id), else undefined. */
function nameOf(item: Record<string, unknown>, w: AuditWords): string | undefined {
  const key = NAMING_KEYS.find((k) => typeof item[k] === 'string');
  if (key === undefined) return undefined;
  return key === 'provider' ? w.provider(item[key] as string) : (item[key] as string);
}

function list(path: string, items: unknown[], w: AuditWords): string {
  const joiner = w.locale === 'zh-CN' ? '、' : ', ';
  if (items.every((i) => !isRecord(i) && !Array.isArray(i))) return items.map((i) => scalar(path, i, w)).join(joiner);
  const names = items.map((i) => (isRecord(i) ? nameOf(i, w) : undefined));
  return names.every((n) => n !== undefined) ? names.join(joiner) : w.items(items.length);
}

/** The document as `path → words`, records flattened into their fields. */
function leaves(value: unknown, path: string, w: AuditWords, depth = 0, into = new Map<string, string>()): Map<string, string> {
  if (value === undefined || value === null) return into;
  if (isRecord(value) && !(path && SECRET.test(lastSegment(path)))) {
    if (depth >= MAX_DEPTH) {
      into.set(path, w.items(Object.keys(value).length));
      return into;
    }
    for (const [key, inner] of Object.entries(value)) leaves(inner, path ? `${path}.${key}` : key, w, depth + 1, into);
    return into;
  }
  into.set(path, Array.isArray(value) ? list(path, value, w) : scalar(path, value, w));
  return into;
}

/** The field's name: known words, else its parent's with the language (`notice.zh-CN` → "Notice text (Chinese)"), else the path. */
function label(path: string, w: AuditWords): string {
  const known = w.field(path);
  if (known !== undefined) return known;
  const dot = path.lastIndexOf('.');
  if (dot > 0) {
    const parent = w.field(path.slice(0, dot));
    const part = w.field(`locale.${path.slice(dot + 1)}`) ?? w.field(path.slice(dot + 1));
    if (parent !== undefined && part !== undefined) return w.locale === 'zh-CN' ? `${parent}（${part}）` : `${parent} (${part})`;
  }
  return path;
}

export function auditChanges(before: unknown, after: unknown, w: AuditWords): Change[] {
  const b = leaves(before, '', w);
  const a = leaves(after, '', w);
  const changes: Change[] = [];
  for (const field of new Set([...a.keys(), ...b.keys()])) {
    if (field === 'updatedAt' || field === 'createdAt' || b.get(field) === a.get(field)) continue;
    const was = b.get(field);
    const is = a.get(field);
    changes.push({ field, label: field ? label(field, w) : '', ...(was === undefined ? {} : { before: was }), ...(is === undefined ? {} : { after: is }) });
  }
  return changes;
}

/** The admin pages' words for audit entries in `locale`, dates in `zone`. */
export function auditWords(m: AdminTranslate, locale: Locale, zone: string, provider: (id: string) => string): AuditWords {
  const known = (key: string) => (isAdminMessage(key) ? m(key) : undefined);
  return {
    locale,
    zone,
    field: (path) => known(`audit.field.${path}`),
    value: (path, value) => (lastSegment(path) === 'atCutoff' ? known(`policy.${value}.short`) : undefined),
    provider,
    yes: m('yes'),
    no: m('no'),
    hidden: m('audit.hidden'),
    items: (count) => m('audit.items', { count }),
  };
}
