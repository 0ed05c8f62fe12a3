import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Collection } from '../../src/api/collection.js';

interface Item { readonly seq: number; readonly id: string; slot?: number }

/** Every record, in creation order, paged 7 at a time through NextTokens. */
function paged(collection: Collection<Item>): number[] {
  const seqs: number[] = [];
  let token: string | undefined;
  do {
    const page = collection.page(7, token);
    seqs.push(...page.items.map((r) => r.seq));
    token = page.nextToken;
  } while (token !== undefined);
  return seqs;
}

describe('Collection', () => {
  it('keeps creation order through adds (some out of order), deletes and compactions, with and without slots', () => {
    fc.assert(fc.property(
      fc.boolean(), fc.uniqueArray(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 400 }), fc.array(fc.nat(), { maxLength: 600 }),
      (slotted, seqs, picks) => {
        const collection = new Collection<Item>(false);
        const live = new Map<number, Item>();
        for (const seq of seqs) {
          const item: Item = slotted ? { seq, id: `i${seq}`, slot: -1 } : { seq, id: `i${seq}` };
          collection.add(item.id, item);
          live.set(seq, item);
        }
        for (const pick of picks) {
          if (live.size === 0) break;
          const victim = [...live.values()][pick % live.size]!;
          collection.delete(victim.id, victim);
          collection.delete(victim.id, victim); // a second delete changes nothing
          live.delete(victim.seq);
        }
        const expected = [...live.keys()].sort((a, b) => a - b);
        expect([...collection.values()].map((r) => r.seq)).toEqual(expected);
        expect(paged(collection)).toEqual(expected);
        expect(collection.size).toBe(expected.length);
      },
    ), { numRuns: 300 });
  });
});
