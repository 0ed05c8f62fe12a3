/**
 * The simulator's figures against an independent, naive reference (test/support/reference-sim.ts):
 * for first-fit, last-fit, best-fit and sparse, every sample's utilisation, fragmentation, largest
 * block and failures, the failure causes, the first failure and every pool's final blocks must be
 * exactly the reference's, on hand-made scenarios (sub-pool growth, several CIDRs, deep trees, the
 * 50-CIDR quota, chunks equal to their parent) and on random small ones (both families, trees up
 * to five levels, 1 to 1,500 events, bursts at the edges). WASM_IPAM_PROPERTY_SCALE=N runs N times
 * as many random scenarios. (The random strategy's validity is checked in run.test.ts.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { formatCidr } from '../../src/cidr/index.js';
import { Engine } from '../../src/engine/index.js';
import { EngineDriver } from '../../src/sim/engine-driver.js';
import { runStrategy } from '../../src/sim/run.js';
import { flattenPools, parseScenario, type Scenario } from '../../src/sim/scenario.js';
import { formatBlock, parseBlock, referenceRun, type RefRun, type Strategy } from '../support/reference-sim.js';
import { PROPERTY } from '../support/settings.js';

const DETERMINISTIC: Strategy[] = ['first-fit', 'last-fit', 'best-fit', 'sparse'];

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

/** The run's figures (timings aside) and every pool's final blocks, as the reference gives them. */
function engineRun(scenario: Scenario, strategy: Strategy): RefRun {
  const driver = new EngineDriver(engine, scenario, strategy);
  try {
    const run = runStrategy(scenario, strategy, driver);
    const finalTaken: Record<string, string[]> = {};
    flattenPools(scenario).forEach(({ plan, bits }, i) => {
      const snapshot = driver.snapshot(i);
      finalTaken[plan.name] = [...snapshot.allocated, ...snapshot.children.flat()].map((c) => formatBlock(parseBlock(formatCidr(c)), bits)).sort();
    });
    const { allocations, releases, failures, firstFailure } = run;
    return { allocations, releases, failures, firstFailure, series: run.series.map(({ eventsPerSecond: _, ...s }) => s), finalTaken };
  } finally {
    driver.close();
  }
}

function expectReference(scenario: Scenario, strategy: Strategy, label: string): RefRun {
  const reference = referenceRun(scenario, strategy);
  expect(engineRun(scenario, strategy), label).toEqual(reference);
  return reference;
}

const SCENARIOS: Record<string, unknown> = {
  v4: {
    name: 'v4', seed: 7, events: 3000, samples: 40, arrivals: { start: 0.9, end: 0.5 },
    bursts: [{ at: 0.5, length: 0.05, arrivalShare: 1 }],
    pools: [{ name: 'org', ipVersion: 'IPv4', cidrs: ['10.0.0.0/20'], children: [
      { name: 'a', chunk: 22, children: [{ name: 'a1', chunk: 24, workload: { weight: 3, masks: { '26': 3, '27': 2, '28': 1 } } }] },
      { name: 'b', chunk: 23, workload: { weight: 2, masks: { '25': 1, '28': 2 } } },
    ] }],
  },
  v6: {
    name: 'v6', seed: 3, events: 2500, samples: 25, arrivals: { start: 0.8, end: 0.6 },
    pools: [{ name: 'v6org', ipVersion: 'IPv6', cidrs: ['2001:db8:0:100::/56'], children: [
      { name: 'x', chunk: 60, workload: { weight: 1, masks: { '62': 1, '64': 3 } } },
      { name: 'y', chunk: 58, children: [{ name: 'y1', chunk: 60, workload: { weight: 2, masks: { '60': 1, '63': 2, '64': 2 } } }] },
    ] }],
  },
  multi: {
    name: 'multi', seed: 11, events: 2000, samples: 20, arrivals: { start: 0.85, end: 0.55 },
    pools: [{ name: 'm', ipVersion: 'IPv4', cidrs: ['10.0.0.0/22', '10.0.4.0/22', '10.1.0.0/23'], children: [
      { name: 'ma', chunk: 24, workload: { weight: 1, masks: { '25': 1, '27': 2 } } },
      { name: 'mb', chunk: 23, workload: { weight: 1, masks: { '24': 1, '26': 1 } } },
    ] }],
  },
  deep: {
    name: 'deep', seed: 5, events: 2000, samples: 50, arrivals: { start: 0.8, end: 0.6 },
    pools: [{ name: 'd0', ipVersion: 'IPv4', cidrs: ['172.16.0.0/20'], children: [
      { name: 'd1', chunk: 21, children: [{ name: 'd2', chunk: 22, children: [{ name: 'd3', chunk: 23, children: [
        { name: 'd4', chunk: 24, workload: { weight: 1, masks: { '26': 1, '28': 1 } } }] }] }] },
      { name: 'e1', chunk: 22, workload: { weight: 1, masks: { '27': 1 } } },
    ] }],
  },
  quota: {
    name: 'quota', seed: 9, events: 1500, samples: 15, arrivals: { start: 0.95, end: 0.9 },
    pools: [{ name: 'q', ipVersion: 'IPv4', cidrs: ['192.168.0.0/20'], children: [
      { name: 'qa', chunk: 28, workload: { weight: 1, masks: { '28': 1, '29': 1 } } },
    ] }],
  },
  equal: {
    name: 'equal', seed: 13, events: 800, samples: 10, arrivals: { start: 0.9, end: 0.7 },
    pools: [{ name: 'p', ipVersion: 'IPv4', cidrs: ['10.9.0.0/22'], children: [
      { name: 'pa', chunk: 22, workload: { weight: 1, masks: { '24': 1, '26': 2 } } },
    ] }, { name: 'p6', ipVersion: 'IPv6', cidrs: ['2001:db8:1::/60'], children: [
      { name: 'p6a', chunk: 60, children: [{ name: 'p6b', chunk: 62, workload: { weight: 1, masks: { '63': 1, '64': 1 } } }] },
    ] }],
  },
  flat: {
    name: 'flat', seed: 21, events: 4000, samples: 60, arrivals: { start: 0.7, end: 0.5 },
    bursts: [{ at: 0, length: 0.1, arrivalShare: 1 }, { at: 0.6, length: 0.05, arrivalShare: 0 }],
    pools: [
      { name: 'f4', ipVersion: 'IPv4', cidrs: ['10.0.0.0/22', '10.0.4.0/23'], workload: { weight: 1, masks: { '24': 1, '26': 2, '27': 3, '28': 4 } } },
      { name: 'f6', ipVersion: 'IPv6', cidrs: ['2001:db8:0:200::/56'], workload: { weight: 1, masks: { '60': 1, '62': 3, '64': 6 } } },
    ],
  },
};

function rng(seed: number) {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

/** A small random scenario: one tree of up to five levels, either family, 1 to 1,500 events, bursts at the edges. */
function randomScenario(seed: number) {
  const r = rng(seed);
  const int = (a: number, b: number) => a + Math.floor(r() * (b - a + 1));
  let n = 0;
  const v6 = r() < 0.4;
  const top = v6 ? int(52, 58) : int(18, 24);
  const maxMask = v6 ? top + 8 : Math.min(32, top + 8);
  const pool = (depth: number, prefix: number): Record<string, unknown> => {
    const name = `p${n++}`;
    if (depth < 5 && prefix < maxMask - 1 && r() < 0.55) {
      const children = Array.from({ length: int(1, 3) }, () => {
        const chunk = int(prefix, Math.min(maxMask, prefix + 3));
        return { chunk, ...pool(depth + 1, chunk) };
      });
      return { name, children };
    }
    const masks: Record<string, number> = {};
    for (let k = int(1, 3); k > 0; k--) masks[String(int(prefix, maxMask))] = int(0, 4);
    if (Object.values(masks).every((v) => v === 0)) masks[String(prefix)] = 1;
    return { name, workload: { weight: int(0, 3), masks } };
  };
  const root = pool(1, top);
  const cidr = v6 ? `2001:db8::/${top}` : `10.0.0.0/${top}`;
  const events = [1, 2, 3, 7, int(10, 400), int(400, 1500)][int(0, 5)]!;
  const bursts = [];
  for (let k = int(0, 2); k > 0; k--) bursts.push({ at: [0, 1, r()][int(0, 2)]!, length: [0, 1, r() / 4][int(0, 2)]!, arrivalShare: [0, 1, r()][int(0, 2)]! });
  const doc = {
    name: `fuzz${seed}`, seed: int(0, 2 ** 32 - 1), events, samples: [2, 3, int(2, 60), 200][int(0, 3)]!,
    arrivals: { start: r(), end: r() }, bursts,
    pools: [{ ...root, ipVersion: v6 ? 'IPv6' : 'IPv4', cidrs: [cidr] }],
  };
  return doc;
}

describe('the simulator against a naive reference', () => {
  it.each(Object.keys(SCENARIOS).flatMap((name) => DETERMINISTIC.map((strategy) => [name, strategy] as const)))('%s / %s', (name, strategy) => {
    expectReference(parseScenario(SCENARIOS[name]), strategy, `${name} ${strategy}`);
  });

  it('meets every failure cause somewhere, so the comparison of causes is not vacuous', () => {
    const causes = new Set<string>();
    for (const doc of Object.values(SCENARIOS)) {
      const { failures } = referenceRun(parseScenario(doc), 'first-fit');
      if (failures.noSpace > 0) causes.add('no-space');
      if (failures.fragmentation > 0) causes.add('fragmentation');
      if (failures.quota > 0) causes.add('quota');
    }
    expect([...causes].sort()).toEqual(['fragmentation', 'no-space', 'quota']);
  });

  it('random small scenarios', () => {
    const count = 60 * PROPERTY.scale;
    let ran = 0;
    for (let seed = 1; seed <= count; seed++) {
      const doc = randomScenario(seed);
      let scenario: Scenario;
      try {
        scenario = parseScenario(doc);
      } catch {
        continue; // e.g. every leaf of weight 0: refused by the scenario's own checks
      }
      ran++;
      for (const strategy of DETERMINISTIC) expectReference(scenario, strategy, `seed ${seed} ${strategy}: ${JSON.stringify(doc)}`);
    }
    expect(ran).toBeGreaterThan(count / 2);
  }, 120_000);

  it('ten levels, chunks equal to their parents, IPv6 only', () => {
    const chain = (level: number, chunk: number): Record<string, unknown> =>
      level === 10 ? { name: `l${level}`, chunk, workload: { weight: 1, masks: { [String(Math.min(128, chunk + 2))]: 1, [String(Math.min(128, chunk + 4))]: 2 } } }
        : { name: `l${level}`, chunk, children: [chain(level + 1, level % 3 === 0 ? chunk : chunk + 1), ...(level === 4 ? [{ name: 'side', chunk: chunk + 2, workload: { weight: 1, masks: { [String(chunk + 3)]: 1 } } }] : [])] };
    const doc = {
      name: 'ten', seed: 77, events: 1200, samples: 13, arrivals: { start: 0.9, end: 0.4 },
      bursts: [{ at: 0, length: 0.2, arrivalShare: 1 }, { at: 1, length: 0.3, arrivalShare: 0 }],
      pools: [{ name: 'l1', ipVersion: 'IPv6', cidrs: ['2001:db8:ff00::/50', '2001:db8:ff00:4000::/50'], children: [chain(2, 51)] }],
    };
    const scenario = parseScenario(doc);
    for (const strategy of DETERMINISTIC) expect(expectReference(scenario, strategy, strategy).failures.total).toBeGreaterThan(0);
  });
});
