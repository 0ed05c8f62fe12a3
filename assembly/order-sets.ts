// Best-fit's per-node order sets: bit k of a node's set says that a maximal free block of
// order k (a whole-free block whose parent is not whole free) lies below the node's position 1.
//
// Why sets: the summaries keep only the largest free order below a position, which cannot tell
// where the smallest block that still fits is. The space's histogram gives that order k*
// globally; a set per node lets best-fit descend to the lowest maximal block of order exactly
// k*, one node per level. A child of the root has topOrder <= 124 and is never whole free
// itself (it would have been returned to its parent), so its orders fit 0..123: 128 bits.
//
// Where they live: a copy of each child's set, as a 64-bit window (below), in the parent's
// childSets block: 16 windows in two cache lines, so recomputing a set ORs one block instead of
// reading 16 children, and the descent finds the lowest child holding k* in the same block. A
// node takes that block with its first child (every strategy's node creation pays for it) and
// returns it with itself: 128 bytes more for every node that has children, about one node in
// 16 where allocations are dense (1,000,000 /64s in a /32: 4,180 blocks beside 66,680 nodes),
// up to all but the leaves on a sparse path.
//
// Sets are kept lazily, so first-fit and last-fit churn pays one byte test per walkUp: every
// change marks the node and its ancestors stale (node.ts invalidateOrderSets, stopping at the
// first stale one), each also in its parent's staleChildren mask; a window is exact while its
// slot's bit there is clear. Best-fit recomputes a stale node's set when it needs it: its own
// maximal positions, its stale children (recursively) and their windows, then the OR of the 16
// windows. Current children are not touched at all, except for orders below the window (IPv6
// only: blocks 63 or more orders smaller than the child), which come from the full sets of the
// children whose window says they hold some (kept in their side bytes, arena.ts, by nodes
// whose window can miss orders). Each change makes at most width/4 sets stale and a recompute
// costs O(1) beyond its stale children, so best-fit costs amortised O(depth) per operation
// (O(16 * depth) when orders lie below the windows); a single best-fit after a long run of
// other operations may recompute every set those operations made stale.

import { blockPtr, sideBytesPtr } from './arena';
import { ORDER_SET_CURRENT, STALE_CHILDREN, CHILD_SETS, TOP_ORDER, FIRST_SLOT, childAt } from './node';
import { lowMask } from './bits';

// level of each position 0..31 inside a node (position 0 is unused: its summary byte is 0)
const LEVELS_LOW = i8x16(0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
const LEVELS_SLOTS = i8x16.splat(4);

/** Positions of node p that are whole free: summary == order + 1 (never position 0). */
@inline export function wholeFreePositions(p: usize, top: u32): u32 {
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
  // spread bit q of positions 1..15 to bits 2q and 2q + 1 (its two halves)
  let spread = whole & 0xfffe;
  spread = (spread | (spread << 8)) & 0x00ff00ff;
  spread = (spread | (spread << 4)) & 0x0f0f0f0f;
  spread = (spread | (spread << 2)) & 0x33333333;
  spread = (spread | (spread << 1)) & 0x55555555;
  return whole & ~(spread | (spread << 1));
}

// A window is a child's order set as its parent keeps it in the parent's childSets block (16
// per block, one per slot, so a recompute and a descent read one block instead of 16 children).
// For a child whose own top order is t, bit j (1..62) says order t - 63 + j: the 62 orders just
// below t, which hold every order of an IPv4 child (t <= 28). Bit 63 says that some order below
// the window is held; only then is the child's full set read. Bit 0 stays clear, so a childSets
// block's first byte is even and never passes for a space tag (space.ts).
const WINDOW_ORDERS: u64 = 0x7ffffffffffffffe;
const BELOW_WINDOW: u64 = 0x8000000000000000;

/** The window of an order set (lo, hi) of a child whose top order is t. */
@inline function windowOf(lo: u64, hi: u64, t: u32): u64 {
  if (t < 63) return (lo << <u64>(63 - t)) & WINDOW_ORDERS; // every order fits
  let shift = t - 63;
  let w = shift == 0 ? lo : (lo >> <u64>shift) | (hi << <u64>(64 - shift));
  let below: u64 = (lo & lowMask(shift + 1)) != 0 ? BELOW_WINDOW : 0;
  return (w & WINDOW_ORDERS) | below;
}

/** The window bit that says order k (k < t), or BELOW_WINDOW when k lies below the window. */
@inline function windowBit(k: u32, t: u32): u64 {
  return k + 62 >= t ? <u64>1 << <u64>(k + 63 - t) : BELOW_WINDOW;
}

/** Brings the window of the stale child in `slot` of node p up to date (the caller clears p's stale bit). */
function refreshWindow(p: usize, windows: usize, slot: u32, t: u32): void {
  let child = childAt(p, slot);
  let w: u64 = 0;
  if (child != 0) {
    refresh(child);
    w = windowOf(refreshedLo, refreshedHi, t);
  }
  store<u64>(windows + (<usize>slot << 3), w);
}

/** The set refresh just computed. */
let refreshedLo: u64 = 0;
let refreshedHi: u64 = 0;

/**
 * Recomputes the order set of the stale `node` (and of the stale nodes below it) into
 * refreshedLo/Hi: its own maximal positions, then the stale children's windows, then the union
 * of all 16 windows. Only a node whose window in its parent can miss orders (top >= 63) keeps
 * the set in its side bytes, for the parent's reads below the window.
 */
function refresh(node: u32): void {
  let p = blockPtr(node);
  let top = <u32>load<u8>(p + TOP_ORDER);
  // the node's own maximal positions: bit 3 - (level - 1) of `own` says order top - level
  let maximal = maximalPositions(p, top);
  let own = <u64>(select<u32>(8, 0, (maximal & 0xc) != 0) | select<u32>(4, 0, (maximal & 0xf0) != 0) |
    select<u32>(2, 0, (maximal & 0xff00) != 0) | select<u32>(1, 0, (maximal & 0xffff0000) != 0));
  let base = top - 4; // top >= 4
  let lo: u64 = base >= 64 ? 0 : own << <u64>base;
  let hi: u64 = base >= 64 ? own << <u64>(base - 64) : (base > 60 ? own >> <u64>(64 - base) : 0);
  let table = load<u32>(p + CHILD_SETS);
  if (table != 0) {
    let windows = blockPtr(table);
    let t = top - 4;
    let stale = <u32>load<u16>(p + STALE_CHILDREN);
    store<u16>(p + STALE_CHILDREN, 0);
    while (stale != 0) {
      refreshWindow(p, windows, ctz(stale), t);
      stale &= stale - 1;
    }
    let any = v128.or(v128.or(v128.or(v128.load(windows), v128.load(windows, 16)), v128.or(v128.load(windows, 32), v128.load(windows, 48))),
      v128.or(v128.or(v128.load(windows, 64), v128.load(windows, 80)), v128.or(v128.load(windows, 96), v128.load(windows, 112))));
    let union = i64x2.extract_lane(any, 0) | i64x2.extract_lane(any, 1);
    let w = union & WINDOW_ORDERS;
    if (t < 63) {
      lo |= w >> <u64>(63 - t);
    } else {
      let shift = t - 63;
      lo |= w << <u64>shift;
      if (shift != 0) hi |= w >> <u64>(64 - shift);
    }
    if (union & BELOW_WINDOW) {
      // orders below the window: from the full sets of the children that hold some
      for (let slot: u32 = 0; slot < 16; slot++) {
        if ((load<u64>(windows + (<usize>slot << 3)) & BELOW_WINDOW) == 0) continue;
        let c = sideBytesPtr(childAt(p, slot));
        lo |= load<u64>(c);
        hi |= load<u64>(c + 8);
      }
    }
  }
  if (top >= 63) {
    let set = sideBytesPtr(node);
    store<u64>(set, lo);
    store<u64>(set + 8, hi);
  }
  refreshedLo = lo;
  refreshedHi = hi;
  store<u8>(p + ORDER_SET_CURRENT, 1);
}

/**
 * The lowest slot in first..end-1 of node p (top order `top`) whose child holds a maximal free
 * block of exactly `order` (order < top - 4); end - 1 when none before it does, since the
 * caller knows one of them holds it.
 */
export function lowestChildHolding(p: usize, top: u32, first: u32, end: u32, order: u32): u32 {
  let t = top - 4;
  let windows = blockPtr(load<u32>(p + CHILD_SETS));
  let bit = windowBit(order, t);
  // slots whose summary says nothing of `order` fits below them are passed over; a slot whose
  // largest free block below is of `order` itself holds a maximal one, without asking its window
  let slots = v128.load(p + FIRST_SLOT);
  let fits = <u32>i8x16.bitmask(i8x16.gt_u(slots, i8x16.splat(<i8>order)));
  let largest = <u32>i8x16.bitmask(i8x16.eq(slots, i8x16.splat(<i8>(order + 1))));
  let candidates = fits & (((<u32>1 << (end - 1)) - 1) & ~((<u32>1 << first) - 1));
  let stale = <u32>load<u16>(p + STALE_CHILDREN);
  while (candidates != 0) {
    let slot = ctz(candidates);
    candidates &= candidates - 1;
    if ((largest >> slot) & 1) return slot;
    if ((stale >> slot) & 1) {
      refreshWindow(p, windows, slot, t);
      stale &= ~(<u32>1 << slot);
      store<u16>(p + STALE_CHILDREN, stale);
    }
    if ((load<u64>(windows + (<usize>slot << 3)) & bit) == 0) continue;
    if (bit != BELOW_WINDOW) return slot;
    let c = sideBytesPtr(childAt(p, slot));
    let word = order >= 64 ? load<u64>(c + 8) >> <u64>(order - 64) : load<u64>(c) >> <u64>order;
    if (word & 1) return slot;
  }
  return end - 1;
}
