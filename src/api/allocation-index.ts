import type { AllocationRecord } from './model.js';

/**
 * Allocations by ID. A Map keyed by the ID strings spends its time on cache misses: every
 * probe reads a key string scattered in the heap. Keyed by a small integer made from the ID
 * (IDs end in random characters) it reads only its own table. The rare IDs whose number is
 * taken go to a second map keyed by the ID itself.
 */
export class AllocationIndex {
  readonly #byNumber = new Map<number, AllocationRecord>();
  readonly #collided = new Map<string, AllocationRecord>();

  get(id: string): AllocationRecord | undefined {
    const record = this.#byNumber.get(numberOf(id));
    if (record !== undefined && record.IpamPoolAllocationId === id) return record;
    return this.#collided.size === 0 ? undefined : this.#collided.get(id);
  }

  /** Adds a record under its ID (IDs are unique: a second record with a known ID is refused earlier). */
  add(record: AllocationRecord): void {
    const n = numberOf(record.IpamPoolAllocationId);
    if (this.#byNumber.has(n)) this.#collided.set(record.IpamPoolAllocationId, record);
    else this.#byNumber.set(n, record);
  }

  delete(record: AllocationRecord): void {
    const n = numberOf(record.IpamPoolAllocationId);
    if (this.#byNumber.get(n) === record) this.#byNumber.delete(n);
    else this.#collided.delete(record.IpamPoolAllocationId);
  }
}

/** A Smi (31 bits) from the last 8 characters. */
function numberOf(id: string): number {
  let n = 0;
  for (let i = Math.max(0, id.length - 8); i < id.length; i++) n = (Math.imul(n, 31) + id.charCodeAt(i)) | 0;
  return n & 0x3fffffff;
}
