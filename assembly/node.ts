// A tree node covers four levels of the binary prefix tree in one 128-byte block, so one walk
// through a node touches its summary cache line and one child pointer. Best-fit's order sets,
// which no other walk reads, live apart: the children's in a childSets block, a node's own (where
// needed) in the arena's side table (arena.ts sideBytesPtr; order-sets.ts).
//
// Positions use heap numbering inside the node: 1 is the node's own block, 2..3 its halves,
// 4..7, 8..15, and 16..31 the sixteen slots, each of which is the root block of a child node.
// A slot's summary is duplicated in its child's position 1; allocation and source marks for a
// slot live in the parent only.
//
// summary[q] = (largest free order below q) + 1, or 0 when nothing below q is free.
// A position is "whole free" when summary[q] == order(q) + 1.
//
//   0  u8  summary[32]        (index 0 unused, kept 0)
//  32  u32 allocMask          bit q: an allocation is exactly position q
//  36  u32 sourceMask         bit q: a source block is exactly position q
//  40  u32 insideMask         bit q: position q lies inside (or is) a source block
//  44  u32 busyMask           bit q: some allocation overlaps position q
//  48  u32 parent             parent node (0 for a space's root)
//  52  u8  slotInParent       0..15
//  53  u8  depth              node depth; position 1 is at prefix length 4 * depth
//  54  u8  topOrder           order of position 1 = width - 4 * depth
//  55  u8  orderSetCurrent    1 when the order set below is up to date (see order-sets.ts)
//  56  u16 staleChildren      bit s: child s's order set may be stale (its orderSetCurrent is 0)
//  58  u8  countsStale        1 when the children's counts (counts.ts) may be out of date
//  60  u32 childSets          block of the children's order-set windows, from the first child on
//  64  u32 child[16]
// side bytes: u64 orderSet lo, u64 orderSet hi (kept only when topOrder >= 63, order-sets.ts)
//                             bit k: a maximal free block of order k lies below position 1
// childSets block (a node that has or had a child): u64 window[16], slot s's child's order set
//                             seen from this node (order-sets.ts windowOf), current unless stale
import { blockPtr, ensureNodeBlocks, takeNodeBlock, giveNodeBlock, takeBlock, giveBlock, giveCompanion } from './arena';

export const ALLOC_MASK: usize = 32;
export const SOURCE_MASK: usize = 36;
export const INSIDE_MASK: usize = 40;
export const BUSY_MASK: usize = 44;
export const PARENT: usize = 48;
export const SLOT_IN_PARENT: usize = 52;
export const DEPTH: usize = 53;
export const TOP_ORDER: usize = 54;
export const ORDER_SET_CURRENT: usize = 55;
export const STALE_CHILDREN: usize = 56;
export const COUNTS_STALE: usize = 58;
export const CHILD_SETS: usize = 60;
export const CHILDREN: usize = 64;

export const FIRST_SLOT: u32 = 16;
export const ALL_POSITIONS: u32 = 0xfffffffe;

@inline export function levelOf(q: u32): u32 {
  return 31 - clz(q);
}

@inline export function summaryAt(p: usize, q: u32): u32 {
  return load<u8>(p + q);
}

@inline export function setSummary(p: usize, q: u32, v: u32): void {
  store<u8>(p + q, <u8>v);
}

@inline export function maskBit(p: usize, field: usize, q: u32): u32 {
  return (load<u32>(p + field) >> q) & 1;
}

@inline export function setMaskBit(p: usize, field: usize, q: u32, on: u32): void {
  let m = load<u32>(p + field);
  store<u32>(p + field, (m & ~(<u32>1 << q)) | (on << q));
}

@inline export function childAt(p: usize, slot: u32): u32 {
  return load<u32>(p + CHILDREN + (<usize>slot << 2));
}

@inline export function setChild(p: usize, slot: u32, child: u32): void {
  store<u32>(p + CHILDREN + (<usize>slot << 2), child);
}

/** Mask of position q and every position below it inside the same node. */
export function subtreeMask(q: u32): u32 {
  let mask: u32 = 0;
  let lo = q, hi = q;
  while (lo < 32) {
    for (let i = lo; i <= hi; i++) mask |= <u32>1 << i;
    lo <<= 1;
    hi = (hi << 1) | 1;
  }
  return mask;
}

/** First and one-past-last slot (0..16) below position q. */
@inline export function firstSlotBelow(q: u32): u32 {
  return (q << (4 - levelOf(q))) - FIRST_SLOT;
}

@inline export function slotCountBelow(q: u32): u32 {
  return <u32>1 << (4 - levelOf(q));
}

/**
 * Marks the order sets of node and its ancestors stale, and each in its parent's staleChildren.
 * Stops at the first stale one: a node with a current set only ever has children with current
 * sets, so everything above a stale node is stale already. Called by every change to a node's
 * summaries or children.
 */
export function invalidateOrderSets(node: u32): void {
  while (node != 0) {
    let p = blockPtr(node);
    if (load<u8>(p + ORDER_SET_CURRENT) == 0) return;
    store<u8>(p + ORDER_SET_CURRENT, 0);
    node = load<u32>(p + PARENT);
    if (node != 0) {
      let stale = blockPtr(node) + STALE_CHILDREN;
      store<u16>(stale, <u32>load<u16>(stale) | (<u32>1 << load<u8>(p + SLOT_IN_PARENT)));
    }
  }
}

function writeHeader(p: usize, parent: u32, slot: u32, depth: u32, topOrder: u32): void {
  invalidateOrderSets(parent); // it is about to gain this node as a child
  if (parent != 0) {
    let pp = blockPtr(parent);
    store<u16>(pp + STALE_CHILDREN, <u32>load<u16>(pp + STALE_CHILDREN) | (<u32>1 << slot));
    if (load<u32>(pp + CHILD_SETS) == 0) {
      // its first child: the windows start empty (no other child has a set to show)
      let table = takeBlock();
      let t = blockPtr(table);
      for (let i: usize = 0; i < 128; i += 16) v128.store(t + i, i64x2.splat(0));
      store<u32>(pp + CHILD_SETS, table);
    }
  }
  store<u32>(p + PARENT, parent);
  store<u8>(p + SLOT_IN_PARENT, <u8>slot);
  store<u8>(p + DEPTH, <u8>depth);
  store<u8>(p + TOP_ORDER, <u8>topOrder);
  store<u8>(p + ORDER_SET_CURRENT, 0);
  store<u64>(p + 56, 0);
  v128.store(p + CHILDREN, i64x2.splat(0));
  v128.store(p + CHILDREN + 16, i64x2.splat(0));
  v128.store(p + CHILDREN + 32, i64x2.splat(0));
  v128.store(p + CHILDREN + 48, i64x2.splat(0));
}

/** A node outside every source: nothing free, nothing inside. */
export function newEmptyNode(parent: u32, slot: u32, depth: u32, topOrder: u32): u32 {
  let node = takeNodeBlock();
  let p = blockPtr(node);
  v128.store(p, i64x2.splat(0));
  v128.store(p + 16, i64x2.splat(0));
  v128.store(p + 32, i64x2.splat(0));
  writeHeader(p, parent, slot, depth, topOrder);
  return node;
}

/** A node wholly inside a source and wholly free: every position is whole free. */
export function newFreeNode(parent: u32, slot: u32, depth: u32, topOrder: u32): u32 {
  let node = takeNodeBlock();
  let p = blockPtr(node);
  let top = <u64>topOrder;
  const ONES: u64 = 0x0101010101010101;
  // position q holds order(q) + 1 = topOrder - level(q) + 1
  store<u64>(p, ((top + 1) << 8) | (top << 16) | (top << 24) | ((top - 1) * ONES & 0xffffffff00000000));
  store<u64>(p + 8, (top - 2) * ONES);
  store<u64>(p + 16, (top - 3) * ONES);
  store<u64>(p + 24, (top - 3) * ONES);
  store<u32>(p + ALLOC_MASK, 0);
  store<u32>(p + SOURCE_MASK, 0);
  store<u32>(p + INSIDE_MASK, ALL_POSITIONS);
  store<u32>(p + BUSY_MASK, 0);
  writeHeader(p, parent, slot, depth, topOrder);
  return node;
}

/**
 * Makes sure `nodes` new nodes can be made without growing memory later: each may bring its
 * parent's childSets block, so twice as many blocks.
 */
export function ensureTreeBlocks(nodes: u32): bool {
  return ensureNodeBlocks(nodes << 1);
}

/** Returns a node, its childSets block and its companion (random's children table, counts.ts) to the arena. */
export function freeNode(node: u32): void {
  let table = load<u32>(blockPtr(node) + CHILD_SETS);
  if (table != 0) giveBlock(table);
  giveCompanion(node);
  giveNodeBlock(node);
}
