/**
 * A whole simulation: every strategy of the scenario over the same event stream, serially in
 * this thread (see parallel.ts for worker threads), gathered into the report's summary.
 */
import { availableParallelism } from 'node:os';
import type { AllocationStrategy, Engine } from '../engine/index.js';
import { SUMMARY_FORMAT, SUMMARY_VERSION, type PoolInfo, type SimulationSummary, type StrategyRun } from '../report/summary.js';
import { ApiDriver } from './api-driver.js';
import type { Driver } from './driver.js';
import { EngineDriver } from './engine-driver.js';
import { poolMapper } from './maps.js';
import { runStrategy } from './run.js';
import { flattenPools, type Scenario } from './scenario.js';

export type Path = 'engine' | 'api';

export interface StrategyJob {
  scenario: Scenario;
  strategy: AllocationStrategy;
  /** Straight on the engine or through IpamService. */
  via: Path;
  /** Cells per side of the Hilbert maps of top-level pools (sub-pools get half); 0: no maps. */
  mapSide: number;
}

/** Runs one strategy on the given engine, freeing what it made afterwards. */
export async function runJob(engine: Engine, job: StrategyJob, onProgress?: (done: number) => void): Promise<StrategyRun> {
  const driver: Driver = job.via === 'api'
    ? await ApiDriver.create(engine, job.scenario, job.strategy)
    : new EngineDriver(engine, job.scenario, job.strategy);
  try {
    return runStrategy(job.scenario, job.strategy, driver, {
      onProgress,
      toMap: job.mapSide > 0 ? poolMapper(job.scenario, job.mapSide) : undefined,
    });
  } finally {
    driver.close();
  }
}

export function poolInfos(scenario: Scenario): PoolInfo[] {
  const pools = flattenPools(scenario);
  return pools.map(({ plan, parent, bits }) => ({
    id: plan.name,
    name: plan.name,
    parentId: parent < 0 ? null : pools[parent]!.plan.name,
    ipVersion: bits === 32 ? 'IPv4' : 'IPv6',
    cidrs: plan.cidrs ?? [],
    ...(plan.chunk === undefined ? {} : { chunk: plan.chunk }),
  }));
}

export function summarise(scenario: Scenario, runs: StrategyRun[], workers: number): SimulationSummary {
  return {
    format: SUMMARY_FORMAT,
    version: SUMMARY_VERSION,
    scenario: { name: scenario.name, description: scenario.description, events: scenario.events, seed: scenario.seed, definition: scenario },
    strategies: runs.map((r) => r.strategy),
    pools: poolInfos(scenario),
    runs,
    environment: environment(workers),
  };
}

function environment(workers: number): SimulationSummary['environment'] {
  return { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: availableParallelism(), workers, date: new Date().toISOString() };
}

/** Every strategy, one after another, on one engine. */
export async function simulateSerial(engine: Engine, scenario: Scenario, options: { via?: Path; mapSide?: number; onProgress?: (strategy: string, done: number) => void } = {}): Promise<SimulationSummary> {
  const runs: StrategyRun[] = [];
  for (const strategy of scenario.strategies) {
    const job: StrategyJob = { scenario, strategy, via: options.via ?? 'engine', mapSide: options.mapSide ?? 128 };
    runs.push(await runJob(engine, job, (done) => options.onProgress?.(strategy, done)));
  }
  return summarise(scenario, runs, 1);
}
