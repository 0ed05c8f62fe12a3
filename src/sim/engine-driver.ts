/** The simulator's fast path: pools as engine address spaces, allocations as numbers. */
import { parseCidr, type Cidr } from '../cidr/index.js';
import { EngineError, EngineStatus, STRATEGIES, type AddressSpace, type AllocationStrategy, type Engine, type EngineExports } from '../engine/index.js';
import { IO_ADDRESS_IN, IO_ADDRESS_OUT } from '../engine/layout.js';
import { MAX_CIDRS_PER_POOL } from '../api/operations/pool-cidr.js';
import { poolRandomSeed, type Driver, type GrowResult, type PoolFigures, type PoolSnapshot } from './driver.js';
import { flattenPools, type Scenario } from './scenario.js';

interface SimPool {
  space: AddressSpace;
  parent: number;
  /** Index among the parent's children. */
  childIndex: number;
  /** For sub-pools: the CIDRs taken from the parent (the cloud's quota applies to them). */
  chunks: Cidr[];
  children: number[];
}

const toCidr = (family: 4 | 6, words: Uint32Array, prefixLength: number): Cidr => ({
  family,
  address: family === 4 ? BigInt(words[0]!) : (BigInt(words[3]!) << 96n) | (BigInt(words[2]!) << 64n) | (BigInt(words[1]!) << 32n) | BigInt(words[0]!),
  prefixLength,
});

const LIVE_WORDS = 5;

/** "No block fits" is an outcome of the run (false); any other engine refusal is an error. */
function noFit(status: number): false {
  if (status !== EngineStatus.NO_FIT) throw new EngineError(status);
  return false;
}

export class EngineDriver implements Driver {
  readonly #engine: Engine;
  readonly #raw: EngineExports;
  readonly #pools: SimPool[] = [];
  // the hot path calls the raw exports with these, skipping the AddressSpace layer
  readonly #spaceIds: Int32Array;
  readonly #wide: Uint8Array;
  readonly #addressIn: number;
  readonly #addressOut: number;
  readonly #strategy: number;
  // the live list, one record of LIVE_WORDS u32 per allocation so a release reads one cache
  // line: pool << 8 | prefix length, then the address words (IPv4 uses the first)
  #live = new Uint32Array(1024 * LIVE_WORDS);
  #liveCount = 0;
  readonly #scratch = new Uint32Array(4);

  constructor(engine: Engine, scenario: Scenario, strategy: AllocationStrategy) {
    this.#engine = engine;
    this.#raw = engine.raw;
    this.#addressIn = (engine.io + IO_ADDRESS_IN) >>> 2;
    this.#addressOut = (engine.io + IO_ADDRESS_OUT) >>> 2;
    this.#strategy = STRATEGIES[strategy];
    try {
      for (const { plan, parent, bits } of flattenPools(scenario)) {
        const space = engine.createSpace(bits === 32 ? 4 : 6);
        const index = this.#pools.length;
        const childIndex = parent < 0 ? 0 : this.#pools[parent]!.children.push(index) - 1;
        this.#pools.push({ space, parent, childIndex, chunks: [], children: [] });
        for (const cidr of plan.cidrs ?? []) space.addSource(parseCidr(cidr));
        space.seedRandom(poolRandomSeed(scenario.seed, index));
      }
    } catch (error) {
      this.close(); // no space left behind in the caller's engine
      throw error;
    }
    this.#spaceIds = Int32Array.from(this.#pools, (p) => p.space.id);
    this.#wide = Uint8Array.from(this.#pools, (p) => (p.space.family === 6 ? 1 : 0));
  }

  get liveCount(): number {
    return this.#liveCount;
  }

  allocate(pool: number, mask: number): boolean {
    const wide = this.#wide[pool]!;
    let address = 0;
    if (wide === 0) {
      address = this.#raw.allocate4(this.#spaceIds[pool]!, mask, this.#strategy);
      if (address < 0) return noFit(address);
    } else {
      const status = this.#raw.allocate6(this.#spaceIds[pool]!, mask, this.#strategy);
      if (status < 0) return noFit(status);
    }
    if ((this.#liveCount + 1) * LIVE_WORDS > this.#live.length) {
      const bigger = new Uint32Array(this.#live.length * 2);
      bigger.set(this.#live);
      this.#live = bigger;
    }
    const live = this.#live;
    const at = this.#liveCount++ * LIVE_WORDS;
    live[at] = (pool << 8) | mask;
    if (wide === 0) {
      live[at + 1] = address;
    } else {
      const io = this.#engine.words;
      const out = this.#addressOut;
      live[at + 1] = io[out]!; live[at + 2] = io[out + 1]!; live[at + 3] = io[out + 2]!; live[at + 4] = io[out + 3]!;
    }
    return true;
  }

  releaseAt(index: number): void {
    const live = this.#live;
    const at = index * LIVE_WORDS;
    const pool = live[at]! >>> 8;
    const prefix = live[at]! & 0xff;
    let status: number;
    if (this.#wide[pool] === 0) {
      status = this.#raw.release4(this.#spaceIds[pool]!, live[at + 1]!, prefix);
    } else {
      const io = this.#engine.words;
      const into = this.#addressIn;
      io[into] = live[at + 1]!; io[into + 1] = live[at + 2]!; io[into + 2] = live[at + 3]!; io[into + 3] = live[at + 4]!;
      status = this.#raw.release6(this.#spaceIds[pool]!, prefix);
    }
    if (status < 0) throw new Error(`engine refused a release it handed out (status ${status})`);
    const last = --this.#liveCount * LIVE_WORDS;
    live[at] = live[last]!; live[at + 1] = live[last + 1]!; live[at + 2] = live[last + 2]!; live[at + 3] = live[last + 3]!; live[at + 4] = live[last + 4]!;
  }

  grow(pool: number, prefix: number): GrowResult {
    const child = this.#pools[pool]!;
    if (child.chunks.length >= MAX_CIDRS_PER_POOL) return 'quota';
    const parent = this.#pools[child.parent]!.space;
    let block: Cidr;
    if (parent.family === 4) {
      const address = parent.allocateV4(prefix, this.#strategy);
      if (address < 0 && !noFit(address)) return 'no-fit';
      this.#scratch[0] = address;
      block = toCidr(4, this.#scratch, prefix);
    } else {
      const status = parent.allocateV6(prefix, this.#strategy);
      if (status < 0 && !noFit(status)) return 'no-fit';
      block = toCidr(6, parent.resultWords(this.#scratch), prefix);
    }
    child.space.addSource(block);
    child.chunks.push(block);
    return 'ok';
  }

  figures(pool: number): PoolFigures {
    const u = this.#pools[pool]!.space.utilization();
    return {
      utilisation: u.utilizationPercent,
      fragmentation: u.fragmentationIndex,
      largestPrefix: u.largestFreePrefix ?? null,
      freeAddresses: u.freeAddresses,
    };
  }

  holdsFreeAddresses(pool: number, prefix: number): boolean {
    return this.#pools[pool]!.space.holdsFreeAddresses(prefix);
  }

  snapshot(pool: number): PoolSnapshot {
    const p = this.#pools[pool]!;
    const children = p.children.map((c) => this.#pools[c]!.chunks);
    const held = new Set(children.flat().map((c) => `${c.address}/${c.prefixLength}`));
    return {
      provisioned: p.space.sources(),
      allocated: p.space.allocations().filter((c) => !held.has(`${c.address}/${c.prefixLength}`)),
      children,
    };
  }

  close(): void {
    for (const p of this.#pools) p.space.destroy();
    this.#pools.length = 0;
  }
}
