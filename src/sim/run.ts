/**
 * One strategy's run of a scenario: the seeded event stream, pools that grow from their
 * parents on demand, failures classified, figures sampled over time, maps at the first
 * failure and at the end. The driver decides whether steps go to the engine or the API.
 */
import { EngineError, type AllocationStrategy } from '../engine/index.js';
import { IpamApiError } from '../api/index.js';
import type { FailureCause, PoolMap, PoolSeries, StrategyRun } from '../report/summary.js';
import type { Driver, PoolSnapshot } from './driver.js';
import { flattenPools, type Scenario } from './scenario.js';

/** splitmix32: small, fast, and the same stream in every JS engine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

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
  const leafPick = new WeightedPick(leafIndex.map((i) => pools[i]!.plan.workload!.weight));
  const maskLists = leafIndex.map((i) => Object.keys(pools[i]!.plan.workload!.masks).map(Number));
  const maskPicks = leafIndex.map((i) => new WeightedPick(Object.values(pools[i]!.plan.workload!.masks)));
  const random = seededRandom(scenario.seed);
  const events = scenario.events;
  const sampleEvery = Math.max(1, Math.ceil(events / (scenario.samples - 1)));
  const progressEvery = hooks.progressEvery ?? 1 << 16;

  let allocations = 0, releases = 0, noSpace = 0, fragmentation = 0, quota = 0;
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

  const start = performance.now();
  let nextSample = 0, nextProgress = progressEvery;
  // the arrival share is linear between bursts: start + slope · event, unless inside a burst
  const slope = (scenario.arrivals.end - scenario.arrivals.start) / events;
  const burstFrom = scenario.bursts.map((b) => b.at * events);
  const burstTo = scenario.bursts.map((b) => (b.at + b.length) * events);
  let event = 0;
  try {
    for (; event < events; event++) {
      if (event === nextSample) {
        sample(event);
        nextSample += sampleEvery;
      }
      if (event === nextProgress) {
        hooks.onProgress?.(event);
        nextProgress += progressEvery;
      }
      let share = scenario.arrivals.start + slope * event;
      for (let b = 0; b < burstFrom.length; b++) if (event >= burstFrom[b]! && event < burstTo[b]!) share = scenario.bursts[b]!.arrivalShare;
      // three draws per event whatever happens, so every strategy sees the same stream
      const kind = random(), which = random(), size = random();
      if (driver.liveCount === 0 || kind < share) {
        const leaf = leafPick.pick(which);
        const pool = leafIndex[leaf]!;
        const mask = maskLists[leaf]![maskPicks[leaf]!.pick(size)]!;
        let taken = driver.allocate(pool, mask);
        if (!taken) {
          asked.length = 0;
          asked.push({ pool, prefix: mask });
          atQuota = false;
          const chunk = pools[pool]!.plan.chunk;
          if (chunk !== undefined && obtain(pool, Math.min(chunk, mask))) taken = driver.allocate(pool, mask);
        }
        if (!taken) {
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
          continue;
        }
        allocations++;
      } else {
        driver.releaseAt(Math.floor(which * driver.liveCount));
        releases++;
      }
    }
  } catch (error) {
    // the engine or the API refused what the run cannot go on without (e.g. memory to grow)
    if (error instanceof EngineError || error instanceof IpamApiError) throw new SimulationError(`the ${strategy} run stopped at event ${event.toLocaleString('en-US')} of ${events.toLocaleString('en-US')}: ${error.message}`, { cause: error });
    throw error;
  }
  const elapsedMs = performance.now() - start - mapsMs; // map drawing is the report's cost, not the run's
  sample(events);
  hooks.onProgress?.(events);
  return {
    strategy,
    elapsedMs,
    eventsPerSecond: events / (elapsedMs / 1000),
    allocations,
    releases,
    failures: { total: noSpace + fragmentation + quota, noSpace, fragmentation, quota },
    firstFailure,
    series,
    maps: { final: maps(), atFirstFailure: mapsAtFirstFailure },
  };
}

