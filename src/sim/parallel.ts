/**
 * Strategies side by side on worker threads (Node). Each worker loads its own engine and runs
 * jobs from a shared queue; every run depends only on the scenario, the strategy and the seed,
 * so the summary equals a serial run's apart from timings (a test holds it to that).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Scenario } from './scenario.js';
import { SimulationError } from './run.js';
import { summarise, type Path, type StrategyJob } from './simulate.js';
import type { SimulationSummary, StrategyRun } from '../report/summary.js';

export type WorkerMessage =
  | { type: 'progress'; strategy: string; done: number }
  | { type: 'result'; run: StrategyRun }
  | { type: 'error'; name: string; message: string; stack?: string };

export interface ParallelOptions {
  via?: Path;
  mapSide?: number;
  /** Worker threads; default: one per core, at most one per strategy. */
  workers?: number;
  onProgress?: (strategy: string, done: number) => void;
}

export function defaultWorkers(strategies: number): number {
  return Math.max(1, Math.min(availableParallelism(), strategies));
}

export async function simulateParallel(scenario: Scenario, options: ParallelOptions = {}): Promise<SimulationSummary> {
  const jobs: StrategyJob[] = scenario.strategies.map((strategy) => ({ scenario, strategy, via: options.via ?? 'engine', mapSide: options.mapSide ?? 128 }));
  const asked = options.workers ?? defaultWorkers(jobs.length);
  if (!Number.isInteger(asked) || asked < 1) throw new RangeError(`workers must be a whole number of at least 1, got ${asked}`);
  const workers = Math.min(asked, jobs.length);
  const runs = new Map<string, StrategyRun>();
  let next = 0;
  const workerUrl = new URL('./worker.js', import.meta.url);
  const started: Worker[] = [];
  const drain = () => new Promise<void>((resolve, reject) => {
    const worker = new Worker(workerUrl);
    started.push(worker);
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      if (error) next = jobs.length; // the other workers take no new job
      void worker.terminate().then(() => (error ? reject(error) : resolve()));
    };
    const feed = () => {
      if (next < jobs.length) worker.postMessage(jobs[next++]);
      else finish();
    };
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') options.onProgress?.(message.strategy, message.done);
      else if (message.type === 'result') {
        runs.set(message.run.strategy, message.run);
        feed();
      } else {
        // a run that could not go on stays what it is; anything else is a failure of the worker
        finish(message.name === 'SimulationError' ? new SimulationError(message.message)
          : Object.assign(new Error(`simulation worker failed: ${message.message}`), { stack: message.stack }));
      }
    });
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) => finish(code === 0 && next >= jobs.length ? undefined : new Error(`simulation worker exited (code ${code}) before finishing its runs`)));
    feed();
  });
  try {
    await Promise.all(Array.from({ length: workers }, drain));
  } finally {
    await Promise.all(started.map((w) => w.terminate()));
  }
  return summarise(scenario, scenario.strategies.map((s) => runs.get(s)!), workers, availableParallelism());
}
