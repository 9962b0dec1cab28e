// phaseAt: the lifecycle at every boundary and one millisecond either side (start-inclusive).

import assert from 'node:assert/strict';
import { phaseAt, type Phase } from '../../src/partners/phase.ts';

const S = Date.parse('2013-09-01T00:00:00+08:00');
const N = Date.parse('2013-09-10T00:00:00+08:00');
const C = Date.parse('2013-09-25T00:00:00+08:00');
const G = Date.parse('2013-10-25T00:00:00+08:00');
const full = { startsAt: S, noticeAt: N, cutoffAt: C, graceEndsAt: G };

describe('phaseAt', () => {
  const cases: [string, number, Phase][] = [
    ['before go-live', S - 1, 'upcoming'],
    ['at go-live', S, 'live'],
    ['just after go-live', S + 1, 'live'],
    ['just before the notice', N - 1, 'live'],
    ['at the notice', N, 'notice'],
    ['just after the notice', N + 1, 'notice'],
    ['just before the cutoff', C - 1, 'notice'],
    ['at the cutoff', C, 'grace'],
    ['just after the cutoff', C + 1, 'grace'],
    ['just before grace ends', G - 1, 'grace'],
    ['when grace ends', G, 'ended'],
    ['after grace ends', G + 1, 'ended'],
  ];
  for (const [name, at, phase] of cases) {
    it(`is ${phase} ${name}`, () => assert.equal(phaseAt(full, at).phase, phase));
  }

  it('reports since and the next change', () => {
    assert.deepEqual(phaseAt(full, N + 5), { phase: 'notice', since: N, next: { phase: 'grace', at: C } });
    assert.deepEqual(phaseAt(full, S - 5), { phase: 'upcoming', next: { phase: 'live', at: S } });
    assert.deepEqual(phaseAt(full, G + 5), { phase: 'ended', since: G });
  });

  it('is live forever without dates', () => {
    assert.deepEqual(phaseAt({}, 0), { phase: 'live' });
    assert.deepEqual(phaseAt({}, Number.MAX_SAFE_INTEGER), { phase: 'live' });
  });

  it('keeps the migration path open when a cutoff has no grace end', () => {
    assert.equal(phaseAt({ cutoffAt: C }, C - 1).phase, 'live');
    assert.equal(phaseAt({ cutoffAt: C }, C).phase, 'grace');
    assert.equal(phaseAt({ cutoffAt: C }, C + 365 * 86400_000).phase, 'grace');
  });

  it('goes straight from live to grace without a notice (an immediate cutoff)', () => {
    assert.equal(phaseAt({ cutoffAt: C, graceEndsAt: G }, C - 1).phase, 'live');
    assert.equal(phaseAt({ cutoffAt: C, graceEndsAt: G }, C).phase, 'grace');
  });
});
