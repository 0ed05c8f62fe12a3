/**
 * Strategies side by side on worker threads (Node). Each worker loads its own engine and runs
 * jobs from a shared queue; every run depends only on the scenario, the strategy and the seed,
 * so the summary equals a serial run's apart from timings (a test holds it to that).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EngineError } from '../engine/index.js';
import { IpamApiError } from '../api/index.js';
import type { Scenario } from './scenario.js';
import { SimulationError } from './run.js';
import { summarise, type Path, type StrategyJob } from './simulate.js';
import type { SimulationSummary, StrategyRun } from '../report/summary.js';

export type WorkerMessage =
  | { type: 'progress'; strategy: string; done: number }
  | { type: 'result'; run: StrategyRun }
  | ({ type: 'error' } & ErrorRecord);

/** An error as it crosses from a worker (a structured clone keeps no class and no own fields). */
export interface ErrorRecord {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  status?: number;
  httpStatus?: number;
  requestId?: string;
  cause?: ErrorRecord;
}

/** What errorFromRecord needs to make the error again on the other side. */
export function describeError(error: unknown): ErrorRecord {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { name, message, stack } = error;
  const fields = error as Partial<Pick<ErrorRecord, 'code' | 'status' | 'httpStatus' | 'requestId'>>;
  return {
    name, message, stack,
    ...(fields.code === undefined ? {} : { code: fields.code }),
    ...(fields.status === undefined ? {} : { status: fields.status }),
    ...(fields.httpStatus === undefined ? {} : { httpStatus: fields.httpStatus }),
    ...(fields.requestId === undefined ? {} : { requestId: fields.requestId }),
    ...(error.cause === undefined ? {} : { cause: describeError(error.cause) }),
  };
}

/**
 * The error a worker reported: a SimulationError with its cause (an EngineError or
 * IpamApiError of its own class, status and code) as a serial run throws it; anything else is
 * a failure of the worker, with the worker's stack.
 */
export function errorFromRecord(record: ErrorRecord): Error {
  if (record.name === 'SimulationError') {
    return new SimulationError(record.message, record.cause && { cause: causeFromRecord(record.cause) });
  }
  return Object.assign(new Error(`simulation worker failed: ${record.message}`), { stack: record.stack });
}

function causeFromRecord(record: ErrorRecord): Error {
  const error = record.name === 'EngineError' && record.status !== undefined ? new EngineError(record.status)
    : record.name === 'IpamApiError' ? new IpamApiError(record.code ?? '', record.httpStatus ?? 0, record.message, record.requestId)
    : Object.assign(new Error(record.message), { name: record.name });
  error.message = record.message;
  if (record.stack !== undefined) error.stack = record.stack;
  return error;
}

export interface ParallelOptions {
  via?: Path;
  mapSide?: number;
  /** Worker threads; default: one per core, at most one per strategy. */
  workers?: number;
  onProgress?: (strategy: string, done: number) => void;
  /** Stops the run: its workers are terminated and the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** A promise that rejects with the signal's reason once it aborts (never, without one), and the end of listening. */
function aborted(signal: AbortSignal | undefined): { promise: Promise<never>; stop: () => void } {
  let stop = () => {};
  const promise = new Promise<never>((_, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    stop = () => signal?.removeEventListener('abort', onAbort); // a long-lived signal keeps no listener per run
  });
  return { promise, stop };
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
        finish(errorFromRecord(message));
      }
    });
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) => finish(code === 0 && next >= jobs.length ? undefined : new Error(`simulation worker exited (code ${code}) before finishing its runs`)));
    feed();
  });
  try {
    const stopped = aborted(options.signal);
    try {
      await Promise.race([Promise.all(Array.from({ length: workers }, drain)), stopped.promise]);
    } finally {
      stopped.stop();
    }
  } finally {
    next = jobs.length; // a worker that would still ask takes nothing
    await Promise.all(started.map((w) => w.terminate()));
  }
  return summarise(scenario, scenario.strategies.map((s) => runs.get(s)!), workers);
}
