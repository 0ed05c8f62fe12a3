/**
 * Blocks in the engine's numeric form, for the allocation hot path: an allocation is taken,
 * recorded, formatted and released without Cidr objects, BigInt or parsing (DESIGN: hot paths
 * cross into the engine as u32 numbers or words).
 */
import { formatCidrV4, formatCidrV6, type Cidr } from '../cidr/index.js';
import { EngineError, EngineStatus, type AddressSpace } from '../engine/index.js';

/** Four u32 words, w0 the lowest (IPv4 uses w0 alone), and a prefix length. */
export interface BlockWords {
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
  readonly prefixLength: number;
}

/** The BlockWords field names (records carry them inline; they are not part of the exported state). */
export const BLOCK_WORDS: readonly (keyof BlockWords)[] = ['w0', 'w1', 'w2', 'w3', 'prefixLength'];

const LOW_WORD = 0xffffffffn;

export function blockOf(cidr: Cidr): BlockWords {
  const a = cidr.address;
  return { w0: Number(a & LOW_WORD), w1: Number((a >> 32n) & LOW_WORD), w2: Number((a >> 64n) & LOW_WORD), w3: Number(a >> 96n), prefixLength: cidr.prefixLength };
}

export function formatBlock(space: AddressSpace, b: BlockWords): string {
  return space.family === 4 ? formatCidrV4(b.w0, b.prefixLength) : formatCidrV6(b.w0, b.w1, b.w2, b.w3, b.prefixLength);
}

const resultWords = new Uint32Array(4);

function engineResult(space: AddressSpace, status: number, prefixLength: number): BlockWords {
  if (status < 0) throw new EngineError(status, `/${prefixLength}`);
  if (space.family === 4) return { w0: status, w1: 0, w2: 0, w3: 0, prefixLength };
  space.resultWords(resultWords);
  return { w0: resultWords[0]!, w1: resultWords[1]!, w2: resultWords[2]!, w3: resultWords[3]!, prefixLength };
}

/** The block the strategy (an engine strategy code) would take now, or undefined when none fits. */
export function previewBlock(space: AddressSpace, prefixLength: number, strategy: number): BlockWords | undefined {
  const status = space.family === 4 ? space.previewV4(prefixLength, strategy) : space.previewV6(prefixLength, strategy);
  return status === EngineStatus.NO_FIT ? undefined : engineResult(space, status, prefixLength);
}

/** Takes a block of the prefix length by the strategy; EngineError when refused. */
export function allocateBlock(space: AddressSpace, prefixLength: number, strategy: number): BlockWords {
  const status = space.family === 4 ? space.allocateV4(prefixLength, strategy) : space.allocateV6(prefixLength, strategy);
  return engineResult(space, status, prefixLength);
}

/** Takes exactly this block; EngineError when refused. */
export function reserveBlock(space: AddressSpace, b: BlockWords): BlockWords {
  const status = space.family === 4 ? space.reserveV4(b.w0, b.prefixLength) : space.reserveV6(b.w0, b.w1, b.w2, b.w3, b.prefixLength);
  if (status < 0) throw new EngineError(status);
  return b;
}

/** Gives the block back; EngineError when refused. */
export function releaseBlock(space: AddressSpace, b: BlockWords): void {
  const status = space.family === 4 ? space.releaseV4(b.w0, b.prefixLength) : space.releaseV6(b.w0, b.w1, b.w2, b.w3, b.prefixLength);
  if (status < 0) throw new EngineError(status);
}

/** -1, 0 or 1 as block a's first address is below, equal to or above b's (as unsigned 128-bit numbers). */
export function compareAddresses(a: BlockWords, b: BlockWords): number {
  if (a.w3 !== b.w3) return a.w3 < b.w3 ? -1 : 1;
  if (a.w2 !== b.w2) return a.w2 < b.w2 ? -1 : 1;
  if (a.w1 !== b.w1) return a.w1 < b.w1 ? -1 : 1;
  return a.w0 === b.w0 ? 0 : a.w0 < b.w0 ? -1 : 1;
}

/** True when the aligned block `outer` (of a space `bits` wide) holds the address `inner` starts at. */
export function blockHolds(bits: number, outer: BlockWords, inner: BlockWords): boolean {
  const hostBits = bits - outer.prefixLength;
  return sameAbove(outer.w0, inner.w0, hostBits) && sameAbove(outer.w1, inner.w1, hostBits - 32) &&
    sameAbove(outer.w2, inner.w2, hostBits - 64) && sameAbove(outer.w3, inner.w3, hostBits - 96);
}

/** Whether two u32 words agree above their lowest `hostBits` bits. */
function sameAbove(a: number, b: number, hostBits: number): boolean {
  if (hostBits >= 32) return true;
  if (hostBits <= 0) return a === b;
  return (a ^ b) >>> hostBits === 0;
}
