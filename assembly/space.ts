// A space record: one address space (a pool's provisioned CIDRs) with its tree root and a
// histogram of maximal free blocks by order, from which capacity figures are exact sums.
//
//   0  u32 tag (SPACE_TAG while live)     4 u32 root node       8 u32 width (32 or 128)
//  12  u32 live allocation count         16 u32 source count   20 u32 next free record
//  24  u32 entry node                     28 u32 entry position 32 u64 entry node base lo  40 u64 base hi
//  48  u64 state of the `random` strategy's generator (see random.ts)
//  56  u32 generation: one more each time the record is handed out, so that an id kept from
//      before a destroySpace (live.ts) does not pass for the space that reuses the record
//  64  u32 freeBlocksOfOrder[129]
// 580  u32 1 while the space keeps free-address counts for random's counted draw (counts.ts)
// 584  u64 sources' total size lo  592 u64 hi: addresses in all sources, modulo 2^128 (sourceTotalOrder)
//
// The entry is the deepest position that contains every source: descents start there
// instead of at the root (for one /8 source that skips 8 levels, for an IPv6 /32, 32).

import { blockPtr, ensureBumpBlocks, ensureNodeBlocks, takeBumpBlocks, bumpSpanForRun, isArenaBlock } from './arena';
import { newEmptyNode, childAt, freeNode } from './node';

export const SPACE_BLOCKS: u32 = 5;
const SPACE_TAG: u32 = 0x53504301; // low byte non-zero: a node's byte 0 is always zero
const TAG: usize = 0;
const ROOT: usize = 4;
const WIDTH: usize = 8;
const LIVE: usize = 12;
const SOURCES: usize = 16;
const NEXT_FREE: usize = 20;
const ENTRY_NODE: usize = 24;
const ENTRY_POS: usize = 28;
const ENTRY_BASE_LO: usize = 32;
const ENTRY_BASE_HI: usize = 40;
const RANDOM_STATE: usize = 48;
const GENERATION: usize = 56;
const HISTOGRAM: usize = 64;
const COUNTS_KEPT: usize = 580;
const SOURCE_TOTAL_LO: usize = 584;
const SOURCE_TOTAL_HI: usize = 592;

/** The generator state a new space starts from (as if seeded with 0). */
export const DEFAULT_RANDOM_STATE: u64 = 0;

let freeSpaceHead: u32 = 0;

@inline export function spacePtr(space: u32): usize {
  return blockPtr(space);
}

export function isLiveSpace(space: u32): bool {
  return isArenaBlock(space) && isArenaBlock(space + SPACE_BLOCKS - 1) && load<u32>(blockPtr(space) + TAG) == SPACE_TAG;
}

@inline export function rootOf(s: usize): u32 { return load<u32>(s + ROOT); }
@inline export function widthOf(s: usize): u32 { return load<u32>(s + WIDTH); }
@inline export function liveCount(s: usize): u32 { return load<u32>(s + LIVE); }
@inline export function sourceCount(s: usize): u32 { return load<u32>(s + SOURCES); }
@inline export function addLive(s: usize, delta: i32): void { store<u32>(s + LIVE, load<u32>(s + LIVE) + delta); }

@inline export function entryNode(s: usize): u32 { return load<u32>(s + ENTRY_NODE); }
@inline export function entryPos(s: usize): u32 { return load<u32>(s + ENTRY_POS); }
@inline export function entryBaseLo(s: usize): u64 { return load<u64>(s + ENTRY_BASE_LO); }
@inline export function entryBaseHi(s: usize): u64 { return load<u64>(s + ENTRY_BASE_HI); }

export function setEntry(s: usize, node: u32, q: u32, baseHi: u64, baseLo: u64): void {
  store<u32>(s + ENTRY_NODE, node);
  store<u32>(s + ENTRY_POS, q);
  store<u64>(s + ENTRY_BASE_LO, baseLo);
  store<u64>(s + ENTRY_BASE_HI, baseHi);
}

@inline export function generationOf(s: usize): u32 { return load<u32>(s + GENERATION); }

@inline export function randomStateOf(s: usize): u64 { return load<u64>(s + RANDOM_STATE); }
@inline export function setRandomStateOf(s: usize, state: u64): void { store<u64>(s + RANDOM_STATE, state); }

// counts.ts: none (0), kept and exact (1), or stale (2): kept, but the nodes marked stale were changed since
@inline export function countsKept(s: usize): bool { return load<u32>(s + COUNTS_KEPT) == 1; }
@inline export function countsStale(s: usize): bool { return load<u32>(s + COUNTS_KEPT) == 2; }
@inline export function setCountsKept(s: usize, kept: bool): void { store<u32>(s + COUNTS_KEPT, kept ? 1 : 0); }
@inline export function setCountsStale(s: usize): void { store<u32>(s + COUNTS_KEPT, 2); }

/** Counts a new source of 2^order addresses (sign 1) or one removed (sign -1), and its size in the total. */
export function countSource(s: usize, order: u32, sign: i32): void {
  store<u32>(s + SOURCES, load<u32>(s + SOURCES) + sign);
  if (order >= 128) return; // 2^128 is 0 modulo 2^128: ::/0 is the only source (sourceTotalOrder)
  let lo = load<u64>(s + SOURCE_TOTAL_LO), hi = load<u64>(s + SOURCE_TOTAL_HI);
  let addHi: u64 = order >= 64 ? <u64>1 << <u64>(order - 64) : 0;
  let addLo: u64 = order >= 64 ? 0 : <u64>1 << <u64>order;
  if (sign > 0) {
    let sumLo = lo + addLo;
    hi += addHi + (sumLo < lo ? 1 : 0);
    lo = sumLo;
  } else {
    hi -= addHi + (lo < addLo ? 1 : 0);
    lo -= addLo;
  }
  store<u64>(s + SOURCE_TOTAL_LO, lo);
  store<u64>(s + SOURCE_TOTAL_HI, hi);
}

/**
 * The order of the smallest power of two at least the sources' total: no count of free
 * addresses exceeds 2^this. A total of 0 modulo 2^128 with sources is the whole IPv6 space.
 */
export function sourceTotalOrder(s: usize): u32 {
  let lo = load<u64>(s + SOURCE_TOTAL_LO), hi = load<u64>(s + SOURCE_TOTAL_HI);
  if (hi == 0) return lo == 0 ? (sourceCount(s) > 0 ? 128 : 0) : 64 - <u32>clz(lo - 1);
  return lo == 0 ? 128 - <u32>clz(hi - 1) : 128 - <u32>clz(hi);
}

@inline export function freeBlocksOfOrder(s: usize, order: u32): u32 {
  return load<u32>(s + HISTOGRAM + (<usize>order << 2));
}

/** Whether the space has a maximal free block of an order below `order` (four orders a load). */
export function hasFreeBlockBelow(s: usize, order: u32): bool {
  let at = s + HISTOGRAM;
  let o: u32 = 0;
  for (; o + 4 <= order; o += 4) if (v128.any_true(v128.load(at + (<usize>o << 2)))) return true;
  for (; o < order; o++) if (load<u32>(at + (<usize>o << 2)) != 0) return true;
  return false;
}

@inline export function countFreeBlock(s: usize, order: u32, delta: i32): void {
  let at = s + HISTOGRAM + (<usize>order << 2);
  store<u32>(at, load<u32>(at) + delta);
}

/** Returns a new space id (> 0) or 0 when memory is exhausted. */
export function createSpace(width: u32): u32 {
  let space = freeSpaceHead;
  if (space != 0) {
    if (!ensureNodeBlocks(1)) return 0;
    freeSpaceHead = load<u32>(blockPtr(space) + NEXT_FREE);
  } else {
    if (!ensureBumpBlocks(bumpSpanForRun(SPACE_BLOCKS) + 2)) return 0; // and the root node, maybe past a side table
    space = takeBumpBlocks(SPACE_BLOCKS);
  }
  let s = blockPtr(space);
  let generation = generationOf(s) + 1; // a fresh record's memory is zero
  memory.fill(s, 0, <usize>SPACE_BLOCKS << 7);
  store<u32>(s + TAG, SPACE_TAG);
  store<u32>(s + GENERATION, generation);
  store<u32>(s + WIDTH, width);
  setRandomStateOf(s, DEFAULT_RANDOM_STATE);
  let root = newEmptyNode(0, 0, 0, width);
  store<u32>(s + ROOT, root);
  setEntry(s, root, 1, 0, 0);
  return space;
}

function freeSubtree(node: u32): void {
  let p = blockPtr(node);
  for (let slot: u32 = 0; slot < 16; slot++) {
    let child = childAt(p, slot);
    if (child != 0) freeSubtree(child);
  }
  freeNode(node);
}

export function destroySpace(space: u32): void {
  let s = blockPtr(space);
  freeSubtree(rootOf(s));
  store<u32>(s + TAG, 0);
  store<u32>(s + NEXT_FREE, freeSpaceHead);
  freeSpaceHead = space;
}
