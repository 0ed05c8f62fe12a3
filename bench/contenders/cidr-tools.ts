/**
 * Contender: cidr-tools 11.3.2, used the way a JavaScript user would today.
 *
 * State is two lists of CIDR strings: the sources and the allocated blocks. To allocate, the free
 * space is recomputed with `excludeCidr(sources, allocated)`, which returns the free space as
 * maximal aligned CIDR blocks in address order; the first of them with a prefix <= p holds the
 * lowest aligned free /p block at its start (first fit). Reserve checks `containsCidr` against the
 * sources and `overlapCidr` against the allocated blocks. Release deletes the string.
 *
 * Cost with n live allocations: allocate O(n log n) (exclude parses and sorts everything each
 * time), reserve O(n), release O(1), addSource O(1).
 */
import { containsCidr, excludeCidr, overlapCidr, parseCidr } from "cidr-tools";
import type { Ipv4Contender } from "./contender.js";

const toCidr = (address: number, prefixLength: number): string =>
  `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}/${prefixLength}`;

export class CidrToolsContender implements Ipv4Contender {
  readonly name = "cidr-tools";
  private readonly sources: string[] = [];
  /** Allocated (or reserved) blocks, as normalized CIDR strings. */
  private readonly allocated = new Set<string>();

  addSource(address: number, prefixLength: number): void {
    this.sources.push(toCidr(address, prefixLength));
  }

  allocate(prefixLength: number): number {
    for (const block of excludeCidr(this.sources, [...this.allocated])) {
      const { start, prefix } = parseCidr(block);
      if (Number(prefix) <= prefixLength) {
        const address = Number(start);
        this.allocated.add(toCidr(address, prefixLength));
        return address;
      }
    }
    return -1;
  }

  release(address: number, prefixLength: number): void {
    this.allocated.delete(toCidr(address, prefixLength));
  }

  reserve(address: number, prefixLength: number): boolean {
    const cidr = toCidr(address, prefixLength);
    if (!containsCidr(this.sources, cidr)) return false;
    if (this.allocated.size > 0 && overlapCidr([...this.allocated], cidr)) return false;
    this.allocated.add(cidr);
    return true;
  }
}
