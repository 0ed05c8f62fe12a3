// Free-address counts for the random strategy's counted draw (tree.ts drawCountedBlock): for
// every node below a space's entry node, how many addresses are free below its position 1. With
// them one descent finds the r-th free address of the space in address order, so a uniformly
// drawn r gives a uniformly drawn free address, and the aligned block of the asked size around
// it is uniform over the fitting blocks (a draw that lands in a smaller free block is drawn
// again). The summaries alone say only the largest free order below a position, not how much.
//
// Where they live: a node's children's counts together, as 16 f64 in one block of the node pool
// (the children table), so a descent reads one table per node rather than one count per child.
// The table is the node's companion block (arena.ts: a map of 4 bytes per block, 1/32 of the
// arena): taken when the node first needs one, given back with the node (node.ts freeNode).
//
// A space keeps counts only after its first random draw needs them (space.ts countsKept): from
// then on each allocation and release adds its size along its path to the entry node, O(depth),
// and a source change recounts the nodes on its path (and on the old entry's, when the entry
// moves up); spaces that never use random pay one flag test. No count exceeds the sources'
// total, at most 2^(total order) (space.ts sourceTotalOrder), so counts are exact integers while
// every free block and every change is at least 2^(total order - 52). A change that is smaller
// (or a take without memory for its tables) leaves the counts stale: from then on each change
// marks its path stale instead (up to the first node marked already, so O(depth) a change at
// most), and the next draw that finds them exact again recounts the marked nodes alone. Only a
// source change while they are stale drops them (rebuilt from the tree, O(nodes), as at first).

import { blockPtr, ensureNodeBlocks, takeBlock, companionOf, setCompanion } from './arena';
import { summaryAt, childAt, levelOf, FIRST_SLOT, DEPTH, PARENT, SLOT_IN_PARENT, TOP_ORDER, COUNTS_STALE } from './node';
import { entryNode, entryPos, widthOf, rootOf, hasFreeBlockBelow, countsKept, setCountsKept, countsStale, setCountsStale, sourceTotalOrder } from './space';
import { nibbleAt } from './bits';

/** Exact counts need every free block and every change to be at least 2^(total order - this). */
export const COUNT_BITS: u32 = 52;

/** 2^order as an f64 (exact for every order a space has). */
@inline export function pow2(order: u32): f64 {
  return reinterpret<f64>(<u64>(1023 + order) << 52);
}

/** The node's children table: free addresses below each slot that has a child (f64 at slot × 8). */
@inline export function childCounts(node: u32): usize {
  return blockPtr(companionOf(node));
}

/** The node's children table, taken when it has none (the caller ensured a block). */
function childCountsTaken(node: u32): usize {
  let table = companionOf(node);
  if (table == 0) {
    table = takeBlock();
    setCompanion(node, table);
  }
  return blockPtr(table);
}

/** Order of the space's entry position: the largest block that holds every source. */
export function entryOrder(s: usize): u32 {
  let p = blockPtr(entryNode(s));
  return <u32>load<u8>(p + TOP_ORDER) - levelOf(entryPos(s));
}

/**
 * Free addresses below slot `slot` of node p (children table `counts`), whose slots have order
 * `slotOrder`: none, all, or its child's count.
 */
@inline export function freeBelowSlot(p: usize, counts: usize, slot: u32, slotOrder: u32): f64 {
  // without branches: which of the three a slot is cannot be predicted, and the table is at hand
  // (a node without children has none: block 0's bytes are read and not used)
  let summary = summaryAt(p, FIRST_SLOT + slot);
  let partial = select<f64>(0, load<f64>(counts + (<usize>slot << 3)), summary == 0);
  return select<f64>(pow2(slotOrder), partial, summary == slotOrder + 1);
}

/** Free addresses below position 1 of node from its children table and summaries. */
function sumOfSlots(node: u32): f64 {
  let p = blockPtr(node);
  let counts = childCounts(node);
  let slotOrder = <u32>load<u8>(p + TOP_ORDER) - 4;
  let sum: f64 = 0;
  for (let slot: u32 = 0; slot < 16; slot++) sum += freeBelowSlot(p, counts, slot, slotOrder);
  return sum;
}

/** Sets the count of a child in its parent's table (taken if needed). */
export function setChildFree(parent: u32, slot: u32, free: f64): void {
  store<f64>(childCountsTaken(parent) + (<usize>slot << 3), free);
}

/**
 * How many nodes at and below node have children but no table; staleOnly: how many stale ones
 * (of stale counts only a stale node can lack one: nodes made since are all marked).
 */
function tablesMissing(node: u32, staleOnly: bool): u32 {
  let p = blockPtr(node);
  if (staleOnly && load<u8>(p + COUNTS_STALE) == 0) return 0;
  let missing: u32 = 0;
  let hasChild = false;
  for (let slot: u32 = 0; slot < 16; slot++) {
    let child = childAt(p, slot);
    if (child == 0) continue;
    hasChild = true;
    missing += tablesMissing(child, staleOnly);
  }
  return missing + (hasChild && companionOf(node) == 0 ? 1 : 0);
}

/**
 * Recounts the stale nodes at and below the stale `node` into the tables; node's own sum. A
 * child not marked has not changed since the counts were last exact: its count stands.
 */
function recountStale(node: u32): f64 {
  let p = blockPtr(node);
  store<u8>(p + COUNTS_STALE, 0);
  for (let slot: u32 = 0; slot < 16; slot++) {
    let child = childAt(p, slot);
    if (child != 0 && load<u8>(blockPtr(child) + COUNTS_STALE) != 0) setChildFree(node, slot, recountStale(child));
  }
  return sumOfSlots(node);
}

/**
 * Marks node and the nodes above it up to the entry node stale, after a change below node the
 * counts do not show; it stops at a node marked already, whose ancestors are marked too.
 */
function markStale(s: usize, node: u32): void {
  let entry = entryNode(s);
  while (node != 0) {
    let p = blockPtr(node);
    if (load<u8>(p + COUNTS_STALE) != 0) return;
    store<u8>(p + COUNTS_STALE, 1);
    if (node == entry) return;
    node = load<u32>(p + PARENT);
  }
}

/** Counts every node below node into the tables (checkOnly: compares instead); node's own sum. */
function countBelow(node: u32, checkOnly: bool): f64 {
  let p = blockPtr(node);
  if (!checkOnly) store<u8>(p + COUNTS_STALE, 0);
  for (let slot: u32 = 0; slot < 16; slot++) {
    let child = childAt(p, slot);
    if (child == 0) continue;
    let free = countBelow(child, checkOnly);
    if (!checkOnly) setChildFree(node, slot, free);
    else if (free != load<f64>(childCounts(node) + (<usize>slot << 3))) mismatches++;
  }
  return sumOfSlots(node);
}

let mismatches: u32 = 0;

/**
 * Counts every node below the entry node from the tree, or recounts the stale ones of stale
 * counts; false when memory runs out (nothing changed). It also makes sure of `takeBlocks` more,
 * the room of the take that follows, so an allocate that builds the counts is never then
 * refused with them built (and its preview is refused alike).
 */
export function buildCounts(s: usize, takeBlocks: u32): bool {
  let entry = entryNode(s);
  let stale = countsStale(s);
  // recountStale starts at the entry, marked or not: its tables are counted as a marked node's
  if (stale) store<u8>(blockPtr(entry) + COUNTS_STALE, 1);
  if (!ensureNodeBlocks(tablesMissing(entry, stale) + takeBlocks)) return false;
  if (stale) {
    recountStale(entry);
  } else {
    countBelow(entry, false);
    // marks above the entry, left by counts that went stale before a source change moved the
    // entry down, would stop a later marking short of the entry once it moves up again: every
    // node outside the entry's subtree is on its path to the root
    for (let node = load<u32>(blockPtr(entry) + PARENT); node != 0; node = load<u32>(blockPtr(node) + PARENT)) {
      store<u8>(blockPtr(node) + COUNTS_STALE, 0);
    }
  }
  setCountsKept(s, true);
  return true;
}

/** Leaves counts that are kept stale: the caller's change marks its path (noteCountChange). */
export function staleCounts(s: usize): void {
  if (countsKept(s)) setCountsStale(s);
}

/**
 * After a change of 2^order free addresses below node (`sign` says which way): added along the
 * path to counts that are kept, marked on stale ones.
 */
export function noteCountChange(s: usize, node: u32, order: u32, sign: f64): void {
  if (countsKept(s)) countChange(s, node, order, sign);
  else if (countsStale(s)) markStale(s, node);
}

/** How many children's counts of a space that keeps counts the tree does not give (tests). */
export function countMismatches(s: usize): u32 {
  mismatches = 0;
  countBelow(entryNode(s), true);
  return mismatches;
}

/** Whether the space's counts can be exact: no free block below 2^(total order - COUNT_BITS). */
export function countsCanBeExact(s: usize): bool {
  return !hasFreeBlockBelow(s, countUnitOrder(s));
}

/** Counts are in units of 2^this: every free block of a space whose counts can be exact is a whole number of them. */
export function countUnitOrder(s: usize): u32 {
  // the sources' total, not the entry block, bounds the counts: two /44s in different /8s
  // count in units of 2^33 (holes down to a /95), where their entry block's order would ask 2^76
  let top = sourceTotalOrder(s);
  return top > COUNT_BITS ? top - COUNT_BITS : 0;
}

/**
 * After a source change: whether the space keeps counts that can still be exact, so that the
 * caller recounts the paths the change touched; counts that cannot be exact are dropped.
 */
export function keepsExactCounts(s: usize): bool {
  if (countsStale(s)) setCountsKept(s, false); // which nodes the change touched is not marked: dropped
  if (!countsKept(s)) return false;
  if (countsCanBeExact(s)) return true;
  setCountsKept(s, false);
  return false;
}

/**
 * Recounts, from their children, the nodes on the path toward address (hi, lo), from the
 * deepest one up to the entry node: after a source change, whose path holds every count it
 * changed (new nodes included). The caller ensured a table for each.
 */
export function recountPath(s: usize, hi: u64, lo: u64): void {
  let width = widthOf(s);
  let node = rootOf(s);
  let depth: u32 = 0;
  while (true) {
    let child = childAt(blockPtr(node), nibbleAt(hi, lo, width - (depth << 2) - 4));
    if (child == 0) break;
    node = child;
    depth++;
  }
  let entryDepth = <u32>load<u8>(blockPtr(entryNode(s)) + DEPTH);
  while (depth > entryDepth) {
    let p = blockPtr(node);
    let parent = load<u32>(p + PARENT);
    setChildFree(parent, load<u8>(p + SLOT_IN_PARENT), sumOfSlots(node));
    node = parent;
    depth--;
  }
}

/**
 * Adds `sign` × 2^order free addresses to node and each node above it, up to the entry node
 * (whose own count no draw reads); a change too small for exact counts drops them.
 */
function countChange(s: usize, node: u32, order: u32, sign: f64): void {
  if (order + COUNT_BITS < sourceTotalOrder(s)) {
    setCountsStale(s);
    markStale(s, node);
    return;
  }
  let delta = sign * pow2(order);
  let entryDepth = load<u8>(blockPtr(entryNode(s)) + DEPTH);
  let p = blockPtr(node);
  while (load<u8>(p + DEPTH) > entryDepth) {
    let parent = load<u32>(p + PARENT);
    let at = childCounts(parent) + (<usize>load<u8>(p + SLOT_IN_PARENT) << 3);
    store<f64>(at, load<f64>(at) + delta);
    p = blockPtr(parent);
  }
}
