// The compact "before → after" of an audit entry (pure): only the fields that changed, instants (fields
// named …At holding epoch milliseconds) shown in the partner's zone, other values as short JSON. A
// creation lists what was set, a removal what was there.

import { shortInstant } from './dates.ts';

export interface Change {
  field: string;
  before?: string;
  after?: string;
}

const MAX_VALUE = 120;

function show(field: string, value: unknown, zone: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && /At$/.test(field) && value > 1e11) return shortInstant(value, zone);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function auditChanges(before: unknown, after: unknown, zone: string): Change[] {
  if (!isRecord(before) && !isRecord(after)) {
    if (JSON.stringify(before) === JSON.stringify(after)) return [];
    return [{ field: '', ...opt('before', show('', before, zone)), ...opt('after', show('', after, zone)) }];
  }
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const changes: Change[] = [];
  for (const field of fields) {
    if (field === 'updatedAt' || JSON.stringify(b[field]) === JSON.stringify(a[field])) continue;
    changes.push({ field, ...opt('before', show(field, b[field], zone)), ...opt('after', show(field, a[field], zone)) });
  }
  return changes;
}

function opt(name: 'before' | 'after', value: string | undefined): Partial<Change> {
  return value === undefined ? {} : { [name]: value };
}
