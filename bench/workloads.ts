/**
 * Shared pieces of the benchmark workloads: a seeded random source, a live set of blocks with
 * O(1) random removal, and the churn step every contender runs identically (release K random
 * live blocks, then allocate K blocks of random sizes), so all contenders perform exactly the
 * same operation sequence and end in the same state.
 */

/** xorshift32: fast, seeded, identical for every contender. */
export class Random {
  constructor(private state: number) {}
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 4294967296;
  }
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Live blocks as typed arrays: `wordsPer` u32 words of address (w0 lowest) and a prefix each. */
export class LiveSet {
  readonly addresses: Uint32Array;
  readonly prefixes: Uint8Array;
  size = 0;
  constructor(readonly capacity: number, readonly wordsPer: 1 | 4) {
    this.addresses = new Uint32Array(capacity * wordsPer);
    this.prefixes = new Uint8Array(capacity);
  }
  push(words: ArrayLike<number>, from: number, prefix: number): void {
    const at = this.size * this.wordsPer;
    for (let k = 0; k < this.wordsPer; k++) this.addresses[at + k] = words[from + k]!;
    this.prefixes[this.size++] = prefix;
  }
  /** Moves block i to (outWords[outAt..], returned prefix) and fills the hole with the last block. */
  take(i: number, outWords: Uint32Array, outAt: number): number {
    const w = this.wordsPer;
    for (let k = 0; k < w; k++) outWords[outAt + k] = this.addresses[i * w + k]!;
    const prefix = this.prefixes[i]!;
    const last = --this.size;
    for (let k = 0; k < w; k++) this.addresses[i * w + k] = this.addresses[last * w + k]!;
    this.prefixes[i] = this.prefixes[last]!;
    return prefix;
  }
}

/** One contender's view of an address space, block at a time or in batches. */
export interface BlockAllocator {
  readonly name: string;
  /** Allocates one block; writes its address words to out[at..]; false when nothing fits. */
  allocate(prefix: number, out: Uint32Array, at: number): boolean;
  /** Releases the block whose address words are words[at..]. */
  release(words: Uint32Array, at: number, prefix: number): void;
  /** When present, used instead of the per-block calls: returns how many were allocated. */
  allocateMany?(prefixes: Uint8Array, out: Uint32Array): number;
  releaseMany?(prefixes: Uint8Array, words: Uint32Array): void;
}

/** Scratch buffers for one churn step of k releases and k allocations. */
export class ChurnBuffers {
  readonly releaseWords: Uint32Array;
  readonly releasePrefixes: Uint8Array;
  readonly allocPrefixes: Uint8Array;
  readonly allocWords: Uint32Array;
  constructor(readonly k: number, readonly wordsPer: 1 | 4) {
    this.releaseWords = new Uint32Array(k * wordsPer);
    this.releasePrefixes = new Uint8Array(k);
    this.allocPrefixes = new Uint8Array(k);
    this.allocWords = new Uint32Array(k * wordsPer);
  }
}

/**
 * Releases k random live blocks, then allocates k blocks with sizes from `pickPrefix`.
 * Returns the number of operations done (2k unless the space ran full).
 */
export function churnStep(a: BlockAllocator, live: LiveSet, random: Random, pickPrefix: (r: Random) => number, b: ChurnBuffers): number {
  const { k, wordsPer } = b;
  for (let i = 0; i < k; i++) b.releasePrefixes[i] = live.take(random.below(live.size), b.releaseWords, i * wordsPer);
  for (let i = 0; i < k; i++) b.allocPrefixes[i] = pickPrefix(random);
  let allocated = 0;
  if (a.releaseMany && a.allocateMany) {
    a.releaseMany(b.releasePrefixes, b.releaseWords);
    allocated = a.allocateMany(b.allocPrefixes, b.allocWords);
  } else {
    for (let i = 0; i < k; i++) a.release(b.releaseWords, i * wordsPer, b.releasePrefixes[i]!);
    for (let i = 0; i < k; i++) {
      if (!a.allocate(b.allocPrefixes[i]!, b.allocWords, i * wordsPer)) break;
      allocated++;
    }
  }
  for (let i = 0; i < allocated; i++) live.push(b.allocWords, i * wordsPer, b.allocPrefixes[i]!);
  return k + allocated;
}

/** Allocates blocks of `pickPrefix` sizes until `liveTarget` are live or addresses reach `addressTarget`. */
export function prefill(a: BlockAllocator, live: LiveSet, random: Random, pickPrefix: (r: Random) => number, liveTarget: number, bits: number, addressTarget = Infinity): void {
  const out = new Uint32Array(4);
  let used = 0;
  while (live.size < liveTarget && used < addressTarget) {
    const prefix = pickPrefix(random);
    if (!a.allocate(prefix, out, 0)) throw new Error(`${a.name}: prefill ran out of space`);
    live.push(out, 0, prefix);
    used += 2 ** (bits - prefix);
  }
}
