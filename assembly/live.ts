// The simulator's live list and event tape: a run's arrivals and releases applied inside wasm,
// a whole chunk of events per call, so the engine path pays no JS↔wasm crossing and no JS
// bookkeeping per event. stream.ts draws the events onto the tape; the JS side (src/sim/run.ts)
// handles what is rare: failures, pool growth, samples.
//
// Live list: every allocation the tape made, numbered 0..count-1; a release takes number i and
// the last one moves into its place (swap-remove), as the API path does with its ID list.
// Records are 32 bytes, in one growable array (arena.ts), so a release reads one cache line (a
// radix tree of blocks measured 2-3 cache misses a release instead):
//   0  u32 prefix length   4 u32 space   8 u64 address lo   16 u64 address hi
//  24  u32 the space's generation (space.ts), so a destroyed space's id reused is told apart
//  28  u32 the node holding the allocation (tree.ts takenNode), so a release starts there
// No block of the array can pass for a space record: every 128-byte block starts with a
// record, whose first word is a prefix length (<= 128). One engine instance has one live list
// (its driver resets it first).

import { arrayBase, growArray } from './arena';
import { isLiveSpace, spacePtr, widthOf, generationOf } from './space';
import * as T from './tree';
import * as S from './status';

const RECORD_SHIFT: u32 = 5;
const LIST = memory.data(8); // the growable array
let count: u32 = 0;

export function liveCount(): u32 {
  return count;
}

@inline function recordPtr(index: u32): usize {
  return arrayBase(LIST) + (<usize>index << RECORD_SHIFT);
}

/**
 * Empties the list (the spaces' allocations stay). It keeps its run for the next run of the
 * simulator, which would otherwise take fresh memory: a given-back run serves only as nodes.
 */
export function resetLive(): void {
  count = 0;
}

/** Allocates a /prefix in space with the strategy and appends it to the list; a status. */
export function allocateLive(space: u32, prefix: u32, strategy: u32): i32 {
  if (!isLiveSpace(space)) return S.E_BAD_SPACE;
  let s = spacePtr(space);
  let width = widthOf(s);
  if (prefix > width) return S.E_BAD_PREFIX;
  if (strategy >= T.STRATEGY_COUNT) return S.E_BAD_STRATEGY;
  // room for the record first: moving the list changes nothing a caller can see
  if (!growArray(LIST, (<u64>count + 1) << RECORD_SHIFT, <usize>count << RECORD_SHIFT)) return S.E_OUT_OF_MEMORY;
  let status = T.allocate(s, prefix, strategy);
  if (status != S.OK) return status;
  let r = recordPtr(count++);
  store<u32>(r, prefix);
  store<u32>(r + 4, space);
  store<u64>(r + 8, T.resultLo);
  store<u64>(r + 16, T.resultHi);
  store<u32>(r + 24, generationOf(s));
  store<u32>(r + 28, T.takenNode);
  return S.OK;
}

/** Releases live allocation `index`; the last one takes its number. A status. */
export function releaseLive(index: u32): i32 {
  if (index >= count) return S.E_BAD_ARGUMENT;
  let r = recordPtr(index);
  let space = load<u32>(r + 4);
  // a space destroyed since (its allocations went with it) is refused, and the record kept,
  // even when another space has taken its id
  if (!isLiveSpace(space) || generationOf(spacePtr(space)) != load<u32>(r + 24)) return S.E_BAD_SPACE;
  let status = T.releaseIn(spacePtr(space), load<u32>(r + 28), load<u64>(r + 16), load<u64>(r + 8), load<u32>(r));
  if (status != S.OK) return status;
  let last = recordPtr(--count);
  v128.store(r, v128.load(last));
  v128.store(r + 16, v128.load(last + 16));
  return S.OK;
}

// A tape event is three u32: the space, then ARRIVAL | prefix length, then the event's draw d
// for a release: it takes number ⌊d / 2^32 · count⌋, computed in doubles exactly as JS does.
// An event is an arrival when its ARRIVAL bit is set or the list is empty.
export const ARRIVAL: u32 = 0x100;
export const TAPE_EVENT_BYTES: u32 = 12;

/**
 * Applies tape events first..end-1 (at `tape`) with the strategy; returns the number of the
 * first event that did not happen (end when all did), with its status in `statusOut`. An event
 * that did not happen changed nothing.
 */
export function applyTape(tape: usize, first: u32, end: u32, strategy: u32, statusOut: usize): u32 {
  for (let i = first; i < end; i++) {
    let event = tape + <usize>i * TAPE_EVENT_BYTES;
    let code = load<u32>(event + 4);
    let status = count == 0 || (code & ARRIVAL) != 0
      ? allocateLive(load<u32>(event), code & 0xff, strategy)
      : releaseLive(<u32>Math.floor(<f64>load<u32>(event + 8) / 4294967296.0 * <f64>count));
    if (status != S.OK) {
      store<i32>(statusOut, status);
      return i;
    }
  }
  return end;
}
