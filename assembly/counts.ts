// Free-address counts for the random strategy's counted draw (tree.ts drawCountedBlock): for
// every node below a space's entry node, how many addresses are free below its position 1. With
// them one descent finds the r-th free address of the space in address order, so a uniformly
// drawn r gives a uniformly drawn free address, and the aligned block of the asked size around
// it is uniform over the fitting blocks (a draw that lands in a smaller free block is drawn
// again). The summaries alone say only the largest free order below a position, not how much.
//
// Counts are f64, one per block id in a growable array (arena.ts), so a node's count moves with
// nothing and costs 8 bytes per block (1/16 of the arena). A space keeps them only after its
// first random draw needs them (space.ts countsKept): from then on each allocation and release
// adds its size along its path to the entry node, O(depth), and a source change recounts the
// nodes on its path (and on the old entry's, when the entry moves up); spaces that never use
// random pay one flag test. They are exact integers while every free block and every change is
// at least 2^(entry order - 52): a space whose change is smaller drops its counts (rebuilt from
// the tree, O(nodes), when a draw next finds them exact again).

import { growArray, arrayBase, arrayBytes, blockIdLimit, blockPtr } from './arena';
import { summaryAt, childAt, levelOf, FIRST_SLOT, DEPTH, PARENT, TOP_ORDER } from './node';
import { entryNode, entryPos, widthOf, rootOf, freeBlocksOfOrder, countsKept, setCountsKept } from './space';
import { nibbleAt } from './bits';

const COUNTS = memory.data(8); // growable array: f64 per block id

/** Exact counts need every free block and every change to be at least 2^(entry order - this). */
export const COUNT_BITS: u32 = 52;

/** 2^order as an f64 (exact for every order a space has). */
@inline export function pow2(order: u32): f64 {
  return reinterpret<f64>(<u64>(1023 + order) << 52);
}

/** Free addresses below position 1 of a node (a node of a space that keeps counts). */
@inline export function freeBelow(node: u32): f64 {
  return load<f64>(arrayBase(COUNTS) + (<usize>node << 3));
}

@inline export function setFreeBelow(node: u32, count: f64): void {
  store<f64>(arrayBase(COUNTS) + (<usize>node << 3), count);
}

/** Order of the space's entry position: the largest block that holds every source. */
export function entryOrder(s: usize): u32 {
  let p = blockPtr(entryNode(s));
  return <u32>load<u8>(p + TOP_ORDER) - levelOf(entryPos(s));
}

/**
 * Makes the counts cover every block id the next operation can hand out (`extra` beyond those
 * handed out so far); false when memory cannot grow. Growing takes fresh blocks, which have
 * ids too, hence the loop.
 */
export function ensureCountsCover(extra: u32): bool {
  while (arrayBytes(COUNTS) < (<u64>blockIdLimit() + extra) << 3) {
    let used = <usize>arrayBytes(COUNTS);
    if (!growArray(COUNTS, (<u64>blockIdLimit() + extra) << 3, used)) return false;
  }
  return true;
}

/**
 * Free addresses below slot `slot` of node p, whose slots have order `slotOrder`: none, all,
 * or its child's count.
 */
@inline export function freeBelowSlot(p: usize, slot: u32, slotOrder: u32): f64 {
  let summary = summaryAt(p, FIRST_SLOT + slot);
  if (summary == 0) return 0;
  if (summary == slotOrder + 1) return pow2(slotOrder);
  return freeBelow(childAt(p, slot));
}

/**
 * Counts the free addresses below position 1 of node p from its children (every child counted
 * first when `build`, else read) and, when `build`, stores them; for checkCounts, the sum.
 */
function countNode(node: u32, build: bool): f64 {
  let p = blockPtr(node);
  let slotOrder = <u32>load<u8>(p + TOP_ORDER) - 4;
  let sum: f64 = 0;
  for (let slot: u32 = 0; slot < 16; slot++) {
    let child = childAt(p, slot);
    if (child != 0) {
      let below = countNode(child, build);
      if (build) setFreeBelow(child, below);
      else if (below != freeBelow(child)) mismatches++;
    }
    sum += freeBelowSlot(p, slot, slotOrder);
  }
  return sum;
}

let mismatches: u32 = 0;

/** Counts every node below the entry node from the tree (the caller ensured the cover). */
export function buildCounts(s: usize): void {
  countNode(entryNode(s), true);
  setCountsKept(s, true);
}

/** How many nodes of a space that keeps counts have a count the tree does not give (tests). */
export function countMismatches(s: usize): u32 {
  mismatches = 0;
  countNode(entryNode(s), false);
  return mismatches;
}

/** Whether the space's counts can be exact: no free block below 2^(entry order - COUNT_BITS). */
export function countsCanBeExact(s: usize): bool {
  let top = entryOrder(s);
  for (let order: u32 = 0; order + COUNT_BITS < top; order++) if (freeBlocksOfOrder(s, order) != 0) return false;
  return true;
}

/**
 * Recounts, from their children, the nodes on the path toward address (hi, lo), from the
 * deepest one up to the entry node: after a source change, whose path holds every count it
 * changed (new nodes included).
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
    let slotOrder = <u32>load<u8>(p + TOP_ORDER) - 4;
    let sum: f64 = 0;
    for (let slot: u32 = 0; slot < 16; slot++) sum += freeBelowSlot(p, slot, slotOrder);
    setFreeBelow(node, sum);
    node = load<u32>(p + PARENT);
    depth--;
  }
}

/**
 * Adds `sign` × 2^order free addresses to node and each node above it, up to the entry node
 * (whose own count no draw reads); a change too small for exact counts drops them.
 */
export function countChange(s: usize, node: u32, order: u32, sign: f64): void {
  if (order + COUNT_BITS < entryOrder(s)) {
    setCountsKept(s, false);
    return;
  }
  let delta = sign * pow2(order);
  let entryDepth = load<u8>(blockPtr(entryNode(s)) + DEPTH);
  let p = blockPtr(node);
  while (load<u8>(p + DEPTH) > entryDepth) {
    setFreeBelow(node, freeBelow(node) + delta);
    node = load<u32>(p + PARENT);
    p = blockPtr(node);
  }
}
