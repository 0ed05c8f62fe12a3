// The report's colours and throughput against what they stand for: every sub-pool of a map has a
// colour of its own, none a strategy's (each map's caption carries its strategy's swatch), and the
// throughput chart's intervals cover the time the table's events/s is charged for.
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.js';
import { renderReport } from '../../src/report/index.js';
import { PAGE_SCRIPT } from '../../src/report/page-script.js';
import { EngineDriver } from '../../src/sim/engine-driver.js';
import type { PoolFigures } from '../../src/sim/driver.js';
import { runStrategy } from '../../src/sim/run.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { simulateSerial } from '../../src/sim/simulate.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

/** The legend (swatch colour, label) under the maps heading of pool `name`. */
function mapLegend(html: string, name: string): { colour: string; label: string }[] {
  const maps = html.slice(html.indexOf('<section id="maps">'), html.indexOf('<section id="pools">'));
  const group = maps.split('<h3>').find((g) => g.startsWith(`${name}`))!;
  const legend = /<ul class="legend">(.*?)<\/ul>/.exec(group)![1]!;
  return [...legend.matchAll(/<li><span class="swatch" style="background:(#[0-9a-f]{6})"><\/span>(.*?)<\/li>/g)].map((m) => ({ colour: m[1]!, label: m[2]! }));
}

/** A top-level /16 with `n` leaf sub-pools, each taking /24 chunks. */
function manyChildren(n: number, strategies: string[]) {
  return parseScenario({
    name: 'many', seed: 1, events: 400, samples: 5, strategies, arrivals: { start: 1, end: 1 },
    pools: [{
      name: 'top', ipVersion: 'IPv4', cidrs: ['10.0.0.0/16'],
      children: Array.from({ length: n }, (_, i) => ({ name: `sub-${i}`, chunk: 24, workload: { weight: 1, masks: { '26': 1 } } })),
    }],
  });
}

describe('colours of the Hilbert maps', () => {
  it('gives every sub-pool of a map its own colour (13 sub-pools: sub-0 and sub-12 must not share one)', async () => {
    const summary = await simulateSerial(engine, manyChildren(13, ['first-fit']), { mapSide: 16 });
    const final = summary.runs[0]!.maps.final.find((m) => m.poolId === 'top')!;
    expect(final.children).toHaveLength(13);
    const subPools = mapLegend(renderReport(summary), 'top').filter((item) => item.label.startsWith('sub-pool '));
    expect(subPools.map((s) => s.label)).toEqual(Array.from({ length: 13 }, (_, i) => `sub-pool sub-${i}`));
    // the page paints code CELL_CHILD + i with the palette the legend uses
    expect(new Set(subPools.map((s) => s.colour)).size).toBe(13);
  });

  it("paints no sub-pool in a strategy's colour (each map's caption carries its strategy's swatch)", async () => {
    const summary = await simulateSerial(engine, manyChildren(4, ['first-fit', 'last-fit', 'best-fit', 'sparse', 'random']), { mapSide: 16 });
    const html = renderReport(summary);
    const maps = html.slice(html.indexOf('<section id="maps">'), html.indexOf('<section id="pools">'));
    const captionColours = new Set([...maps.matchAll(/<figcaption><span class="swatch" style="background:(#[0-9a-f]{6})">/g)].map((m) => m[1]!));
    expect(captionColours.size).toBe(5);
    const subPools = mapLegend(html, 'top').filter((item) => item.label.startsWith('sub-pool '));
    expect(subPools).toHaveLength(4);
    // (first-fit's swatch and sub-1's cells were both #0072b2, random's and sub-0's #e69f00)
    expect(subPools.filter((s) => captionColours.has(s.colour))).toEqual([]);
  });
});

/** Engine driver whose figures take a few milliseconds, as a large tree's might. */
class SlowFiguresDriver extends EngineDriver {
  override figures(pool: number): PoolFigures {
    const until = performance.now() + 4;
    while (performance.now() < until) { /* busy */ }
    return super.figures(pool);
  }
}

describe('throughput over time against the table', () => {
  it('the throughput series covers the time the run is charged for: events / (sum of its intervals) matches the table\'s events/s', () => {
    const scenario = parseScenario({
      name: 'rate', seed: 2, events: 4000, samples: 21, strategies: ['first-fit'], arrivals: { start: 0.6, end: 0.6 },
      pools: [{ name: 'big', ipVersion: 'IPv4', cidrs: ['10.0.0.0/8'], workload: { weight: 1, masks: { '28': 1 } } }],
    });
    const driver = new SlowFiguresDriver(engine, scenario, 'first-fit');
    let run;
    try {
      run = runStrategy(scenario, 'first-fit', driver);
    } finally {
      driver.close();
    }
    expect(run.failures.total).toBe(0);
    const s = run.series[0]!;
    let seconds = 0;
    for (let i = 1; i < s.event.length; i++) seconds += (s.event[i]! - s.event[i - 1]!) / s.eventsPerSecond[i]!;
    const fromSeries = scenario.events / seconds;
    // the table says run.eventsPerSecond (events / elapsedMs, sampling included); intervals that
    // left out every sample's own figures made the chart's rates several times higher
    expect(fromSeries / run.eventsPerSecond).toBeLessThan(1.25);
    expect(fromSeries / run.eventsPerSecond).toBeGreaterThan(0.8);
  });
});

describe('the fragmentation legend never shows a false 0.000 or 1.000', () => {
  // kills page-script.ts:32 `v < 0.0005` → never (a trace read 0.000) and `v >= 0.9995` → never
  // (nearly all read 1.000)
  it('formats a trace as < 0.001 and nearly all as > 0.999, exact ends and the middle as they are', () => {
    const match = PAGE_SCRIPT.match(/fragmentation: \{[\s\S]*?value: (function \(v\) \{[^\n]*\}),\n/);
    expect(match).not.toBeNull();
    const value = new Function(`return ${match![1]}`)() as (v: number | null) => string;
    expect(value(0.0004)).toBe('< 0.001');
    expect(value(0.9996)).toBe('> 0.999');
    expect(value(0)).toBe('0.000');
    expect(value(1)).toBe('1.000');
    expect(value(0.5)).toBe('0.500');
    expect(value(null)).toBe('-');
  });
});
