/**
 * Contender: ip-num 1.6.2, used the way a JavaScript user would today.
 *
 * State is an ip-num `Pool` of the free space. ip-num's own `pool.getCidrRange(prefix)` does walk
 * the pool in address order, but it leaves non-CIDR leftovers (e.g. 10.0.1.16-10.0.255.255) in
 * the pool, after which `getSize()`/`aggregate()` (which getCidrRange calls first) throw "Given
 * size can't be created via cidr prefix" as soon as a second range is added back. It also never
 * merges adjacent free ranges, so it would miss blocks spanning two of them. So first fit is
 * emulated with ip-num primitives: the pool only ever holds aligned CIDR blocks, kept maximal by
 * `pool.aggregate()` (which merges buddy blocks) after every release; allocate takes the first
 * pool range (ranges are sorted by address) whose size is >= 2^(32-p), removes it with
 * `removeExact`, and `split()`s it down, adding the unused upper halves back with `add`. Reserve
 * finds the free block containing the target and splits down to it the same way.
 *
 * Cost with n free blocks: allocate O(n log n) (every `add`/`removeExact` re-sorts the pool's
 * array), release O(n log n) per aggregate pass (one pass per merge level), reserve O(n log n).
 * Constants are large: aggregate builds masks through strings, ~0.1 s per pass at 1,000 blocks.
 */
import { IPv4, IPv4CidrRange, IPv4Prefix, Pool } from "ip-num";
import type { AbstractIPNum, RangedSet } from "ip-num";
import type { Ipv4Contender } from "./contender.js";

const cidrOf = (address: number, prefixLength: number): IPv4CidrRange =>
  new IPv4CidrRange(IPv4.fromNumber(BigInt(address)), IPv4Prefix.fromNumber(BigInt(prefixLength)));

export class IpNumContender implements Ipv4Contender {
  readonly name = "ip-num";
  private pool = Pool.fromCidrRanges([] as IPv4CidrRange[]);
  private readonly sources: IPv4CidrRange[] = [];

  addSource(address: number, prefixLength: number): void {
    const source = cidrOf(address, prefixLength);
    this.sources.push(source);
    this.pool.add([source.toRangeSet()]);
    this.pool = this.pool.aggregate();
  }

  allocate(prefixLength: number): number {
    const size = 1n << BigInt(32 - prefixLength);
    const free = this.pool.getRanges().find((range) => range.getSize() >= size);
    if (free === undefined) return -1;
    return Number(this.takeFrom(free, cidrOf(Number(free.getFirst().getValue()), prefixLength)));
  }

  release(address: number, prefixLength: number): void {
    this.pool.add([cidrOf(address, prefixLength).toRangeSet()]);
    this.pool = this.pool.aggregate();
  }

  reserve(address: number, prefixLength: number): boolean {
    const wanted = cidrOf(address, prefixLength);
    if (!this.sources.some((source) => source.contains(wanted))) return false;
    const wantedSet = wanted.toRangeSet();
    const free = this.pool.getRanges().find((range) => range.contains(wantedSet));
    if (free === undefined) return false;
    this.takeFrom(free, wanted);
    return true;
  }

  /** Removes `wanted` from the free CIDR block `free` that contains it; returns its address. */
  private takeFrom(free: RangedSet<AbstractIPNum>, wanted: IPv4CidrRange): bigint {
    this.pool.removeExact(free);
    const leftovers: RangedSet<AbstractIPNum>[] = [];
    let block = free.toCidrRange() as IPv4CidrRange;
    while (block.getPrefix().getValue() < wanted.getPrefix().getValue()) {
      const [low, high] = block.split() as [IPv4CidrRange, IPv4CidrRange];
      const keepLow = low.contains(wanted);
      leftovers.push((keepLow ? high : low).toRangeSet());
      block = keepLow ? low : high;
    }
    if (leftovers.length > 0) this.pool.add(leftovers);
    return block.getFirst().getValue();
  }
}
