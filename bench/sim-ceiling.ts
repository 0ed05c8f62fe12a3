/**
 * The ceiling of the simulator's API path: the same run with every allocation and release made
 * by the API ceiling (api-ceiling.ts: the responses' unavoidable work and nothing else), and
 * everything else — pools growing from their parents, the figures after failures, the samples —
 * straight on the engine. Its events per second bound what any in-process API answering with the
 * cloud's IDs, RequestIds and CIDR texts could reach on this run; the run itself must be the
 * engine path's, event for event (checked by the bench and by test/bench-baselines.test.ts).
 */
import { Engine, STRATEGIES, type AllocationStrategy } from '../src/engine/index.js';
import { EngineDriver } from '../src/sim/engine-driver.js';
import { releasesUntilArrival, type Driver, type GrowResult, type PoolFigures, type PoolSnapshot } from '../src/sim/driver.js';
import { flattenPools, type Scenario } from '../src/sim/scenario.js';
import { runStrategy } from '../src/sim/run.js';
import type { StrategyRun } from '../src/report/summary.js';
import { CeilingStore } from './api-ceiling.js';

export class CeilingDriver implements Driver {
  readonly engine: Engine;
  /** Arrivals are left untried, as the API driver leaves them. */
  readonly leftNoRoom = false;
  /** The pools' spaces, their growth and their figures. */
  readonly #pools: EngineDriver;
  readonly #store = new CeilingStore();
  readonly #strategy: number;
  /** IDs of the live allocations, dense (swap-remove on release), as the API driver keeps them. */
  readonly #live: string[] = [];
  /** The last response: kept, so that making it is not work the compiler may drop. */
  lastResponse: unknown;

  constructor(engine: Engine, scenario: Scenario, strategy: AllocationStrategy) {
    this.engine = engine;
    this.#pools = new EngineDriver(engine, scenario, strategy);
    this.#strategy = STRATEGIES[strategy];
    const pools = flattenPools(scenario).length;
    for (let pool = 0; pool < pools; pool++) this.#store.addSpace(this.#pools.space(pool));
  }

  get liveCount(): number {
    return this.#live.length;
  }

  tapeId(pool: number): number {
    return pool;
  }

  apply(first: number, end: number): number {
    return releasesUntilArrival(this, first, end);
  }

  allocate(pool: number, mask: number): boolean {
    const created = this.#store.create(pool, mask, this.#strategy);
    this.lastResponse = created;
    if (created === undefined) return false;
    this.#live.push(created.IpamPoolAllocationId);
    return true;
  }

  releaseAt(index: number): void {
    this.lastResponse = this.#store.delete(this.#live[index]!);
    this.#live[index] = this.#live[this.#live.length - 1]!;
    this.#live.pop();
  }

  grow(pool: number, prefix: number): GrowResult {
    const grown = this.#pools.grow(pool, prefix);
    if (grown === 'ok') this.#store.readSources(pool);
    return grown;
  }

  figures(pool: number): PoolFigures {
    return this.#pools.figures(pool);
  }

  holdsFreeAddresses(pool: number, prefix: number): boolean {
    return this.#pools.holdsFreeAddresses(pool, prefix);
  }

  snapshot(pool: number): PoolSnapshot {
    return this.#pools.snapshot(pool);
  }

  close(): void {
    this.#pools.close();
  }
}

/** One run of the scenario through the ceiling, on a fresh instance of the engine's module. */
export async function runThroughCeiling(module: WebAssembly.Module, scenario: Scenario, strategy: AllocationStrategy): Promise<StrategyRun> {
  const driver = new CeilingDriver(await Engine.load(module), scenario, strategy);
  try {
    return runStrategy(scenario, strategy, driver, {});
  } finally {
    driver.close();
  }
}
