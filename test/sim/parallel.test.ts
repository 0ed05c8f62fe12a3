// How a worker thread's error reaches the caller of simulateParallel: through a structured clone,
// which keeps neither classes nor own fields, so the worker describes it and the caller makes it again.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
// the built module, whose worker is dist/sim/worker.js
import { builtInScenario, DEFAULT_SCENARIO, parseScenario, simulateParallel } from '../../dist/simulator.js';
import { EngineError, EngineStatus } from '../../src/engine/index.js';
import { IpamApiError } from '../../src/api/index.js';
import { describeError, errorFromRecord } from '../../src/sim/parallel.js';
import { SimulationError } from '../../src/sim/run.js';

/** What the caller gets for an error a worker throws (postMessage clones the record). */
const acrossThreads = (error: unknown) => errorFromRecord(structuredClone(describeError(error)));

describe('a worker\'s error, as simulateParallel throws it', () => {
  it('is the SimulationError a serial run throws, with its EngineError cause, status and code', () => {
    const cause = new EngineError(EngineStatus.OUT_OF_MEMORY, 'the live list');
    const got = acrossThreads(new SimulationError('the random run stopped at event 7 of 10: out of memory', { cause }));
    expect(got).toBeInstanceOf(SimulationError);
    expect(got.message).toBe('the random run stopped at event 7 of 10: out of memory');
    expect(got.cause).toBeInstanceOf(EngineError);
    const engineError = got.cause as EngineError;
    expect([engineError.status, engineError.code, engineError.message]).toEqual([cause.status, cause.code, cause.message]);
  });

  it('keeps an IpamApiError cause\'s code, HTTP status and request ID', () => {
    const cause = new IpamApiError('QuotaExceeded.IpamPoolCidr', 400, 'too many CIDRs', 'req-1');
    const got = acrossThreads(new SimulationError('stopped', { cause }));
    expect(got.cause).toBeInstanceOf(IpamApiError);
    const apiError = got.cause as IpamApiError;
    expect([apiError.code, apiError.httpStatus, apiError.message, apiError.requestId]).toEqual(['QuotaExceeded.IpamPoolCidr', 400, 'too many CIDRs', 'req-1']);
  });

  it('calls anything else a failure of the worker, with the worker\'s stack; a thrown non-error too', () => {
    const bug = new TypeError('x is undefined');
    const got = acrossThreads(bug);
    expect(got).not.toBeInstanceOf(SimulationError);
    expect(got.message).toBe('simulation worker failed: x is undefined');
    expect(got.stack).toBe(bug.stack);
    expect(acrossThreads('a string').message).toBe('simulation worker failed: a string');
    expect(acrossThreads(new SimulationError('no cause')).cause).toBeUndefined();
  });
});

describe('simulateParallel with a signal', () => {
  it('leaves no abort listener on the signal once a run is over', async () => {
    // one was left per run: a long-lived signal (a server's shutdown) gathered them, and Node warned
    const scenario = parseScenario({ ...builtInScenario(DEFAULT_SCENARIO)!, events: 500, strategies: ['first-fit'] });
    const stop = new AbortController();
    await simulateParallel(scenario, { workers: 1, signal: stop.signal });
    await simulateParallel(scenario, { workers: 1, signal: stop.signal });
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  }, 30_000);
});
