// Linear memory layout, owned entirely by the engine (no managed allocations, so the stub
// runtime's trapping allocator is never reached):
//
//   __heap_base → IO area (IO_BYTES): scratch addresses, capacity results, batch buffers
//   then        → arena of 128-byte blocks: tree nodes (one block) and space records (SPACE_BLOCKS)
//
// Block 0 is the null reference. Every eighth block (ids 8k, block 0 included) is a side table:
// 16 bytes for each of the blocks 8k+1..8k+7, where best-fit keeps a node's order set (see
// order-sets.ts). Side data in its own block leaves the 128 bytes every walk touches as they
// were, stays on the node's memory page, and costs 1/7 more memory rather than twice as much
// (two-block nodes measured 9% slower on first-fit churn). A side table's first 16 bytes stay
// zero, so it never passes for a space record. Nodes (and their childSets blocks, node.ts) and space records keep separate free lists.
// Every mutating operation first asks `ensureNodeBlocks` / `ensureBumpBlocks` for the worst case
// it may need, so a failed memory.grow is reported before any space is touched (memory may have
// grown, and the companion map moved, by then: neither is part of a space's state).

export const BLOCK_SHIFT: u32 = 7;
export const BLOCK_BYTES: u32 = 1 << BLOCK_SHIFT;
export const IO_BYTES: usize = 128 * 1024;

export const ioBase: usize = (__heap_base + 15) & ~(<usize>15);
const arenaBase: usize = (ioBase + IO_BYTES + BLOCK_BYTES - 1) & ~(<usize>BLOCK_BYTES - 1);

let blockCapacity: u32 = 0; // blocks that fit in memory now
let bumpBlock: u32 = 1;     // next never-used block
let freeNodeHead: u32 = 0;  // free list of node blocks, linked through the word at offset 64
let freeNodeCount: u32 = 0;
let nodesInUse: u32 = 0;

@inline export function blockPtr(block: u32): usize {
  return arenaBase + (<usize>block << BLOCK_SHIFT);
}

/** The 16 side-table bytes of a block (never of a side table itself). */
@inline export function sideBytesPtr(block: u32): usize {
  return arenaBase + (<usize>(block & ~7) << BLOCK_SHIFT) + ((<usize>block & 7) << 4);
}

/** How far the bump pointer moves to hand out `nodes` single blocks, side tables skipped. */
function bumpSpanForNodes(nodes: u32): u32 {
  let skip: u32 = (bumpBlock & 7) == 0 ? 1 : 0;
  let inThisGroup: u32 = 8 - ((bumpBlock + skip) & 7);
  if (nodes <= inThisGroup) return skip + nodes;
  let rest = nodes - inThisGroup;
  return skip + inThisGroup + rest + (rest + 6) / 7; // one side table per later group of 7
}

function refreshCapacity(): void {
  let bytes = <usize>memory.size() << 16;
  blockCapacity = bytes > arenaBase ? <u32>((bytes - arenaBase) >> BLOCK_SHIFT) : 0;
}

/**
 * Makes sure `fresh` blocks can be taken from the bump region, growing memory if needed, and
 * that the companion map covers their ids (below).
 */
export function ensureBumpBlocks(fresh: u32): bool {
  return ensureCompanionCover(fresh) && ensureRoom(fresh);
}

function ensureRoom(fresh: u32): bool {
  if (blockCapacity == 0) refreshCapacity();
  if (<u64>bumpBlock + fresh <= <u64>blockCapacity) return true;
  let neededBytes = (<u64>bumpBlock + fresh) << BLOCK_SHIFT;
  let neededPages = <i32>((<u64>arenaBase + neededBytes + 0xffff) >> 16) - memory.size();
  // Grow geometrically so that long runs do not call memory.grow often, but fall back to
  // the exact need before reporting out-of-memory.
  let wanted = max(neededPages, memory.size() >> 1);
  if (memory.grow(wanted) < 0 && memory.grow(neededPages) < 0) return false;
  refreshCapacity();
  return true;
}

/** Makes sure `count` node blocks can be taken without growing memory later. */
export function ensureNodeBlocks(count: u32): bool {
  if (freeNodeCount >= count) return true;
  return ensureBumpBlocks(bumpSpanForNodes(count - freeNodeCount));
}

/** Takes one node block; the caller must have called ensureNodeBlocks. */
export function takeNodeBlock(): u32 {
  nodesInUse++;
  return takeBlock();
}

/** Takes one block from the node pool that is not a node (a children table, node.ts). */
export function takeBlock(): u32 {
  if (freeNodeHead != 0) {
    let block = freeNodeHead;
    freeNodeHead = load<u32>(blockPtr(block) + 64);
    freeNodeCount--;
    return block;
  }
  if ((bumpBlock & 7) == 0) bumpBlock++;
  return bumpBlock++;
}

export function giveNodeBlock(block: u32): void {
  nodesInUse--;
  giveBlock(block);
}

/** Returns a block taken with takeBlock to the node pool. */
export function giveBlock(block: u32): void {
  let p = blockPtr(block);
  store<u8>(p, 0); // keeps the space-tag check from ever matching a freed node
  store<u32>(p + 64, freeNodeHead);
  freeNodeHead = block;
  freeNodeCount++;
}

/** Blocks to ensure before takeBumpBlocks(count): the run may have to start in the next group. */
export function bumpSpanForRun(count: u32): u32 {
  return count + 8;
}

/**
 * Takes `count` (at most 7) contiguous fresh blocks inside one group, so that no side table
 * lies among them; the caller must have ensured bumpSpanForRun(count) blocks.
 */
export function takeBumpBlocks(count: u32): u32 {
  if ((bumpBlock & 7) == 0) bumpBlock++;
  if ((bumpBlock & 7) + count > 8) bumpBlock = (((bumpBlock >> 3) + 1) << 3) + 1;
  let first = bumpBlock;
  bumpBlock += count;
  return first;
}

// Growable arrays, each of one owner (the live list, the event stream's tables, the companion
// map below): a contiguous run of whole groups of 8 fresh blocks, side tables included (their
// blocks are never nodes, so those are theirs too), described by 8 bytes at `array`: u32 first
// block, u32 groups.
// A full array moves to a run twice as long; the old run goes back to the node pool. Runs come
// only from fresh memory: blocks in the node pool are scattered. So near the memory limit an
// array can be refused although destroyed spaces gave back plenty (the simulator's runs keep
// one live list from run to run, so they do not pile runs up).

const GROUP_SHIFT: u32 = BLOCK_SHIFT + 3; // bytes in a group of 8 blocks: 1 KiB

@inline export function arrayBase(array: usize): usize {
  return blockPtr(load<u32>(array));
}

/** Bytes the array holds now. */
@inline export function arrayBytes(array: usize): u64 {
  return <u64>load<u32>(array + 4) << GROUP_SHIFT;
}

/**
 * Makes the array hold at least `bytes`, keeping its first `used` bytes; false when memory
 * cannot grow (nothing changed then).
 */
@inline export function growArray(array: usize, bytes: u64, used: usize): bool {
  return bytes <= arrayBytes(array) || moveArray(array, bytes, used);
}

function moveArray(array: usize, bytes: u64, used: usize): bool {
  let groups = load<u32>(array + 4);
  let bigger: u64 = groups == 0 ? 8 : <u64>groups << 1;
  while (bigger << GROUP_SHIFT < bytes) bigger <<= 1;
  if (bigger > 1 << 22) return false; // 4 GiB: more than wasm32 memory holds
  // whole groups: the run starts at the next group boundary; the map's own run is covered by
  // the loop that grows it
  let span = (<u32>bigger << 3) + 8;
  if (!(array == COMPANIONS ? ensureRoom(span) : ensureBumpBlocks(span))) return false;
  while ((bumpBlock & 7) != 0) giveBlock(bumpBlock++);
  let first = bumpBlock;
  bumpBlock += <u32>bigger << 3;
  memory.copy(blockPtr(first), arrayBase(array), used);
  let old = load<u32>(array);
  for (let group = old; group < old + (groups << 3); group += 8) {
    v128.store(blockPtr(group), i64x2.splat(0)); // a side table's first 16 bytes stay zero
    for (let block = group + 1; block < group + 8; block++) giveBlock(block);
  }
  store<u32>(array, first);
  store<u32>(array + 4, <u32>bigger);
  return true;
}

// Companions: one more block that goes with a block (a node's children table of random's
// counts, counts.ts), kept in a map of a u32 per block id (0: none), itself a growable array
// that covers every id handed out so far and the ones ensured next; a block given back gives
// its companion back with it. The map grows with the arena, whether any space uses random or
// not (4 bytes per 128-byte block), because it can only grow into fresh memory: grown on
// demand, an engine whose memory had once been full could never make counts again, however
// much destroyed spaces gave back.
const COMPANIONS = memory.data(8);

/**
 * Makes the companion map cover every block id handed out and `extra` more; false when memory
 * cannot grow. Growing takes fresh blocks, which have ids too, hence the loop.
 */
function ensureCompanionCover(extra: u32): bool {
  while (arrayBytes(COMPANIONS) < (<u64>bumpBlock + extra) << 2) {
    if (!growArray(COMPANIONS, (<u64>bumpBlock + extra) << 2, <usize>arrayBytes(COMPANIONS))) return false;
  }
  return true;
}

/** The block's companion, 0 for none. */
@inline export function companionOf(block: u32): u32 {
  return load<u32>(arrayBase(COMPANIONS) + (<usize>block << 2));
}

@inline export function setCompanion(block: u32, companion: u32): void {
  store<u32>(arrayBase(COMPANIONS) + (<usize>block << 2), companion);
}

/** Gives back the block's companion, if it has one: the block is being given back. */
export function giveCompanion(block: u32): void {
  if ((<u64>block << 2) >= arrayBytes(COMPANIONS)) return;
  let companion = companionOf(block);
  if (companion == 0) return;
  giveBlock(companion);
  setCompanion(block, 0);
}

export function isArenaBlock(block: u32): bool {
  return block != 0 && block < bumpBlock;
}

export function liveNodeCount(): u32 {
  return nodesInUse;
}
