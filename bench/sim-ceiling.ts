/**
 * The simulator's API path through the API ceiling: the same run with every allocation and
 * release made by the ceiling (api-ceiling.ts: the responses' unavoidable work and nothing else),
 * and everything else — pools growing from their parents, the figures after failures, the
 * samples — straight on the engine. Its events per second are a reference for an in-process API
 * answering with the cloud's IDs, RequestIds and CIDR texts and doing nothing else (not a proof:
 * see api-ceiling.ts). Its run's summary and samples must be the engine path's (checked by the
 * bench and by test/bench-baselines.test.ts).
 */
import { Engine, STRATEGIES, type AllocationStrategy } from '../src/engine/index.js';
import { EngineDriver } from '../src/sim/engine-driver.js';
import { CallPerEventDriver, type GrowResult, type PoolFigures, type PoolSnapshot } from '../src/sim/driver.js';
import { flattenPools, type Scenario } from '../src/sim/scenario.js';
import { runStrategy } from '../src/sim/run.js';
import type { StrategyRun } from '../src/report/summary.js';
import { CeilingStore } from './api-ceiling.js';

export class CeilingDriver extends CallPerEventDriver {
  readonly engine: Engine;
  /** The pools' spaces, their growth and their figures. */
  readonly #pools: EngineDriver;
  readonly #store = new CeilingStore();
  readonly #strategy: number;
  /** The last response: kept, so that making it is not work the compiler may drop. */
  lastResponse: unknown;

  constructor(engine: Engine, scenario: Scenario, strategy: AllocationStrategy) {
    super();
    this.engine = engine;
    this.#pools = new EngineDriver(engine, scenario, strategy);
    this.#strategy = STRATEGIES[strategy];
    const pools = flattenPools(scenario).length;
    for (let pool = 0; pool < pools; pool++) this.#store.addPool(this.#pools.space(pool));
  }

  protected createAllocation(pool: number, mask: number): string | undefined {
    const created = this.#store.create(pool, mask, this.#strategy);
    this.lastResponse = created;
    return created?.IpamPoolAllocationId;
  }

  protected deleteAllocation(id: string): void {
    this.lastResponse = this.#store.delete(id);
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
