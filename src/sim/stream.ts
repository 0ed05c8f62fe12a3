/**
 * The scenario's event stream, drawn by the engine (assembly/stream.ts, where its definition is
 * written out) onto the engine's tape a chunk at a time: the same for every strategy and both
 * paths, since it depends on the scenario alone.
 */
import type { Engine } from '../engine/index.js';
import { check } from '../engine/status.js';
import { IO_TAPE } from '../engine/layout.js';
import { burstEvents, leaves, type Scenario } from './scenario.js';

/** Running sums of the weights over their total: what a pick compares its draw with. */
function cumulativeShares(weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  return weights.map((w) => (sum += w) / total);
}

/** Word k (0..2) of event i on the engine's tape (read through a view that is current). */
export function tapeWord(engine: Engine, i: number, k: number): number {
  return engine.words[((engine.io + IO_TAPE) >>> 2) + 3 * i + k]!;
}

/** Loads the scenario's stream into the engine; leafTapeIds: each leaf pool's tape id (flattenPools order). */
export function startStream(engine: Engine, scenario: Scenario, leafTapeIds: readonly number[]): void {
  const raw = engine.raw;
  const events = scenario.events;
  // the arrival share is linear between bursts: start + slope · event, unless inside a burst
  raw.beginStream(scenario.seed, scenario.arrivals.start, (scenario.arrivals.end - scenario.arrivals.start) / events);
  for (const b of scenario.bursts) {
    const { first, end } = burstEvents(b, events);
    check(raw.addBurst(first, end, b.arrivalShare));
  }
  const workloads = leaves(scenario).map((p) => p.workload!);
  const leafShares = cumulativeShares(workloads.map((w) => w.weight));
  workloads.forEach((workload, i) => {
    check(raw.addLeaf(leafTapeIds[i]!, leafShares[i]!));
    const masks = Object.keys(workload.masks).map(Number);
    const maskShares = cumulativeShares(Object.values(workload.masks));
    masks.forEach((mask, m) => check(raw.addMask(mask, maskShares[m]!)));
  });
}

/** Draws the stream's events first..end-1 onto the engine's tape (consecutive ranges, at most TAPE_EVENTS). */
export function drawEvents(engine: Engine, first: number, end: number): void {
  check(engine.raw.drawTape(first, end));
}
