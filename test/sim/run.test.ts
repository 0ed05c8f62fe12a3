import { beforeAll, describe, expect, it } from 'vitest';
import type { Cidr } from '../../src/cidr/index.js';
import { Engine, EngineStatus, STRATEGIES } from '../../src/engine/index.js';
import type { StrategyRun } from '../../src/report/summary.js';
import type { Driver } from '../../src/sim/driver.js';
import { ApiDriver } from '../../src/sim/api-driver.js';
import { EngineDriver } from '../../src/sim/engine-driver.js';
import { runStrategy, SimulationError } from '../../src/sim/run.js';
import { tapeWord } from '../../src/sim/stream.js';
import { flattenPools, parseScenario, type Scenario } from '../../src/sim/scenario.js';
import { builtInScenario } from '../../src/sim/scenarios.js';
import { runJob, simulateSerial } from '../../src/sim/simulate.js';
import { renderReport } from '../../src/report/index.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

/** Both families, pools that must grow from their parents, failures of both kinds. */
const tree: Scenario = parseScenario({
  name: 'tree',
  seed: 99,
  events: 6000,
  samples: 30,
  arrivals: { start: 0.8, end: 0.55 },
  bursts: [{ at: 0.3, length: 0.05, arrivalShare: 1 }],
  pools: [
    {
      name: 'v4', ipVersion: 'IPv4', cidrs: ['10.0.0.0/18', '10.1.0.0/20'],
      children: [
        { name: 'a', chunk: 21, children: [{ name: 'a1', chunk: 23, workload: { weight: 3, masks: { '26': 3, '27': 2, '24': 1 } } }] },
        { name: 'b', chunk: 22, workload: { weight: 2, masks: { '25': 1, '28': 2 } } },
      ],
    },
    { name: 'v6', ipVersion: 'IPv6', cidrs: ['2001:db8::/44'], children: [{ name: 'c', chunk: 48, workload: { weight: 2, masks: { '52': 1, '56': 2 } } }] },
  ],
});

/** A run without its timings, which are all that may differ between equal runs. */
const withoutTimes = (r: StrategyRun) => ({ ...r, elapsedMs: 0, eventsPerSecond: 0, series: r.series.map((s) => ({ ...s, eventsPerSecond: [] })) });

describe('a simulation run', () => {
  it('is the same straight on the engine and through the API, for every strategy', async () => {
    for (const strategy of tree.strategies) {
      const viaEngine = await runJob(engine, { scenario: tree, strategy, via: 'engine', mapSide: 16 });
      const viaApi = await runJob(engine, { scenario: tree, strategy, via: 'api', mapSide: 16 });
      expect(withoutTimes(viaApi), strategy).toEqual(withoutTimes(viaEngine));
      expect(viaEngine.failures.total, strategy).toBeGreaterThan(0);
      expect(viaEngine.allocations + viaEngine.releases + viaEngine.failures.total).toBe(tree.events);
    }
  });

  it('repeats exactly with the same seed and differs with another', async () => {
    const once = await runJob(engine, { scenario: tree, strategy: 'first-fit', via: 'engine', mapSide: 8 });
    const again = await runJob(engine, { scenario: tree, strategy: 'first-fit', via: 'engine', mapSide: 8 });
    expect(withoutTimes(again)).toEqual(withoutTimes(once));
    const other = await runJob(engine, { scenario: { ...tree, seed: 100 }, strategy: 'first-fit', via: 'engine', mapSide: 8 });
    expect(other.allocations).not.toBe(once.allocations);
  });

  it('leaves nothing behind in the engine, on either path', async () => {
    const before = engine.nodesInUse;
    const summary = await simulateSerial(engine, { ...tree, events: 2000 }, { mapSide: 8 });
    // and the report's pools table says what each sub-pool takes from its parent
    expect(summary.pools.map((p) => [p.name, p.cidrs, p.chunk])).toEqual([
      ['v4', ['10.0.0.0/18', '10.1.0.0/20'], undefined], ['a', [], 21], ['a1', [], 23], ['b', [], 22], ['v6', ['2001:db8::/44'], undefined], ['c', [], 48],
    ]);
    expect(renderReport(summary)).toContain('<td class="text">/23 blocks from its parent, as it needs them</td>');
    await simulateSerial(engine, { ...tree, events: 2000 }, { mapSide: 8, via: 'api' });
    expect(engine.nodesInUse).toBe(before);
  });

  it('samples every top-level pool over the run and draws every pool', async () => {
    const run = await runJob(engine, { scenario: tree, strategy: 'sparse', via: 'engine', mapSide: 32 });
    expect(run.series.map((s) => s.poolId)).toEqual(['v4', 'v6']);
    for (const s of run.series) {
      expect(s.failures.at(-1)).toBeGreaterThanOrEqual(0);
      expect(s.eventsPerSecond[0]).toBe(0);
      expect(Math.min(...s.eventsPerSecond.slice(1))).toBeGreaterThan(0);
      expect(s.event[0]).toBe(0);
      expect(s.event.at(-1)).toBe(tree.events);
      expect(s.utilisation.length).toBe(s.event.length);
      expect(s.utilisation[0]).toBe(0);
      for (const u of s.utilisation) expect(u).toBeGreaterThanOrEqual(0);
    }
    expect(run.maps.final.map((m) => m.poolId)).toEqual(['v4', 'a', 'a1', 'b', 'v6', 'c']);
    expect(run.maps.final[0]).toMatchObject({ span: '10.0.0.0/15', side: 32, children: ['a', 'b'] });
    expect(run.maps.atFirstFailure).not.toBeNull();
    // every failure is counted in exactly one tree, and the count only grows
    expect(run.series.reduce((sum, s) => sum + s.failures.at(-1)!, 0)).toBe(run.failures.total);
    for (const s of run.series) for (let i = 1; i < s.failures.length; i++) expect(s.failures[i]).toBeGreaterThanOrEqual(s.failures[i - 1]!);
  });

  it('calls a failure fragmentation exactly when the pool had the addresses but no aligned block', () => {
    // one pool, no sub-pools: the cause depends only on that pool's free addresses at the time
    const flat = parseScenario({
      name: 'flat', seed: 5, events: 4000, arrivals: { start: 0.7, end: 0.6 },
      pools: [{ name: 'p', ipVersion: 'IPv4', cidrs: ['192.168.0.0/22'], workload: { weight: 1, masks: { '25': 1, '27': 2, '29': 3, '30': 2 } } }],
    });
    for (const strategy of flat.strategies) {
      const driver = new EngineDriver(engine, flat, strategy);
      const seen: { free: number; size: number }[] = [];
      // count free addresses independently from the allocations the pool lists
      const freeOf = (blocks: Cidr[]) => 1024 - blocks.reduce((sum, b) => sum + 2 ** (32 - b.prefixLength), 0);
      const observed: Driver = {
        get liveCount() {
          return driver.liveCount;
        },
        engine: driver.engine,
        tapeId: (pool) => driver.tapeId(pool),
        // the engine leaves arrivals that found no room; the loop only tries them again after growing a pool
        apply: (first, end) => {
          const stop = driver.apply(first, end);
          if (driver.leftNoRoom) seen.push({ free: freeOf(driver.snapshot(0).allocated), size: 2 ** (32 - (tapeWord(engine, stop, 1) & 0xff)) });
          return stop;
        },
        get leftNoRoom() {
          return driver.leftNoRoom;
        },
        allocate: (pool, mask) => {
          const taken = driver.allocate(pool, mask);
          if (!taken) seen.push({ free: freeOf(driver.snapshot(0).allocated), size: 2 ** (32 - mask) });
          return taken;
        },
        releaseAt: (i) => driver.releaseAt(i),
        grow: (p, prefix) => driver.grow(p, prefix),
        figures: (p) => driver.figures(p),
        holdsFreeAddresses: (p, prefix) => driver.holdsFreeAddresses(p, prefix),
        snapshot: (p) => driver.snapshot(p),
        close: () => driver.close(),
      };
      const run = runStrategy(flat, strategy, observed);
      driver.close();
      expect(run.failures.total, strategy).toBe(seen.length);
      expect(run.failures.fragmentation, strategy).toBe(seen.filter((s) => s.free >= s.size).length);
      expect(run.failures.noSpace, strategy).toBe(seen.filter((s) => s.free < s.size).length);
      expect(run.failures.fragmentation + run.failures.noSpace).toBeGreaterThan(0);
    }
  });

  it("calls a refusal by the cloud's 50-CIDR quota a quota failure, however much room the parent has", async () => {
    // every arrival needs a new /28 chunk: 50 fit the quota, the rest are refused though the /16 is nearly empty
    const quota = parseScenario({
      name: 'quota', seed: 1, events: 60, arrivals: { start: 1, end: 1 },
      pools: [{ name: 'top', ipVersion: 'IPv4', cidrs: ['10.9.0.0/16'], children: [{ name: 'leaf', chunk: 28, workload: { weight: 1, masks: { '28': 1 } } }] }],
    });
    for (const via of ['engine', 'api'] as const) {
      const run = await runJob(engine, { scenario: quota, strategy: 'first-fit', via, mapSide: 0 });
      expect({ allocations: run.allocations, ...run.failures }, via).toEqual({ allocations: 50, total: 10, noSpace: 0, fragmentation: 0, quota: 10 });
      // events 0..49 take a chunk each; event 50 is the first that cannot
      // the utilisation is the tree's: 50 /28s out of the /16 (the leaf itself is full), all in use
      expect(run.firstFailure, via).toEqual({ event: 50, poolId: 'leaf', mask: 28, cause: 'quota', treeId: 'top', utilisation: (50 * 16 * 100) / 65536, inUse: (50 * 16 * 100) / 65536 });
    }
  });

  it("says how much of the tree was in use by resources at the first failure, apart from what its sub-pools took", async () => {
    // a /22 of four /24 chunks: `a` takes /25s, `b` whole /24s. With seed 1 the first six
    // arrivals are five of a's and one of b's, and the seventh, a /24 for b, finds the /22
    // handed out: 100 % of it is the sub-pools', but a's third /24 still keeps a /25 free, so
    // 5 × 128 + 256 = 896 of 1,024 addresses are in use
    const kept = parseScenario({
      name: 'kept', seed: 1, events: 12, arrivals: { start: 1, end: 1 },
      pools: [{ name: 'top', ipVersion: 'IPv4', cidrs: ['10.0.0.0/22'], children: [
        { name: 'a', chunk: 24, workload: { weight: 1, masks: { '25': 1 } } },
        { name: 'b', chunk: 24, workload: { weight: 1, masks: { '24': 1 } } }] }],
    });
    for (const via of ['engine', 'api'] as const) {
      const run = await runJob(engine, { scenario: kept, strategy: 'first-fit', via, mapSide: 0 });
      expect(run.firstFailure, via).toEqual({ event: 6, poolId: 'b', mask: 24, cause: 'no-space', treeId: 'top', utilisation: 100, inUse: 87.5 });
      expect(run.allocations, via).toBe(6);
    }
  });

  it('samples exactly `samples` points, evenly from event 0 to the last; fewer only when there are fewer events', async () => {
    // every ceil(events / (samples - 1)) events used to give 168 points for 200 over 1,000 events
    for (const [events, samples, points] of [[1000, 200, 200], [11, 6, 6], [1_000_003, 7, 7], [4, 10, 5]] as const) {
      const scenario = parseScenario({
        name: 'samples', events, samples,
        pools: [{ name: 't', ipVersion: 'IPv4', cidrs: ['10.0.0.0/24'], workload: { weight: 1, masks: { '28': 1 } } }],
      });
      const { series: [series] } = await runJob(engine, { scenario, strategy: 'first-fit', via: 'engine', mapSide: 0 });
      expect(series!.event.length, `${events} events`).toBe(points);
      expect(series!.event).toEqual([...new Set(Array.from({ length: samples }, (_, k) => Math.round((k * events) / (samples - 1))))]);
    }
  });

  it('counts a run from what was live when it started: a second run on the same driver, on both paths', async () => {
    const small = parseScenario({
      name: 'twice', seed: 8, events: 3000, arrivals: { start: 0.7, end: 0.6 },
      pools: [{ name: 'p', ipVersion: 'IPv4', cidrs: ['10.0.0.0/22'], workload: { weight: 1, masks: { '26': 1, '28': 2, '30': 2 } } }],
    });
    const drivers: Driver[] = [new EngineDriver(engine, small, 'best-fit'), await ApiDriver.create(engine, small, 'best-fit')];
    const seconds: unknown[] = [];
    for (const driver of drivers) {
      try {
        runStrategy(small, 'best-fit', driver);
        const liveBefore = driver.liveCount;
        expect(liveBefore).toBeGreaterThan(0);
        const second = runStrategy({ ...small, seed: 9 }, 'best-fit', driver);
        expect(second.allocations - second.releases).toBe(driver.liveCount - liveBefore);
        expect(second.allocations + second.releases + second.failures.total).toBe(small.events);
        seconds.push(withoutTimes(second));
      } finally {
        driver.close();
      }
    }
    expect(seconds[1]).toEqual(seconds[0]);
  });

  it('keeps random\'s free-address counts exact through whole runs: growth, releases, both families', () => {
    let checked = 0;
    for (const [scenario, events] of [[tree, tree.events], [builtInScenario('org-growth')!, 60_000], [builtInScenario('ipv6-vpcs')!, 60_000]] as const) {
      const short = { ...scenario, events };
      const driver = new EngineDriver(engine, short, 'random');
      try {
        const run = runStrategy(short, 'random', driver);
        expect(run.allocations, scenario.name).toBeGreaterThan(1000);
        flattenPools(short).forEach((_, pool) => {
          const space = driver.tapeId(pool);
          expect(engine.raw.freeCountMismatches(space), `${scenario.name} pool ${pool}`).toBe(0);
          checked += engine.raw.keepsFreeCounts(space);
        });
      } finally {
        driver.close();
      }
    }
    expect(checked).toBeGreaterThan(10); // leaves and the parents they grew from drew at random
  });

  it('does not try again an arrival the engine found no room for when no pool could grow', () => {
    // one top-level pool: nothing can grow, so every failure is the engine's own finding
    const flat = parseScenario({
      name: 'flat', seed: 5, events: 4000, arrivals: { start: 0.7, end: 0.6 },
      pools: [{ name: 'p', ipVersion: 'IPv4', cidrs: ['192.168.0.0/22'], workload: { weight: 1, masks: { '25': 1, '27': 2, '29': 3, '30': 2 } } }],
    });
    const driver = new EngineDriver(engine, flat, 'first-fit');
    let allocateCalls = 0;
    const counted = new Proxy(driver, {
      get(target, key) {
        if (key === 'allocate') return (pool: number, mask: number) => (allocateCalls++, target.allocate(pool, mask));
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    try {
      const run = runStrategy(flat, 'first-fit', counted);
      expect(run.failures.total).toBeGreaterThan(0);
      expect(allocateCalls).toBe(0);
    } finally {
      driver.close();
    }
  });

  it('runs the same whatever progressEvery is, reporting whole event counts up to the end', () => {
    const small = parseScenario({
      name: 'progress', seed: 4, events: 1000,
      pools: [{ name: 'p', ipVersion: 'IPv4', cidrs: ['10.0.0.0/22'], workload: { weight: 1, masks: { '28': 1, '30': 2 } } }],
    });
    const runWith = (progressEvery: number | undefined) => {
      const driver = new EngineDriver(engine, small, 'first-fit');
      const done: number[] = [];
      try {
        const run = runStrategy(small, 'first-fit', driver, {
          progressEvery,
          onProgress: (n) => {
            done.push(n);
            if (done.length > small.events + 1) throw new Error(`progress reported ${done.length} times, stuck at event ${n}`);
          },
        });
        return { run: withoutTimes(run), done };
      } finally {
        driver.close();
      }
    };
    const plain = runWith(undefined).run;
    for (const every of [250, 0, 100.5, -3]) {
      const { run, done } = runWith(every);
      // at least 1: 0 and below report after every event
      if (every <= 0) expect(done.length, `progressEvery ${every}`).toBe(small.events);
      expect(run, `progressEvery ${every}`).toEqual(plain);
      expect(done.at(-1), `progressEvery ${every}`).toBe(small.events);
      for (let i = 0; i < done.length; i++) {
        expect(Number.isInteger(done[i]), `progressEvery ${every}: ${done[i]}`).toBe(true);
        if (i > 0) expect(done[i]!, `progressEvery ${every}`).toBeGreaterThan(done[i - 1]!);
      }
    }
  });

  it('gives each strategy its own placement', async () => {
    const runs = await simulateSerial(engine, tree, { mapSide: 16 });
    const finalMaps = new Set(runs.runs.map((r) => JSON.stringify(r.maps.final)));
    expect(finalMaps.size).toBe(tree.strategies.length);
    expect(runs.strategies).toEqual(tree.strategies);
  });
});

describe('a run the engine cannot carry', () => {
  it('stops with a SimulationError naming the strategy, the event and the cause, on both paths', async () => {
    // the limited build cannot grow past a few hundred KiB: /128s one by one fill it quickly
    const small = await Engine.load(new URL('../../build/engine.limited.wasm', import.meta.url));
    const scenario = parseScenario({
      name: 'too-big', seed: 1, events: 200_000, arrivals: { start: 1, end: 1 },
      pools: [{ name: 'v6', ipVersion: 'IPv6', cidrs: ['2001:db8::/64'], workload: { weight: 1, masks: { '128': 1 } } }],
    });
    for (const via of ['engine', 'api'] as const) {
      const run = runJob(small, { scenario, strategy: 'random', via, mapSide: 0 });
      await expect(run).rejects.toBeInstanceOf(SimulationError);
      await expect(run).rejects.toThrow(/^the random run stopped at event [\d,]+ of 200,000: .*WebAssembly memory could not grow/);
    }
  });

  it('stops with a SimulationError at event 0 when the engine has no memory left for the event stream', async () => {
    const small = await Engine.load(new URL('../../build/engine.limited.wasm', import.meta.url));
    // a small space's worth of memory stays free (enough for the run's pool), the rest is taken
    const helper = small.createSpace(4);
    helper.addSource('10.0.0.0/8');
    for (let i = 0; i < 4; i++) helper.allocate(32, 'random');
    const filler = small.createSpace(6);
    filler.addSource('::/0');
    while (small.raw.allocate6(filler.id, 128, STRATEGIES.random) === EngineStatus.OK);
    helper.destroy();
    const scenario = parseScenario({
      name: 'no-room-for-the-stream', seed: 1, events: 100,
      pools: [{ name: 'p', ipVersion: 'IPv4', cidrs: ['192.168.0.0/16'], workload: { weight: 1, masks: { '28': 1 } } }],
    });
    new EngineDriver(small, scenario, 'first-fit').close(); // the pools fit
    const run = runJob(small, { scenario, strategy: 'first-fit', via: 'engine', mapSide: 0 });
    await expect(run).rejects.toBeInstanceOf(SimulationError);
    await expect(run).rejects.toThrow(/^the first-fit run stopped at event 0 of 100: .*WebAssembly memory could not grow/);
  });
});
