/**
 * The ceiling for the API benchmark: CreateIpamPoolAllocation by mask and
 * DeleteIpamPoolAllocation doing only what their responses cannot do without — a RequestId, an
 * allocation ID (carrying its slot, as the service's do), the CIDR text, the engine's allocate
 * or release, and the record in typed arrays found by that slot. No parameter validation, no
 * region rule, no ClientToken or DryRun, no list order, no per-call objects but the response.
 * Nothing could answer these calls faster on this machine with the same engine, so the API's
 * rate next to this one says how much of the gap to a target is the API's own work.
 */
import { formatCidrV4 } from '../src/cidr/index.js';
import type { AddressSpace } from '../src/engine/index.js';
import { IdSource, slotOfId } from '../src/api/ids.js';
import { ALLOCATION_ID_PREFIX } from '../src/api/allocation-index.js';

export class CeilingStore {
  readonly #space: AddressSpace;
  readonly #sourceCidr: string;
  readonly #ids = new IdSource(5);
  readonly #requestIds = new IdSource(6);
  #addresses = new Uint32Array(1024);
  #prefixLengths = new Uint8Array(1024);
  #idOf: string[] = [];
  #freeSlots: number[] = [];

  /** A space with one IPv4 source block (sourceCidr is its text). */
  constructor(space: AddressSpace, sourceCidr: string) {
    this.#space = space;
    this.#sourceCidr = sourceCidr;
  }

  create(mask: number): { RequestId: string; IpamPoolAllocationId: string; Cidr: string; SourceCidr: string } {
    const RequestId = this.#requestIds.requestId();
    const address = this.#space.allocateV4(mask);
    if (address < 0) throw new Error(`the ceiling's space is full (status ${address})`);
    const slot = this.#freeSlots.pop() ?? this.#idOf.length;
    if (slot >= this.#addresses.length) this.#grow();
    const id = this.#ids.slotId(ALLOCATION_ID_PREFIX, slot);
    this.#addresses[slot] = address;
    this.#prefixLengths[slot] = mask;
    this.#idOf[slot] = id;
    return { RequestId, IpamPoolAllocationId: id, Cidr: formatCidrV4(address, mask), SourceCidr: this.#sourceCidr };
  }

  delete(id: string): { RequestId: string } {
    const RequestId = this.#requestIds.requestId();
    const slot = slotOfId(id, ALLOCATION_ID_PREFIX.length);
    if (slot < 0 || this.#idOf[slot] !== id) throw new Error(`no allocation ${id}`);
    this.#space.releaseV4(this.#addresses[slot]!, this.#prefixLengths[slot]!);
    this.#idOf[slot] = '';
    this.#freeSlots.push(slot);
    return { RequestId };
  }

  #grow(): void {
    const addresses = new Uint32Array(this.#addresses.length * 2);
    addresses.set(this.#addresses);
    const prefixLengths = new Uint8Array(addresses.length);
    prefixLengths.set(this.#prefixLengths);
    this.#addresses = addresses;
    this.#prefixLengths = prefixLengths;
  }
}
