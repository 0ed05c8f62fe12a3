// The simulator's event stream, drawn onto the tape (live.ts) inside wasm: about 22 ns an event
// here, 69 in JS (its three splitmix32 draws alone took 22). The stream is the scenario's and the same for
// every strategy: each event takes three splitmix32 draws, whatever happens to it:
//   kind   an arrival when kind / 2^32 < the arrival share (linear start + slope · event, or a
//          burst's share inside a burst: the last burst that holds the event)
//   which  picks the leaf by the leaves' cumulative shares, and is the tape's draw (a release
//          takes live allocation ⌊which / 2^32 · count⌋)
//   size   picks the mask by the leaf's cumulative mask shares
// A pick is the first entry whose cumulative share exceeds the draw / 2^32, else the last
// (shares are running sums of non-negative weights over their total, so non-decreasing).
// The JS side (src/sim/stream.ts) loads the tables; test/support/reference-stream.ts is the
// plain-JS definition the tests hold this to. One stream per engine instance.

import { arrayBase, growArray } from './arena';
import { ARRIVAL, TAPE_EVENT_BYTES } from './live';
import * as S from './status';

// Growable arrays (arena.ts) of records whose sizes divide 128, so that every arena block of
// them starts with a record's first word, kept far below the space tag (space.ts): no block
// can pass for a space record. The cumulative share of a leaf or mask is at offset SHARE.
const BURSTS = memory.data(8); // u32 0, u32 unused, f64 from, f64 to (event numbers), f64 share
const LEAVES = memory.data(8); // u32 first mask, u32 masks, f64 share, u32 tape id, u32 unused, u8 mask guide[16], unused to 64
const MASKS = memory.data(8);  // u32 prefix length, u32 unused, f64 share
const BURST_BYTES: u32 = 32;
const LEAF_BYTES: u32 = 64;
const MASK_BYTES: u32 = 16;
const SHARE: u32 = 8;

// Guides make a pick O(1) on average (a binary search's chain of dependent loads measured
// 30 ns a pick, a plain scan's mispredicted exit about as much): guide[g] is the pick for
// g / G, and since picks only grow with the draw, the pick for any draw in [g / G, (g+1) / G)
// is found scanning on from there. The leaves' guide indexes with the draw's top 8 bits, each
// leaf's mask guide with its top 4 (bytes: a scenario leaf has at most 129 masks, and an index
// that wraps only starts the scan lower, which gives the same pick).
const LEAF_GUIDE = memory.data(256 * 4);
const MASK_GUIDE: u32 = 24; // offset in a leaf record
let guidesReady = false;

let bursts: u32 = 0;
let leaves: u32 = 0;
let masks: u32 = 0;
let state: u32 = 0;
let start: f64 = 0;
let slope: f64 = 0;

/** Room for record `index` of `bytes` in the table; its address, or 0 when memory cannot grow. */
function recordAt(table: usize, index: u32, bytes: u32): usize {
  if (!growArray(table, <u64>(index + 1) * bytes, index * bytes)) return 0;
  return arrayBase(table) + index * bytes;
}

/** Starts a stream with no bursts or leaves yet. */
export function beginStream(seed: u32, startShare: f64, slopeShare: f64): void {
  state = seed;
  start = startShare;
  slope = slopeShare;
  bursts = 0;
  leaves = 0;
  masks = 0;
  guidesReady = false;
}

/** Adds a burst: events from <= e < to arrive with the given share. A status. */
export function addBurst(from: f64, to: f64, share: f64): i32 {
  let r = recordAt(BURSTS, bursts, BURST_BYTES);
  if (r == 0) return S.E_OUT_OF_MEMORY;
  store<u64>(r, 0);
  store<f64>(r + 8, from);
  store<f64>(r + 16, to);
  store<f64>(r + 24, share);
  bursts++;
  return S.OK;
}

/** Adds a leaf (its masks follow with addMask). A status. */
export function addLeaf(tapeId: u32, cumulative: f64): i32 {
  let r = recordAt(LEAVES, leaves, LEAF_BYTES);
  if (r == 0) return S.E_OUT_OF_MEMORY;
  store<u32>(r, masks);
  store<u32>(r + 4, 0);
  store<f64>(r + SHARE, cumulative);
  store<u32>(r + 16, tapeId);
  leaves++;
  guidesReady = false;
  return S.OK;
}

/** Adds a mask to the last leaf. A status: BAD_ARGUMENT before any leaf, BAD_PREFIX beyond 128. */
export function addMask(prefix: u32, cumulative: f64): i32 {
  if (leaves == 0) return S.E_BAD_ARGUMENT;
  if (prefix > 128) return S.E_BAD_PREFIX;
  let r = recordAt(MASKS, masks, MASK_BYTES);
  if (r == 0) return S.E_OUT_OF_MEMORY;
  store<u64>(r, prefix);
  store<f64>(r + SHARE, cumulative);
  masks++;
  let leaf = arrayBase(LEAVES) + (leaves - 1) * LEAF_BYTES;
  store<u32>(leaf + 4, load<u32>(leaf + 4) + 1);
  guidesReady = false;
  return S.OK;
}

@inline function nextDraw(): u32 {
  state += 0x9e3779b9;
  let z = state;
  z = (z ^ (z >> 16)) * 0x85ebca6b;
  z = (z ^ (z >> 13)) * 0xc2b2ae35;
  return z ^ (z >> 16);
}

/** The first of n shares from `first` on (stride bytes apart, from `shares`) that exceeds u, else the last. */
@inline function pickFrom(shares: usize, n: u32, stride: u32, u: f64, first: u32): u32 {
  let i = first;
  while (i < n - 1 && u >= load<f64>(shares + i * stride)) i++;
  return i;
}

/**
 * Fills the guides, once after the tables last changed; false (nothing filled) when draws
 * cannot go: no leaf, or a leaf without masks.
 */
function prepareGuides(): bool {
  let leafTable = arrayBase(LEAVES);
  let maskTable = arrayBase(MASKS);
  if (leaves == 0) return false;
  for (let leaf: u32 = 0; leaf < leaves; leaf++) if (load<u32>(leafTable + leaf * LEAF_BYTES + 4) == 0) return false;
  for (let g: u32 = 0, i: u32 = 0; g < 256; g++) {
    i = pickFrom(leafTable + SHARE, leaves, LEAF_BYTES, <f64>g / 256.0, i);
    store<u32>(LEAF_GUIDE + (g << 2), i);
  }
  for (let leaf: u32 = 0; leaf < leaves; leaf++) {
    let r = leafTable + leaf * LEAF_BYTES;
    let own = maskTable + load<u32>(r) * MASK_BYTES;
    for (let g: u32 = 0, i: u32 = 0; g < 16; g++) {
      i = pickFrom(own + SHARE, load<u32>(r + 4), MASK_BYTES, <f64>g / 16.0, i);
      store<u8>(r + MASK_GUIDE + g, <u8>i);
    }
  }
  guidesReady = true;
  return true;
}

/** Draws events from..to-1 onto tape[0..] (consecutive ranges); false, drawing nothing, when the tables cannot serve. */
export function drawTape(tape: usize, from: u32, to: u32): bool {
  if (!guidesReady && !prepareGuides()) return false;
  let leafTable = arrayBase(LEAVES);
  let maskTable = arrayBase(MASKS);
  let burstTable = arrayBase(BURSTS);
  for (let e = from; e < to; e++) {
    let kind = nextDraw(), which = nextDraw(), size = nextDraw();
    let at = <f64>e;
    let share = start + slope * at;
    for (let b: u32 = 0; b < bursts; b++) {
      let r = burstTable + b * BURST_BYTES;
      if (at >= load<f64>(r + 8) && at < load<f64>(r + 16)) share = load<f64>(r + 24);
    }
    let leaf = leafTable + pickFrom(leafTable + SHARE, leaves, LEAF_BYTES, <f64>which / 4294967296.0, load<u32>(LEAF_GUIDE + ((which >> 24) << 2))) * LEAF_BYTES;
    let own = maskTable + load<u32>(leaf) * MASK_BYTES;
    let mask = own + pickFrom(own + SHARE, load<u32>(leaf + 4), MASK_BYTES, <f64>size / 4294967296.0, load<u8>(leaf + MASK_GUIDE + (size >> 28))) * MASK_BYTES;
    let event = tape + <usize>(e - from) * TAPE_EVENT_BYTES;
    store<u32>(event, load<u32>(leaf + 16));
    store<u32>(event + 4, select<u32>(ARRIVAL, 0, <f64>kind < share * 4294967296.0) | load<u32>(mask));
    store<u32>(event + 8, which);
  }
  return true;
}
