/**
 * The ceiling for the API benchmarks: CreateIpamPoolAllocation by mask and
 * DeleteIpamPoolAllocation doing only what their responses cannot do without — a RequestId, an
 * allocation ID (carrying its slot, as IpamService's do), the CIDR text and the provisioned CIDR
 * that holds it, the engine's allocate or release, and the record in typed arrays found by that
 * slot. No parameter validation, no region rule, no ClientToken or DryRun, no list order, no
 * per-call objects but the response. The API's rate next to this one says how much of the gap to
 * a target is the API's own work. It is a reference, not a proof: a leaner maker of the same
 * fields (RequestIds from a counter, IDs checked by a generation number instead of kept strings)
 * measured about 7% faster on the simulator's run in a review.
 */
import { EngineStatus, type AddressSpace } from '../src/engine/index.js';
import { IdSource, slotOfId } from '../src/api/ids.js';
import { ALLOCATION_ID_PREFIX } from '../src/api/allocation-index.js';
import { blockHolds, blockOf, compareAddresses, formatBlock, type BlockWords } from '../src/api/block.js';

/** A provisioned CIDR: its block and its text. */
interface Source { block: BlockWords; text: string }

export interface CeilingCreated { RequestId: string; IpamPoolAllocationId: string; Cidr: string; SourceCidr: string }

export class CeilingStore {
  readonly #spaces: AddressSpace[] = [];
  /** Each space's sources in address order. */
  readonly #sources: Source[][] = [];
  readonly #ids = new IdSource(5);
  readonly #requestIds = new IdSource(6);
  /** Four address words per slot, w0 first. */
  #words = new Uint32Array(4096);
  #prefixLengths = new Uint8Array(1024);
  #poolOf = new Uint32Array(1024);
  #idOf: string[] = [];
  #freeSlots: number[] = [];
  /** Where an IPv6 allocation's address words are read into. */
  readonly #result = new Uint32Array(4);

  /** Takes a pool's space in; returns the pool's number for create. Its sources are read now. */
  addPool(space: AddressSpace): number {
    this.#spaces.push(space);
    this.#sources.push([]);
    this.readSources(this.#spaces.length - 1);
    return this.#spaces.length - 1;
  }

  /** Reads the pool's sources again, after they changed. */
  readSources(pool: number): void {
    const space = this.#spaces[pool]!;
    this.#sources[pool] = space.sources().map((c) => {
      const block = blockOf(c);
      return { block, text: formatBlock(space, block) };
    }).sort((a, b) => compareAddresses(a.block, b.block));
  }

  /** The text of the pool's source holding the block: the last one starting at or before it. */
  #sourceCidr(pool: number, block: BlockWords): string {
    const sources = this.#sources[pool]!;
    let lo = 0, hi = sources.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (compareAddresses(sources[mid]!.block, block) > 0) hi = mid - 1;
      else lo = mid;
    }
    // the engine took the block from a source: none holding it means readSources was missed
    const source = sources[lo];
    if (!source || !blockHolds(this.#spaces[pool]!.bits, source.block, block)) throw new Error(`pool ${pool}'s sources are out of date: call readSources after changing them`);
    return source.text;
  }

  /** A block of `mask` in the pool by the strategy's number; undefined when none fits. */
  create(pool: number, mask: number, strategy = 0): CeilingCreated | undefined {
    const RequestId = this.#requestIds.requestId();
    const space = this.#spaces[pool]!;
    const status = space.family === 4 ? space.allocateV4(mask, strategy) : space.allocateV6(mask, strategy);
    if (status < 0) {
      if (status !== EngineStatus.NO_FIT) throw new Error(`the engine refused an allocation (status ${status})`);
      return undefined; // no room is an answer
    }
    let block: BlockWords;
    if (space.family === 4) {
      block = { w0: status, w1: 0, w2: 0, w3: 0, prefixLength: mask };
    } else {
      const words = space.resultWords(this.#result);
      block = { w0: words[0]!, w1: words[1]!, w2: words[2]!, w3: words[3]!, prefixLength: mask };
    }
    const slot = this.#freeSlots.pop() ?? this.#idOf.length;
    if (slot >= this.#prefixLengths.length) this.#grow();
    const id = this.#ids.slotId(ALLOCATION_ID_PREFIX, slot);
    const words = this.#words, at = slot << 2;
    words[at] = block.w0; words[at + 1] = block.w1; words[at + 2] = block.w2; words[at + 3] = block.w3;
    this.#prefixLengths[slot] = mask;
    this.#poolOf[slot] = pool;
    this.#idOf[slot] = id;
    return { RequestId, IpamPoolAllocationId: id, Cidr: formatBlock(space, block), SourceCidr: this.#sourceCidr(pool, block) };
  }

  delete(id: string): { RequestId: string } {
    const RequestId = this.#requestIds.requestId();
    const slot = slotOfId(id, ALLOCATION_ID_PREFIX.length);
    if (slot < 0 || this.#idOf[slot] !== id) throw new Error(`no allocation ${id}`);
    const space = this.#spaces[this.#poolOf[slot]!]!;
    const words = this.#words, at = slot << 2, prefixLength = this.#prefixLengths[slot]!;
    const status = space.family === 4
      ? space.releaseV4(words[at]!, prefixLength)
      : space.releaseV6(words[at]!, words[at + 1]!, words[at + 2]!, words[at + 3]!, prefixLength);
    if (status < 0) throw new Error(`the engine refused a release of ${id} (status ${status})`);
    this.#idOf[slot] = '';
    this.#freeSlots.push(slot);
    return { RequestId };
  }

  #grow(): void {
    const size = this.#prefixLengths.length * 2;
    const words = new Uint32Array(size * 4);
    words.set(this.#words);
    const prefixLengths = new Uint8Array(size);
    prefixLengths.set(this.#prefixLengths);
    const poolOf = new Uint32Array(size);
    poolOf.set(this.#poolOf);
    this.#words = words;
    this.#prefixLengths = prefixLengths;
    this.#poolOf = poolOf;
  }
}
