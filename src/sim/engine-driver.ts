/** The simulator's fast path: pools as engine address spaces, allocations as numbers. */
import { parseCidr, type Cidr } from '../cidr/index.js';
import { EngineError, EngineStatus, STRATEGIES, type AddressSpace, type AllocationStrategy, type Engine, type EngineExports } from '../engine/index.js';
import { IO_STATUS } from '../engine/layout.js';
import { MAX_CIDRS_PER_POOL } from '../api/index.js';
import { poolRandomSeed, TAPE_EVENTS, type Driver, type GrowResult, type PoolFigures, type PoolSnapshot } from './driver.js';
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

const cidrFromWords = (family: 4 | 6, words: Uint32Array, prefixLength: number): Cidr => ({
  family,
  address: family === 4 ? BigInt(words[0]!) : (BigInt(words[3]!) << 96n) | (BigInt(words[2]!) << 64n) | (BigInt(words[1]!) << 32n) | BigInt(words[0]!),
  prefixLength,
});

/** "No block fits" is an outcome of the run (false); any other engine refusal is an error. */
function failUnlessNoFit(status: number): false {
  if (status !== EngineStatus.NO_FIT) throw new EngineError(status);
  return false;
}

/** Engines whose live list (assembly/live.ts, one per instance) a driver holds. */
const liveListHolders = new WeakSet<Engine>();

export class EngineDriver implements Driver {
  readonly engine: Engine;
  readonly #raw: EngineExports;
  readonly #pools: SimPool[] = [];
  readonly #spaceIds: Int32Array;
  readonly #strategy: number;
  readonly #scratch = new Uint32Array(4);
  #holdsLiveList = false;
  #leftNoRoom = false;

  /** Throws when another driver holds the engine's live list (until its close()). */
  constructor(engine: Engine, scenario: Scenario, strategy: AllocationStrategy) {
    if (liveListHolders.has(engine)) throw new Error('another EngineDriver is using this engine: close it first, or load another instance');
    // TAPE_EVENTS mirrors the engine's tape capacity: a build from other sources is refused here
    if (engine.raw.tapeCapacity() !== TAPE_EVENTS) throw new Error(`this engine's tape holds ${engine.raw.tapeCapacity()} events, not ${TAPE_EVENTS}: a build from other sources`);
    this.engine = engine;
    this.#raw = engine.raw;
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
    liveListHolders.add(engine);
    this.#holdsLiveList = true;
    this.#raw.resetLive();
  }

  get liveCount(): number {
    return this.#raw.liveListCount();
  }

  /** The pool's address space (flattenPools order). */
  space(pool: number): AddressSpace {
    return this.#pools[pool]!.space;
  }

  tapeId(pool: number): number {
    return this.#spaceIds[pool]!;
  }

  /**
   * The whole chunk in one call. An arrival left for want of memory is left untried: the
   * caller's `allocate` of it then fails again and names the event.
   */
  apply(first: number, end: number): number {
    const stop = this.#raw.applyTape(first, end, this.#strategy);
    if (stop < 0) throw new EngineError(stop);
    this.#leftNoRoom = false;
    if (stop < end) {
      const status = this.engine.ints[(this.engine.io + IO_STATUS) >>> 2]!;
      if (status !== EngineStatus.NO_FIT && status !== EngineStatus.OUT_OF_MEMORY) throw new EngineError(status);
      this.#leftNoRoom = status === EngineStatus.NO_FIT;
    }
    return stop;
  }

  get leftNoRoom(): boolean {
    return this.#leftNoRoom;
  }

  allocate(pool: number, mask: number): boolean {
    const status = this.#raw.allocateLive(this.#spaceIds[pool]!, mask, this.#strategy);
    return status < 0 ? failUnlessNoFit(status) : true;
  }

  releaseAt(index: number): void {
    const status = this.#raw.releaseLive(index);
    if (status < 0) throw new Error(`engine refused a release it handed out (status ${status})`);
  }

  grow(pool: number, prefix: number): GrowResult {
    const child = this.#pools[pool]!;
    if (child.chunks.length >= MAX_CIDRS_PER_POOL) return 'quota';
    const parent = this.#pools[child.parent]!.space;
    let block: Cidr;
    if (parent.family === 4) {
      const address = parent.allocateV4(prefix, this.#strategy);
      if (address < 0) {
        failUnlessNoFit(address);
        return 'no-fit';
      }
      this.#scratch[0] = address;
      block = cidrFromWords(4, this.#scratch, prefix);
    } else {
      const status = parent.allocateV6(prefix, this.#strategy);
      if (status < 0) {
        failUnlessNoFit(status);
        return 'no-fit';
      }
      block = cidrFromWords(6, parent.resultWords(this.#scratch), prefix);
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
      totalAddresses: u.totalAddresses,
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
    if (this.#holdsLiveList) {
      this.#raw.resetLive();
      liveListHolders.delete(this.engine);
      this.#holdsLiveList = false;
    }
    for (const p of this.#pools) p.space.destroy();
    this.#pools.length = 0;
  }
}
