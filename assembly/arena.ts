// Linear memory layout, owned entirely by the engine (no managed allocations, so the stub
// runtime's trapping allocator is never reached):
//
//   __heap_base → IO area (IO_BYTES): scratch addresses, capacity results, batch buffers
//   then        → arena of 128-byte blocks: tree nodes (one block) and space records (SPACE_BLOCKS)
//
// Block 0 is the null reference. Nodes and space records keep separate free lists.
// Every mutating operation first asks `ensureBlocks` for the worst case it may need, so a
// failed memory.grow is reported before anything is touched.

export const BLOCK_SHIFT: u32 = 7;
export const BLOCK_BYTES: u32 = 1 << BLOCK_SHIFT;
export const IO_BYTES: usize = 128 * 1024;

export const ioBase: usize = (__heap_base + 15) & ~(<usize>15);
const arenaBase: usize = (ioBase + IO_BYTES + BLOCK_BYTES - 1) & ~(<usize>BLOCK_BYTES - 1);

let blockCapacity: u32 = 0; // blocks that fit in memory now
let bumpBlock: u32 = 1;     // next never-used block
let freeNodeHead: u32 = 0;  // free list of single blocks, linked through their first word
let freeNodeCount: u32 = 0;
let nodesInUse: u32 = 0;

@inline export function blockPtr(block: u32): usize {
  return arenaBase + (<usize>block << BLOCK_SHIFT);
}

function refreshCapacity(): void {
  let bytes = <usize>memory.size() << 16;
  blockCapacity = bytes > arenaBase ? <u32>((bytes - arenaBase) >> BLOCK_SHIFT) : 0;
}

/** Makes sure `fresh` blocks can be taken from the bump region, growing memory if needed. */
export function ensureBumpBlocks(fresh: u32): bool {
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
  return ensureBumpBlocks(count - freeNodeCount);
}

/** Takes one node block; the caller must have called ensureNodeBlocks. */
export function takeNodeBlock(): u32 {
  nodesInUse++;
  if (freeNodeHead != 0) {
    let block = freeNodeHead;
    freeNodeHead = load<u32>(blockPtr(block) + 64);
    freeNodeCount--;
    return block;
  }
  return bumpBlock++;
}

export function giveNodeBlock(block: u32): void {
  nodesInUse--;
  let p = blockPtr(block);
  store<u8>(p, 0); // keeps the space-tag check from ever matching a freed node
  store<u32>(p + 64, freeNodeHead);
  freeNodeHead = block;
  freeNodeCount++;
}

/** Takes `count` contiguous fresh blocks; the caller must have called ensureBumpBlocks. */
export function takeBumpBlocks(count: u32): u32 {
  let first = bumpBlock;
  bumpBlock += count;
  return first;
}

export function isArenaBlock(block: u32): bool {
  return block != 0 && block < bumpBlock;
}

export function liveNodeCount(): u32 {
  return nodesInUse;
}
