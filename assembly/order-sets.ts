// Best-fit's per-node order sets: bit k of a node's set says that a maximal free block of
// order k (a whole-free block whose parent is not whole free) lies below the node's position 1.
//
// Why sets: the summaries keep only the largest free order below a position, which cannot tell
// where the smallest block that still fits is. The space's histogram gives that order k*
// globally; a set per node lets best-fit descend to the lowest maximal block of order exactly
// k*, one node per level. A child of the root has topOrder <= 124 and is never whole free
// itself (it would have been returned to its parent), so its orders fit 0..123: 128 bits.
//
// Sets are kept lazily, so first-fit and last-fit churn pays one byte test per walkUp: every
// change marks the node and its ancestors stale (node.ts invalidateOrderSets, stopping at the
// first stale one), each also in its parent's staleChildren mask, and best-fit recomputes a
// stale child's set when it needs it, from the node's own summaries and its children's sets.
// The mask means a recompute refreshes only the stale children, without touching the node
// blocks of the current ones; a child whose slot summary says nothing is free below it has an
// empty set and is not read either. Each change makes at most width/4 sets stale and each
// recompute reads at most 16 children's sets, so best-fit costs amortised O(16 * depth) per
// operation; a single best-fit after a long run of other operations may recompute every set
// those operations made stale.

import { blockPtr, sideBytesPtr } from './arena';
import { ORDER_SET_CURRENT, STALE_CHILDREN, TOP_ORDER, FIRST_SLOT, childAt, summaryAt } from './node';

// level of each position 0..31 inside a node (position 0 is unused: its summary byte is 0)
const LEVELS_LOW = i8x16(0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
const LEVELS_SLOTS = i8x16.splat(4);
/** Positions of a level inside a node: 2^level of them from position 2^level. */
@inline function positionsOfLevel(level: u32): u32 {
  let count = <u32>1 << level;
  return ((<u32>-1) >>> (32 - count)) << count;
}

/** Positions of node p that are whole free: summary == order + 1 (never position 0). */
@inline function wholeFreePositions(p: usize, top: u32): u32 {
  let expected = i8x16.splat(<i8>(top + 1));
  let low = i8x16.bitmask(i8x16.eq(v128.load(p), i8x16.sub(expected, LEVELS_LOW)));
  let high = i8x16.bitmask(i8x16.eq(v128.load(p + 16), i8x16.sub(expected, LEVELS_SLOTS)));
  return (high << 16) | low;
}

/**
 * Positions of node p that are maximal free blocks: whole free, with a parent that is not.
 * Position 1's parent lies in the parent node; it counts here only for the root (any other
 * node whose position 1 is whole free has been returned to its parent).
 */
export function maximalPositions(p: usize, top: u32): u32 {
  let whole = wholeFreePositions(p, top);
  let parentWhole: u32 = 0;
  for (let q: u32 = 1; q < 16; q++) parentWhole |= ((whole >> q) & 1) * (<u32>3 << (q << 1));
  return whole & ~parentWhole;
}

/** Brings the order set of `node` (and of the stale nodes below it) up to date. */
function refresh(node: u32): void {
  let p = blockPtr(node);
  if (load<u8>(p + ORDER_SET_CURRENT) != 0) return;
  let top = <u32>load<u8>(p + TOP_ORDER);
  let lo: u64 = 0, hi: u64 = 0;
  let maximal = maximalPositions(p, top);
  for (let level: u32 = 1; level <= 4; level++) {
    if ((maximal & positionsOfLevel(level)) == 0) continue;
    let order = top - level;
    if (order >= 64) hi |= <u64>1 << <u64>(order - 64);
    else lo |= <u64>1 << <u64>order;
  }
  // only the children marked stale need refreshing; a child with nothing free has an empty set
  let stale = <u32>load<u16>(p + STALE_CHILDREN);
  store<u16>(p + STALE_CHILDREN, 0);
  while (stale != 0) {
    let child = childAt(p, ctz(stale));
    if (child != 0) refresh(child);
    stale &= stale - 1;
  }
  for (let slot: u32 = 0; slot < 16; slot++) {
    let child = childAt(p, slot);
    if (child == 0 || summaryAt(p, FIRST_SLOT + slot) == 0) continue;
    let c = sideBytesPtr(child);
    lo |= load<u64>(c);
    hi |= load<u64>(c + 8);
  }
  let set = sideBytesPtr(node);
  store<u64>(set, lo);
  store<u64>(set + 8, hi);
  store<u8>(p + ORDER_SET_CURRENT, 1);
}

/** True when a maximal free block of exactly `order` lies below the child in `slot` of node p. */
export function childHoldsMaximalOfOrder(p: usize, slot: u32, order: u32): bool {
  let node = childAt(p, slot);
  if (node == 0) return false;
  let stale = <u32>load<u16>(p + STALE_CHILDREN);
  if ((stale >> slot) & 1) {
    refresh(node);
    store<u16>(p + STALE_CHILDREN, stale & ~(<u32>1 << slot));
  }
  let set = sideBytesPtr(node);
  let word = order >= 64 ? load<u64>(set + 8) >> <u64>(order - 64) : load<u64>(set) >> <u64>order;
  return (word & 1) != 0;
}
