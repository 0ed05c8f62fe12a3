/**
 * `wasm-ipam/simulator`: the strategy simulator and its report for programs (the CLI's
 * `simulate` uses the same). Node only: worker threads and files; the main entry stays free of it.
 */
export { parseScenario, flattenPools, ScenarioError, type Scenario, type PoolPlan } from './sim/scenario.js';
export { builtInScenario, builtInScenarioNames, DEFAULT_SCENARIO } from './sim/scenarios.js';
export { runJob, simulateSerial, summarise, type StrategyJob, type Path } from './sim/simulate.js';
export { SimulationError } from './sim/run.js';
export { simulateParallel, defaultWorkers, type ParallelOptions } from './sim/parallel.js';
export { renderReport, writeReport, rasterisePoolMap, type PoolMapInput } from './report/index.js';
export type { SimulationSummary, StrategyRun, PoolSeries, PoolMap, PoolInfo, FailureCause } from './report/summary.js';
