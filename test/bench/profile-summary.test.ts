// The CPU-profile summary of the benchmark (bench/profile-summary.ts): self time by package and function, idle left out.

import assert from 'node:assert/strict';
import { type CpuProfile, packageOf, summarise } from '../../bench/profile-summary.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('bench: CPU profile summary', () => {
  it('buckets frames by dependency, directory of ours, Node module or native bucket', () => {
    assert.equal(packageOf(frame('parseRow', 'file:///w/repo/node_modules/pg/lib/result.js')), 'pg');
    assert.equal(packageOf(frame('x', 'file:///w/repo/node_modules/@scope/lib/dist/a.js')), '@scope/lib');
    assert.equal(packageOf(frame('get', 'file:///w/repo/src/store/postgres/postgres-store.ts')), 'src/store/postgres');
    assert.equal(packageOf(frame('counted', 'file:///w/repo/bench/query-counter.ts')), 'bench');
    assert.equal(packageOf(frame('emit', 'node:events')), 'node:events');
    assert.equal(packageOf(frame('clearBuffer', 'node:internal/streams/writable')), 'node:internal');
    assert.equal(packageOf(frame('(garbage collector)')), '(garbage collector)');
    assert.equal(packageOf(frame('writev')), '(native)');
  });

  it('sums self time per package and function, largest first, without idle', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(idle)') },
        { id: 2, callFrame: frame('parseRow', 'file:///w/node_modules/pg/lib/result.js', 62) },
        { id: 3, callFrame: frame('copyJson', 'file:///w/src/store/copy-json.ts') },
      ],
      samples: [1, 2, 3, 2, 1],
      timeDeltas: [5000, 1000, 500, 2000, 7000],
    };
    const s = summarise(profile);
    assert.equal(s.busyMs, 3.5);
    assert.equal(s.idleMs, 12);
    assert.deepEqual(s.byPackage, [
      ['pg', 3],
      ['src/store', 0.5],
    ]);
    assert.deepEqual(s.byFunction[0], ['parseRow pg/lib/result.js:63', 3]);
    assert.deepEqual(s.byFunction[1], ['copyJson src/store/copy-json.ts:1', 0.5]);
  });
});
