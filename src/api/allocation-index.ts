import { slotOfId, type IdSource } from './ids.js';
import type { AllocationRecord } from './model.js';

export const ALLOCATION_ID_PREFIX = 'ipam-pool-alloc-';

/**
 * Allocations by ID. The service makes allocation IDs that carry a slot of this table
 * (IdSource.slotId), so finding one is decoding its characters and reading one array element:
 * no hash table, whose probes at 100,000s of records are cache misses. A record the table
 * cannot hold (an ID from an imported document that decodes to no slot, to a slot another
 * record holds, or to one past the table's end) goes to a map keyed by the ID itself.
 *
 * A new ID takes the lowest slot that no live ID decodes to. That depends only on the live IDs,
 * not on the order they came in, so a restored service (or a replayed journal) makes the same
 * IDs as the original would have; and no live ID can equal the new one, which decodes to a
 * slot none of them does. To keep that true, a record waiting in the map for its slot moves
 * into the table when the slot's holder is deleted or when the table grows to reach it.
 */
export class AllocationIndex {
  /** Grows one slot at a time (never to a far slot an imported ID names, so its size follows the live records). */
  readonly #bySlot: Array<AllocationRecord | undefined> = [];
  /** Slots given back, lowest first; one may have been taken since by an imported record (checked on reuse). */
  readonly #freeSlots = new MinHeap();
  readonly #others = new Map<string, AllocationRecord>();
  /** Records in #others whose IDs decode to a slot below MAX_SLOTS, by that slot. */
  readonly #waiting = new Map<number, AllocationRecord[]>();
  /**
   * False for a service restored from a document written before IDs carried slots: it goes on
   * making plain random IDs, the ones that build made, so its journal replays to the IDs it answered.
   */
  slotIds = true;

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
    if (!this.slotIds) return this.#randomId(ids);
    let slot: number;
    while ((slot = this.#freeSlots.peek()) >= 0 && this.#bySlot[slot] !== undefined) this.#freeSlots.pop();
    if (slot < 0) {
      // the end of the table, unless an imported ID waits for that slot
      while ((slot = this.#bySlot.length) < MAX_SLOTS && this.#waiting.size !== 0 && this.#waiting.has(slot)) this.#bySlot.push(this.#unwait(slot));
    }
    // past the table's limit, a plain random ID (its record goes to the map)
    return slot < MAX_SLOTS ? ids.slotId(ALLOCATION_ID_PREFIX, slot) : this.#randomId(ids);
  }

  /** A plain random ID that no live record has. */
  #randomId(ids: IdSource): string {
    let id: string;
    do id = ids.id(ALLOCATION_ID_PREFIX);
    while (this.get(id) !== undefined);
    return id;
  }

  /** Adds a record under its ID (IDs are unique: a second record with a known ID is refused earlier). */
  add(record: AllocationRecord): void {
    const id = record.IpamPoolAllocationId;
    const slot = slotOfId(id, ALLOCATION_ID_PREFIX.length);
    const bySlot = this.#bySlot;
    if (slot >= 0 && slot < MAX_SLOTS && slot <= bySlot.length && bySlot[slot] === undefined) {
      bySlot[slot] = record;
      if (this.#freeSlots.peek() === slot) this.#freeSlots.pop();
      return;
    }
    this.#others.set(id, record);
    if (slot < 0 || slot >= MAX_SLOTS) return;
    const waiting = this.#waiting.get(slot);
    if (waiting) waiting.push(record);
    else this.#waiting.set(slot, [record]);
  }

  delete(record: AllocationRecord): void {
    const id = record.IpamPoolAllocationId;
    const slot = slotOfId(id, ALLOCATION_ID_PREFIX.length);
    if (slot >= 0 && this.#bySlot[slot] === record) {
      if (this.#waiting.size !== 0 && this.#waiting.has(slot)) {
        this.#bySlot[slot] = this.#unwait(slot);
      } else {
        this.#bySlot[slot] = undefined;
        this.#freeSlots.push(slot);
      }
      return;
    }
    if (this.#others.get(id) !== record) return;
    this.#others.delete(id);
    const waiting = this.#waiting.get(slot);
    if (!waiting) return;
    waiting.splice(waiting.indexOf(record), 1);
    if (waiting.length === 0) this.#waiting.delete(slot);
  }

  /** Takes the first record waiting for the slot out of the map (there is one). */
  #unwait(slot: number): AllocationRecord {
    const waiting = this.#waiting.get(slot)!;
    const record = waiting.shift()!;
    if (waiting.length === 0) this.#waiting.delete(slot);
    this.#others.delete(record.IpamPoolAllocationId);
    return record;
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

/** Slots the table holds: 4M live allocations, 32 MiB of table at most. */
const MAX_SLOTS = 1 << 22;
