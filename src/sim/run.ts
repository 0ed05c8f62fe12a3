/**
 * One strategy's run of a scenario: the seeded event stream, pools that grow from their
 * parents on demand, failures classified, figures sampled over time, maps at the first
 * failure and at the end. The driver decides whether steps go to the engine or the API.
 */
import { EngineError, type AllocationStrategy } from '../engine/index.js';
import { IpamApiError } from '../api/index.js';
import type { FailureCause, PoolMap, PoolSeries, StrategyRun } from '../report/summary.js';
import { TAPE_EVENTS, type Driver, type PoolSnapshot } from './driver.js';
import { drawEvents, startStream, tapeWord } from './stream.js';
import { flattenPools, type Scenario } from './scenario.js';

/** A run stopped by SIGINT or SIGTERM (the CLI exits 128 + the signal's number, as a shell does). */
export class SimulationInterrupted extends Error {
  override name = 'SimulationInterrupted';
  constructor(readonly signal: 'SIGINT' | 'SIGTERM', outcome = 'no report written') {
    super(`stopped by ${signal}; ${outcome}`);
  }
}

/** A run that could not go on: the engine or the API refused something it needed (its cause). */
export class SimulationError extends Error {
  override name = 'SimulationError';
}

export interface RunHooks {
  /** Called every `progressEvery` events and at the end with the number of events done. */
  onProgress?: (done: number) => void;
  /** Rounded up to a whole number of events, at least 1 (default 65,536). */
  progressEvery?: number;
  /** Turns pool snapshots into maps (the report's rasteriser); no maps when absent. */
  toMap?: (pool: number, snapshot: PoolSnapshot) => PoolMap | null;
}

export function runStrategy(scenario: Scenario, strategy: AllocationStrategy, driver: Driver, hooks: RunHooks = {}): StrategyRun {
  const pools = flattenPools(scenario);
  const roots = pools.flatMap((p, i) => (p.parent < 0 ? [i] : []));
  const leafIndex = pools.flatMap((p, i) => (p.plan.workload ? [i] : []));
  const events = scenario.events;
  // `samples` points, evenly spread from event 0 to the last (fewer when there are fewer events)
  const sampleAt = (k: number) => Math.round((k * events) / (scenario.samples - 1));
  // whole and positive: a chunk of events ends where progress is due, and must hold one
  const progressEvery = Math.max(1, Math.ceil(hooks.progressEvery ?? 1 << 16)) || 1 << 16;

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
    // throughput over the interval, not counting map drawing. The time spent reading the figures
    // below falls in the next interval, as it falls in the run's elapsed time: the intervals add up
    // to the time the table's events/s is charged for
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
    lastSampleTime = now;
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

  /**
   * How full a tree is (its top-level pool's utilisation, sub-pools' CIDRs counted as used), and
   * its share of addresses allocated to resources: what its pools hold taken, less the CIDRs each
   * sub-pool took from its parent (counted as taken there). Percentages, as the engine makes them.
   */
  const fullness = (root: number): { utilisation: number; inUse: number } => {
    const top = driver.figures(root);
    let inUse = top.totalAddresses - top.freeAddresses; // the sub-pools' CIDRs as taken…
    pools.forEach((p, i) => {
      if (p.root === root && i !== root) inUse -= driver.figures(i).freeAddresses; // …less what they keep free
    });
    return { utilisation: top.utilisation, inUse: top.totalAddresses === 0n ? 0 : (Number(inUse) / Number(top.totalAddresses)) * 100 };
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
      firstFailure = { event, poolId: pools[pool]!.plan.name, mask, cause, treeId: pools[root]!.plan.name, ...fullness(root) };
      const mapsStart = performance.now();
      mapsAtFirstFailure = maps();
      mapsMs += performance.now() - mapsStart;
    }
  };

  const start = performance.now();
  const liveAtStart = driver.liveCount;
  let samplesTaken = 0, nextSample = 0, nextProgress = progressEvery;
  const poolOfTapeId = new Map(pools.map((_, pool) => [driver.tapeId(pool), pool]));
  let event = 0;
  try {
    // its tables take engine memory: a refusal is the run's, at event 0
    startStream(driver.engine, scenario, leafIndex.map((pool) => driver.tapeId(pool)));
    while (event < events) {
      if (event === nextSample) {
        sample(event);
        while (nextSample <= event) nextSample = sampleAt(++samplesTaken);
      }
      if (event === nextProgress) {
        hooks.onProgress?.(event);
        nextProgress += progressEvery;
      }
      // a chunk of events onto the tape, ending where the next sample or progress report is due
      const from = event;
      const to = Math.min(events, from + TAPE_EVENTS, nextSample, nextProgress);
      drawEvents(driver.engine, from, to);
      for (let next = 0; ;) {
        next = driver.apply(next, to - from);
        event = from + next;
        if (event === to) break;
        // an arrival the driver left to us
        const pool = poolOfTapeId.get(tapeWord(driver.engine, next, 0))!;
        const mask = tapeWord(driver.engine, next, 1) & 0xff;
        let taken = !driver.leftNoRoom && driver.allocate(pool, mask);
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
  const allocations = (events - failures + driver.liveCount - liveAtStart) / 2;
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

