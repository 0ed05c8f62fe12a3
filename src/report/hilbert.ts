// Hilbert maps of a pool's address space. The Hilbert curve keeps address-adjacent cells
// adjacent on screen, so a CIDR block shows as a compact patch rather than a stripe.

import { FAMILY_BITS, formatCidr, parseCidr, toCidr, type Cidr } from '../cidr/index.js';
import { CELL_ALLOCATED, CELL_CHILD, CELL_FREE, CELL_OUTSIDE, CELL_PARTLY, type PoolMap } from './summary.js';

/** Largest curve order accepted: side 4096, 16 Mi cells (and every index stays a small integer). */
export const MAX_HILBERT_ORDER = 12;

/** Sub-pools beyond this many share no code of their own: CELL_CHILD + i must fit in a byte. */
export const MAX_MAP_CHILDREN = 256 - CELL_CHILD;

function checkOrder(order: number): void {
  if (!Number.isInteger(order) || order < 0 || order > MAX_HILBERT_ORDER) {
    throw new RangeError(`Hilbert order must be an integer 0..${MAX_HILBERT_ORDER}, got ${order}`);
  }
}

/**
 * Position of index d (0 <= d < 4^order) on the Hilbert curve filling a 2^order square.
 * The curve starts at (0, 0) and ends at (side - 1, 0).
 */
export function hilbertIndexToXY(order: number, d: number): [x: number, y: number] {
  checkOrder(order);
  const side = 1 << order;
  if (!Number.isInteger(d) || d < 0 || d >= side * side) throw new RangeError(`Hilbert index ${d} is outside 0..${side * side - 1}`);
  let x = 0;
  let y = 0;
  let t = d;
  for (let s = 1; s < side; s *= 2) {
    const rx = 1 & (t >> 1);
    const ry = 1 & (t ^ rx);
    if (ry === 0) {
      if (rx === 1) {
        x = s - 1 - x;
        y = s - 1 - y;
      }
      const swap = x;
      x = y;
      y = swap;
    }
    x += s * rx;
    y += s * ry;
    t >>= 2;
  }
  return [x, y];
}

/** Inverse of hilbertIndexToXY: the curve index of cell (x, y). */
export function hilbertXYToIndex(order: number, x: number, y: number): number {
  checkOrder(order);
  const side = 1 << order;
  for (const v of [x, y]) {
    if (!Number.isInteger(v) || v < 0 || v >= side) throw new RangeError(`Hilbert coordinate ${v} is outside 0..${side - 1}`);
  }
  let d = 0;
  for (let s = side >> 1; s > 0; s >>= 1) {
    const rx = (x & s) > 0 ? 1 : 0;
    const ry = (y & s) > 0 ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    if (ry === 0) {
      if (rx === 1) {
        x = side - 1 - x;
        y = side - 1 - y;
      }
      const swap = x;
      x = y;
      y = swap;
    }
  }
  return d;
}

// Row-major position (y * side + x) of every curve index, per order: computed once, reused by every map.
const rowMajorByOrder = new Map<number, Uint32Array>();

function rowMajorPositions(order: number): Uint32Array {
  let positions = rowMajorByOrder.get(order);
  if (positions === undefined) {
    const side = 1 << order;
    positions = new Uint32Array(side * side);
    for (let d = 0; d < positions.length; d++) {
      const [x, y] = hilbertIndexToXY(order, d);
      positions[d] = y * side + x;
    }
    rowMajorByOrder.set(order, positions);
  }
  return positions;
}

/** What the rasteriser draws: a pool's span and the blocks inside it. */
export interface PoolMapInput {
  poolId: string;
  /** An aligned block holding every block below (see smallestCommonBlock). */
  span: Cidr | string;
  /** Requested side, a power of two; shrunk when the span has fewer than side^2 addresses. */
  side: number;
  /** The pool's CIDRs. Blocks of one list must not overlap each other. */
  provisioned: readonly (Cidr | string)[];
  /**
   * Blocks allocated to resources. A sub-pool's own CIDRs belong in `children`, not here
   * (they count as allocated anyway; listing them twice would count them twice).
   */
  allocated: readonly (Cidr | string)[];
  /** The pool's sub-pools, in the order their CELL_CHILD + i codes are given. */
  children: readonly { name: string; blocks: readonly (Cidr | string)[] }[];
}

/**
 * Largest side (a power of two, at most `requested`) such that side^2 cells each hold a whole
 * number of the span's addresses: a /30 (4 addresses) gets side 2, a /31 or /32 side 1.
 */
export function mapSide(span: Cidr, requested: number): number {
  if (!Number.isInteger(requested) || requested < 1 || (requested & (requested - 1)) !== 0 || requested > 1 << MAX_HILBERT_ORDER) {
    throw new RangeError(`map side must be a power of two 1..${1 << MAX_HILBERT_ORDER}, got ${requested}`);
  }
  const spanHostBits = FAMILY_BITS[span.family] - span.prefixLength;
  // 2 ** n, not 1 << n: a shift wraps past 31 bits, and an IPv6 span has up to 64 per side
  return Math.min(requested, 2 ** Math.floor(spanHostBits / 2));
}

/** The smallest aligned block holding every given block (all of one family). */
export function smallestCommonBlock(blocks: readonly (Cidr | string)[]): Cidr {
  if (blocks.length === 0) throw new RangeError('no blocks to span');
  const cidrs = blocks.map(toCidr);
  const { family } = cidrs[0]!;
  const bits = FAMILY_BITS[family];
  let prefixLength = bits;
  let low = cidrs[0]!.address;
  let high = low;
  for (const c of cidrs) {
    if (c.family !== family) throw new RangeError('blocks of both IP families cannot share one span');
    if (c.address < low) low = c.address;
    const last = c.address + (1n << BigInt(bits - c.prefixLength)) - 1n;
    if (last > high) high = last;
  }
  // shorten the prefix until low and high share the network part
  while (prefixLength > 0 && low >> BigInt(bits - prefixLength) !== high >> BigInt(bits - prefixLength)) prefixLength--;
  const hostBits = BigInt(bits - prefixLength);
  return { family, address: (low >> hostBits) << hostBits, prefixLength };
}

/**
 * Address counts of one list of blocks, per cell. Cells and blocks are both aligned powers of
 * two, so a block either covers a contiguous run of whole cells or lies inside one cell:
 * whole cells are counted in a difference array (O(1) per block), smaller blocks add their
 * size to their cell's remainder. Remainders are below the cell size: exact as Numbers while
 * cells hold at most 2^53 addresses, BigInts beyond (IPv6 cells can hold 2^100).
 */
class CellTally {
  /** After finish(): how many blocks wholly cover each cell. */
  readonly whole: Int32Array;
  /** Addresses from blocks smaller than a cell, when cells are small enough for exact Numbers. */
  private readonly smallRemainders: Float64Array | null;
  /** The same for larger cells (or a tally of whole cells only), only for the cells that have any. */
  private readonly bigRemainders = new Map<number, bigint>();

  constructor(cellCount: number, cellsAreSmall: boolean) {
    this.whole = new Int32Array(cellCount + 1);
    this.smallRemainders = cellsAreSmall ? new Float64Array(cellCount) : null;
  }

  addWhole(firstCell: number, cellCount: number): void {
    this.whole[firstCell]! += 1;
    this.whole[firstCell + cellCount]! -= 1;
  }

  addRemainder(cell: number, addresses: number | bigint): void {
    if (this.smallRemainders !== null) {
      this.smallRemainders[cell]! += Number(addresses);
    } else {
      this.bigRemainders.set(cell, (this.bigRemainders.get(cell) ?? 0n) + BigInt(addresses));
    }
  }

  finish(): void {
    for (let i = 1; i < this.whole.length; i++) this.whole[i]! += this.whole[i - 1]!;
  }

  hasRemainder(cell: number): boolean {
    return this.smallRemainders !== null ? this.smallRemainders[cell] !== 0 : this.bigRemainders.has(cell);
  }

  remainder(cell: number): bigint {
    return this.smallRemainders !== null ? BigInt(this.smallRemainders[cell]!) : (this.bigRemainders.get(cell) ?? 0n);
  }

  /** Every address counted in the cell. */
  count(cell: number, cellSize: bigint): bigint {
    return BigInt(this.whole[cell]!) * cellSize + this.remainder(cell);
  }

  isEmpty(cell: number): boolean {
    return this.whole[cell] === 0 && !this.hasRemainder(cell);
  }
}

/** Where blocks land among the cells of one span. */
class CellGrid {
  readonly cellCount: number;
  readonly cellSize: bigint;
  private readonly cellHostBits: number;
  private readonly spanHostBits: number;

  constructor(readonly span: Cidr, order: number) {
    this.spanHostBits = FAMILY_BITS[span.family] - span.prefixLength;
    this.cellCount = 1 << (2 * order);
    this.cellHostBits = this.spanHostBits - 2 * order;
    this.cellSize = 1n << BigInt(this.cellHostBits);
  }

  /** Tallies every block of the list; `onWholeRun` hears of each run of whole cells. */
  tally(blocks: readonly (Cidr | string)[], onWholeRun?: (firstCell: number, cellCount: number) => void): CellTally {
    const tally = this.newTally();
    this.add(tally, blocks, onWholeRun);
    tally.finish();
    return tally;
  }

  /** wholeOnly: for `add` calls that all take their remainders elsewhere (no array for them). */
  newTally(wholeOnly = false): CellTally {
    // spans of up to 2^53 addresses take the Number path: offsets and sizes are exact doubles
    return new CellTally(this.cellCount, !wholeOnly && this.spanHostBits <= 53);
  }

  /**
   * Adds the blocks to a tally not yet finished; blocks smaller than a cell go to `onRemainder`
   * instead, when given (one tally can then hold several lists' whole cells, apart from their parts).
   */
  add(tally: CellTally, blocks: readonly (Cidr | string)[], onWholeRun?: (firstCell: number, cellCount: number) => void,
    onRemainder?: (cell: number, addresses: bigint) => void): void {
    const small = this.spanHostBits <= 53;
    const spanShift = BigInt(this.spanHostBits);
    const spanNetwork = this.span.address >> spanShift;
    const cellShift = BigInt(this.cellHostBits);
    const cellSizeNumber = 2 ** this.cellHostBits;
    const spanSizeNumber = 2 ** this.spanHostBits;
    for (const given of blocks) {
      const block = typeof given === 'string' ? parseCidr(given) : given;
      const blockHostBits = FAMILY_BITS[block.family] - block.prefixLength;
      // both are aligned blocks: the block is inside when it is no larger and shares the span's network part
      const offset = small ? Number(block.address - this.span.address) : 0;
      const inside = small
        ? offset >= 0 && offset < spanSizeNumber
        : block.address >> spanShift === spanNetwork;
      if (block.family !== this.span.family || blockHostBits > this.spanHostBits || !inside) {
        throw new RangeError(`block ${formatCidr(block)} is not inside the map's span ${formatCidr(this.span)}`);
      }
      const cell = small ? Math.floor(offset / cellSizeNumber) : Number((block.address - this.span.address) >> cellShift);
      if (blockHostBits >= this.cellHostBits) {
        const run = 2 ** (blockHostBits - this.cellHostBits);
        tally.addWhole(cell, run);
        onWholeRun?.(cell, run);
      } else if (onRemainder) {
        onRemainder(cell, 1n << BigInt(blockHostBits));
      } else {
        tally.addRemainder(cell, small ? 2 ** blockHostBits : 1n << BigInt(blockHostBits));
      }
    }
  }
}

/**
 * Draws a pool's address space as a Hilbert map. The span is cut into side*side equal cells in
 * address order; cell d covers span.address + d*cellSize onwards and is drawn at
 * hilbertIndexToXY(order, d). A cell's code:
 * - CELL_OUTSIDE when none of its addresses is provisioned;
 * - CELL_CHILD + i when sub-pool i holds more than half of its provisioned addresses;
 * - otherwise, counting sub-pool blocks as allocated: CELL_FREE when nothing is allocated,
 *   CELL_ALLOCATED when every provisioned address is, CELL_PARTLY in between.
 * Cost: O(blocks + cells), one BigInt step per block and per cell that a small block touches.
 * Sub-pools past MAX_MAP_CHILDREN count as allocated but get no code (nor a name in `children`).
 */
export function rasterisePoolMap(input: PoolMapInput): PoolMap {
  const span = toCidr(input.span);
  const side = mapSide(span, input.side);
  const order = Math.log2(side);
  const grid = new CellGrid(span, order);

  const provisioned = grid.tally(input.provisioned);
  const allocated = grid.tally(input.allocated);
  const coded = input.children.slice(0, MAX_MAP_CHILDREN);
  // the sub-pool wholly covering a cell, if any (-1: none); it is then the majority by itself
  const wholeChild = new Int16Array(grid.cellCount).fill(-1);
  // every sub-pool's whole cells in one tally (one per sub-pool cost O(sub-pools × cells)), and
  // the cells where some sub-pool holds less than a whole cell: [child index, addresses]
  const children = grid.newTally(true);
  const childPartials = new Map<number, [number, bigint][]>();
  input.children.forEach((child, i) => {
    grid.add(children, child.blocks, i < coded.length ? (first, run) => wholeChild.fill(i, first, first + run) : undefined, (cell, addresses) => {
      let list = childPartials.get(cell);
      if (list === undefined) childPartials.set(cell, (list = []));
      const last = list[list.length - 1];
      if (last?.[0] === i) last[1] += addresses; // a sub-pool's blocks come one after another
      else list.push([i, addresses]);
    });
  });
  children.finish();

  const codes = new Uint8Array(grid.cellCount);
  const positions = rowMajorPositions(order);
  for (let d = 0; d < grid.cellCount; d++) {
    codes[positions[d]!] = cellCode(d);
  }

  function cellCode(d: number): number {
    if (provisioned.isEmpty(d)) return CELL_OUTSIDE;
    if (wholeChild[d]! >= 0) return CELL_CHILD + wholeChild[d]!;
    const partials = childPartials.get(d);
    // fast path: only whole-cell blocks touch this cell, so counts are whole multiples of the cell
    if (partials === undefined && !provisioned.hasRemainder(d) && !allocated.hasRemainder(d)) {
      const wholeAllocated = allocated.whole[d]! + children.whole[d]!;
      return wholeAllocated === 0 ? CELL_FREE : CELL_ALLOCATED;
    }
    const provisionedCount = provisioned.count(d, grid.cellSize);
    let allocatedCount = allocated.count(d, grid.cellSize);
    allocatedCount += BigInt(children.whole[d]!) * grid.cellSize;
    for (const [i, addresses] of partials ?? []) {
      if (i < coded.length && addresses * 2n > provisionedCount) return CELL_CHILD + i;
      allocatedCount += addresses;
    }
    if (allocatedCount === 0n) return CELL_FREE;
    return allocatedCount >= provisionedCount ? CELL_ALLOCATED : CELL_PARTLY;
  }

  return {
    poolId: input.poolId,
    span: formatCidr(span),
    side,
    cells: toBase64(codes),
    children: coded.map((c) => c.name),
  };
}

/** Decodes a PoolMap's cells: one byte per cell, row-major (y * side + x). */
export function decodePoolMapCells(map: PoolMap): Uint8Array {
  const text = atob(map.cells);
  if (text.length !== map.side * map.side) throw new RangeError(`map of ${map.poolId} has ${text.length} cells, expected ${map.side * map.side}`);
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Base64 with btoa (browsers and Node alike: the pool explorer draws maps in the page too). */
function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let at = 0; at < bytes.length; at += 0x8000) text += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(text);
}
