import { blockHolds, blockOf, compareAddresses, type BlockWords } from './block.js';
import { Collection } from './collection.js';
import type { PoolCidrRecord } from './model.js';

/**
 * A pool's provisioned CIDRs: in creation order (lists, export) and by address, so the CIDR
 * that holds an allocation is a binary search away (a pool holds up to 50; they never overlap).
 */
export class PoolCidrs extends Collection<PoolCidrRecord> {
  readonly #bits: number;
  #byAddress: Array<{ readonly block: BlockWords; readonly record: PoolCidrRecord }> = [];
  /** The entry `holding` found last: allocations come in runs from one CIDR, so it is tried first. */
  #lastHeld: { readonly block: BlockWords; readonly record: PoolCidrRecord } | undefined;

  /** `bits`: the width of the pool's address family (32 or 128). */
  constructor(bits: number) {
    super();
    this.#bits = bits;
  }

  override add(id: string, record: PoolCidrRecord): void {
    super.add(id, record);
    const block = blockOf(record.block);
    this.#byAddress.splice(this.#after(block), 0, { block, record });
  }

  override delete(id: string, record: PoolCidrRecord | undefined = this.get(id)): void {
    super.delete(id, record);
    const at = this.#byAddress.findIndex((entry) => entry.record === record);
    if (at >= 0) this.#byAddress.splice(at, 1);
    if (this.#lastHeld?.record === record) this.#lastHeld = undefined;
  }

  /** The provisioned CIDR that holds the block, or undefined. */
  holding(block: BlockWords): PoolCidrRecord | undefined {
    const last = this.#lastHeld;
    if (last !== undefined && blockHolds(this.#bits, last.block, block)) return last.record;
    const candidate = this.#byAddress[this.#after(block) - 1]; // the last one starting at or below it
    if (!candidate || !blockHolds(this.#bits, candidate.block, block)) return undefined;
    this.#lastHeld = candidate;
    return candidate.record;
  }

  /** How many CIDRs start at or below the block's address. */
  #after(block: BlockWords): number {
    let lo = 0, hi = this.#byAddress.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareAddresses(this.#byAddress[mid]!.block, block) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
