// Found in review: in the report's "Address maps", each pool's heading shows one span (taken from
// the first run's map), but the maps beneath it — one per strategy — cover different spans when
// the strategies put the pool's CIDRs in different places. The heading then names the wrong
// block for most of the row (in the default scenario, cn-hangzhou-dev-v6 is titled
// 2001:db8:2400::/39 while last-fit's map covers 2001:db8:da00::/39 and sparse's 2001:db8:9000::/39).
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.js';
import { renderReport } from '../../src/report/index.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { simulateSerial } from '../../src/sim/simulate.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

describe('review: the span named above a row of maps', () => {
  it('is the span of every map in that row', async () => {
    const scenario = parseScenario({
      name: 'spans', seed: 4, events: 300, strategies: ['first-fit', 'last-fit'], arrivals: { start: 1, end: 1 },
      pools: [{
        name: 'top', ipVersion: 'IPv4', cidrs: ['10.0.0.0/16'],
        children: [{ name: 'sub', chunk: 24, workload: { weight: 1, masks: { '26': 1 } } }],
      }],
    });
    const summary = await simulateSerial(engine, scenario, { mapSide: 16 });
    // the two strategies really do place the sub-pool differently
    const spanOf = (strategy: string) => summary.runs.find((r) => r.strategy === strategy)!.maps.final.find((m) => m.poolId === 'sub')!.span;
    expect(spanOf('first-fit')).not.toBe(spanOf('last-fit'));

    const html = renderReport(summary);
    const maps = html.slice(html.indexOf('<section id="maps">'), html.indexOf('<section id="pools">'));
    const groups = maps.split('<h3>').slice(1);
    expect(groups.length).toBeGreaterThan(0);
    let ownSpans = 0;
    for (const group of groups) {
      const heading = /^(.*?)(?: <small>span (.*?)<\/small>)?<\/h3>/.exec(group)!;
      const sharedSpan = heading[2] === undefined ? undefined : unescape(heading[2]);
      const figures = [...group.matchAll(/<figure class="map"><figcaption>(.*?)<\/figcaption><canvas class="pool-map"[^>]* title="([^"]*)"/g)];
      expect(figures.length).toBeGreaterThan(0);
      for (const [, caption, title] of figures) {
        const mapSpan = /: (.*), \d+ x \d+ cells$/.exec(unescape(title!))![1];
        const captionSpan = /<small class="span">span (.*?)<\/small>/.exec(caption!)?.[1];
        // a span named above the row is every map's; otherwise each caption names its own map's
        if (sharedSpan !== undefined) expect(mapSpan, `a map of ${unescape(heading[1]!)} under the heading ${sharedSpan}`).toBe(sharedSpan);
        else expect(captionSpan === undefined ? undefined : unescape(captionSpan), `the caption of a map of ${unescape(heading[1]!)}`).toBe(mapSpan);
        if (captionSpan !== undefined) ownSpans++;
      }
    }
    expect(ownSpans).toBeGreaterThan(0); // the sub-pool's row, whose spans differ, names them per map
  });
});
