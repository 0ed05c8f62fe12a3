import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALLOCATION_ID_PREFIX, AllocationIndex } from '../../src/api/allocation-index.js';
import { IdSource, slotOfId } from '../../src/api/ids.js';
import type { AllocationRecord } from '../../src/api/model.js';

const record = (id: string) => ({ IpamPoolAllocationId: id }) as AllocationRecord;
const P = ALLOCATION_ID_PREFIX.length;

/** The reference: a new ID takes the lowest slot that no live ID decodes to. */
function lowestFree(live: readonly string[]): number {
  const taken = new Set(live.map((l) => slotOfId(l, P)));
  let lowest = 0;
  while (taken.has(lowest)) lowest++;
  return lowest;
}

/**
 * A restore adds the live records in its own order (here shuffled by the seed), under a
 * generator in the same state: the next IDs must be the original's, each at the lowest free slot.
 */
function expectSameNextIdsAfterRebuild(index: AllocationIndex, ids: IdSource, live: string[], shuffleSeed: number): void {
  const order = [...live];
  for (let i = order.length - 1, s = shuffleSeed; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const rebuilt = new AllocationIndex();
  for (const id of order) rebuilt.add(record(id));
  const copy = new IdSource(ids.state);
  for (let i = 0; i < 5; i++) {
    const next = index.newId(ids);
    expect(rebuilt.newId(copy)).toBe(next);
    expect(slotOfId(next, P)).toBe(lowestFree(live));
    index.add(record(next));
    rebuilt.add(record(next));
    live.push(next);
  }
}

describe('allocation IDs carrying a slot', () => {
  it('decode to the slot they were made with, and look random', () => {
    const ids = new IdSource(7);
    const made = [0, 1, 2, 31, 32, 1023, 4096, (1 << 22) - 1, (1 << 25) - 1].map((slot) => [slot, ids.slotId(ALLOCATION_ID_PREFIX, slot)] as const);
    for (const [slot, id] of made) {
      expect(id).toMatch(/^ipam-pool-alloc-[a-z2-7]{20}$/);
      expect(slotOfId(id, P)).toBe(slot);
    }
    // consecutive slots do not share their leading characters
    expect(new Set(made.slice(0, 4).map(([, id]) => id.slice(P, P + 5))).size).toBe(4);
  });

  it('refuse to decode a wrong length or a character outside the alphabet', () => {
    const id = new IdSource(1).slotId(ALLOCATION_ID_PREFIX, 5);
    expect(slotOfId(id.slice(0, -1), P)).toBe(-1);
    expect(slotOfId(id + 'a', P)).toBe(-1);
    expect(slotOfId(id.slice(0, P) + '0' + id.slice(P + 1), P)).toBe(-1);
    expect(slotOfId(id.slice(0, P + 3) + 'é' + id.slice(P + 4), P)).toBe(-1);
    expect(slotOfId(id.slice(0, P + 7) + 'Z' + id.slice(P + 8), P)).toBe(-1);
  });
});

describe('AllocationIndex', () => {
  it('finds exactly the live records, gives the lowest free slot, and an index rebuilt from the live IDs in any order makes the same next IDs', () => {
    fc.assert(fc.property(
      fc.array(fc.oneof(fc.constant(-1), fc.nat()), { maxLength: 300 }), fc.integer(), fc.nat(),
      (steps, seed, shuffleSeed) => {
        const ids = new IdSource(seed);
        const index = new AllocationIndex();
        const live: string[] = [];
        const gone: string[] = [];
        for (const step of steps) {
          if (step === -1 || live.length === 0) {
            const id = index.newId(ids);
            expect(slotOfId(id, P)).toBe(lowestFree(live));
            index.add(record(id));
            live.push(id);
          } else {
            const [id] = live.splice(step % live.length, 1);
            index.delete(index.get(id!)!);
            gone.push(id!);
          }
        }
        for (const id of live) expect(index.get(id)?.IpamPoolAllocationId).toBe(id);
        for (const id of gone) expect(index.get(id)).toBeUndefined();

        expectSameNextIdsAfterRebuild(index, ids, live, shuffleSeed);
      },
    ), { numRuns: 200 });
  });

  it('with imported IDs mixed in (sharing slots, far past the table, past its limit, or carrying none), still gives the lowest slot no live ID names, never a live ID, and the same next IDs after a rebuild in any order', () => {
    const step = fc.oneof(
      fc.constant({ kind: 'create' as const }),
      fc.record({ kind: fc.constant('import' as const), slot: fc.oneof(fc.nat(8), fc.integer({ min: 9, max: 40 }), fc.constant((1 << 22) + 3), fc.constant(-1)) }),
      fc.record({ kind: fc.constant('delete' as const), which: fc.nat() }),
    );
    fc.assert(fc.property(fc.array(step, { maxLength: 200 }), fc.integer(), fc.nat(), (steps, seed, shuffleSeed) => {
      const ids = new IdSource(seed);
      const elsewhere = new IdSource(seed ^ 0x2545f491); // another service's, or a hand-made document's
      const index = new AllocationIndex();
      const live: string[] = [];
      const gone: string[] = [];
      for (const s of steps) {
        if (s.kind === 'create') {
          const id = index.newId(ids);
          expect(live).not.toContain(id);
          expect(slotOfId(id, P)).toBe(lowestFree(live));
          index.add(record(id));
          live.push(id);
        } else if (s.kind === 'import') {
          const id = s.slot < 0 ? elsewhere.id('ipam-pool-alloc-x') : elsewhere.slotId(ALLOCATION_ID_PREFIX, s.slot);
          index.add(record(id));
          live.push(id);
        } else if (live.length > 0) {
          const [id] = live.splice(s.which % live.length, 1);
          index.delete(index.get(id!)!);
          gone.push(id!);
        }
      }
      for (const id of live) expect(index.get(id)?.IpamPoolAllocationId).toBe(id);
      for (const id of gone) if (!live.includes(id)) expect(index.get(id)).toBeUndefined();

      expectSameNextIdsAfterRebuild(index, ids, live, shuffleSeed);
    }), { numRuns: 200 });
  });

  it('keeps the slot of an ID made for a call that then failed free', () => {
    const index = new AllocationIndex();
    const ids = new IdSource(11);
    const first = index.newId(ids);
    index.newId(ids); // refused before its record was added
    const second = index.newId(ids);
    expect(slotOfId(first, P)).toBe(0);
    expect(slotOfId(second, P)).toBe(0);
    index.add(record(second));
    expect(slotOfId(index.newId(ids), P)).toBe(1);
  });

  it('keeps records whose IDs carry no free slot (imported, colliding, or past the table) in a map', () => {
    const index = new AllocationIndex();
    const ids = new IdSource(3);
    const own = index.newId(ids);
    index.add(record(own));
    const foreign = ['ipam-pool-alloc-short', 'x'.repeat(36), own.slice(0, -1) + (own.endsWith('a') ? 'b' : 'a'), ids.slotId(ALLOCATION_ID_PREFIX, (1 << 25) - 1)];
    for (const id of foreign) index.add(record(id));
    for (const id of [own, ...foreign]) expect(index.get(id)?.IpamPoolAllocationId).toBe(id);
    for (const id of foreign) index.delete(index.get(id)!);
    for (const id of foreign) expect(index.get(id)).toBeUndefined();
    expect(index.get(own)?.IpamPoolAllocationId).toBe(own);
  });
});
