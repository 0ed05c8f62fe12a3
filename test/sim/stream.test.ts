/**
 * The event stream the engine draws (assembly/stream.ts) against its plain-JS definition
 * (test/support/reference-stream.ts), over random scenarios and chunkings; and the stream's
 * refusals, which draw nothing.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, EngineStatus } from '../../src/engine/index.js';
import { TAPE_EVENTS } from '../../src/sim/driver.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { IO_TAPE } from '../../src/engine/layout.js';
import { drawEvents, startStream } from '../../src/sim/stream.js';
import { ReferenceStream } from '../support/reference-stream.js';
import { PROPERTY, propertyParameters } from '../support/settings.js';

let engine: Engine;
/** The engine's whole tape. */
const tapeOf = (e: Engine) => e.words.subarray((e.io + IO_TAPE) >>> 2, ((e.io + IO_TAPE) >>> 2) + 3 * TAPE_EVENTS);
beforeAll(async () => {
  engine = await Engine.load();
});

// zero weights, integers and fractions; at least one positive weight in each list
const weightsArb = (max: number) =>
  fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1000 }), fc.double({ min: 1e-6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: max })
    .filter((w) => w.some((x) => x > 0));

const scenarioArb = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  events: fc.integer({ min: 1, max: 3 * TAPE_EVENTS }),
  start: fc.double({ min: 0, max: 1, noNaN: true }),
  end: fc.double({ min: 0, max: 1, noNaN: true }),
  bursts: fc.array(fc.record({ at: fc.double({ min: 0, max: 0.9, noNaN: true }), length: fc.double({ min: 0, max: 0.1, noNaN: true }), arrivalShare: fc.double({ min: 0, max: 1, noNaN: true }) }), { maxLength: 3 }),
  leaves: fc.array(fc.record({ weight: fc.integer({ min: 0, max: 50 }), masks: weightsArb(12) }), { minLength: 1, maxLength: 30 }).filter((l) => l.some((x) => x.weight > 0)),
}).map((r) => parseScenario({
  name: 'random', seed: r.seed, events: r.events, arrivals: { start: r.start, end: r.end }, bursts: r.bursts,
  pools: r.leaves.map((leaf, i) => ({
    name: `leaf-${i}`, ipVersion: 'IPv4', cidrs: [`10.${i}.0.0/16`],
    // prefix lengths 16..27 in the order of the weights
    workload: { weight: leaf.weight, masks: Object.fromEntries(leaf.masks.map((w, m) => [String(16 + m), w])) },
  })),
}));

describe('the event stream', () => {
  it('draws in wasm exactly the tape its plain-JS definition gives, however the chunks fall', () => {
    fc.assert(
      fc.property(scenarioArb, fc.array(fc.integer({ min: 1, max: TAPE_EVENTS }), { minLength: 1, maxLength: 8 }), (scenario, chunks) => {
        const leafCount = scenario.pools.length;
        const tapeIds = Array.from({ length: leafCount }, (_, i) => 1000 + 7 * i);
        startStream(engine, scenario, tapeIds);
        const reference = new ReferenceStream(scenario, tapeIds);
        let from = 0;
        for (let c = 0; from < scenario.events; c++) {
          const to = Math.min(scenario.events, from + chunks[c % chunks.length]!);
          drawEvents(engine, from, to);
          expect(Array.from(tapeOf(engine).subarray(0, 3 * (to - from))), `events ${from}..${to - 1}`).toEqual(reference.draw(from, to));
          from = to;
        }
      }),
      propertyParameters(Math.max(1, Math.round(40 * PROPERTY.scale))),
    );
  });

  it('takes the next leaf, mask and kind when a draw lands exactly on a cumulative share', () => {
    // the draws of event 0 for a seed, as the reference generator gives them
    const firstDraws = (seed: number) => {
      let state = seed | 0;
      return [0, 1, 2].map(() => {
        state = (state + 0x9e3779b9) | 0;
        let z = state;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
        return (z ^ (z >>> 16)) >>> 0;
      });
    };
    for (const seed of [1, 2, 3, 12345, 2 ** 32 - 1]) {
      const [kind, which, size] = firstDraws(seed);
      // weights d / 8 and (2^32 - d) / 8 sum to 2^29 exactly: the first share is d / 2^32, the draw itself
      const split = (d: number) => ({ '24': d / 8, '25': (2 ** 32 - d) / 8 });
      const scenario = parseScenario({
        name: 'edges', seed, events: 1, arrivals: { start: kind! / 2 ** 32, end: kind! / 2 ** 32 },
        pools: [0, 1].map((i) => ({ name: `leaf-${i}`, ipVersion: 'IPv4', cidrs: [`10.${i}.0.0/16`], workload: { weight: Object.values(split(which!))[i]!, masks: split(size!) } })),
      });
      startStream(engine, scenario, [70, 71]);
      drawEvents(engine, 0, 1);
      const tape = Array.from(tapeOf(engine).subarray(0, 3));
      expect(tape, `seed ${seed}`).toEqual(new ReferenceStream(scenario, [70, 71]).draw(0, 1));
      // a draw equal to a share is not below it: leaf 1, mask /25, and a release (kind / 2^32 is not below the share)
      expect(tape.slice(0, 2), `seed ${seed}`).toEqual([71, 25]);
    }
  });

  it('refuses to draw without leaves, for a leaf without masks or past the tape, and takes no mask beyond /128 or before a leaf', () => {
    const raw = engine.raw;
    const tape = tapeOf(engine);
    tape.fill(7);
    raw.beginStream(1, 0.5, 0);
    expect(raw.drawTape(0, 10)).toBe(EngineStatus.BAD_ARGUMENT);
    expect(raw.addMask(24, 1)).toBe(EngineStatus.BAD_ARGUMENT);
    expect(raw.addLeaf(3, 1)).toBe(EngineStatus.OK);
    expect(raw.drawTape(0, 10)).toBe(EngineStatus.BAD_ARGUMENT);
    expect(raw.addMask(129, 1)).toBe(EngineStatus.BAD_PREFIX);
    expect(raw.addMask(-1, 1)).toBe(EngineStatus.BAD_PREFIX);
    expect(raw.drawTape(0, 10)).toBe(EngineStatus.BAD_ARGUMENT);
    expect(tapeOf(engine).every((w) => w === 7)).toBe(true);
    expect(raw.addMask(24, 1)).toBe(EngineStatus.OK);
    expect(raw.drawTape(0, TAPE_EVENTS + 1)).toBe(EngineStatus.BAD_ARGUMENT);
    expect(raw.drawTape(5, 4)).toBe(EngineStatus.BAD_ARGUMENT);
    expect(raw.drawTape(-1, 4)).toBe(EngineStatus.BAD_ARGUMENT);
    expect(tapeOf(engine).every((w) => w === 7)).toBe(true);
    expect(raw.drawTape(0, 1)).toBe(EngineStatus.OK);
    expect(tapeOf(engine)[0]).toBe(3);
    expect(tapeOf(engine)[1]! & 0xff).toBe(24);
  });
});
