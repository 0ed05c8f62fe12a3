import { FAMILY_BITS, formatCidr, toCidr, type Cidr, type IpFamily } from '../cidr/index.js';
// wasm turns an i32 argument into some other number silently (NaN → 0, 24.5 → 24, 2^32 + 24 →
// 24), so the numeric methods check isU32 first
import { isU32 } from '../cidr/address.js';
import type { Engine } from './engine.js';
import {
  IO_ADDRESS_IN, IO_ADDRESS_OUT, IO_ADDRESSES, IO_COUNTS, IO_PREFIXES, IO_STATS, IO_STATUS,
  LIST_ALLOCATED, LIST_FREE, LIST_SOURCES, STRATEGIES, type AllocationStrategy,
} from './layout.js';
import { check, EngineError, EngineStatus } from './status.js';

export interface Capacity {
  /** Free addresses, exact. */
  readonly freeAddresses: bigint;
  /** Prefix length of the largest free aligned block, or undefined when nothing is free. */
  readonly largestFreePrefix: number | undefined;
  /** The prefix length `blocksThatFit` counts. */
  readonly prefixLength: number;
  /** How many aligned blocks of `prefixLength` could still be allocated. */
  readonly blocksThatFit: bigint;
  readonly liveAllocations: number;
  readonly sources: number;
}

/** How full a space is, every figure exact (see AddressSpace.utilization). */
export interface Utilization {
  /** Addresses in the space's sources (a pool's provisioned CIDRs). */
  readonly totalAddresses: bigint;
  readonly allocatedAddresses: bigint;
  readonly freeAddresses: bigint;
  /** allocated / total × 100; 0 for a space without sources. */
  readonly utilizationPercent: number;
  /** Prefix length of the largest free aligned block, or undefined when nothing is free. */
  readonly largestFreePrefix: number | undefined;
  /**
   * (free addresses − largest free block) / free addresses, i.e. 1 − largest/free computed without
   * cancelling: 0 when all free space is one block (or nothing is free), approaching 1 as free
   * space splits into many small blocks.
   */
  readonly fragmentationIndex: number;
  /** Maximal free aligned blocks by prefix length, largest blocks first; only non-zero counts. */
  readonly freeBlocks: readonly { readonly prefixLength: number; readonly count: number }[];
  /** How many aligned blocks of each prefix length could still be allocated (index = prefix length). */
  readonly blocksThatFit: readonly bigint[];
}

const MASK64 = (1n << 64n) - 1n;

/** Object.prototype.toString: a typed array's kind, whatever realm made it. */
const TYPE_TAG = Object.prototype.toString;

/** A prefix length and strategy number as allocateV4/V6 and previewV4/V6 take them: 0, or the status refusing them. */
function sizeArgsStatus(prefixLength: number, strategy: number): number {
  if (!isU32(prefixLength)) return EngineStatus.BAD_PREFIX;
  return isU32(strategy) ? EngineStatus.OK : EngineStatus.BAD_STRATEGY;
}

/** Address words and a prefix length as reserve/release take them: 0, or the status refusing them. */
function blockArgsStatus(prefixLength: number, w0: number, w1 = 0, w2 = 0, w3 = 0): number {
  if (!isU32(prefixLength)) return EngineStatus.BAD_PREFIX;
  // a word that is no u32 is no address of the family
  return isU32(w0) && isU32(w1) && isU32(w2) && isU32(w3) ? EngineStatus.OK : EngineStatus.HOST_BITS;
}

/**
 * A Cidr value made by hand, checked as parseCidr checks text before it crosses into wasm,
 * which would take an address past the family's bits modulo 2^32 (or 2^64 a half) and a
 * fractional prefix length truncated.
 */
function checkCidrValue(value: Cidr): void {
  if (typeof value !== 'object' || value === null) throw new EngineError(EngineStatus.BAD_ARGUMENT, `expected CIDR text or a Cidr value, got ${value === null ? 'null' : typeof value}`);
  const { family, address, prefixLength } = value;
  const bits = family === 4 || family === 6 ? FAMILY_BITS[family] : 0;
  if (bits === 0 || typeof address !== 'bigint' || address < 0n || address >> BigInt(bits) !== 0n) {
    throw new EngineError(EngineStatus.HOST_BITS, `address ${String(address)} is not an IPv${String(family)} address`);
  }
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > bits) throw new EngineError(EngineStatus.BAD_PREFIX, `/${prefixLength}`);
}

/** The number a strategy name crosses into wasm as; BAD_STRATEGY for a name the engine does not know. */
function strategyCode(strategy: AllocationStrategy): number {
  const code = Object.hasOwn(STRATEGIES, strategy) ? STRATEGIES[strategy] : undefined;
  if (code === undefined) throw new EngineError(EngineStatus.BAD_STRATEGY, String(strategy));
  return code;
}

/**
 * One address space of the engine: its source blocks (a pool's provisioned CIDRs) and the
 * allocations carved from them. Convenience methods take CIDR strings or Cidr values and throw
 * EngineError; the numeric methods (…V4, …V6, …Many) take numbers and return statuses, so a
 * caller that already has numbers pays for neither strings nor BigInt.
 */
export class AddressSpace {
  readonly engine: Engine;
  /** The engine's id of the space; 0 (no space) once destroyed. */
  get id(): number {
    return this.#id;
  }
  #id: number;
  readonly family: IpFamily;
  readonly bits: number;

  /** Use Engine.createSpace. */
  constructor(engine: Engine, id: number, family: IpFamily) {
    this.engine = engine;
    this.#id = id;
    this.family = family;
    this.bits = FAMILY_BITS[family];
  }

  // ---- numeric IPv4: addresses are u32 numbers ----

  /** Allocates a block; returns its address, or a negative EngineStatus. */
  // an IPv6 space's block is no u32: allocate4 would answer its low 64 bits as a float
  allocateV4(prefixLength: number, strategy = 0): number {
    if (this.family !== 4) return EngineStatus.BAD_ARGUMENT;
    return sizeArgsStatus(prefixLength, strategy) || this.engine.raw.allocate4(this.id, prefixLength, strategy);
  }
  previewV4(prefixLength: number, strategy = 0): number {
    if (this.family !== 4) return EngineStatus.BAD_ARGUMENT;
    return sizeArgsStatus(prefixLength, strategy) || this.engine.raw.preview4(this.id, prefixLength, strategy);
  }
  reserveV4(address: number, prefixLength: number): number {
    if (this.family !== 4) return EngineStatus.BAD_ARGUMENT;
    return blockArgsStatus(prefixLength, address) || this.engine.raw.reserve4(this.id, address, prefixLength);
  }
  releaseV4(address: number, prefixLength: number): number {
    if (this.family !== 4) return EngineStatus.BAD_ARGUMENT;
    return blockArgsStatus(prefixLength, address) || this.engine.raw.release4(this.id, address, prefixLength);
  }

  // ---- numeric IPv6: addresses are four u32 words, w0 the lowest ----

  #writeWords(w0: number, w1: number, w2: number, w3: number): void {
    const words = this.engine.words;
    const at = (this.engine.io + IO_ADDRESS_IN) >>> 2;
    words[at] = w0; words[at + 1] = w1; words[at + 2] = w2; words[at + 3] = w3;
  }

  /** Allocates a block; on success (0) its address is in resultWords(). */
  allocateV6(prefixLength: number, strategy = 0): number {
    return sizeArgsStatus(prefixLength, strategy) || this.engine.raw.allocate6(this.id, prefixLength, strategy);
  }
  previewV6(prefixLength: number, strategy = 0): number {
    return sizeArgsStatus(prefixLength, strategy) || this.engine.raw.preview6(this.id, prefixLength, strategy);
  }
  reserveV6(w0: number, w1: number, w2: number, w3: number, prefixLength: number): number {
    const refused = blockArgsStatus(prefixLength, w0, w1, w2, w3);
    if (refused) return refused;
    this.#writeWords(w0, w1, w2, w3);
    return this.engine.raw.reserve6(this.id, prefixLength);
  }
  releaseV6(w0: number, w1: number, w2: number, w3: number, prefixLength: number): number {
    const refused = blockArgsStatus(prefixLength, w0, w1, w2, w3);
    if (refused) return refused;
    this.#writeWords(w0, w1, w2, w3);
    return this.engine.raw.release6(this.id, prefixLength);
  }
  /**
   * The address written by the last allocateV6/previewV6 on any space of this engine (they share
   * one slot), as words w0..w3 (lowest first). Reading randomState or listing leaves it alone.
   */
  resultWords(out: Uint32Array = new Uint32Array(4)): Uint32Array {
    const words = this.engine.words;
    const at = (this.engine.io + IO_ADDRESS_OUT) >>> 2;
    // word by word: a subarray would allocate on every call of this hot path
    out[0] = words[at]!; out[1] = words[at + 1]!; out[2] = words[at + 2]!; out[3] = words[at + 3]!;
    return out;
  }

  // ---- batches: one call into wasm per `batchCapacity` items ----

  /**
   * Allocates one block per entry of prefixLengths, writing addresses to `out` (IPv4: one
   * u32 each; IPv6: four words each, lowest first). Returns how many succeeded; when fewer
   * than asked, `lastBatchStatus` says why.
   */
  allocateMany(prefixLengths: Uint8Array, out: Uint32Array, strategy: AllocationStrategy = 'first-fit'): number {
    const code = strategyCode(strategy);
    return this.#batch(prefixLengths, out, (count) => this.engine.raw.allocateBatch(this.id, count, code), true);
  }

  /** Releases the blocks given as prefix lengths and addresses (same layout as allocateMany). */
  releaseMany(prefixLengths: Uint8Array, addresses: Uint32Array): number {
    return this.#batch(prefixLengths, addresses, (count) => this.engine.raw.releaseBatch(this.id, count), false);
  }

  /** Status of the item that stopped the last batch. */
  lastBatchStatus = 0;

  #batch(prefixLengths: Uint8Array, addresses: Uint32Array, run: (count: number) => number, isOutput: boolean): number {
    const wordsPer = this.family === 4 ? 1 : 4;
    // a plain Array or a wider typed array would pass the length check and then narrow prefix
    // lengths (280 → 24) or fail only after the blocks were taken
    // by tag, not instanceof: arrays made in another realm (an iframe, a vm context) are right too
    if (TYPE_TAG.call(prefixLengths) !== '[object Uint8Array]' || TYPE_TAG.call(addresses) !== '[object Uint32Array]') {
      throw new EngineError(EngineStatus.BAD_ARGUMENT, 'prefix lengths must be a Uint8Array and addresses a Uint32Array');
    }
    // checked before the first item: a short array found later would leave blocks taken and not
    // reported, or release blocks left in the engine's buffer by an earlier call
    if (addresses.length < prefixLengths.length * wordsPer) {
      throw new EngineError(EngineStatus.BAD_ARGUMENT, `${prefixLengths.length} items need ${prefixLengths.length * wordsPer} address words, got ${addresses.length}`);
    }
    const { io, batchCapacity } = this.engine;
    let done = 0;
    while (done < prefixLengths.length) {
      const count = Math.min(batchCapacity, prefixLengths.length - done);
      this.engine.bytes.set(prefixLengths.subarray(done, done + count), io + IO_PREFIXES);
      if (!isOutput) this.engine.words.set(addresses.subarray(done * wordsPer, (done + count) * wordsPer), (io + IO_ADDRESSES) >>> 2);
      const result = run(count);
      if (result < 0) {
        this.lastBatchStatus = result;
        return done;
      }
      if (isOutput) {
        const at = (io + IO_ADDRESSES) >>> 2;
        addresses.set(this.engine.words.subarray(at, at + result * wordsPer), done * wordsPer);
      }
      done += result;
      if (result < count) {
        this.lastBatchStatus = this.engine.ints[(io + IO_STATUS) >>> 2]!;
        return done;
      }
    }
    this.lastBatchStatus = EngineStatus.OK;
    return done;
  }

  // ---- convenience: Cidr values or strings, errors thrown ----

  /** One engine export pair per operation; wasm exports need no `this`, so no closure per call. */
  #blockCall(block: Cidr | string, v4: (space: number, address: number, prefix: number) => number, v6: (space: number, prefix: number) => number): number {
    const cidr = toCidr(block);
    if (typeof block !== 'string') checkCidrValue(cidr);
    if (cidr.family !== this.family) {
      throw new EngineError(EngineStatus.HOST_BITS, `${formatCidr(cidr)} is IPv${cidr.family}, the space is IPv${this.family}`);
    }
    if (this.family === 4) return check(v4(this.id, Number(cidr.address), cidr.prefixLength), typeof block === 'string' ? block : '');
    const longs = this.engine.longs;
    const at = (this.engine.io + IO_ADDRESS_IN) >>> 3;
    longs[at] = cidr.address & MASK64;
    longs[at + 1] = cidr.address >> 64n;
    return check(v6(this.id, cidr.prefixLength), typeof block === 'string' ? block : '');
  }

  addSource(block: Cidr | string): void {
    this.#sourceAddresses = undefined;
    const raw = this.engine.raw;
    this.#blockCall(block, raw.addSource4, raw.addSource6);
  }

  /** Removes a source block; refused (SOURCE_BUSY) while it holds allocations. */
  removeSource(block: Cidr | string): void {
    this.#sourceAddresses = undefined;
    const raw = this.engine.raw;
    this.#blockCall(block, raw.removeSource4, raw.removeSource6);
  }

  /** Takes exactly this block (NOT_IN_SOURCE or OVERLAPS_ALLOCATION when it cannot). */
  reserve(block: Cidr | string): Cidr {
    const raw = this.engine.raw;
    this.#blockCall(block, raw.reserve4, raw.reserve6);
    return toCidr(block);
  }

  release(block: Cidr | string): void {
    const raw = this.engine.raw;
    this.#blockCall(block, raw.release4, raw.release6);
  }

  /** True when some allocation overlaps the block. */
  overlapsAllocation(block: Cidr | string): boolean {
    const raw = this.engine.raw;
    return this.#blockCall(block, raw.overlaps4, raw.overlaps6) === 1;
  }

  /** True when the block lies inside one source block. */
  insideSource(block: Cidr | string): boolean {
    const raw = this.engine.raw;
    return this.#blockCall(block, raw.insideSource4, raw.insideSource6) === 1;
  }

  /**
   * The prefix length itself when it is a whole number from 0 to the family's width; throws
   * EngineError BAD_PREFIX otherwise (a wasm i32 argument would turn 24.5 into 24 and NaN into
   * 0, answering for a block size nobody asked for).
   */
  #prefix(prefixLength: number): number {
    if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > this.bits) throw new EngineError(EngineStatus.BAD_PREFIX, `/${prefixLength}`);
    return prefixLength;
  }

  #sizeCall(prefixLength: number, strategy: AllocationStrategy, take: boolean): Cidr | undefined {
    this.#prefix(prefixLength);
    const code = strategyCode(strategy);
    const raw = this.engine.raw;
    if (this.family === 4) {
      const result = take ? raw.allocate4(this.id, prefixLength, code) : raw.preview4(this.id, prefixLength, code);
      if (result === EngineStatus.NO_FIT && !take) return undefined;
      return { family: 4, address: BigInt(check(result, `/${prefixLength}`)), prefixLength };
    }
    const status = take ? raw.allocate6(this.id, prefixLength, code) : raw.preview6(this.id, prefixLength, code);
    if (status === EngineStatus.NO_FIT && !take) return undefined;
    check(status, `/${prefixLength}`);
    const at = (this.engine.io + IO_ADDRESS_OUT) >>> 3;
    const longs = this.engine.longs;
    return { family: 6, address: (longs[at + 1]! << 64n) | longs[at]!, prefixLength };
  }

  /** Allocates a free aligned block of the given prefix length (first-fit: the lowest). */
  allocate(prefixLength: number, strategy: AllocationStrategy = 'first-fit'): Cidr {
    return this.#sizeCall(prefixLength, strategy, true)!;
  }

  /** The block allocate() would return now, or undefined when none fits; takes nothing. */
  preview(prefixLength: number, strategy: AllocationStrategy = 'first-fit'): Cidr | undefined {
    return this.#sizeCall(prefixLength, strategy, false);
  }

  /** Exact capacity figures; `prefixLength` picks the block size counted in blocksThatFit. */
  capacity(prefixLength: number = this.bits): Capacity {
    check(this.engine.raw.capacity(this.id, this.#prefix(prefixLength)), `/${prefixLength}`);
    const longs = this.engine.longs;
    const counts = (this.engine.io + IO_COUNTS) >>> 3;
    const wide = (i: number) => (longs[counts + i + 2]! << 128n) | (longs[counts + i + 1]! << 64n) | longs[counts + i]!;
    const stats = (this.engine.io + IO_STATS) >>> 2;
    const ints = this.engine.ints;
    const largest = ints[stats + 2]!;
    return {
      freeAddresses: wide(0),
      blocksThatFit: wide(3),
      prefixLength,
      largestFreePrefix: largest < 0 ? undefined : largest,
      liveAllocations: ints[stats]! >>> 0,
      sources: ints[stats + 1]! >>> 0,
    };
  }

  /**
   * True when the free addresses add up to at least a /prefixLength's worth (2^(bits − prefix)),
   * aligned or not: capacity().freeAddresses >= that, exactly, from the histogram, in the engine.
   * (The simulator asks it after every failure, to tell fragmentation from no space.)
   */
  holdsFreeAddresses(prefixLength: number): boolean {
    return check(this.engine.raw.holdsFreeAddresses(this.id, this.#prefix(prefixLength))) === 1;
  }

  #sourceAddresses: bigint | undefined;

  /** Exact utilisation figures, from the engine's free-block histogram: O(width), not O(allocations). */
  utilization(): Utilization {
    check(this.engine.raw.freeBlockHistogram(this.id));
    const bits = this.bits;
    const words = this.engine.words;
    const at = (this.engine.io + IO_ADDRESSES) >>> 2;
    // blocksThatFit[p] = Σ over orders k ≥ bits−p of count_k · 2^(k − (bits−p)) = count + 2 · blocksThatFit[p − 1]
    const blocksThatFit: bigint[] = new Array(bits + 1);
    const freeBlocks: { prefixLength: number; count: number }[] = [];
    let fit = 0n;
    let largestFreePrefix: number | undefined;
    for (let prefixLength = 0; prefixLength <= bits; prefixLength++) {
      const count = words[at + bits - prefixLength]!;
      if (count !== 0) {
        freeBlocks.push({ prefixLength, count });
        largestFreePrefix ??= prefixLength;
      }
      fit = 2n * fit + BigInt(count);
      blocksThatFit[prefixLength] = fit;
    }
    const freeAddresses = fit; // blocks of one address that fit
    this.#sourceAddresses ??= this.sources().reduce((sum, s) => sum + (1n << BigInt(bits - s.prefixLength)), 0n);
    const totalAddresses = this.#sourceAddresses;
    const allocatedAddresses = totalAddresses - freeAddresses;
    const largest = largestFreePrefix === undefined ? 0n : 1n << BigInt(bits - largestFreePrefix);
    return {
      totalAddresses,
      allocatedAddresses,
      freeAddresses,
      utilizationPercent: totalAddresses === 0n ? 0 : ratio(allocatedAddresses, totalAddresses) * 100,
      largestFreePrefix,
      // the share outside the largest block, not 1 minus the largest's share: that rounds to 0 when
      // the rest is below 2^-53 of the free space (an IPv6 /32 and a stray /128)
      fragmentationIndex: freeAddresses === 0n ? 0 : ratio(freeAddresses - largest, freeAddresses),
      freeBlocks,
      blocksThatFit,
    };
  }

  // ---- the `random` strategy's generator ----
  // One 64-bit splitmix64 state per space, shown as two u32 halves [hi, lo]. A new space starts
  // at state 0 (as after seedRandom(0)). Only an allocation that takes a block advances it, so
  // the same state and the same operations give the same blocks, and preview(…, 'random')
  // answers exactly what the next allocate(…, 'random') would take.

  /** Sets the generator state to `seed`, an integer 0 ≤ seed < 2^53 (seedRandom(s) = setRandomState(⌊s / 2^32⌋, s mod 2^32)). */
  seedRandom(seed: number): void {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new EngineError(EngineStatus.BAD_ARGUMENT, `seed ${seed} is not an integer in 0..2^53-1`);
    this.setRandomState(Math.floor(seed / 2 ** 32), seed % 2 ** 32);
  }

  /** The generator state as [hi, lo] u32 halves; setRandomState(hi, lo) restores it. */
  get randomState(): readonly [number, number] {
    check(this.engine.raw.randomState(this.id));
    const at = (this.engine.io + IO_ADDRESS_IN) >>> 2;
    const words = this.engine.words;
    return [words[at + 1]!, words[at]!];
  }

  /** Restores a state read from randomState; hi and lo are u32 integers. */
  setRandomState(hi: number, lo: number): void {
    if (!isU32(hi) || !isU32(lo)) throw new EngineError(EngineStatus.BAD_ARGUMENT, `random state halves must be u32 integers, got [${hi}, ${lo}]`);
    check(this.engine.raw.setRandomState(this.id, hi, lo));
  }

  /**
   * Whether some strategy would find a free /prefixLength now (every strategy finds one exactly
   * when the largest free block is at least that big): one summary read, no search.
   */
  fits(prefixLength: number): boolean {
    this.#prefix(prefixLength);
    check(this.engine.raw.stats(this.id));
    const largest = this.engine.ints[((this.engine.io + IO_STATS) >>> 2) + 2]!;
    return largest >= 0 && largest <= prefixLength;
  }

  /** Number of live allocations. */
  get liveAllocations(): number {
    check(this.engine.raw.stats(this.id));
    return this.engine.words[(this.engine.io + IO_STATS) >>> 2]!;
  }

  *#list(kind: number): Generator<Cidr> {
    const { io, batchCapacity } = this.engine;
    const raw = this.engine.raw;
    const inAt = (io + IO_ADDRESS_IN) >>> 3;
    let cursorLo = 0n, cursorHi = 0n;
    for (;;) {
      let longs = this.engine.longs;
      longs[inAt] = cursorLo;
      longs[inAt + 1] = cursorHi;
      const count = check(raw.listBlocks(this.id, kind, batchCapacity));
      longs = this.engine.longs;
      const bytes = this.engine.bytes;
      const words = this.engine.words;
      const page: Cidr[] = [];
      for (let i = 0; i < count; i++) {
        const prefixLength = bytes[io + IO_PREFIXES + i]!;
        const address = this.family === 4
          ? BigInt(words[((io + IO_ADDRESSES) >>> 2) + i]!)
          : (longs[((io + IO_ADDRESSES) >>> 3) + 2 * i + 1]! << 64n) | longs[((io + IO_ADDRESSES) >>> 3) + 2 * i]!;
        page.push({ family: this.family, address, prefixLength });
      }
      const more = this.engine.ints[(io + IO_STATUS) >>> 2] === 1;
      // the next cursor, where the engine left it (kept here: other calls may use the slot between pages)
      cursorLo = longs[inAt]!;
      cursorHi = longs[inAt + 1]!;
      yield* page;
      if (!more) return;
    }
  }

  /** Allocated blocks in address order. */
  allocations(): Cidr[] {
    return [...this.#list(LIST_ALLOCATED)];
  }

  /** Maximal free aligned blocks in address order. */
  freeBlocks(): Cidr[] {
    return [...this.#list(LIST_FREE)];
  }

  sources(): Cidr[] {
    return [...this.#list(LIST_SOURCES)];
  }

  /**
   * Frees the space and all its nodes. The handle then refuses every call (BAD_SPACE): the
   * engine hands the id to the next space it creates, which the handle must not reach.
   */
  destroy(): void {
    check(this.engine.raw.destroySpace(this.#id));
    this.#id = 0;
  }
}

/**
 * a / b as a float, for b > 0. Counts up to 2^128 convert to doubles with a relative error under
 * 2^-53 each, so the quotient is as close as a double gets, tiny ones included (one address of
 * ::/0 is 2.9e-37 %, not 0).
 */
function ratio(a: bigint, b: bigint): number {
  return Number(a) / Number(b);
}
