// Where a burst starts and ends: decimal shares of the run give whole events, whatever binary
// rounding does to the products (found by a review: 0.07 · 100 is 7.000000000000001 in doubles,
// so the burst took an 8th event).
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.js';
import { burstEvents, parseScenario } from '../../src/sim/scenario.js';
import { simulateSerial } from '../../src/sim/simulate.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

describe('burst boundaries', () => {
  it('are the whole events the decimal shares name', () => {
    const burst = (at: number, length: number) => ({ at, length, arrivalShare: 1 });
    expect(burstEvents(burst(0, 0.07), 100)).toEqual({ first: 0, end: 7 });
    expect(burstEvents(burst(0.1, 0.2), 10)).toEqual({ first: 1, end: 3 }); // 0.1 + 0.2 is 0.30000000000000004
    expect(burstEvents(burst(0, 0.56), 100)).toEqual({ first: 0, end: 56 });
    expect(burstEvents(burst(0.5, 0.05), 400_000)).toEqual({ first: 200_000, end: 220_000 }); // ipv6-vpcs' burst
    // a share that falls between events starts or ends at the next whole one
    expect(burstEvents(burst(0.025, 0.05), 100)).toEqual({ first: 3, end: 8 });
    expect(burstEvents(burst(0.4, 0.02), 1_000_000_000)).toEqual({ first: 400_000_000, end: 420_000_000 });
    expect(burstEvents(burst(1, 0), 7)).toEqual({ first: 7, end: 7 });
    // decimals just past a whole event are not taken for rounding (a review's cases: a tolerance did)
    expect(burstEvents(burst(0.1234567890001, 0.1), 1_000_000_000).first).toBe(123_456_790); // 123456789.0001
    expect(burstEvents(burst(0, 0.3000000000002), 1_000_000_000).end).toBe(300_000_001); // 300000000.0002
    expect(burstEvents(burst(1e-13, 0.5), 1)).toEqual({ first: 1, end: 1 });
    expect(burstEvents(burst(1.5e-7, 0.25), 10_000_000)).toEqual({ first: 2, end: 2_500_002 });
  });

  it('a burst at 0 of length 0.07 over 100 events takes exactly 7 arrivals', async () => {
    const scenario = parseScenario({
      name: 'burst', events: 100, strategies: ['first-fit'],
      arrivals: { start: 0, end: 0 }, // outside the burst: an arrival only when nothing is live
      bursts: [{ at: 0, length: 0.07, arrivalShare: 1 }],
      // 4 + 2 + 1 = 7 addresses: exactly the burst's 7 arrivals of a /32
      pools: [{ name: 'seven', ipVersion: 'IPv4', cidrs: ['10.0.0.0/30', '10.0.0.4/31', '10.0.0.6/32'], workload: { weight: 1, masks: { '32': 1 } } }],
    });
    const { runs: [run] } = await simulateSerial(engine, scenario, { mapSide: 0 });
    expect(run!.failures.total).toBe(0);
    expect(run!.firstFailure).toBeNull();
    expect(run!.allocations).toBeGreaterThanOrEqual(7);
  });
});
