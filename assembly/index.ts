// The engine's exports: numbers only. IPv4 entry points (…4) take the address as a u32;
// IPv6 entry points (…6) read it from the IO area (IO_ADDRESS_IN: lo u64, hi u64) and
// write results to IO_ADDRESS_OUT. Every export returns a status (see status.ts) and never traps.

import { ioBase, liveNodeCount } from './arena';
import { isLiveSpace, spacePtr, createSpace as newSpace, destroySpace as dropSpace, widthOf, liveCount, sourceCount, freeBlocksOfOrder, randomStateOf, countsKept } from './space';
import * as T from './tree';
import { sumFreeBlocks, largestFreePrefix, listBlocks as listBlocks_, nextHi, nextLo, listWrapped } from './report';
import { sumLo, sumHi, sumTop } from './bits';
import * as S from './status';
import * as L from './live';
import * as E from './stream';
import { countMismatches } from './counts';

// IO area layout (byte offsets from ioBase()); mirrored in src/engine/layout.ts
const IO_ADDRESS_IN: usize = 0;    // lo u64, hi u64
const IO_ADDRESS_OUT: usize = 16;  // lo u64, hi u64
const IO_STATUS: usize = 32;       // i32: status of the failed batch item / 1 when a list has more
const IO_COUNTS: usize = 48;       // free addresses (lo, hi, top u64), blocks that fit (lo, hi, top u64)
const IO_STATS: usize = 96;        // u32 live allocations, u32 sources, i32 largest free prefix, u32 width
const IO_PREFIXES: usize = 1024;   // u8[BATCH_CAPACITY]
const IO_ADDRESSES: usize = 8192;  // IPv4: u32[BATCH_CAPACITY]; IPv6: (lo u64, hi u64)[BATCH_CAPACITY]
const BATCH_CAPACITY: u32 = 4096;
const IO_TAPE: usize = 73728;      // tape events (live.ts), TAPE_EVENT_BYTES each
const TAPE_CAPACITY: u32 = 4096;

export function ioOffset(): usize {
  return ioBase;
}

export function batchCapacity(): u32 {
  return BATCH_CAPACITY;
}

export function memoryBytes(): f64 {
  return <f64>memory.size() * 65536;
}

export function nodesInUse(): u32 {
  return liveNodeCount();
}

/** Creates an empty space of 32 (IPv4) or 128 (IPv6) bits; returns its id or a status. */
export function createSpace(width: i32): i32 {
  if (width != 32 && width != 128) return S.E_BAD_ARGUMENT;
  let space = newSpace(<u32>width);
  return space == 0 ? S.E_OUT_OF_MEMORY : <i32>space;
}

export function destroySpace(space: i32): i32 {
  if (!isLiveSpace(<u32>space)) return S.E_BAD_SPACE;
  dropSpace(<u32>space);
  return S.OK;
}

// ---- block operations, shared by the IPv4 and IPv6 entry points ----

const OP_ADD_SOURCE = 0;
const OP_REMOVE_SOURCE = 1;
const OP_RESERVE = 2;
const OP_RELEASE = 3;
const OP_OVERLAPS = 4;
const OP_INSIDE_SOURCE = 5;

function blockOp(op: i32, space: i32, hi: u64, lo: u64, prefix: i32): i32 {
  if (!isLiveSpace(<u32>space)) return S.E_BAD_SPACE;
  let s = spacePtr(<u32>space);
  let check = T.checkBlock(s, hi, lo, prefix);
  if (check != S.OK) return check;
  let len = <u32>prefix;
  switch (op) {
    case OP_ADD_SOURCE: return T.addSource(s, hi, lo, len);
    case OP_REMOVE_SOURCE: return T.removeSource(s, hi, lo, len);
    case OP_RESERVE: return T.reserve(s, hi, lo, len);
    case OP_RELEASE: return T.release(s, hi, lo, len);
    case OP_OVERLAPS: return T.overlapsAllocation(s, hi, lo, len);
    default: return T.insideSource(s, hi, lo, len);
  }
}

@inline function inHi(): u64 { return load<u64>(ioBase + IO_ADDRESS_IN + 8); }
@inline function inLo(): u64 { return load<u64>(ioBase + IO_ADDRESS_IN); }

export function addSource4(space: i32, address: u32, prefix: i32): i32 { return blockOp(OP_ADD_SOURCE, space, 0, address, prefix); }
export function addSource6(space: i32, prefix: i32): i32 { return blockOp(OP_ADD_SOURCE, space, inHi(), inLo(), prefix); }
export function removeSource4(space: i32, address: u32, prefix: i32): i32 { return blockOp(OP_REMOVE_SOURCE, space, 0, address, prefix); }
export function removeSource6(space: i32, prefix: i32): i32 { return blockOp(OP_REMOVE_SOURCE, space, inHi(), inLo(), prefix); }
export function reserve4(space: i32, address: u32, prefix: i32): i32 { return blockOp(OP_RESERVE, space, 0, address, prefix); }
export function reserve6(space: i32, prefix: i32): i32 { return blockOp(OP_RESERVE, space, inHi(), inLo(), prefix); }
export function release4(space: i32, address: u32, prefix: i32): i32 { return blockOp(OP_RELEASE, space, 0, address, prefix); }
export function release6(space: i32, prefix: i32): i32 { return blockOp(OP_RELEASE, space, inHi(), inLo(), prefix); }
/** 1 when an allocation overlaps the block, 0 when none does, or a negative status. */
export function overlaps4(space: i32, address: u32, prefix: i32): i32 { return blockOp(OP_OVERLAPS, space, 0, address, prefix); }
export function overlaps6(space: i32, prefix: i32): i32 { return blockOp(OP_OVERLAPS, space, inHi(), inLo(), prefix); }
/** 1 when the block lies inside a source block, 0 when not, or a negative status. */
export function insideSource4(space: i32, address: u32, prefix: i32): i32 { return blockOp(OP_INSIDE_SOURCE, space, 0, address, prefix); }
export function insideSource6(space: i32, prefix: i32): i32 { return blockOp(OP_INSIDE_SOURCE, space, inHi(), inLo(), prefix); }

// ---- allocation by size ----

function sizeOp(take: bool, space: i32, prefix: i32, strategy: i32): i32 {
  if (!isLiveSpace(<u32>space)) return S.E_BAD_SPACE;
  let s = spacePtr(<u32>space);
  if (prefix < 0 || <u32>prefix > widthOf(s)) return S.E_BAD_PREFIX;
  if (<u32>strategy >= T.STRATEGY_COUNT) return S.E_BAD_STRATEGY;
  return take ? T.allocate(s, <u32>prefix, <u32>strategy) : T.preview(s, <u32>prefix, <u32>strategy);
}

/** Allocates a block; returns its address (IPv4 spaces only) or a negative status. */
export function allocate4(space: i32, prefix: i32, strategy: i32): f64 {
  let status = sizeOp(true, space, prefix, strategy);
  return status < 0 ? <f64>status : <f64>T.resultLo;
}

/** What allocate4 would return, taking nothing. */
export function preview4(space: i32, prefix: i32, strategy: i32): f64 {
  let status = sizeOp(false, space, prefix, strategy);
  return status < 0 ? <f64>status : <f64>T.resultLo;
}

function writeResult(status: i32): i32 {
  if (status == S.OK) {
    store<u64>(ioBase + IO_ADDRESS_OUT, T.resultLo);
    store<u64>(ioBase + IO_ADDRESS_OUT + 8, T.resultHi);
  }
  return status;
}

/** Allocates a block; its address goes to IO_ADDRESS_OUT. */
export function allocate6(space: i32, prefix: i32, strategy: i32): i32 {
  return writeResult(sizeOp(true, space, prefix, strategy));
}

export function preview6(space: i32, prefix: i32, strategy: i32): i32 {
  return writeResult(sizeOp(false, space, prefix, strategy));
}

// ---- the random strategy's generator (one u64 of state per space, see random.ts) ----

/** Sets a space's generator state to (hi << 32) | lo; any value is valid. */
export function setRandomState(space: i32, hi: u32, lo: u32): i32 {
  if (!isLiveSpace(<u32>space)) return S.E_BAD_SPACE;
  T.setRandomState(spacePtr(<u32>space), (<u64>hi << 32) | <u64>lo);
  return S.OK;
}

/**
 * Writes a space's generator state to IO_ADDRESS_IN as a u64 (lo word first): IO_ADDRESS_OUT
 * keeps only allocate/preview results, which a caller may still be reading.
 */
export function randomState(space: i32): i32 {
  if (!isLiveSpace(<u32>space)) return S.E_BAD_SPACE;
  store<u64>(ioBase + IO_ADDRESS_IN, randomStateOf(spacePtr(<u32>space)));
  return S.OK;
}

// ---- batches: the loop stays inside wasm ----

/**
 * Allocates count blocks with the prefix lengths in IO_PREFIXES, writing addresses to
 * IO_ADDRESSES. Returns how many succeeded; when fewer than count, IO_STATUS holds why.
 */
export function allocateBatch(space: i32, count: i32, strategy: i32): i32 {
  if (!isLiveSpace(<u32>space)) return S.E_BAD_SPACE;
  if (count < 0 || <u32>count > BATCH_CAPACITY) return S.E_BAD_ARGUMENT;
  let s = spacePtr(<u32>space);
  let wide = widthOf(s) == 128;
  for (let i = 0; i < count; i++) {
    let status = sizeOp(true, space, <i32>load<u8>(ioBase + IO_PREFIXES + i), strategy);
    if (status < 0) {
      store<i32>(ioBase + IO_STATUS, status);
      return i;
    }
    if (wide) {
      store<u64>(ioBase + IO_ADDRESSES + (<usize>i << 4), T.resultLo);
      store<u64>(ioBase + IO_ADDRESSES + (<usize>i << 4) + 8, T.resultHi);
    } else {
      store<u32>(ioBase + IO_ADDRESSES + (<usize>i << 2), <u32>T.resultLo);
    }
  }
  return count;
}

/** Releases count blocks given in IO_PREFIXES / IO_ADDRESSES; same return as allocateBatch. */
export function releaseBatch(space: i32, count: i32): i32 {
  if (!isLiveSpace(<u32>space)) return S.E_BAD_SPACE;
  if (count < 0 || <u32>count > BATCH_CAPACITY) return S.E_BAD_ARGUMENT;
  let wide = widthOf(spacePtr(<u32>space)) == 128;
  for (let i = 0; i < count; i++) {
    let prefix = <i32>load<u8>(ioBase + IO_PREFIXES + i);
    let status = wide
      ? blockOp(OP_RELEASE, space, load<u64>(ioBase + IO_ADDRESSES + (<usize>i << 4) + 8), load<u64>(ioBase + IO_ADDRESSES + (<usize>i << 4)), prefix)
      : blockOp(OP_RELEASE, space, 0, load<u32>(ioBase + IO_ADDRESSES + (<usize>i << 2)), prefix);
    if (status < 0) {
      store<i32>(ioBase + IO_STATUS, status);
      return i;
    }
  }
  return count;
}

// ---- the simulator's live list and event tape (live.ts) ----

export function tapeCapacity(): u32 {
  return TAPE_CAPACITY;
}

/** Empties the live list (its allocations stay in their spaces). */
export function resetLive(): void {
  L.resetLive();
}

export function liveListCount(): u32 {
  return L.liveCount();
}

/** Allocates a block and appends it to the live list; a status. */
export function allocateLive(space: i32, prefix: i32, strategy: i32): i32 {
  if (prefix < 0) return S.E_BAD_PREFIX;
  return L.allocateLive(<u32>space, <u32>prefix, <u32>strategy);
}

/** Releases live allocation `index` (the last one takes its number); a status. */
export function releaseLive(index: i32): i32 {
  return index < 0 ? S.E_BAD_ARGUMENT : L.releaseLive(<u32>index);
}

/**
 * Applies events first..end-1 of the tape in IO_TAPE; returns the number of the first one that
 * did not happen (end when all did) with its status in IO_STATUS, or a negative status when
 * the range or the strategy is wrong (then nothing happened).
 */
export function applyTape(first: i32, end: i32, strategy: i32): i32 {
  if (first < 0 || end < first || <u32>end > TAPE_CAPACITY) return S.E_BAD_ARGUMENT;
  // checked here, not only at the first arrival: the releases before it would have happened
  if (<u32>strategy >= T.STRATEGY_COUNT) return S.E_BAD_STRATEGY;
  return <i32>L.applyTape(ioBase + IO_TAPE, <u32>first, <u32>end, <u32>strategy, ioBase + IO_STATUS);
}

/** Starts the event stream (stream.ts) that drawTape writes; its bursts, leaves and masks follow. */
export function beginStream(seed: i32, start: f64, slope: f64): void {
  E.beginStream(<u32>seed, start, slope);
}

export function addBurst(from: f64, to: f64, share: f64): i32 {
  return E.addBurst(from, to, share);
}

export function addLeaf(tapeId: i32, cumulative: f64): i32 {
  return E.addLeaf(<u32>tapeId, cumulative);
}

/** Adds a mask to the last leaf added. */
export function addMask(prefix: i32, cumulative: f64): i32 {
  return prefix < 0 ? S.E_BAD_PREFIX : E.addMask(<u32>prefix, cumulative);
}

/**
 * Draws the stream's events first..end-1 onto the tape in IO_TAPE (from its start). A status:
 * BAD_ARGUMENT for more events than the tape holds, or a stream without leaves or with a leaf
 * without masks.
 */
export function drawTape(first: i32, end: i32): i32 {
  if (first < 0 || end < first || <u32>(end - first) > TAPE_CAPACITY) return S.E_BAD_ARGUMENT;
  return E.drawTape(ioBase + IO_TAPE, <u32>first, <u32>end) ? S.OK : S.E_BAD_ARGUMENT;
}

// ---- reports ----

/**
 * Writes exact capacity figures to IO_COUNTS (free addresses, then how many /prefix blocks
 * still fit; each as lo, hi, top u64) and IO_STATS.
 */
export function capacity(space: i32, prefix: i32): i32 {
  if (!isLiveSpace(<u32>space)) return S.E_BAD_SPACE;
  let s = spacePtr(<u32>space);
  let width = widthOf(s);
  if (prefix < 0 || <u32>prefix > width) return S.E_BAD_PREFIX;
  let out = ioBase + IO_COUNTS;
  sumFreeBlocks(s, 0);
  store<u64>(out, sumLo); store<u64>(out + 8, sumHi); store<u64>(out + 16, sumTop);
  sumFreeBlocks(s, width - <u32>prefix);
  store<u64>(out + 24, sumLo); store<u64>(out + 32, sumHi); store<u64>(out + 40, sumTop);
  return stats(space);
}

/** Writes live allocations, sources, largest free prefix and width to IO_STATS. */
export function stats(space: i32): i32 {
  if (!isLiveSpace(<u32>space)) return S.E_BAD_SPACE;
  let s = spacePtr(<u32>space);
  let out = ioBase + IO_STATS;
  store<u32>(out, liveCount(s));
  store<u32>(out + 4, sourceCount(s));
  store<i32>(out + 8, largestFreePrefix(s));
  store<u32>(out + 12, widthOf(s));
  return S.OK;
}

/**
 * Lists up to max blocks of kind (0 allocated, 1 free, 2 sources) starting at or after the
 * address in IO_ADDRESS_IN, in address order, into IO_PREFIXES / IO_ADDRESSES. Returns the
 * count; IO_STATUS is 1 when more may follow, from the cursor left in IO_ADDRESS_IN (in place:
 * IO_ADDRESS_OUT keeps only allocate/preview results).
 */
export function listBlocks(space: i32, kind: i32, max: i32): i32 {
  if (!isLiveSpace(<u32>space)) return S.E_BAD_SPACE;
  if (kind < 0 || kind > 2 || max < 1 || <u32>max > BATCH_CAPACITY) return S.E_BAD_ARGUMENT;
  let count = listBlocks_(spacePtr(<u32>space), <u32>kind, inHi(), inLo(), <u32>max, ioBase + IO_PREFIXES, ioBase + IO_ADDRESSES);
  store<u64>(ioBase + IO_ADDRESS_IN, nextLo);
  store<u64>(ioBase + IO_ADDRESS_IN + 8, nextHi);
  store<i32>(ioBase + IO_STATUS, count == <u32>max && !listWrapped ? 1 : 0);
  return <i32>count;
}

/**
 * Writes the space's maximal free blocks by order (u32 count for order 0..width) to
 * IO_ADDRESSES: every capacity figure (free addresses, /N blocks that fit for every N, the
 * free-block histogram) follows from it, in O(width) whatever the number of allocations.
 */
export function freeBlockHistogram(space: i32): i32 {
  if (!isLiveSpace(<u32>space)) return S.E_BAD_SPACE;
  let s = spacePtr(<u32>space);
  let width = widthOf(s);
  for (let order: u32 = 0; order <= width; order++) {
    store<u32>(ioBase + IO_ADDRESSES + (<usize>order << 2), freeBlocksOfOrder(s, order));
  }
  return S.OK;
}

/**
 * 1 when the space's free addresses add up to at least a /prefix's worth (2^(width - prefix)),
 * aligned or not, else 0 (or a negative status): exact, from the histogram, in O(width).
 */
export function holdsFreeAddresses(space: i32, prefix: i32): i32 {
  if (!isLiveSpace(<u32>space)) return S.E_BAD_SPACE;
  let s = spacePtr(<u32>space);
  let width = widthOf(s);
  if (prefix < 0 || <u32>prefix > width) return S.E_BAD_PREFIX;
  let order = width - <u32>prefix;
  for (let k = order; k <= width; k++) if (freeBlocksOfOrder(s, k) != 0) return 1;
  // ⌊Σ_{k<order} count_k · 2^k / 2^order⌋ by halving with carry, order by order: nested floors
  // of halves compose exactly, and the carry stays below 2^32
  let carry: u64 = 0;
  for (let k: u32 = 0; k < order; k++) carry = (carry + <u64>freeBlocksOfOrder(s, k)) >> 1;
  return carry != 0 ? 1 : 0;
}

// ---- for tests of random's counted draw (counts.ts) ----

/** 1 when the space keeps free-address counts, else 0 (or a status). */
export function keepsFreeCounts(space: i32): i32 {
  if (!isLiveSpace(<u32>space)) return S.E_BAD_SPACE;
  return countsKept(spacePtr(<u32>space)) ? 1 : 0;
}

/** Which of random's draws answered the engine's last random allocate or preview that found a block (tree.ts DRAW_*). */
export function lastRandomDraw(): i32 {
  return <i32>T.randomDrawServed;
}

/** How many of the space's counts its tree does not give (0 when it keeps none): O(nodes). */
export function freeCountMismatches(space: i32): i32 {
  if (!isLiveSpace(<u32>space)) return S.E_BAD_SPACE;
  let s = spacePtr(<u32>space);
  return countsKept(s) ? <i32>countMismatches(s) : 0;
}

