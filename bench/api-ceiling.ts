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
import { formatCidrV4, formatCidrV6 } from '../src/cidr/index.js';
import { EngineStatus, type AddressSpace } from '../src/engine/index.js';
import { IO_ADDRESS_IN, IO_ADDRESS_OUT } from '../src/engine/layout.js';
import { IdSource, slotOfId } from '../src/api/ids.js';
import { ALLOCATION_ID_PREFIX } from '../src/api/allocation-index.js';

/** A provisioned CIDR: its address words (w0 the lowest) and its text. */
interface Source { w0: number; w1: number; w2: number; w3: number; text: string }

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
      const [w0, w1, w2, w3] = [0, 1, 2, 3].map((k) => Number((c.address >> BigInt(32 * k)) & 0xffffffffn)) as [number, number, number, number];
      return { w0, w1, w2, w3, text: space.family === 4 ? formatCidrV4(w0, c.prefixLength) : formatCidrV6(w0, w1, w2, w3, c.prefixLength) };
    }).sort((a, b) => a.w3 - b.w3 || a.w2 - b.w2 || a.w1 - b.w1 || a.w0 - b.w0);
  }

  /** The text of the pool's source holding the block: the last one starting at or before it. */
  #sourceCidr(pool: number, w0: number, w1: number, w2: number, w3: number): string {
    const sources = this.#sources[pool]!;
    // words are u32 values in plain numbers: their differences are exact and signed right
    const after = (s: Source) => (s.w3 - w3 || s.w2 - w2 || s.w1 - w1 || s.w0 - w0) > 0;
    let lo = 0, hi = sources.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (after(sources[mid]!)) hi = mid - 1;
      else lo = mid;
    }
    // the engine took the block from a source: none, or only later ones, means readSources was missed
    if (sources.length === 0 || after(sources[lo]!)) throw new Error(`pool ${pool}'s sources are out of date: call readSources after changing them`);
    return sources[lo]!.text;
  }

  /** A block of `mask` in the pool by the strategy's number; undefined when none fits. */
  create(pool: number, mask: number, strategy = 0): CeilingCreated | undefined {
    const RequestId = this.#requestIds.requestId();
    const space = this.#spaces[pool]!;
    const engine = space.engine;
    let w0: number, w1 = 0, w2 = 0, w3 = 0;
    if (space.family === 4) {
      w0 = engine.raw.allocate4(space.id, mask, strategy);
      if (w0 < 0) return refused(w0);
    } else {
      const status = engine.raw.allocate6(space.id, mask, strategy);
      if (status < 0) return refused(status);
      const words = engine.words, at = (engine.io + IO_ADDRESS_OUT) >>> 2;
      w0 = words[at]!; w1 = words[at + 1]!; w2 = words[at + 2]!; w3 = words[at + 3]!;
    }
    const slot = this.#freeSlots.pop() ?? this.#idOf.length;
    if (slot >= this.#prefixLengths.length) this.#grow();
    const id = this.#ids.slotId(ALLOCATION_ID_PREFIX, slot);
    const words = this.#words, at = slot << 2;
    words[at] = w0; words[at + 1] = w1; words[at + 2] = w2; words[at + 3] = w3;
    this.#prefixLengths[slot] = mask;
    this.#poolOf[slot] = pool;
    this.#idOf[slot] = id;
    const Cidr = space.family === 4 ? formatCidrV4(w0, mask) : formatCidrV6(w0, w1, w2, w3, mask);
    return { RequestId, IpamPoolAllocationId: id, Cidr, SourceCidr: this.#sourceCidr(pool, w0, w1, w2, w3) };
  }

  delete(id: string): { RequestId: string } {
    const RequestId = this.#requestIds.requestId();
    const slot = slotOfId(id, ALLOCATION_ID_PREFIX.length);
    if (slot < 0 || this.#idOf[slot] !== id) throw new Error(`no allocation ${id}`);
    const space = this.#spaces[this.#poolOf[slot]!]!;
    const engine = space.engine;
    const words = this.#words, at = slot << 2;
    let status: number;
    if (space.family === 4) {
      status = engine.raw.release4(space.id, words[at]!, this.#prefixLengths[slot]!);
    } else {
      const io = engine.words, into = (engine.io + IO_ADDRESS_IN) >>> 2;
      io[into] = words[at]!; io[into + 1] = words[at + 1]!; io[into + 2] = words[at + 2]!; io[into + 3] = words[at + 3]!;
      status = engine.raw.release6(space.id, this.#prefixLengths[slot]!);
    }
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

/** No room is an answer (undefined); any other refusal is a fault of the benchmark. */
function refused(status: number): undefined {
  if (status !== EngineStatus.NO_FIT) throw new Error(`the engine refused an allocation (status ${status})`);
  return undefined;
}
