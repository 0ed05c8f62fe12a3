// Read-only reports on a space: exact capacity figures from the free-block histogram, and
// enumeration of allocated / free / source blocks in address order.

import { blockPtr } from './arena';
import { lessThan, lowMask, resetSum, addShifted } from './bits';
import { ALLOC_MASK, SOURCE_MASK, INSIDE_MASK, FIRST_SLOT, levelOf, summaryAt, childAt } from './node';
import { rootOf, widthOf, freeBlocksOfOrder } from './space';
import { isBusy } from './tree';

/** Sums freeBlocks[order] * 2^(order - minOrder) over order >= minOrder into the accumulator. */
export function sumFreeBlocks(s: usize, minOrder: u32): void {
  resetSum();
  let width = widthOf(s);
  for (let order = minOrder; order <= width; order++) {
    let count = freeBlocksOfOrder(s, order);
    if (count != 0) addShifted(<u64>count, order - minOrder);
  }
}

/** Prefix length of the largest free block, or -1 when nothing is free. */
export function largestFreePrefix(s: usize): i32 {
  let summary = summaryAt(blockPtr(rootOf(s)), 1);
  return summary == 0 ? -1 : <i32>(widthOf(s) - (summary - 1));
}

export const LIST_ALLOCATED: u32 = 0;
export const LIST_FREE: u32 = 1;
export const LIST_SOURCES: u32 = 2;

let listKind: u32 = 0;
let listWidth: u32 = 0;
let listMax: u32 = 0;
let listCount: u32 = 0;
let cursorHi: u64 = 0;
let cursorLo: u64 = 0;
let outPrefixes: usize = 0;
let outAddresses: usize = 0;
export let nextHi: u64 = 0;
export let nextLo: u64 = 0;
export let listWrapped: bool = false; // the last block listed ends at the top of the space

function emit(hi: u64, lo: u64, order: u32): bool {
  if (lessThan(hi, lo, cursorHi, cursorLo)) return true; // starts before the cursor
  if (listCount == listMax) return false;
  store<u8>(outPrefixes + listCount, <u8>(listWidth - order));
  if (listWidth == 32) {
    store<u32>(outAddresses + (<usize>listCount << 2), <u32>lo);
  } else {
    store<u64>(outAddresses + (<usize>listCount << 4), lo);
    store<u64>(outAddresses + (<usize>listCount << 4) + 8, hi);
  }
  listCount++;
  // next cursor = end of this block + 1
  let sizeLo: u64 = order >= 64 ? 0 : <u64>1 << <u64>order;
  let sizeHi: u64 = order >= 64 && order < 128 ? <u64>1 << <u64>(order - 64) : 0;
  nextLo = lo + sizeLo;
  nextHi = hi + sizeHi + (nextLo < lo ? 1 : 0);
  listWrapped = order == 128 || (nextHi == 0 && nextLo == 0) || (listWidth == 32 && (nextLo >> 32) != 0);
  return true;
}

function visit(node: u32, q: u32, top: u32, hi: u64, lo: u64): bool {
  let p = blockPtr(node);
  let level = levelOf(q);
  let order = top - level;
  // skip blocks that end before the cursor
  let endHi = order >= 64 ? hi | lowMask(order - 64) : hi;
  let endLo = lo | lowMask(min(order, 64));
  if (lessThan(endHi, endLo, cursorHi, cursorLo)) return true;
  let bit = <u32>1 << q;
  let allocated = (load<u32>(p + ALLOC_MASK) & bit) != 0;
  let wholeFree = summaryAt(p, q) == order + 1;
  if (listKind == LIST_ALLOCATED) {
    if (allocated) return emit(hi, lo, order);
    if (wholeFree || !isBusy(p, q)) return true;
  } else if (listKind == LIST_FREE) {
    if (wholeFree) return emit(hi, lo, order);
    if (allocated || summaryAt(p, q) == 0) return true;
  } else {
    if ((load<u32>(p + SOURCE_MASK) & bit) != 0) return emit(hi, lo, order);
    if ((load<u32>(p + INSIDE_MASK) & bit) != 0) return true;
  }
  if (q < FIRST_SLOT) {
    let half = order - 1;
    let upperHi = half >= 64 ? hi | (<u64>1 << <u64>(half - 64)) : hi;
    let upperLo = half < 64 ? lo | (<u64>1 << <u64>half) : lo;
    return visit(node, q << 1, top, hi, lo) && visit(node, (q << 1) | 1, top, upperHi, upperLo);
  }
  let child = childAt(p, q - FIRST_SLOT);
  if (child == 0) return true;
  // the child's position 1 repeats this slot: continue with its halves
  let half = order - 1;
  let upperHi = half >= 64 ? hi | (<u64>1 << <u64>(half - 64)) : hi;
  let upperLo = half < 64 ? lo | (<u64>1 << <u64>half) : lo;
  return visit(child, 2, top - 4, hi, lo) && visit(child, 3, top - 4, upperHi, upperLo);
}

/** Lists blocks of `kind` that start at or after (fromHi, fromLo); returns how many were written. */
export function listBlocks(s: usize, kind: u32, fromHi: u64, fromLo: u64, max: u32, prefixes: usize, addresses: usize): u32 {
  listKind = kind;
  listWidth = widthOf(s);
  listMax = max;
  listCount = 0;
  cursorHi = fromHi;
  cursorLo = fromLo;
  outPrefixes = prefixes;
  outAddresses = addresses;
  listWrapped = false;
  visit(rootOf(s), 1, listWidth, 0, 0);
  return listCount;
}
