// The embedded store's listing by a large index key in keyset pages (the impact report pages through a
// shop's summaries this way): the sorted ids it keeps between pages follow documents added, removed and
// moved to another key in between, in both directions.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { MemoryTables } from '../../src/store/memory-tables.ts';
import type { ListOptions } from '../../src/store/store.ts';

describe('embedded store: listing a large index key page by page', () => {
  const clock = new ManualClock(0);
  const tables = new MemoryTables([{ name: 'rows', group: 'ephemeral', heldAsText: true, indexes: { group: { keys: (d) => [d.group] } } }], clock);
  const put = (id: string, group: string) => tables.set('rows', id, { group }, undefined, JSON.stringify({ group }));
  for (let i = 0; i < 2500; i++) put(`r${String(i).padStart(5, '0')}`, 'a');

  const pages = (order: 'asc' | 'desc', between?: (page: number) => void): string[] => {
    const out: string[] = [];
    let after: string | undefined;
    for (let page = 0; ; page++) {
      const options: ListOptions = { index: { name: 'group', key: 'a' }, order, limit: 700, ...(after ? { after } : {}) };
      const rows = tables.list('rows', options);
      out.push(...rows.map((r) => r.id));
      if (rows.length < 700) return out;
      after = rows.at(-1)!.id;
      between?.(page);
    }
  };

  it('lists every id once, in order, both ways', () => {
    const ids = pages('asc');
    assert.equal(ids.length, 2500);
    assert.deepEqual(ids, [...ids].sort());
    assert.deepEqual(pages('desc'), [...ids].reverse());
  });

  it('sees ids added, removed and moved to another key between pages', () => {
    const ids = pages('asc', (page) => {
      if (page !== 0) return;
      put('r99999', 'a'); // added past the cursor
      tables.remove('rows', 'r02000');
      put('r01500', 'b'); // moved away
    });
    assert.ok(ids.includes('r99999'));
    assert.ok(!ids.includes('r02000') && !ids.includes('r01500'));
    assert.deepEqual(ids, [...ids].sort());
    assert.equal(new Set(ids).size, ids.length);
  });
});
