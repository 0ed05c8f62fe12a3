import { slotOfId, type IdSource } from './ids.js';
import type { AllocationRecord } from './model.js';

export const ALLOCATION_ID_PREFIX = 'ipam-pool-alloc-';

/**
 * Allocations by ID. The service makes allocation IDs that carry a slot of this table
 * (IdSource.slotId), so finding one is decoding its characters and reading one array element:
 * no hash table, whose probes at 100,000s of records are cache misses. A record whose ID names
 * no free slot (an ID from an imported document) goes to a map keyed by the ID itself.
 *
 * A new ID takes the lowest free slot. That depends only on which slots are taken, which the
 * IDs themselves record, so a restored service (or a replayed journal) makes the same IDs as
 * the original would have.
 */
export class AllocationIndex {
  readonly #bySlot: Array<AllocationRecord | undefined> = [];
  /** Slots given back, lowest first; one may have been taken since by an imported record (checked on reuse). */
  readonly #freeSlots = new MinHeap();
  readonly #others = new Map<string, AllocationRecord>();

  get(id: string): AllocationRecord | undefined {
    const slot = slotOfId(id, ALLOCATION_ID_PREFIX.length);
    const record = slot < 0 ? undefined : this.#bySlot[slot];
    if (record !== undefined && record.IpamPoolAllocationId === id) return record;
    return this.#others.size === 0 ? undefined : this.#others.get(id);
  }

  /**
   * A new allocation ID naming the lowest free slot (add the record under it before the next
   * one). The slot stays free until then: a call refused after this takes nothing.
   */
  newId(ids: IdSource): string {
    let slot: number;
    while ((slot = this.#freeSlots.peek()) >= 0 && this.#bySlot[slot] !== undefined) this.#freeSlots.pop();
    if (slot < 0) slot = this.#bySlot.length;
    // past the table's limit, a plain random ID (its record goes to the map)
    return slot < MAX_SLOTS ? ids.slotId(ALLOCATION_ID_PREFIX, slot) : ids.id(ALLOCATION_ID_PREFIX);
  }

  /** Adds a record under its ID (IDs are unique: a second record with a known ID is refused earlier). */
  add(record: AllocationRecord): void {
    const slot = slotOfId(record.IpamPoolAllocationId, ALLOCATION_ID_PREFIX.length);
    if (slot < 0 || slot >= MAX_SLOTS || this.#bySlot[slot] !== undefined) {
      this.#others.set(record.IpamPoolAllocationId, record);
      return;
    }
    // an imported ID may name a slot past the end: the ones skipped become free slots
    for (let gap = this.#bySlot.length; gap < slot; gap++) {
      this.#bySlot.push(undefined);
      this.#freeSlots.push(gap);
    }
    this.#bySlot[slot] = record;
    if (this.#freeSlots.peek() === slot) this.#freeSlots.pop();
  }

  delete(record: AllocationRecord): void {
    const slot = slotOfId(record.IpamPoolAllocationId, ALLOCATION_ID_PREFIX.length);
    if (slot >= 0 && this.#bySlot[slot] === record) {
      this.#bySlot[slot] = undefined;
      this.#freeSlots.push(slot);
    } else {
      this.#others.delete(record.IpamPoolAllocationId);
    }
  }
}

/** A binary min-heap of slot numbers. */
class MinHeap {
  readonly #items: number[] = [];

  push(value: number): void {
    const items = this.#items;
    let i = items.length;
    items.push(value);
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (items[up]! <= value) break;
      items[i] = items[up]!;
      i = up;
    }
    items[i] = value;
  }

  /** The lowest value; -1 when empty. */
  peek(): number {
    return this.#items.length === 0 ? -1 : this.#items[0]!;
  }

  /** The lowest value, removed; -1 when empty. */
  pop(): number {
    const items = this.#items;
    if (items.length === 0) return -1;
    const lowest = items[0]!;
    const last = items.pop()!;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      while (true) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && items[child + 1]! < items[child]!) child++;
        if (items[child]! >= last) break;
        items[i] = items[child]!;
        i = child;
      }
      items[i] = last;
    }
    return lowest;
  }
}

/**
 * Slots the table holds: 4M live allocations, 32 MiB of table at most (an imported ID naming
 * the last slot fills the table up to it, so this also bounds what a crafted document costs).
 */
const MAX_SLOTS = 1 << 22;
