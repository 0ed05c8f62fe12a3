/**
 * The simulator's event stream in plain JS, the definition assembly/stream.ts draws in wasm:
 * three splitmix32 draws per event (arrival, leaf or released allocation, mask), picks by the
 * first cumulative share that exceeds the draw / 2^32. Gives the tape words of each event.
 */
import { burstEvents, leaves, type Scenario } from '../../src/sim/scenario.js';

const ARRIVAL = 0x100;

/** The first index whose cumulative share exceeds u (the last one at worst). */
function linearPick(weights: number[], u: number): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  const cdf = weights.map((w) => (sum += w) / total);
  let i = 0;
  while (i < cdf.length - 1 && u >= cdf[i]!) i++;
  return i;
}

export class ReferenceStream {
  #state: number;
  readonly #leaves: { weight: number; masks: Record<string, number> }[];

  constructor(readonly scenario: Scenario, readonly leafTapeIds: readonly number[]) {
    this.#state = scenario.seed | 0;
    this.#leaves = leaves(scenario).map((p) => p.workload!);
  }

  #random(): number {
    this.#state = (this.#state + 0x9e3779b9) | 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  }

  /** The tape words of events from..to-1 (call with consecutive ranges). */
  draw(from: number, to: number): number[] {
    const { scenario } = this;
    const events = scenario.events;
    const words: number[] = [];
    for (let e = from; e < to; e++) {
      let share = scenario.arrivals.start + ((scenario.arrivals.end - scenario.arrivals.start) / events) * e;
      for (const b of scenario.bursts) {
        const { first, end } = burstEvents(b, events);
        if (e >= first && e < end) share = b.arrivalShare;
      }
      const kind = this.#random(), which = this.#random(), size = this.#random();
      const leaf = linearPick(this.#leaves.map((l) => l.weight), which);
      const masks = this.#leaves[leaf]!.masks;
      const mask = Number(Object.keys(masks)[linearPick(Object.values(masks), size)]);
      words.push(this.leafTapeIds[leaf]!, (kind < share ? ARRIVAL : 0) | mask, which * 4294967296);
    }
    return words;
  }
}
