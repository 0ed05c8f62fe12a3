/**
 * The obviously-correct reference for an address space: sorted arrays of blocks and BigInt
 * arithmetic, every operation a linear scan. Statuses mirror the engine's, checked in the
 * same order (prefix range, host bits, then the operation's own rules).
 */
import { EngineStatus } from '../../src/engine/status.js';

export interface Block {
  address: bigint;
  prefix: number;
}

export type Strategy = 'first-fit' | 'last-fit' | 'best-fit' | 'sparse' | 'random';
/** The strategies whose block the reference computes exactly (random's it only validates). */
export const DETERMINISTIC_STRATEGIES = ['first-fit', 'last-fit', 'best-fit', 'sparse'] as const;

const size = (bits: number, prefix: number) => 1n << BigInt(bits - prefix);
const last = (bits: number, b: Block) => b.address + size(bits, b.prefix) - 1n;
/** Number of binary digits of n > 0. */
const bitLength = (n: bigint) => n.toString(2).length;
const byAddress = (a: Block, b: Block) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0);

export class ReferenceSpace {
  readonly sources: Block[] = [];
  readonly allocations: Block[] = [];
  constructor(readonly bits: number) {}

  /** The engine's argument checks: prefix range, then host bits. */
  check(b: Block): number {
    if (b.prefix < 0 || b.prefix > this.bits) return EngineStatus.BAD_PREFIX;
    if (b.address < 0n || b.address % size(this.bits, b.prefix) !== 0n || last(this.bits, b) >= 1n << BigInt(this.bits)) return EngineStatus.HOST_BITS;
    return EngineStatus.OK;
  }
  #overlaps(a: Block, b: Block): boolean {
    return a.address <= last(this.bits, b) && b.address <= last(this.bits, a);
  }
  #contains(outer: Block, inner: Block): boolean {
    return outer.prefix <= inner.prefix && this.#overlaps(outer, inner);
  }
  #sourceOf(b: Block): Block | undefined {
    return this.sources.find((s) => this.#contains(s, b));
  }

  addSource(b: Block): number {
    const status = this.check(b);
    if (status) return status;
    if (this.sources.some((s) => this.#overlaps(s, b))) return EngineStatus.SOURCE_OVERLAP;
    this.sources.push({ ...b });
    this.sources.sort(byAddress);
    return EngineStatus.OK;
  }

  removeSource(b: Block): number {
    const status = this.check(b);
    if (status) return status;
    const i = this.sources.findIndex((s) => s.address === b.address && s.prefix === b.prefix);
    if (i < 0) return EngineStatus.NOT_A_SOURCE;
    if (this.allocations.some((a) => this.#overlaps(a, b))) return EngineStatus.SOURCE_BUSY;
    this.sources.splice(i, 1);
    return EngineStatus.OK;
  }

  reserve(b: Block): number {
    const status = this.check(b);
    if (status) return status;
    if (!this.#sourceOf(b)) return EngineStatus.NOT_IN_SOURCE;
    if (this.overlapsAllocation(b)) return EngineStatus.OVERLAPS_ALLOCATION;
    this.allocations.push({ ...b });
    this.allocations.sort(byAddress);
    return EngineStatus.OK;
  }

  release(b: Block): number {
    const status = this.check(b);
    if (status) return status;
    const i = this.allocations.findIndex((a) => a.address === b.address && a.prefix === b.prefix);
    if (i < 0) return EngineStatus.NOT_ALLOCATED;
    this.allocations.splice(i, 1);
    return EngineStatus.OK;
  }

  overlapsAllocation(b: Block): boolean {
    return this.allocations.some((a) => this.#overlaps(a, b));
  }

  insideSource(b: Block): boolean {
    return this.#sourceOf(b) !== undefined;
  }

  /** Free address ranges [start, end], inside single sources, in address order. */
  gaps(): Array<[bigint, bigint]> {
    const out: Array<[bigint, bigint]> = [];
    for (const s of this.sources) {
      let start = s.address;
      const end = last(this.bits, s);
      for (const a of this.allocations) {
        if (a.address > end || last(this.bits, a) < s.address) continue;
        if (a.address > start) out.push([start, a.address - 1n]);
        start = last(this.bits, a) + 1n;
      }
      if (start <= end) out.push([start, end]);
    }
    return out;
  }

  /**
   * The block allocate would take: the lowest (first-fit) or highest (last-fit) aligned free
   * block; the lowest sub-block of the smallest (best-fit) or largest (sparse) maximal free
   * block that fits, the lowest such block on ties. Random is not predicted: use canTake.
   */
  fit(prefix: number, strategy: Strategy): Block | undefined {
    if (strategy === 'random') throw new Error('the reference does not predict random blocks; check them with canTake');
    if (strategy === 'best-fit' || strategy === 'sparse') {
      const fitting = this.freeBlocks().filter((b) => b.prefix <= prefix);
      if (fitting.length === 0) return undefined;
      // freeBlocks is in address order, so the first block with the chosen size is the lowest
      const chosen = strategy === 'best-fit' ? Math.max(...fitting.map((b) => b.prefix)) : Math.min(...fitting.map((b) => b.prefix));
      return { address: fitting.find((b) => b.prefix === chosen)!.address, prefix };
    }
    const n = size(this.bits, prefix);
    const gaps = this.gaps();
    if (strategy === 'last-fit') gaps.reverse();
    for (const [start, end] of gaps) {
      if (strategy === 'first-fit') {
        const at = ((start + n - 1n) / n) * n;
        if (at + n - 1n <= end) return { address: at, prefix };
      } else {
        const at = ((end + 1n) / n) * n - n;
        if (at >= start) return { address: at, prefix };
      }
    }
    return undefined;
  }

  allocate(prefix: number, strategy: Strategy): Block | number {
    if (prefix < 0 || prefix > this.bits) return EngineStatus.BAD_PREFIX;
    const b = this.fit(prefix, strategy);
    if (!b) return EngineStatus.NO_FIT;
    this.allocations.push(b);
    this.allocations.sort(byAddress);
    return b;
  }

  /** Whether allocate could take exactly this block: aligned, inside a source, overlapping nothing. */
  canTake(b: Block): boolean {
    return this.check(b) === EngineStatus.OK && this.insideSource(b) && !this.overlapsAllocation(b);
  }

  /** Maximal aligned free blocks: each gap cut greedily into the largest aligned blocks. */
  freeBlocks(): Block[] {
    const out: Block[] = [];
    for (const [start, end] of this.gaps()) {
      let at = start;
      while (at <= end) {
        // the largest block starting at `at`: limited by at's alignment and by the room left
        const alignOrder = at === 0n ? this.bits : bitLength(at & -at) - 1;
        const roomOrder = bitLength(end - at + 1n) - 1;
        const prefix = this.bits - Math.min(alignOrder, roomOrder);
        out.push({ address: at, prefix });
        at += size(this.bits, prefix);
      }
    }
    return out;
  }

  freeAddresses(): bigint {
    return this.gaps().reduce((sum, [start, end]) => sum + end - start + 1n, 0n);
  }

  blocksThatFit(prefix: number): bigint {
    const n = size(this.bits, prefix);
    return this.gaps().reduce((sum, [start, end]) => {
      const count = (end + 1n) / n - (start + n - 1n) / n;
      return sum + (count > 0n ? count : 0n);
    }, 0n);
  }

  largestFreePrefix(): number | undefined {
    const blocks = this.freeBlocks();
    return blocks.length ? Math.min(...blocks.map((b) => b.prefix)) : undefined;
  }
}
