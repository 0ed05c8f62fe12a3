/**
 * The engine's algorithm and node layout, ported to plain JavaScript on typed arrays: the honest
 * answer to "why wasm?". Same 128-byte nodes covering four tree levels (31 one-byte summaries,
 * masks, sixteen child references), same entry shortcut, same walk-up with early stop, same
 * free-block histogram. Addresses are four u32 words (w0 lowest) in a scratch array, so IPv4
 * and IPv6 share one path as in the engine; BigIntBuddy keeps addresses as BigInt instead.
 *
 * Only what the benchmarks need: one source, first-fit allocate, reserve, release.
 */

const NODE_BYTES = 128;
const ALLOC = 32 >> 2, INSIDE = 40 >> 2, BUSY = 44 >> 2, PARENT = 48 >> 2; // word indexes
const SLOT_IN_PARENT = 52, DEPTH = 53, TOP_ORDER = 54; // byte offsets
const CHILDREN = 64 >> 2;
const ALL_POSITIONS = 0xfffffffe;

const levelOf = (q: number) => 31 - Math.clz32(q);

export class JsBuddy {
  protected bytes = new Uint8Array(NODE_BYTES * 1024);
  protected words = new Uint32Array(this.bytes.buffer);
  private nextNode = 1;
  private freeNodes: number[] = [];
  readonly histogram = new Float64Array(129);
  protected readonly root: number;
  private entryNode: number;
  private entryPos = 1;
  /** Address scratch, w0 lowest: input of reserve/release, output of allocate. */
  readonly address = new Uint32Array(4);
  liveAllocations = 0;
  private stopNode = 0;
  private stopPos = 0;
  private stopDepth = 0;

  constructor(readonly width: number) {
    this.root = this.newNode(0, 0, 0, width, false);
    this.entryNode = this.root;
  }

  // ---- address access (overridden by the BigInt variant) ----
  protected nibble(shift: number): number {
    return (this.address[shift >>> 5]! >>> (shift & 31)) & 15;
  }
  protected clearAddress(): void {
    this.address.fill(0);
  }
  protected orBits(bits: number, shift: number): void {
    this.address[shift >>> 5]! |= bits << (shift & 31);
  }

  // ---- node store ----
  private newNode(parent: number, slot: number, depth: number, top: number, free: boolean): number {
    let node = this.freeNodes.pop();
    if (node === undefined) {
      node = this.nextNode++;
      if (node * NODE_BYTES >= this.bytes.length) {
        const bigger = new Uint8Array(this.bytes.length * 2);
        bigger.set(this.bytes);
        this.bytes = bigger;
        this.words = new Uint32Array(bigger.buffer);
      }
    }
    const p = node * NODE_BYTES, w = p >> 2;
    this.bytes.fill(0, p, p + NODE_BYTES);
    if (free) {
      this.bytes[p + 1] = top + 1;
      this.bytes.fill(top, p + 2, p + 4);
      this.bytes.fill(top - 1, p + 4, p + 8);
      this.bytes.fill(top - 2, p + 8, p + 16);
      this.bytes.fill(top - 3, p + 16, p + 32);
      this.words[w + INSIDE] = ALL_POSITIONS;
    }
    this.words[w + PARENT] = parent;
    this.bytes[p + SLOT_IN_PARENT] = slot;
    this.bytes[p + DEPTH] = depth;
    this.bytes[p + TOP_ORDER] = top;
    return node;
  }

  /** Adds the single source block given in `address`; the benchmarks use one source per space. */
  addSource(prefix: number): void {
    let node = this.root, depth = 0;
    const width = this.width;
    while (prefix - 4 * depth > 4) {
      const nib = this.nibble(width - 4 * depth - 4);
      const w = node * 32;
      let child = this.words[w + CHILDREN + nib]!;
      if (child === 0) {
        child = this.newNode(node, nib, depth + 1, width - 4 * depth - 4, false);
        this.words[node * 32 + CHILDREN + nib] = child;
      }
      node = child;
      depth++;
    }
    const p = node * NODE_BYTES, w = p >> 2;
    const q = (16 | this.nibble(width - 4 * depth - 4)) >> (4 - (prefix - 4 * depth));
    let mask = 0;
    for (let lo = q, hi = q; lo < 32; lo <<= 1, hi = (hi << 1) | 1) for (let i = lo; i <= hi; i++) mask |= 1 << i;
    this.words[w + INSIDE] = (this.words[w + INSIDE]! | mask) >>> 0;
    this.bytes[p + q] = width - prefix + 1;
    this.histogram[width - prefix]!++;
    this.walkUp(node, q);
    this.entryNode = node;
    this.entryPos = q;
  }

  private locate(prefix: number): number {
    const width = this.width;
    let node = this.root, depth = 0, firstLevel = 0;
    for (;;) {
      const p = node * NODE_BYTES, w = p >> 2;
      const top = width - 4 * depth;
      const nib = this.nibble(top - 4);
      const rel = prefix - 4 * depth;
      const lastLevel = rel < 4 ? rel : 4;
      const alloc = this.words[w + ALLOC]!;
      this.stopNode = node;
      this.stopDepth = depth;
      for (let level = firstLevel; level <= lastLevel; level++) {
        const q = (16 | nib) >> (4 - level);
        this.stopPos = q;
        if ((alloc >>> q) & 1) return 1;
        if (this.bytes[p + q] === top - level + 1) return 0;
      }
      if (rel <= 4) return 2;
      const child = this.words[w + CHILDREN + nib]!;
      if (child === 0) return 3;
      node = child;
      depth++;
      firstLevel = 1;
    }
  }

  private walkUp(node: number, q: number): void {
    const bytes = this.bytes, words = this.words, histogram = this.histogram;
    let p = node * NODE_BYTES;
    let top = bytes[p + TOP_ORDER]!;
    for (;;) {
      const w = p >> 2;
      const inside = words[w + INSIDE]!;
      let busy = words[w + BUSY]!;
      while (q > 1) {
        const up = q >> 1;
        const half = top - levelOf(up);
        const left = bytes[p + 2 * up]!, right = bytes[p + 2 * up + 1]!;
        const merged = left === half && right === half && ((inside >>> up) & 1) !== 0;
        const value = merged ? half + 1 : left > right ? left : right;
        const upBusy = ((busy >>> (2 * up)) | (busy >>> (2 * up + 1))) & 1;
        if (value === bytes[p + up] && upBusy === ((busy >>> up) & 1)) {
          words[w + BUSY] = busy;
          return;
        }
        if (merged) {
          histogram[half - 1]! -= 2;
          histogram[half]!++;
        }
        bytes[p + up] = value;
        busy = ((busy & ~(1 << up)) | (upBusy << up)) >>> 0;
        q = up;
      }
      words[w + BUSY] = busy;
      const parent = words[w + PARENT]!;
      if (parent === 0) return;
      const slot = bytes[p + SLOT_IN_PARENT]!;
      const value = bytes[p + 1]!;
      const nodeBusy = (busy >>> 1) & 1;
      const pp = parent * NODE_BYTES;
      if (value === top + 1) {
        this.freeNodes.push(p / NODE_BYTES);
        words[(pp >> 2) + CHILDREN + slot] = 0;
      }
      p = pp;
      top += 4;
      q = 16 + slot;
      const pw = pp >> 2;
      if (bytes[p + q] === value && ((words[pw + BUSY]! >>> q) & 1) === nodeBusy) return;
      bytes[p + q] = value;
      words[pw + BUSY] = ((words[pw + BUSY]! & ~(1 << q)) | (nodeBusy << q)) >>> 0;
    }
  }

  private splitAndTake(node: number, q: number, depth: number, prefix: number): void {
    const width = this.width;
    let p = node * NODE_BYTES;
    let top = width - 4 * depth;
    let order = top - levelOf(q);
    const target = width - prefix;
    this.histogram[order]!--;
    while (order > target) {
      if (q >= 16) {
        const child = this.newNode(node, q - 16, depth + 1, top - 4, true);
        this.words[(p >> 2) + CHILDREN + q - 16] = child;
        node = child;
        p = child * NODE_BYTES;
        depth++;
        top -= 4;
        q = 1;
        continue;
      }
      const next = (16 | this.nibble(top - 4)) >> (3 - levelOf(q));
      this.bytes[p + next] = order;
      this.bytes[p + (next ^ 1)] = order;
      this.histogram[order - 1]!++;
      q = next;
      order--;
    }
    const w = p >> 2;
    this.words[w + ALLOC] = (this.words[w + ALLOC]! | (1 << q)) >>> 0;
    this.words[w + BUSY] = (this.words[w + BUSY]! | (1 << q)) >>> 0;
    this.bytes[p + q] = 0;
    this.liveAllocations++;
    this.walkUp(node, q);
  }

  /** Takes the block in `address`; true when it was free and inside the source. */
  reserve(prefix: number): boolean {
    if (this.locate(prefix) !== 0) return false;
    this.splitAndTake(this.stopNode, this.stopPos, this.stopDepth, prefix);
    return true;
  }

  /** Releases the allocation in `address`; false when it is not one. */
  release(prefix: number): boolean {
    if (this.locate(prefix) !== 1 || 4 * this.stopDepth + levelOf(this.stopPos) !== prefix) return false;
    const p = this.stopNode * NODE_BYTES, w = p >> 2, q = this.stopPos;
    this.words[w + ALLOC] = (this.words[w + ALLOC]! & ~(1 << q)) >>> 0;
    this.words[w + BUSY] = (this.words[w + BUSY]! & ~(1 << q)) >>> 0;
    this.bytes[p + q] = this.width - prefix + 1;
    this.histogram[this.width - prefix]!++;
    this.liveAllocations--;
    this.walkUp(this.stopNode, q);
    return true;
  }

  /** First-fit allocation; the address lands in `address`. False when nothing fits. */
  allocate(prefix: number): boolean {
    const width = this.width, bytes = this.bytes;
    const need = width - prefix + 1;
    let node = this.entryNode;
    let p = node * NODE_BYTES;
    let q = this.entryPos;
    if (bytes[p + q]! < need) return false;
    let depth = bytes[p + DEPTH]!;
    let top = width - 4 * depth;
    // the entry node's base address: the source's bits above the entry node
    this.entryBase(depth);
    while (bytes[p + q] !== top - levelOf(q) + 1) {
      if (q >= 16) {
        this.orBits(q - 16, top - 4);
        node = this.words[(p >> 2) + CHILDREN + q - 16]!;
        p = node * NODE_BYTES;
        depth++;
        top -= 4;
        q = 1;
      }
      q <<= 1;
      if (bytes[p + q]! < need) q |= 1;
    }
    const level = levelOf(q);
    this.orBits(q - (1 << level), top - level);
    this.splitAndTake(node, q, depth, prefix);
    return true;
  }

  private entryBaseWords = new Uint32Array(4);
  private entryBaseSet = false;
  /** Copies the entry node's base address into `address` (bits below the node cleared). */
  protected entryBase(depth: number): void {
    if (!this.entryBaseSet) {
      // derive it once from the path of parents
      const nibbles: number[] = [];
      let node = this.entryNode;
      while (this.words[node * 32 + PARENT] !== 0) {
        nibbles.push(this.bytes[node * NODE_BYTES + SLOT_IN_PARENT]!);
        node = this.words[node * 32 + PARENT]!;
      }
      this.clearAddress();
      nibbles.reverse().forEach((nib, d) => this.orBits(nib, this.width - 4 * d - 4));
      this.saveEntryBase();
      this.entryBaseSet = true;
      return;
    }
    this.loadEntryBase(depth);
  }
  protected saveEntryBase(): void {
    this.entryBaseWords.set(this.address);
  }
  protected loadEntryBase(_depth: number): void {
    this.address.set(this.entryBaseWords);
  }
}

/** The same tree with BigInt addresses: what a straightforward 128-bit JS port pays. */
export class BigIntBuddy extends JsBuddy {
  value = 0n;
  private base = 0n;
  protected override nibble(shift: number): number {
    return Number((this.value >> BigInt(shift)) & 15n);
  }
  protected override clearAddress(): void {
    this.value = 0n;
  }
  protected override orBits(bits: number, shift: number): void {
    this.value |= BigInt(bits) << BigInt(shift);
  }
  protected override saveEntryBase(): void {
    this.base = this.value;
  }
  protected override loadEntryBase(): void {
    this.value = this.base;
  }
}
