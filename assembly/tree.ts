// The allocation operations on one space. Every operation walks one root-to-block path
// (at most width/4 nodes) down, and at most that path back up, so its cost is O(depth)
// whatever the number of live allocations.

import { blockPtr, ensureNodeBlocks } from './arena';
import { nibbleAt, isAlignedBlock, lowMask } from './bits';
import {
  ALLOC_MASK, SOURCE_MASK, INSIDE_MASK, BUSY_MASK, PARENT, SLOT_IN_PARENT, DEPTH, TOP_ORDER, FIRST_SLOT, ALL_POSITIONS,
  levelOf, summaryAt, setSummary, maskBit, setMaskBit, childAt, setChild, subtreeMask,
  firstSlotBelow, slotCountBelow, newEmptyNode, newFreeNode, invalidateOrderSets, ORDER_SET_CURRENT, ensureTreeBlocks, freeNode,
} from './node';
import {
  rootOf, widthOf, countFreeBlock, freeBlocksOfOrder, addLive, countSource, entryNode, entryPos, entryBaseHi, entryBaseLo, setEntry,
  randomStateOf, setRandomStateOf, countsKept,
} from './space';
import {
  pow2, childCounts, freeBelowSlot, setChildFree, entryOrder, countUnitOrder, buildCounts, noteCountChange, staleCounts, countsCanBeExact, keepsExactCounts, recountPath,
} from './counts';
import { maximalPositions, lowestChildHolding, wholeFreePositions } from './order-sets';
import { beginDraws, drawnState, nextRandom, pickRandomBit, randomBelow } from './random';
import * as S from './status';

// Allocation strategies; the numbers cross into wasm (src/engine/layout.ts STRATEGIES).
export const FIRST_FIT: u32 = 0; // lowest aligned free block
export const LAST_FIT: u32 = 1;  // highest aligned free block
export const BEST_FIT: u32 = 2;  // lowest sub-block of the smallest maximal free block that fits (lowest on ties)
export const SPARSE: u32 = 3;    // lowest sub-block of the largest maximal free block (lowest on ties)
export const RANDOM: u32 = 4;    // a random fitting block from the space's generator
export const STRATEGY_COUNT: u32 = 5;

/** How many blocks random's uniform draws (drawFreeBlock) try before the walked draw. */
const RANDOM_TRIES: u32 = 32;
// Which of random's draws answered its last call (findFit), for tests and the README's shares
export const DRAW_COUNTED: u32 = 0;
export const DRAW_LISTED: u32 = 1;
export const DRAW_COUNTED_AGAIN: u32 = 2;
export const DRAW_UNIFORM: u32 = 3;
export const DRAW_WALKED: u32 = 4;
export const DRAW_DESCENT: u32 = 5;
export let randomDrawServed: u32 = DRAW_COUNTED;
/** Random lists the fitting blocks and draws among them exactly when at most this many hold one. */
const LISTED_BLOCKS: u32 = 64;

// ---- where a path walk stopped (module state instead of a returned struct: no allocation) ----
const STOP_WHOLE_FREE: i32 = 0; // a whole-free position at or above the target
const STOP_ALLOCATED: i32 = 1;  // an allocation at or above the target
const STOP_NOT_FREE: i32 = 2;   // reached the target; it is neither whole free nor allocated
const STOP_MISSING: i32 = 3;    // the path leaves the materialised tree outside every source

let stopNode: u32 = 0;
let stopPos: u32 = 0;
let stopDepth: u32 = 0;
let passedSource: bool = false;

/** Result address of allocate/preview. */
export let resultHi: u64 = 0;
export let resultLo: u64 = 0;
/** The node that holds the last block taken (its allocation mark): it stays while the block does. */
export let takenNode: u32 = 0;

export function checkBlock(s: usize, hi: u64, lo: u64, prefix: i32): i32 {
  let width = widthOf(s);
  if (prefix < 0 || <u32>prefix > width) return S.E_BAD_PREFIX;
  if (!isAlignedBlock(hi, lo, width, <u32>prefix)) return S.E_HOST_BITS;
  return S.OK;
}

/** Walks from the root toward the block (hi, lo)/prefix and reports where it stopped. */
function locate(s: usize, hi: u64, lo: u64, prefix: u32): i32 {
  let width = widthOf(s);
  let node = rootOf(s);
  let depth: u32 = 0;
  let firstLevel: u32 = 0;
  passedSource = false;
  // Start at the entry when the block lies inside it: no source root sits above the entry.
  let entry = entryNode(s);
  let entryDepth = <u32>load<u8>(blockPtr(entry) + DEPTH);
  let entryLevel = levelOf(entryPos(s));
  if (prefix >= (entryDepth << 2) + entryLevel && sameBlock(hi, lo, entryBaseHi(s), entryBaseLo(s), width - (entryDepth << 2))) {
    node = entry;
    depth = entryDepth;
    firstLevel = entryLevel;
  }
  while (true) {
    let p = blockPtr(node);
    let top = width - (depth << 2);
    let nib = nibbleAt(hi, lo, top - 4);
    let rel = prefix - (depth << 2);
    let lastLevel = min(rel, 4);
    let alloc = load<u32>(p + ALLOC_MASK);
    let source = load<u32>(p + SOURCE_MASK);
    stopNode = node;
    stopDepth = depth;
    for (let level = firstLevel; level <= lastLevel; level++) {
      let q = (FIRST_SLOT | nib) >> (4 - level);
      stopPos = q;
      if ((source >> q) & 1) passedSource = true;
      if ((alloc >> q) & 1) return STOP_ALLOCATED;
      if (summaryAt(p, q) == top - level + 1) return STOP_WHOLE_FREE;
    }
    if (rel <= 4) return STOP_NOT_FREE;
    let child = childAt(p, nib);
    if (child == 0) {
      stopPos = FIRST_SLOT | nib;
      return STOP_MISSING;
    }
    node = child;
    depth++;
    firstLevel = 1; // a child's position 1 repeats its parent's slot, already looked at
  }
}

/** True when (hi, lo) and (baseHi, baseLo) agree above bit `order` (the node's block). */
@inline function sameBlock(hi: u64, lo: u64, baseHi: u64, baseLo: u64, order: u32): bool {
  if (order >= 64) return order >= 128 || (hi >> <u64>(order - 64)) == (baseHi >> <u64>(order - 64));
  return hi == baseHi && (order == 0 ? lo == baseLo : (lo >> <u64>order) == (baseLo >> <u64>order));
}

@inline function stopPrefix(): u32 {
  return (stopDepth << 2) + levelOf(stopPos);
}

/**
 * Recomputes summaries and busy bits from position q of `node` up to the root, merging
 * buddies inside sources and returning wholly free nodes. Stops as soon as nothing changes.
 */
function walkUp(s: usize, node: u32, q: u32): void {
  let p = blockPtr(node);
  if (load<u8>(p + ORDER_SET_CURRENT) != 0) invalidateOrderSets(node); // one byte test when stale already
  let top = <u32>load<u8>(p + TOP_ORDER);
  while (true) {
    let inside = load<u32>(p + INSIDE_MASK);
    while (q > 1) {
      let up = q >> 1;
      let halfValue = top - levelOf(up); // summary of a whole-free half = order(up)
      let left = summaryAt(p, up << 1);
      let right = summaryAt(p, (up << 1) | 1);
      if ((inside >> up) & 1) {
        // inside a source the summary says everything, busy included
        let merged = left == halfValue && right == halfValue;
        let value = merged ? halfValue + 1 : max(left, right);
        if (value == summaryAt(p, up)) return;
        if (merged) {
          countFreeBlock(s, halfValue - 1, -2);
          countFreeBlock(s, halfValue, 1);
        }
        setSummary(p, up, value);
      } else {
        // above the sources: no merging; keep the busy bit for overlap queries
        let value = max(left, right);
        let upBusy: u32 = isBusy(p, up << 1) || isBusy(p, (up << 1) | 1) ? 1 : 0;
        if (value == summaryAt(p, up) && upBusy == maskBit(p, BUSY_MASK, up)) return;
        setSummary(p, up, value);
        setMaskBit(p, BUSY_MASK, up, upBusy);
      }
      q = up;
    }
    let parent = load<u32>(p + PARENT);
    if (parent == 0) return;
    let slot = <u32>load<u8>(p + SLOT_IN_PARENT);
    let value = summaryAt(p, 1);
    let nodeBusy: u32 = isBusy(p, 1) ? 1 : 0;
    let pp = blockPtr(parent);
    if (value == top + 1) {
      freeNode(node); // wholly free again: the parent's slot says it all
      setChild(pp, slot, 0);
    }
    node = parent;
    p = pp;
    top += 4;
    q = FIRST_SLOT + slot;
    let slotInside = (load<u32>(p + INSIDE_MASK) >> q) & 1;
    if (summaryAt(p, q) == value && (slotInside != 0 || maskBit(p, BUSY_MASK, q) == nodeBusy)) return;
    setSummary(p, q, value);
    if (!slotInside) setMaskBit(p, BUSY_MASK, q, nodeBusy);
  }
}

/**
 * Writes the summaries of every position below q inside its node: whole free (each position
 * its own order + 1) or nothing free (0). Keeping positions under allocated and whole-free
 * blocks exact is what lets findFit scan sixteen positions at once.
 */
function fillBelow(p: usize, q: u32, top: u32, wholeFree: bool): void {
  let level = levelOf(q);
  for (let depth: u32 = 1; level + depth <= 4; depth++) {
    // 2, 4, 8 or 16 equal bytes: one store each (memory.fill calls out of wasm in V8)
    let bytes = v128.splat<u8>(wholeFree ? <u8>(top - (level + depth) + 1) : 0);
    let at = p + (<usize>q << depth);
    let width = <u32>1 << depth;
    if (width == 16) v128.store(at, bytes);
    else if (width == 8) store<u64>(at, i64x2.extract_lane(bytes, 0));
    else if (width == 4) store<u32>(at, i32x4.extract_lane(bytes, 0));
    else store<u16>(at, <u16>i32x4.extract_lane(bytes, 0));
  }
}

/**
 * Whether some allocation overlaps position q. Inside a source that is exactly "not whole
 * free", so busy bits are kept only for positions outside every source (above source roots).
 */
@inline export function isBusy(p: usize, q: u32): bool {
  if ((load<u32>(p + INSIDE_MASK) >> q) & 1) {
    let top = <u32>load<u8>(p + TOP_ORDER);
    return summaryAt(p, q) != top - levelOf(q) + 1;
  }
  return ((load<u32>(p + BUSY_MASK) >> q) & 1) != 0;
}

/** Splits the whole-free position (node, q) down to the block (hi, lo)/prefix and takes it. */
function splitAndTake(s: usize, node: u32, q: u32, depth: u32, hi: u64, lo: u64, prefix: u32): void {
  let width = widthOf(s);
  let p = blockPtr(node);
  let top = width - (depth << 2);
  let order = top - levelOf(q);
  let target = width - prefix;
  let counted = countsKept(s);
  countFreeBlock(s, order, -1);
  while (order > target) {
    if (q >= FIRST_SLOT) {
      let child = newFreeNode(node, q - FIRST_SLOT, depth + 1, top - 4);
      setChild(p, q - FIRST_SLOT, child);
      if (counted) setChildFree(node, q - FIRST_SLOT, pow2(top - 4));
      node = child;
      p = blockPtr(child);
      depth++;
      top -= 4;
      q = 1;
      continue;
    }
    let nib = nibbleAt(hi, lo, top - 4);
    let next = (FIRST_SLOT | nib) >> (3 - levelOf(q));
    setSummary(p, next, order); // both halves whole free (order - 1) + 1
    setSummary(p, next ^ 1, order);
    countFreeBlock(s, order - 1, 1); // the half we do not descend into stays free
    q = next;
    order--;
  }
  setMaskBit(p, ALLOC_MASK, q, 1);
  setSummary(p, q, 0);
  if (q < FIRST_SLOT) fillBelow(p, q, top, false);
  addLive(s, 1);
  noteCountChange(s, node, target, -1);
  takenNode = node;
  walkUp(s, node, q);
}

export function reserve(s: usize, hi: u64, lo: u64, prefix: u32): i32 {
  let stop = locate(s, hi, lo, prefix);
  if (stop == STOP_ALLOCATED) return S.E_OVERLAPS_ALLOCATION;
  if (stop != STOP_WHOLE_FREE) return passedSource ? S.E_OVERLAPS_ALLOCATION : S.E_NOT_IN_SOURCE;
  if (!ensureBlocksToTake(s)) return S.E_OUT_OF_MEMORY;
  splitAndTake(s, stopNode, stopPos, stopDepth, hi, lo, prefix);
  return S.OK;
}

// PATH_MASKS[nib * 5 + level]: the positions of a node on the path to slot `nib`, levels 0..level.
const PATH_MASKS = memory.data(16 * 5 * 4);
for (let nib: u32 = 0; nib < 16; nib++) {
  let mask: u32 = 0;
  for (let level: u32 = 0; level <= 4; level++) {
    mask |= <u32>1 << ((FIRST_SLOT | nib) >> (4 - level));
    store<u32>(PATH_MASKS + ((nib * 5 + level) << 2), mask);
  }
}

/**
 * Finds the allocation that is exactly the block (hi, lo)/prefix: one mask test per node,
 * since only allocation marks on the path matter. Sets stopNode/stopPos; false when the
 * block is not an allocation.
 */
function findAllocation(s: usize, hi: u64, lo: u64, prefix: u32): bool {
  let width = widthOf(s);
  let node = entryNode(s);
  let depth = <u32>load<u8>(blockPtr(node) + DEPTH);
  if (!sameBlock(hi, lo, entryBaseHi(s), entryBaseLo(s), width - (depth << 2))) {
    node = rootOf(s);
    depth = 0;
  }
  while (true) {
    let p = blockPtr(node);
    let nib = nibbleAt(hi, lo, width - (depth << 2) - 4);
    let rel = prefix - (depth << 2);
    let hits = load<u32>(p + ALLOC_MASK) & load<u32>(PATH_MASKS + ((nib * 5 + min(rel, 4)) << 2));
    if (hits != 0) {
      stopNode = node;
      stopPos = ctz(hits);
      return rel <= 4 && stopPos == (FIRST_SLOT | nib) >> (4 - rel);
    }
    // not reached: at the target's level the summary has either refused or accepted the draw
    if (rel <= 4) return false;
    node = childAt(p, nib);
    if (node == 0) return false;
    depth++;
  }
}

export function release(s: usize, hi: u64, lo: u64, prefix: u32): i32 {
  if (!findAllocation(s, hi, lo, prefix)) return S.E_NOT_ALLOCATED;
  return releaseFound(s, prefix);
}

/**
 * release when the caller knows the node holding the allocation (takenNode when it was taken):
 * no walk down to it, one mask test that it is there (else release's own search).
 */
export function releaseIn(s: usize, node: u32, hi: u64, lo: u64, prefix: u32): i32 {
  let p = blockPtr(node);
  let depth = <u32>load<u8>(p + DEPTH);
  let rel = prefix - (depth << 2);
  if (rel <= 4) {
    let q = (FIRST_SLOT | nibbleAt(hi, lo, widthOf(s) - (depth << 2) - 4)) >> (4 - rel);
    if (maskBit(p, ALLOC_MASK, q) != 0) {
      stopNode = node;
      stopPos = q;
      return releaseFound(s, prefix);
    }
  }
  return release(s, hi, lo, prefix);
}

/** Frees the allocation found at stopNode/stopPos. */
function releaseFound(s: usize, prefix: u32): i32 {
  let p = blockPtr(stopNode);
  let order = widthOf(s) - prefix;
  setMaskBit(p, ALLOC_MASK, stopPos, 0);
  setSummary(p, stopPos, order + 1);
  if (stopPos < FIRST_SLOT) fillBelow(p, stopPos, <u32>load<u8>(p + TOP_ORDER), true);
  countFreeBlock(s, order, 1);
  addLive(s, -1);
  noteCountChange(s, stopNode, order, 1);
  walkUp(s, stopNode, stopPos);
  return S.OK;
}

/**
 * Starts a descent at the space's entry: resultHi/resultLo hold the entry node's base address;
 * returns the entry node (its block holds its depth and top order).
 */
@inline function startAtEntry(s: usize): u32 {
  resultHi = entryBaseHi(s);
  resultLo = entryBaseLo(s);
  return entryNode(s);
}

/** ORs the address bits of a slot (the nibble below a node at `top`) into resultHi/resultLo. */
@inline function addSlotBits(slot: u32, top: u32): void {
  let shift = top - 4;
  if (shift >= 64) resultHi |= <u64>slot << <u64>(shift - 64);
  else resultLo |= <u64>slot << <u64>shift;
}

/** ORs the address bits of position q (below its node's own prefix) into resultHi/resultLo. */
@inline function addPositionBits(q: u32, top: u32): void {
  let level = levelOf(q);
  let bits = <u64>(q - (<u32>1 << level));
  let shift = top - level;
  if (shift >= 64) resultHi |= bits << <u64>(shift - 64);
  else resultLo |= bits << <u64>shift;
}

/** Address bits target..order-1 of the high word (bits 64..127). */
@inline function bitsBetweenHi(target: u32, order: u32): u64 {
  return (order > 64 ? lowMask(order - 64) : 0) & ~(target > 64 ? lowMask(target - 64) : 0);
}

/** Address bits target..order-1 of the low word (bits 0..63). */
@inline function bitsBetweenLo(target: u32, order: u32): u64 {
  return lowMask(min(order, 64)) & ~lowMask(min(target, 64));
}

/** Positions of node p whose summary is at least `need`, as a 32-bit mask (bit q = position q). */
@inline function fittingPositions(p: usize, need: u32): u32 {
  let threshold = i8x16.splat(<i8>need);
  let upper = i8x16.bitmask(i8x16.ge_u(v128.load(p + 16), threshold));
  let lower = i8x16.bitmask(i8x16.ge_u(v128.load(p), threshold));
  return (upper << 16) | lower;
}

/** Positions at level `to` below position q (level `from`) of one node, as a mask. */
@inline function positionsBelow(q: u32, from: u32, to: u32): u32 {
  let span = to - from;
  return (span == 4 ? <u32>0xffff : (<u32>1 << (<u32>1 << span)) - 1) << (q << span);
}

/**
 * Finds the block `allocate` would take, without taking it: sets resultHi/resultLo and the
 * maximal whole-free position that holds it (stopNode/stopPos/stopDepth). E_NO_FIT when no
 * block of that size is free; E_OUT_OF_MEMORY when random's counts cannot get memory. The
 * random strategy draws from the generator copy in random.ts.
 */
function findFit(s: usize, prefix: u32, strategy: u32): i32 {
  let width = widthOf(s);
  let largest = summaryAt(blockPtr(entryNode(s)), entryPos(s)); // largest free order + 1
  if (largest < width - prefix + 1) return S.E_NO_FIT;
  // each descend call gets a constant strategy, so every copy is inlined without the others' branches
  if (strategy == FIRST_FIT) {
    descend(s, prefix, FIRST_FIT);
  } else if (strategy == LAST_FIT) {
    descend(s, prefix, LAST_FIT);
  } else if (strategy == SPARSE) {
    // the lowest free block of the largest order is a maximal block; its lowest sub-block
    // starts at its own address, which is where splitAndTake will cut the target from
    descend(s, width - (largest - 1), FIRST_FIT);
  } else if (strategy == BEST_FIT) {
    descendToSmallestFit(s, prefix);
  } else {
    beginDraws(randomStateOf(s));
    // The counts are built on the first draw that can use them. Without memory for them the
    // call is refused rather than answered by another draw: that one would take another block
    // than the counted draw takes once memory is back, and a preview must answer what the next
    // allocate takes whatever the rest of the engine does.
    if (countsCanBeExact(s) && !countsKept(s) && !buildCounts(s, blocksToTakeWithCounts(s))) return S.E_OUT_OF_MEMORY;
    // the cheapest exact draw first: counted where at least 1/COUNTED_SHARE of the free
    // addresses fit, listed where few blocks fit, counted again whatever the share, the
    // uniform draws, and the walk through every fitting block; the biased descent only for an
    // IPv6 space whose counts cannot be exact and that has too many fitting blocks to walk
    if (drawCountedBlock(s, prefix, COUNTED_SHARE)) {
      randomDrawServed = DRAW_COUNTED;
    } else if (fewFittingBlocks(s, prefix) && listFittingBlocks(s, prefix, WALK_LIST, LISTED_BLOCKS)) {
      drawListedBlock(s, prefix);
      randomDrawServed = DRAW_LISTED;
    } else if (drawCountedBlock(s, prefix, Infinity)) {
      randomDrawServed = DRAW_COUNTED_AGAIN;
    } else if (drawFreeBlock(s, prefix)) {
      randomDrawServed = DRAW_UNIFORM;
    } else if (drawWalkedBlock(s, prefix)) {
      randomDrawServed = DRAW_WALKED;
    } else {
      descend(s, prefix, RANDOM);
      randomDrawServed = DRAW_DESCENT;
    }
  }
  return S.OK;
}

/**
 * The descent of first-fit, last-fit and random's fallback, once the entry is known to hold a
 * fitting block. Each node is decided with one SIMD comparison of its 31 summaries: the
 * lowest (first-fit), highest (last-fit) or a uniformly drawn (random) fitting position at the
 * target level, or else the fitting slot to descend through. Summaries below allocated and
 * whole-free positions are kept exact, so a fitting position at a level is exactly a free
 * block there. Within the maximal free block reached, first-fit takes the lowest target-sized
 * sub-block, last-fit the highest, random a uniformly drawn one.
 */
@inline function descend(s: usize, prefix: u32, strategy: u32): void {
  let width = widthOf(s);
  let need = width - prefix + 1;
  let node = startAtEntry(s);
  let p = blockPtr(node);
  let q = entryPos(s);
  let depth = <u32>load<u8>(p + DEPTH);
  let top = <u32>load<u8>(p + TOP_ORDER);
  let target = width - prefix;
  while (summaryAt(p, q) != top - levelOf(q) + 1) {
    // q is not whole free but holds a fitting block: look one level of nodes at a time
    let from = levelOf(q);
    let to = min(prefix - (depth << 2), 4);
    let fits = fittingPositions(p, need) & positionsBelow(q, from, to);
    q = strategy == FIRST_FIT ? ctz(fits) : strategy == LAST_FIT ? 31 - clz(fits) : pickRandomBit(fits);
    if (to < 4 || summaryAt(p, q) == top - 3) break; // at the target level, or a whole-free slot
    let slot = q - FIRST_SLOT;
    addSlotBits(slot, top);
    node = childAt(p, slot);
    p = blockPtr(node);
    depth++;
    top -= 4;
    q = 1;
  }
  addPositionBits(q, top);
  // the free block may reach above q: climb to the maximal whole-free position
  let order = top - levelOf(q);
  while (q > 1 && summaryAt(p, q >> 1) == order + 2) {
    q >>= 1;
    order++;
  }
  if (strategy == LAST_FIT) {
    resultHi |= bitsBetweenHi(target, order);
    resultLo |= bitsBetweenLo(target, order);
  } else if (strategy == RANDOM) {
    // a uniform target-sized sub-block of the maximal block: replace the bits below its order
    resultHi = (resultHi & ~bitsBetweenHi(0, order)) | (nextRandom() & bitsBetweenHi(target, order));
    resultLo = (resultLo & ~bitsBetweenLo(0, order)) | (nextRandom() & bitsBetweenLo(target, order));
  }
  stopNode = node;
  stopPos = q;
  stopDepth = depth;
}

/**
 * locate's answer to "is the block (hi, lo)/prefix, inside the entry, wholly free within a
 * source?", for random's draws, which are mostly refused: a position on the way down whose
 * summary rules out a free block of the target order refuses the draw there (no whole-free
 * position can lie below it), instead of descending to the allocation or gap that refuses it.
 */
function isFreeBlock(s: usize, hi: u64, lo: u64, prefix: u32): bool {
  let width = widthOf(s);
  let target = width - prefix;
  let node = entryNode(s);
  let depth = <u32>load<u8>(blockPtr(node) + DEPTH);
  let firstLevel = levelOf(entryPos(s));
  while (true) {
    let p = blockPtr(node);
    let top = width - (depth << 2);
    let nib = nibbleAt(hi, lo, top - 4);
    let rel = prefix - (depth << 2);
    let lastLevel = min(rel, 4);
    for (let level = firstLevel; level <= lastLevel; level++) {
      let summary = summaryAt(p, (FIRST_SLOT | nib) >> (4 - level));
      if (summary <= target) return false; // nothing of the target order is free below
      if (summary == top - level + 1) return true; // whole free
    }
    // not reached: at the target's level the summary has either refused or accepted the draw
    if (rel <= 4) return false;
    node = childAt(p, nib);
    if (node == 0) return false;
    depth++;
    firstLevel = 1;
  }
}

// Random's uniform draws aim at the sources that hold a free block of the asked size, each drawn
// with a weight of its size: up to DRAWN_SOURCES of them, listed by a walk through the nodes above
// them (none lies inside a source) where the summaries admit one, so sources with no fitting
// block cost nothing; 24 bytes each: u64 base hi, u64 base lo, u32 order. A space with more, or
// with sizes too far apart to weigh in 64 bits, draws from its entry block instead.
const DRAWN_SOURCES: u32 = 64;
const DRAWN = memory.data(<i32>DRAWN_SOURCES * 24);
let drawnCount: u32 = 0;

/** Lists the sources at and below node (base address baseHi/baseLo) with a free block of order >= target; false past DRAWN_SOURCES. */
function listSourcesBelow(node: u32, baseHi: u64, baseLo: u64, target: u32): bool {
  let p = blockPtr(node);
  let top = <u32>load<u8>(p + TOP_ORDER);
  for (let marks = load<u32>(p + SOURCE_MASK); marks != 0; marks &= marks - 1) {
    let q = ctz(marks);
    let order = top - levelOf(q);
    if (summaryAt(p, q) <= target) continue; // too small, or no fitting block free: never drawn
    if (drawnCount == DRAWN_SOURCES) return false;
    resultHi = baseHi;
    resultLo = baseLo;
    addPositionBits(q, top);
    listDrawn(resultHi, resultLo, order);
  }
  let inside = load<u32>(p + INSIDE_MASK);
  for (let slot: u32 = 0; slot < 16; slot++) {
    let child = childAt(p, slot);
    // below a slot inside a source, nodes hold that source's allocations; below one whose summary
    // rules out a fitting block, only sources that would never be drawn
    if (child == 0 || ((inside >> (FIRST_SLOT + slot)) & 1) != 0 || summaryAt(p, FIRST_SLOT + slot) <= target) continue;
    resultHi = baseHi;
    resultLo = baseLo;
    addSlotBits(slot, top);
    if (!listSourcesBelow(child, resultHi, resultLo, target)) return false;
  }
  return true;
}

@inline function listDrawn(hi: u64, lo: u64, order: u32): void {
  let at = DRAWN + <usize>drawnCount * 24;
  store<u64>(at, hi);
  store<u64>(at, lo, 8);
  store<u32>(at, order, 16);
  drawnCount++;
}

/**
 * Random's draws, when the fitting blocks are too many to list: a source drawn with a weight of
 * its size, a uniform target-sized aligned block in it, the first one that is wholly free
 * taken, at most RANDOM_TRIES of them. Every target-sized block of the sources is drawn with the
 * same probability, so conditional on success the result is exactly uniform over the fitting
 * blocks. (Drawn from the entry block, the smallest block holding every source, the tries of a
 * pool whose CIDRs lie far apart all missed: 2^-34 of the /4 spanning three /40s is theirs.)
 */
function drawFreeBlock(s: usize, prefix: u32): bool {
  let target = widthOf(s) - prefix;
  drawnCount = 0;
  let listed = listSourcesBelow(entryNode(s), entryBaseHi(s), entryBaseLo(s), target);
  let least: u32 = 128, most: u32 = 0;
  for (let i: u32 = 0; i < drawnCount; i++) {
    let order = load<u32>(DRAWN + <usize>i * 24, 16);
    least = min(least, order);
    most = max(most, order);
  }
  if (!listed || drawnCount == 0 || most - least > 56) {
    // the entry block as the one source (56: 64 weights of 2^56 at most sum below 2^63)
    let top = <u32>load<u8>(blockPtr(startAtEntry(s)) + TOP_ORDER);
    addPositionBits(entryPos(s), top);
    least = top - levelOf(entryPos(s));
    drawnCount = 0;
    listDrawn(resultHi, resultLo, least);
  }
  let total: u64 = 0;
  for (let i: u32 = 0; i < drawnCount; i++) total += <u64>1 << <u64>(load<u32>(DRAWN + <usize>i * 24, 16) - least);
  for (let attempt: u32 = 0; attempt < RANDOM_TRIES; attempt++) {
    // one source draws nothing for its choice
    let at = DRAWN;
    if (drawnCount > 1) {
      let r = randomBelow(total);
      while (true) {
        let weight = <u64>1 << <u64>(load<u32>(at, 16) - least);
        if (r < weight) break;
        r -= weight;
        at += 24;
      }
    }
    let order = load<u32>(at, 16);
    let hi = load<u64>(at) | (nextRandom() & bitsBetweenHi(target, order));
    let lo = load<u64>(at, 8) | (nextRandom() & bitsBetweenLo(target, order));
    if (isFreeBlock(s, hi, lo, prefix)) {
      locate(s, hi, lo, prefix); // where the take starts (stopNode, stopPos, stopDepth)
      resultHi = hi;
      resultLo = lo;
      return true;
    }
  }
  return false;
}

// ---- random's counted draw (free-address counts, counts.ts) ----

/**
 * The counted draw comes first when at least 1/COUNTED_SHARE of the free addresses fit (it
 * then needs at most that many tries on average), else after the listed draw.
 */
const COUNTED_SHARE: f64 = 8;
/** Its tries before it leaves the call to the uniform draws. */
const COUNTED_TRIES: u32 = 4096;
/** Free addresses of each slot of the entry node that a fitting block can touch, else 0. */
const ENTRY_SLOT_FREE = memory.data(16 * 8);

/**
 * Random's counted draw, exact: a uniformly drawn free address (its rank in address order,
 * found by one descent through the counts), and the aligned /prefix around it when the free
 * block holding it fits one; drawn again when not. Every fitting /prefix holds the same number
 * of free addresses, so the result is uniform over them. The rank is drawn only among the entry
 * node's slots that a fitting block can touch, which changes no fitting block's share. It
 * serves a call when the counts can be exact (no free block below 2^(total order - 52), counts.ts: always
 * for IPv4) and at least 1/share of the free addresses lie in blocks that fit (so about `share`
 * tries at most); false otherwise, or when COUNTED_TRIES all miss. Which draw serves a call
 * depends on the space's state only, so a preview still answers what the next allocate takes.
 * The caller built the counts.
 */
function drawCountedBlock(s: usize, prefix: u32, share: f64): bool {
  let target = widthOf(s) - prefix;
  if (!countsKept(s)) return false; // findFit built them wherever they can be exact
  let top = entryOrder(s);
  let unitOrder = countUnitOrder(s);
  let fitting: f64 = 0;
  for (let order = target; order <= top; order++) fitting += <f64>freeBlocksOfOrder(s, order) * pow2(order);
  let p = blockPtr(entryNode(s));
  let counts = childCounts(entryNode(s));
  let nodeTop = <u32>load<u8>(p + TOP_ORDER);
  let slotOrder = nodeTop - 4;
  let q = entryPos(s);
  let first = firstSlotBelow(q);
  let end = first + slotCountBelow(q);
  // the position of order `target` above each slot, when the target is larger than a slot
  let shift = min(target - min(target, slotOrder), 4);
  let free: f64 = 0, eligible: f64 = 0;
  for (let slot = first; slot < end; slot++) {
    let summary = summaryAt(p, FIRST_SLOT + slot);
    let touched = summary > target || (summary == slotOrder + 1 && summaryAt(p, (FIRST_SLOT + slot) >> shift) == target + 1);
    let slotFree = freeBelowSlot(p, counts, slot, slotOrder);
    free += slotFree;
    slotFree = select<f64>(slotFree, 0, touched);
    store<f64>(ENTRY_SLOT_FREE + (<usize>slot << 3), slotFree);
    eligible += slotFree;
  }
  if (free > fitting * share) return false;
  // a uniform rank among those free units (fewer than 2^53)
  let total = <u64>(eligible / pow2(unitOrder));
  if (total == 0) return false; // never: a fitting block touches some slot
  for (let attempt: u32 = 0; attempt < COUNTED_TRIES; attempt++) {
    let rank = <f64>randomBelow(total) * pow2(unitOrder);
    let slot = first;
    while (slot + 1 < end && rank >= load<f64>(ENTRY_SLOT_FREE + (<usize>slot << 3))) {
      rank -= load<f64>(ENTRY_SLOT_FREE + (<usize>slot << 3));
      slot++;
    }
    if (takesRankedAddress(s, slot, load<f64>(ENTRY_SLOT_FREE + (<usize>slot << 3)), rank, unitOrder, target)) return true;
  }
  return false;
}

/**
 * Descends from slot `slot` of the entry node (`slotFree` free addresses) to its free address
 * of rank `rank` (a multiple of 2^unitOrder) and, when the maximal free block holding it has
 * order >= target, sets what findFit sets for the target-sized block around it (a uniformly
 * drawn one of the unit's, when the unit is larger).
 */
function takesRankedAddress(s: usize, slot: u32, slotFree: f64, rank: f64, unitOrder: u32, target: u32): bool {
  let node = startAtEntry(s);
  let p = blockPtr(node);
  let depth = <u32>load<u8>(p + DEPTH);
  let top = <u32>load<u8>(p + TOP_ORDER);
  while (true) {
    addSlotBits(slot, top);
    let summary = summaryAt(p, FIRST_SLOT + slot);
    if (summary == top - 3) break; // whole free
    if (summary <= target) return false; // nothing free below fits
    node = childAt(p, slot);
    p = blockPtr(node);
    depth++;
    top -= 4;
    // the child's slot whose free addresses hold the rank, counted from the nearer end
    let counts = childCounts(node);
    if (rank * 2 < slotFree) {
      slot = 0;
      while (true) {
        slotFree = freeBelowSlot(p, counts, slot, top - 4);
        if (rank < slotFree) break;
        rank -= slotFree;
        if (++slot == 16) return false; // the rank is below the child's count: never reached
      }
    } else {
      let fromEnd = slotFree - rank; // one unit for the last free unit
      slot = 15;
      while (true) {
        slotFree = freeBelowSlot(p, counts, slot, top - 4);
        if (fromEnd <= slotFree) {
          rank = slotFree - fromEnd;
          break;
        }
        fromEnd -= slotFree;
        if (slot-- == 0) return false;
      }
    }
  }
  let q = FIRST_SLOT + slot;
  let order = top - 4;
  while (q > 1 && summaryAt(p, q >> 1) == order + 2) {
    q >>= 1;
    order++;
  }
  if (order < target) return false;
  addOffset(<u64>(rank / pow2(unitOrder)), unitOrder);
  if (target < unitOrder) {
    resultHi |= nextRandom() & bitsBetweenHi(target, unitOrder);
    resultLo |= nextRandom() & bitsBetweenLo(target, unitOrder);
  }
  resultHi &= ~bitsBetweenHi(0, target);
  resultLo &= ~bitsBetweenLo(0, target);
  stopNode = node;
  stopPos = q;
  stopDepth = depth;
  return true;
}

/** ORs `count` blocks of 2^order (below the bits already set) into resultHi/resultLo. */
@inline function addOffset(count: u64, order: u32): void {
  if (order >= 64) {
    resultHi |= count << <u64>(order - 64);
  } else {
    resultLo |= count << <u64>order;
    if (order != 0) resultHi |= count >> <u64>(64 - order);
  }
}

/**
 * Whether at most LISTED_BLOCKS maximal free blocks can hold a /prefix, from the histogram: then
 * listing them all costs a walk down to each, and the draw among them is exact (a nearly full
 * space, where most of random's uniform draws would miss).
 */
function fewFittingBlocks(s: usize, prefix: u32): bool {
  let width = widthOf(s);
  let count: u32 = 0;
  for (let order = width - prefix; order <= width; order++) {
    count += freeBlocksOfOrder(s, order);
    if (count > LISTED_BLOCKS) return false;
  }
  return true;
}

// Random's list of the maximal free blocks that hold a target-sized block: 32 bytes each,
// u64 address hi, u64 address lo, u32 node, u32 position, u32 depth, u32 order.
const LISTED = memory.data(<i32>LISTED_BLOCKS * 32);
let listedCount: u32 = 0;
/** Target-sized blocks in the listed ones; kept below 2^52 so a draw stays exact and cheap. */
let listedTotal: u64 = 0;
const LISTED_TOTAL_LIMIT: u64 = <u64>1 << 52;

// What a walk through the fitting blocks (listBelow) does with each: lists it, only counts it
// (in listedCount and listedTotal), or counts off walkRank target-sized blocks and lists the
// block holding the next one as the only entry (walkRank is then its offset there).
const WALK_LIST: u32 = 0;
const WALK_COUNT: u32 = 1;
const WALK_PICK: u32 = 2;
let walkMode: u32 = WALK_LIST;
let walkLimit: u32 = 0;
let walkRank: u64 = 0;
/**
 * The walk's limit, in maximal fitting blocks, for a space whose counts cannot be exact (an
 * IPv6 space with free blocks far smaller than its span, where the uniform draws missed): past
 * it the biased descent answers. A space whose counts can be exact is walked whole.
 */
const WALKED_BLOCKS: u32 = 1 << 16;

/**
 * Walks every maximal free block of the space that holds a /prefix, in address order, doing
 * what `mode` says with each; false when there are more than `limit` or they hold 2^52 or
 * more target-sized blocks (a space with that much room is one the uniform draws serve), and
 * in WALK_PICK mode when the block is found.
 */
function listFittingBlocks(s: usize, prefix: u32, mode: u32, limit: u32): bool {
  let node = entryNode(s);
  listedCount = 0;
  listedTotal = 0;
  walkMode = mode;
  walkLimit = limit;
  return listBelow(node, entryPos(s), <u32>load<u8>(blockPtr(node) + DEPTH), entryBaseHi(s), entryBaseLo(s), widthOf(s), widthOf(s) - prefix);
}

/** listFittingBlocks at and below position q0 of node, whose position 1 starts at (baseHi, baseLo). */
function listBelow(node: u32, q0: u32, depth: u32, baseHi: u64, baseLo: u64, width: u32, target: u32): bool {
  let p = blockPtr(node);
  let top = width - (depth << 2);
  let fits = fittingPositions(p, target + 1) & (q0 == 1 ? ALL_POSITIONS : subtreeMask(q0));
  let blocks = maximalPositions(p, top) & fits;
  while (blocks != 0) {
    let q = ctz(blocks);
    blocks &= blocks - 1;
    let order = top - levelOf(q);
    if (order - target >= 52) return false;
    let size = <u64>1 << <u64>(order - target);
    if (walkMode == WALK_PICK) {
      if (walkRank >= size) {
        walkRank -= size;
        continue;
      }
      listedCount = 0;
    } else {
      listedTotal += size;
      if (listedTotal >= LISTED_TOTAL_LIMIT || listedCount == walkLimit) return false;
      if (walkMode == WALK_COUNT) {
        listedCount++;
        continue;
      }
    }
    resultHi = baseHi;
    resultLo = baseLo;
    addPositionBits(q, top);
    let at = LISTED + (<usize>listedCount << 5);
    store<u64>(at, resultHi);
    store<u64>(at, resultLo, 8);
    store<u32>(at, node, 16);
    store<u32>(at, q, 20);
    store<u32>(at, depth, 24);
    store<u32>(at, order, 28);
    listedCount++;
    if (walkMode == WALK_PICK) return false; // found: the walk stops
  }
  // a slot that holds a fitting block without being free itself has a child holding it
  let slots = fits & ~wholeFreePositions(p, top) & 0xffff0000;
  while (slots != 0) {
    let slot = ctz(slots) - FIRST_SLOT;
    slots &= slots - 1;
    resultHi = baseHi;
    resultLo = baseLo;
    addSlotBits(slot, top);
    if (!listBelow(childAt(p, slot), 1, depth + 1, resultHi, resultLo, width, target)) return false;
  }
  return true;
}

/**
 * Takes one of the listedTotal target-sized blocks of the listed ones, each with the same
 * probability, and sets what findFit sets.
 */
function drawListedBlock(s: usize, prefix: u32): void {
  let target = widthOf(s) - prefix;
  let r = randomBelow(listedTotal);
  let at = LISTED;
  while (true) {
    let size = <u64>1 << <u64>(load<u32>(at, 28) - target);
    if (r < size) break;
    r -= size;
    at += 32;
  }
  takeListed(at, r, target);
}

/**
 * Random's last exact draw: a walk through every maximal free block that holds a /prefix to
 * count their target-sized blocks, a uniformly drawn one of those, and a second walk to it:
 * O(depth) per fitting block, for a space where the other draws missed (under about 1/4096 of
 * its free addresses fit, with more than LISTED_BLOCKS fitting blocks). False when the space
 * has more fitting blocks than the walk takes (WALKED_BLOCKS: only where counts cannot be exact).
 */
function drawWalkedBlock(s: usize, prefix: u32): bool {
  let limit = countsKept(s) ? u32.MAX_VALUE : WALKED_BLOCKS;
  if (!listFittingBlocks(s, prefix, WALK_COUNT, limit)) return false;
  walkRank = randomBelow(listedTotal);
  listFittingBlocks(s, prefix, WALK_PICK, limit);
  takeListed(LISTED, walkRank, widthOf(s) - prefix);
  return true;
}

/** Sets what findFit sets for the r-th target-sized block of the listed block at `at`. */
function takeListed(at: usize, r: u64, target: u32): void {
  resultHi = load<u64>(at);
  resultLo = load<u64>(at, 8);
  addOffset(r, target);
  stopNode = load<u32>(at, 16);
  stopPos = load<u32>(at, 20);
  stopDepth = load<u32>(at, 24);
}

/**
 * Best-fit: the histogram gives k*, the smallest order >= the target that some maximal free
 * block has; the order sets (order-sets.ts) lead to the lowest maximal block of order exactly
 * k*: at each node, the lowest slot whose child holds one, until k* is the order of a
 * position of the node itself. Its lowest target-sized sub-block starts at its own address.
 */
function descendToSmallestFit(s: usize, prefix: u32): void {
  let width = widthOf(s);
  let order = width - prefix;
  while (freeBlocksOfOrder(s, order) == 0) order++; // findFit saw a fitting block, so this ends
  let node = startAtEntry(s);
  let p = blockPtr(node);
  let q = entryPos(s);
  let depth = <u32>load<u8>(p + DEPTH);
  let top = <u32>load<u8>(p + TOP_ORDER);
  while (order + 4 < top) {
    // the block lies below one of the slots under q, in that slot's child
    let first = firstSlotBelow(q);
    let slot = lowestChildHolding(p, top, first, first + slotCountBelow(q), order);
    addSlotBits(slot, top);
    node = childAt(p, slot);
    p = blockPtr(node);
    depth++;
    top -= 4;
    q = 1;
  }
  let level = top - order;
  q = ctz(maximalPositions(p, top) & positionsBelow(q, levelOf(q), level));
  addPositionBits(q, top);
  stopNode = node;
  stopPos = q;
  stopDepth = depth;
}

/**
 * Memory for the nodes a take (or a source) may make: up to width/4, each with a childSets block
 * (node.ts) and, in a space that keeps counts, a children table, as may the nodes up to an old
 * entry (counts.ts). A space without room for its tables leaves its counts stale instead of
 * failing (the take marks its path, and the next draw recounts it); only a call that goes ahead
 * does, so a refused one changes nothing.
 */
function ensureBlocksToTake(s: usize): bool {
  let nodes = widthOf(s) >> 2;
  if (countsKept(s) && ensureNodeBlocks(blocksToTakeWithCounts(s))) return true;
  if (!ensureTreeBlocks(nodes)) return false;
  staleCounts(s);
  return true;
}

/**
 * Blocks a take needs in a space that keeps counts: width/4 nodes, each with its childSets block
 * and its table, and a table for each node up to an old entry.
 */
@inline function blocksToTakeWithCounts(s: usize): u32 {
  return widthOf(s);
}

export function preview(s: usize, prefix: u32, strategy: u32): i32 {
  return findFit(s, prefix, strategy);
}

export function allocate(s: usize, prefix: u32, strategy: u32): i32 {
  let found = findFit(s, prefix, strategy);
  if (found != S.OK) return found;
  if (!ensureBlocksToTake(s)) return S.E_OUT_OF_MEMORY;
  // only a taken block moves the generator, so preview and refused calls leave it alone
  if (strategy == RANDOM) setRandomStateOf(s, drawnState());
  splitAndTake(s, stopNode, stopPos, stopDepth, resultHi, resultLo, prefix);
  return S.OK;
}

/** Sets the random strategy's generator state. */
export function setRandomState(s: usize, state: u64): void {
  setRandomStateOf(s, state);
}

export function addSource(s: usize, hi: u64, lo: u64, prefix: u32): i32 {
  let width = widthOf(s);
  let root = rootOf(s);
  // First a read-only walk, so a refused source leaves no node behind.
  let node = root;
  let depth: u32 = 0;
  while (true) {
    let p = blockPtr(node);
    let nib = nibbleAt(hi, lo, width - (depth << 2) - 4);
    let rel = prefix - (depth << 2);
    let source = load<u32>(p + SOURCE_MASK);
    for (let level: u32 = 0; level <= min(rel, 4); level++) {
      if ((source >> ((FIRST_SLOT | nib) >> (4 - level))) & 1) return S.E_SOURCE_OVERLAP;
    }
    if (rel <= 4) {
      let q = (FIRST_SLOT | nib) >> (4 - rel);
      if ((source & subtreeMask(q)) != 0) return S.E_SOURCE_OVERLAP;
      let first = firstSlotBelow(q);
      let end = first + slotCountBelow(q);
      for (let slot = first; slot < end; slot++) {
        if (childAt(p, slot) != 0) return S.E_SOURCE_OVERLAP;
      }
      break;
    }
    let child = childAt(p, nib);
    if (child == 0) break;
    node = child;
    depth++;
  }
  if (!ensureBlocksToTake(s)) return S.E_OUT_OF_MEMORY;
  node = root;
  depth = 0;
  while (prefix - (depth << 2) > 4) {
    let p = blockPtr(node);
    let nib = nibbleAt(hi, lo, width - (depth << 2) - 4);
    let child = childAt(p, nib);
    if (child == 0) {
      child = newEmptyNode(node, nib, depth + 1, width - (depth << 2) - 4);
      setChild(p, nib, child);
    }
    node = child;
    depth++;
  }
  let p = blockPtr(node);
  let rel = prefix - (depth << 2);
  let q = (FIRST_SLOT | nibbleAt(hi, lo, width - (depth << 2) - 4)) >> (4 - rel);
  setMaskBit(p, SOURCE_MASK, q, 1);
  store<u32>(p + INSIDE_MASK, load<u32>(p + INSIDE_MASK) | subtreeMask(q));
  setSummary(p, q, width - prefix + 1);
  if (q < FIRST_SLOT) fillBelow(p, q, width - (depth << 2), true);
  countFreeBlock(s, width - prefix, 1);
  countSource(s, width - prefix, 1);
  walkUp(s, node, q);
  let oldEntryHi = entryBaseHi(s), oldEntryLo = entryBaseLo(s);
  updateEntry(s);
  if (keepsExactCounts(s)) {
    // the source's path, new nodes included, and the nodes up from the old entry, never
    // counted when the entry moved up (each taking a table: ensureBlocksToTake counted them)
    recountPath(s, oldEntryHi, oldEntryLo);
    recountPath(s, hi, lo);
  }
  return S.OK;
}

export function removeSource(s: usize, hi: u64, lo: u64, prefix: u32): i32 {
  let stop = locate(s, hi, lo, prefix);
  if (stop == STOP_MISSING || stopPrefix() != prefix || maskBit(blockPtr(stopNode), SOURCE_MASK, stopPos) == 0) {
    return S.E_NOT_A_SOURCE;
  }
  if (stop != STOP_WHOLE_FREE) return S.E_SOURCE_BUSY;
  let node = stopNode;
  let p = blockPtr(node);
  setMaskBit(p, SOURCE_MASK, stopPos, 0);
  store<u32>(p + INSIDE_MASK, load<u32>(p + INSIDE_MASK) & ~subtreeMask(stopPos));
  setSummary(p, stopPos, 0);
  if (stopPos < FIRST_SLOT) fillBelow(p, stopPos, <u32>load<u8>(p + TOP_ORDER), false);
  countFreeBlock(s, widthOf(s) - prefix, -1);
  countSource(s, widthOf(s) - prefix, -1);
  walkUp(s, node, stopPos);
  // Return nodes that now hold nothing: no source mark and no children.
  let root = rootOf(s);
  while (node != root) {
    p = blockPtr(node);
    if (load<u32>(p + SOURCE_MASK) != 0) break;
    let hasChild = false;
    for (let slot: u32 = 0; slot < 16; slot++) hasChild = hasChild || childAt(p, slot) != 0;
    if (hasChild) break;
    let parent = load<u32>(p + PARENT);
    setChild(blockPtr(parent), <u32>load<u8>(p + SLOT_IN_PARENT), 0);
    freeNode(node);
    node = parent;
  }
  updateEntry(s);
  // the entry only moves down: the source's path is all that changed, its nodes' tables kept
  if (keepsExactCounts(s)) recountPath(s, hi, lo);
  return S.OK;
}

/** True when position q of node p is, contains, or lies inside a source block. */
function holdsSource(p: usize, q: u32): bool {
  if ((load<u32>(p + SOURCE_MASK) & subtreeMask(q)) != 0) return true;
  // outside sources, a node exists below a slot only because a source lies below it
  let first = firstSlotBelow(q);
  let end = first + slotCountBelow(q);
  for (let slot = first; slot < end; slot++) {
    if (childAt(p, slot) != 0) return true;
  }
  return false;
}

/** Moves the space's entry to the deepest position that contains every source. */
function updateEntry(s: usize): void {
  let width = widthOf(s);
  let node = rootOf(s);
  let p = blockPtr(node);
  let q: u32 = 1;
  let top = width;
  let hi: u64 = 0, lo: u64 = 0;
  while (maskBit(p, SOURCE_MASK, q) == 0) {
    if (q >= FIRST_SLOT) {
      let child = childAt(p, q - FIRST_SLOT);
      if (child == 0) break;
      let nib = <u64>(q - FIRST_SLOT);
      let shift = top - 4;
      if (shift >= 64) hi |= nib << <u64>(shift - 64);
      else lo |= nib << <u64>shift;
      node = child;
      p = blockPtr(child);
      top -= 4;
      q = 1;
    }
    let left = holdsSource(p, q << 1);
    let right = holdsSource(p, (q << 1) | 1);
    if (left == right) break;
    q = left ? q << 1 : (q << 1) | 1;
  }
  setEntry(s, node, q, hi, lo);
}

/** 1 when some allocation overlaps the block, else 0. */
export function overlapsAllocation(s: usize, hi: u64, lo: u64, prefix: u32): i32 {
  let stop = locate(s, hi, lo, prefix);
  if (stop == STOP_ALLOCATED) return 1;
  if (stop != STOP_NOT_FREE) return 0;
  return isBusy(blockPtr(stopNode), stopPos) ? 1 : 0;
}

/** 1 when the block lies inside one source block, else 0. */
export function insideSource(s: usize, hi: u64, lo: u64, prefix: u32): i32 {
  locate(s, hi, lo, prefix);
  return passedSource ? 1 : 0;
}
