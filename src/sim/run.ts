/**
 * One strategy's run of a scenario: the seeded event stream, pools that grow from their
 * parents on demand, failures classified, figures sampled over time, maps at the first
 * failure and at the end. The driver decides whether steps go to the engine or the API.
 */
import { EngineError, type AllocationStrategy } from '../engine/index.js';
import { IpamApiError } from '../api/index.js';
import type { FailureCause, PoolMap, PoolSeries, StrategyRun } from '../report/summary.js';
import { TAPE_ARRIVAL, TAPE_EVENTS, type Driver, type PoolSnapshot } from './driver.js';
import { flattenPools, type Scenario } from './scenario.js';

/** splitmix32: small, fast, and the same stream in every JS engine. Draws are u32; d / 2^32 is uniform in [0, 1). */
export class SplitMix32 {
  #state: number;

  constructor(seed: number) {
    this.#state = seed | 0;
  }

  /** The next `count` draws into out[0..count-1] (a whole chunk per call: the loop keeps its state in a register). */
  fill(out: Uint32Array, count: number): void {
    let state = this.#state;
    for (let i = 0; i < count; i++) {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      out[i] = z ^ (z >>> 16);
    }
    this.#state = state;
  }
}

const TWO_TO_32 = 4294967296;

/**
 * Picks index i with probability weight[i] / total from one uniform draw u: the first i whose
 * cumulative share exceeds u. A guide table (the first candidate for each 1/GUIDE of [0, 1))
 * makes that O(1) on average; the answer is the plain linear scan's, so the stream is the same.
 */
const GUIDE = 256; // a power of two, so g / GUIDE and u * GUIDE are exact
export class WeightedPick {
  readonly #cdf: Float64Array;
  readonly #guide = new Uint32Array(GUIDE);

  constructor(weights: readonly number[]) {
    const total = weights.reduce((a, b) => a + b, 0);
    let sum = 0;
    this.#cdf = Float64Array.from(weights, (w) => (sum += w) / total);
    for (let g = 0, i = 0; g < GUIDE; g++) {
      while (i < this.#cdf.length - 1 && g / GUIDE >= this.#cdf[i]!) i++;
      this.#guide[g] = i;
    }
  }

  pick(u: number): number {
    const cdf = this.#cdf;
    let i = this.#guide[Math.floor(u * GUIDE)]!;
    while (i < cdf.length - 1 && u >= cdf[i]!) i++;
    return i;
  }
}

/**
 * The scenario's seeded stream of events, the same for every strategy and both paths, drawn a
 * chunk at a time onto a driver's tape (layout in driver.ts). Each event takes three draws,
 * whatever happens to it: whether it is an arrival (below the arrival share), which leaf (or,
 * for a release, which live allocation goes), and which mask.
 */
export class EventStream {
  readonly #random: SplitMix32;
  readonly #draws = new Uint32Array(3 * TAPE_EVENTS);
  // the arrival share is linear between bursts: start + slope · event, unless inside a burst
  readonly #start: number;
  readonly #slope: number;
  readonly #burstFrom: Float64Array;
  readonly #burstTo: Float64Array;
  readonly #burstShare: Float64Array;
  readonly #leafPick: WeightedPick;
  readonly #maskLists: number[][];
  readonly #maskPicks: WeightedPick[];
  readonly #leafTapeIds: Int32Array;

  /** leafTapeIds: the tape id of each leaf pool (flattenPools order, leaves only). */
  constructor(scenario: Scenario, leafTapeIds: readonly number[]) {
    const leaves = flattenPools(scenario).flatMap((p) => (p.plan.workload ? [p.plan.workload] : []));
    const events = scenario.events;
    this.#random = new SplitMix32(scenario.seed);
    this.#start = scenario.arrivals.start;
    this.#slope = (scenario.arrivals.end - scenario.arrivals.start) / events;
    this.#burstFrom = Float64Array.from(scenario.bursts, (b) => b.at * events);
    this.#burstTo = Float64Array.from(scenario.bursts, (b) => (b.at + b.length) * events);
    this.#burstShare = Float64Array.from(scenario.bursts, (b) => b.arrivalShare);
    this.#leafPick = new WeightedPick(leaves.map((w) => w.weight));
    this.#maskLists = leaves.map((w) => Object.keys(w.masks).map(Number));
    this.#maskPicks = leaves.map((w) => new WeightedPick(Object.values(w.masks)));
    this.#leafTapeIds = Int32Array.from(leafTapeIds);
  }

  /** Draws events from..to-1 onto tape[0..] and their leaves into leaves[0..]; call with consecutive ranges. */
  draw(tape: Uint32Array, leaves: Int32Array, from: number, to: number): void {
    const draws = this.#draws;
    this.#random.fill(draws, 3 * (to - from));
    const start = this.#start, slope = this.#slope, burstFrom = this.#burstFrom, burstTo = this.#burstTo, burstShare = this.#burstShare;
    const leafPick = this.#leafPick, leafTapeIds = this.#leafTapeIds, maskLists = this.#maskLists, maskPicks = this.#maskPicks;
    for (let e = from, w = 0; e < to; e++, w += 3) {
      let share = start + slope * e;
      for (let b = 0; b < burstFrom.length; b++) if (e >= burstFrom[b]! && e < burstTo[b]!) share = burstShare[b]!;
      const which = draws[w + 1]!;
      const leaf = leafPick.pick(which / TWO_TO_32);
      leaves[e - from] = leaf;
      tape[w] = leafTapeIds[leaf]!;
      // draw / 2^32 < share, both sides scaled by 2^32 (exact)
      tape[w + 1] = (draws[w]! < share * TWO_TO_32 ? TAPE_ARRIVAL : 0) | maskLists[leaf]![maskPicks[leaf]!.pick(draws[w + 2]! / TWO_TO_32)]!;
      tape[w + 2] = which;
    }
  }
}

/** A run that could not go on: the engine or the API refused something it needed (its cause). */
export class SimulationError extends Error {
  override name = 'SimulationError';
}

export interface RunHooks {
  /** Called every `progressEvery` events and at the end with the number of events done. */
  onProgress?: (done: number) => void;
  progressEvery?: number;
  /** Turns pool snapshots into maps (the report's rasteriser); no maps when absent. */
  toMap?: (pool: number, snapshot: PoolSnapshot) => PoolMap | null;
}

export function runStrategy(scenario: Scenario, strategy: AllocationStrategy, driver: Driver, hooks: RunHooks = {}): StrategyRun {
  const pools = flattenPools(scenario);
  const roots = pools.flatMap((p, i) => (p.parent < 0 ? [i] : []));
  const leafIndex = pools.flatMap((p, i) => (p.plan.workload ? [i] : []));
  const stream = new EventStream(scenario, leafIndex.map((pool) => driver.tapeId(pool)));
  const events = scenario.events;
  const sampleEvery = Math.max(1, Math.ceil(events / (scenario.samples - 1)));
  const progressEvery = hooks.progressEvery ?? 1 << 16;

  let noSpace = 0, fragmentation = 0, quota = 0;
  let firstFailure: StrategyRun['firstFailure'] = null;
  let mapsAtFirstFailure: PoolMap[] | null = null;
  const series: PoolSeries[] = roots.map((r) => ({
    poolId: pools[r]!.plan.name, event: [], utilisation: [], fragmentation: [], largestPrefix: [], failures: [], eventsPerSecond: [],
  }));
  const failuresInTree = new Float64Array(roots.length);
  const treeOf = pools.map((p) => roots.indexOf(p.root));
  let lastSampleEvent = 0, lastSampleTime = 0, mapsMs = 0;

  const sample = (event: number) => {
    // throughput over the interval, not counting map drawing
    const now = performance.now() - mapsMs;
    const rate = event === 0 ? 0 : (event - lastSampleEvent) / ((now - lastSampleTime) / 1000);
    roots.forEach((root, i) => {
      const f = driver.figures(root);
      const s = series[i]!;
      s.event.push(event);
      s.utilisation.push(f.utilisation);
      s.fragmentation.push(f.fragmentation);
      s.largestPrefix.push(f.largestPrefix);
      s.failures.push(failuresInTree[i]!);
      s.eventsPerSecond.push(rate);
    });
    lastSampleEvent = event;
    lastSampleTime = performance.now() - mapsMs;
  };
  const maps = () => (hooks.toMap ? pools.flatMap((_, i) => hooks.toMap!(i, driver.snapshot(i)) ?? []) : []);

  /** Pools asked for room during the current request, with the block size each was asked for. */
  const asked: { pool: number; prefix: number }[] = [];
  /** Whether a pool that needed another CIDR during the current request was at its quota. */
  let atQuota = false;

  /** Gives the pool a new CIDR of /prefix from its parent, growing the parent first if need be. */
  const obtain = (pool: number, prefix: number): boolean => {
    const { parent } = pools[pool]!;
    if (parent < 0) return false;
    let result = driver.grow(pool, prefix);
    if (result === 'quota') {
      atQuota = true;
      return false; // refused before the parent was asked: its room says nothing
    }
    asked.push({ pool: parent, prefix });
    if (result === 'no-fit') {
      const parentChunk = pools[parent]!.plan.chunk;
      if (parentChunk !== undefined && obtain(parent, Math.min(parentChunk, prefix))) result = driver.grow(pool, prefix);
    }
    return result === 'ok';
  };

  /** Enough free addresses somewhere we asked, but no aligned block: fragmentation; else a quota, or no space. */
  const causeOfFailure = (): FailureCause => {
    for (const { pool, prefix } of asked) {
      if (driver.holdsFreeAddresses(pool, prefix)) return 'fragmentation';
    }
    return atQuota ? 'quota' : 'no-space';
  };

  /** The failure path of an arrival that found no room (and could not grow into some). */
  const fail = (event: number, pool: number, mask: number) => {
    const cause = causeOfFailure();
    if (cause === 'no-space') noSpace++;
    else if (cause === 'fragmentation') fragmentation++;
    else quota++;
    failuresInTree[treeOf[pool]!]!++;
    if (!firstFailure) {
      const root = pools[pool]!.root;
      firstFailure = { event, poolId: pools[pool]!.plan.name, mask, utilisation: driver.figures(root).utilisation, cause };
      const mapsStart = performance.now();
      mapsAtFirstFailure = maps();
      mapsMs += performance.now() - mapsStart;
    }
  };

  const start = performance.now();
  let nextSample = 0, nextProgress = progressEvery;
  /** The leaf of each event on the tape, for the arrivals the driver leaves to this loop. */
  const chunkLeaf = new Int32Array(TAPE_EVENTS);
  let event = 0;
  try {
    while (event < events) {
      if (event === nextSample) {
        sample(event);
        nextSample += sampleEvery;
      }
      if (event === nextProgress) {
        hooks.onProgress?.(event);
        nextProgress += progressEvery;
      }
      // a chunk of events onto the tape, ending where the next sample or progress report is due
      const from = event;
      const to = Math.min(events, from + TAPE_EVENTS, nextSample, nextProgress);
      stream.draw(driver.tape(), chunkLeaf, from, to);
      for (let next = 0; ;) {
        next = driver.apply(next, to - from);
        event = from + next;
        if (event === to) break;
        // an arrival the driver left to us: the mask is on the tape (read before anything can move it)
        const mask = driver.tape()[3 * next + 1]! & 0xff;
        const pool = leafIndex[chunkLeaf[next]!]!;
        let taken = driver.allocate(pool, mask);
        if (!taken) {
          asked.length = 0;
          asked.push({ pool, prefix: mask });
          atQuota = false;
          const chunk = pools[pool]!.plan.chunk;
          if (chunk !== undefined && obtain(pool, Math.min(chunk, mask))) taken = driver.allocate(pool, mask);
        }
        if (!taken) fail(event, pool, mask);
        next++;
      }
    }
  } catch (error) {
    // the engine or the API refused what the run cannot go on without (e.g. memory to grow)
    if (error instanceof EngineError || error instanceof IpamApiError) throw new SimulationError(`the ${strategy} run stopped at event ${event.toLocaleString('en-US')} of ${events.toLocaleString('en-US')}: ${error.message}`, { cause: error });
    throw error;
  }
  const elapsedMs = performance.now() - start - mapsMs; // map drawing is the report's cost, not the run's
  // every event was an allocation, a release or a failure, and what is live is what was not released
  const failures = noSpace + fragmentation + quota;
  const allocations = (events - failures + driver.liveCount) / 2;
  const releases = events - failures - allocations;
  sample(events);
  hooks.onProgress?.(events);
  return {
    strategy,
    elapsedMs,
    eventsPerSecond: events / (elapsedMs / 1000),
    allocations,
    releases,
    failures: { total: failures, noSpace, fragmentation, quota },
    firstFailure,
    series,
    maps: { final: maps(), atFirstFailure: mapsAtFirstFailure },
  };
}

