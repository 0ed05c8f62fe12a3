// The report of a realistic summary, opened in headless Chromium: it must draw every chart and
// map, show the right figures, log no error and fetch nothing but itself.

import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePoolMapCells, renderReport, utilisationText } from '../../src/report/index.js';
import { CELL_COLOURS, CHILD_COLOURS, STRATEGY_COLOURS } from '../../src/report/palette.js';
import { CELL_ALLOCATED, CELL_CHILD, CELL_FREE, CELL_OUTSIDE, CELL_PARTLY } from '../../src/report/summary.js';
import { inOwnChromium, launchChromium, openReport, type OpenedReport } from './chromium.js';
import { POOLS, RUN_FIGURES, STRATEGIES, syntheticSummary } from './synthetic.js';

const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
const key = ([r, g, b]: readonly number[]): string => `${r},${g},${b}`;

const summary = syntheticSummary();
const html = renderReport(summary);
const ROOTS = POOLS.filter((p) => p.parentId === null);

describe('the report in headless Chromium', () => {
  let browser: Browser;
  let report: OpenedReport;

  beforeAll(async () => {
    browser = await launchChromium();
    report = await openReport(browser, html);
  }, 30_000);

  afterAll(async () => {
    await report?.close();
    await browser?.close();
  });

  it('loads with no error, no warning and no request but the file itself', () => {
    expect(report.pageErrors).toEqual([]);
    expect(report.consoleErrors).toEqual([]);
    expect(report.requests).toEqual([report.url]);
    // recorded for the hand-over: the size of this summary's page
    console.info(`report HTML for the synthetic summary: ${Buffer.byteLength(html)} bytes`);
  });

  it('shows the scenario in the header', async () => {
    const header = await report.page.evaluate(() => ({
      h1: document.querySelector('h1')?.textContent,
      facts: Object.fromEntries(Array.from(document.querySelectorAll('.facts div')).map((d) => [d.querySelector('dt')!.textContent, d.querySelector('dd')!.textContent])),
    }));
    expect(header.h1).toBe('Regional VPC growth');
    expect(header.facts).toEqual({ Events: '200,000', Seed: '42', Strategies: '5', Pools: '6' });
  });

  it('has one table row per strategy with its figures', async () => {
    const rows = await report.page.evaluate(() =>
      Array.from(document.querySelectorAll('table.comparison tbody tr')).map((tr) =>
        Object.fromEntries(Array.from(tr.querySelectorAll('td')).map((td) => [td.className.replace(' text', ''), td.textContent!.trim()])),
      ),
    );
    const poolName = (id: string): string => POOLS.find((p) => p.id === id)!.name;
    const expected = STRATEGIES.map((strategy, i) => {
      const f = RUN_FIGURES[i]!;
      const n = (x: number): string => Math.round(x).toLocaleString('en-US');
      return {
        strategy,
        allocations: n(f.allocations),
        releases: n(f.releases),
        'failures-total': n(f.failures.total),
        'failures-no-space': n(f.failures.noSpace),
        'failures-quota': n(f.failures.quota),
        'failures-fragmentation': n(f.failures.fragmentation),
        'first-failure-event': f.firstFailure === null ? '—' : `${n(f.firstFailure.event)}${poolName(f.firstFailure.poolId)}, /${f.firstFailure.mask}, ${f.firstFailure.cause}`,
        'first-failure-utilisation': f.firstFailure === null ? '—' : `${utilisationText(f.firstFailure.utilisation)} %of ${poolName(f.firstFailure.treeId)}`,
        'first-failure-in-use': f.firstFailure === null ? '—' : `${utilisationText(f.firstFailure.inUse)} %`,
        'events-per-second': n(f.eventsPerSecond),
        elapsed: f.elapsedMs < 1000 ? `${f.elapsedMs} ms` : `${(f.elapsedMs / 1000).toFixed(2)} s`,
      };
    });
    expect(rows).toEqual(expected);
    // spot checks written out, in case the expectation above shares a mistake with the page
    expect(rows[0]!['first-failure-event']).toBe('171,042cn-hangzhou, /24, fragmentation');
    expect(rows[2]!.elapsed).toBe('1.50 s');
    expect(rows[3]!['first-failure-utilisation']).toBe('—');
  });

  it('draws one uPlot chart per top-level pool and metric, each line in its strategy colour', async () => {
    const charts = await report.page.evaluate(() =>
      Array.from(document.querySelectorAll('figure.chart')).map((figure) => {
        const canvas = figure.querySelector('.uplot canvas') as HTMLCanvasElement | null;
        if (canvas === null) return null;
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        const counts: Record<string, number> = {};
        for (let i = 0; i < pixels.length; i += 4) {
          if (pixels[i + 3] === 0) continue;
          const k = `${pixels[i]},${pixels[i + 1]},${pixels[i + 2]}`;
          counts[k] = (counts[k] ?? 0) + 1;
        }
        return { pool: Number((figure as HTMLElement).dataset['pool']), metric: (figure as HTMLElement).dataset['metric'], width: canvas.width, counts };
      }),
    );
    expect(charts).toHaveLength(ROOTS.length * 5);
    expect(charts.map((c) => c && `${POOLS[c.pool]!.id}/${c.metric}`)).toEqual(
      ROOTS.flatMap((p) => ['utilisation', 'fragmentation', 'largestPrefix', 'failures', 'eventsPerSecond'].map((m) => `${p.id}/${m}`)),
    );
    for (const chart of charts) {
      expect(chart!.width).toBeGreaterThan(200);
      expect(Object.keys(chart!.counts).length).toBeGreaterThan(5);
      // every strategy's line shows in its own colour somewhere on the chart
      for (const colour of STRATEGY_COLOURS.slice(0, STRATEGIES.length)) {
        expect(chart!.counts[key(rgb(colour))] ?? 0, `${colour} in ${chart!.metric}`).toBeGreaterThan(10);
      }
    }
  });

  it('paints every Hilbert map, pixel for pixel as its cells say', async () => {
    const colourOfCode = (code: number): string =>
      key(rgb(code >= CELL_CHILD ? CHILD_COLOURS[(code - CELL_CHILD) % CHILD_COLOURS.length]! : (CELL_COLOURS[code] ?? '#000000')));
    // the page turns each pixel back into the cell code of that colour (255: no such colour), using this test's table
    const codeOfColour = Object.fromEntries([CELL_OUTSIDE, CELL_FREE, CELL_ALLOCATED, CELL_PARTLY, CELL_CHILD, CELL_CHILD + 1].map((c) => [colourOfCode(c), c]));
    const maps = await report.page.evaluate((codeOf) =>
      Array.from(document.querySelectorAll('canvas.pool-map')).map((c) => {
        const canvas = c as HTMLCanvasElement;
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let codes = '';
        for (let i = 0; i < pixels.length; i += 4) codes += String.fromCharCode(codeOf[`${pixels[i]},${pixels[i + 1]},${pixels[i + 2]}`] ?? 255);
        return { run: Number(canvas.dataset['run']), moment: canvas.dataset['moment'] as 'final' | 'atFirstFailure', map: Number(canvas.dataset['map']), side: canvas.width, painted: canvas.dataset['painted'], cssWidth: canvas.getBoundingClientRect().width, codes: btoa(codes) };
      }), codeOfColour);
    const failing = summary.runs.filter((r) => r.firstFailure !== null).length;
    expect(maps).toHaveLength(POOLS.length * (summary.runs.length + failing));
    for (const shown of maps) {
      const map = summary.runs[shown.run]!.maps[shown.moment]![shown.map]!;
      expect(shown.painted).toBe('true');
      expect(shown.side).toBe(map.side);
      expect(shown.cssWidth).toBeGreaterThanOrEqual(180);
      const cells = decodePoolMapCells(map);
      const painted = Buffer.from(shown.codes, 'base64');
      expect(painted.length).toBe(cells.length);
      const wrong = cells.findIndex((code, i) => painted[i] !== code);
      expect(wrong, `first wrong pixel of ${map.poolId} (${shown.moment}, run ${shown.run})`).toBe(-1);
      const present = new Set(painted);
      expect(present.has(CELL_FREE)).toBe(true);
      expect(present.has(CELL_ALLOCATED)).toBe(true);
      if (ROOTS.some((p) => p.id === map.poolId)) {
        // a root map shows both its sub-pools and some partly allocated cells
        expect(present.has(CELL_CHILD)).toBe(true);
        expect(present.has(CELL_CHILD + 1)).toBe(true);
        expect(present.has(CELL_PARTLY)).toBe(true);
      }
      expect(present.has(CELL_OUTSIDE)).toBe(false);
    }
  });

  it('puts a placeholder where a run had no failure, and a legend with the sub-pool names', async () => {
    const page = await report.page.evaluate(() => ({
      placeholders: Array.from(document.querySelectorAll('figure.map .empty')).map((e) => e.textContent),
      legends: Array.from(document.querySelectorAll('ul.legend')).map((ul) => Array.from(ul.querySelectorAll('li')).map((li) => li.textContent)),
    }));
    expect(page.placeholders).toEqual(new Array(POOLS.length).fill('no allocation failed'));
    expect(page.legends[0]).toEqual(['not in the pool', 'free', 'partly allocated', 'allocated', 'sub-pool cn-hangzhou', 'sub-pool cn-beijing']);
    expect(page.legends[1]).toEqual(['not in the pool', 'free', 'partly allocated', 'allocated']);
  });

  it('resizes the charts with the window', async () => {
    await report.page.setViewportSize({ width: 700, height: 900 });
    await report.page.waitForFunction(() => {
      const area = document.querySelector('.chart-area') as HTMLElement;
      return Math.abs((area.querySelector('.uplot') as HTMLElement).offsetWidth - area.clientWidth) <= 1;
    }, undefined, { timeout: 5_000 });
    expect(report.pageErrors).toEqual([]);
  });
});

describe('the comparison table in headless Chromium', () => {
  it('fits a 1300-pixel window with long pool names, each strategy name on one line', async () => {
    // realistic sub-pool names in the first-failure details, which wrap within their cell
    const pools = POOLS.map((p) => ({ ...p, name: `ap-southeast-1-production-${p.name}` }));
    const { layout } = await inOwnChromium(renderReport(syntheticSummary({ pools })), async (opened) => {
      const layout = await opened.page.evaluate(() => {
        const wrap = document.querySelector('#comparison .table-wrap') as HTMLElement;
        // the lines a cell's name (its text after the swatch) takes
        const lines = (cell: Element): number => {
          const range = document.createRange();
          range.selectNodeContents(cell.lastChild!);
          return new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top))).size;
        };
        return {
          overflow: wrap.scrollWidth - wrap.clientWidth,
          strategyLines: Array.from(document.querySelectorAll('td.strategy'), lines),
          details: Array.from(document.querySelectorAll('td .detail'), (d) => d.textContent),
        };
      });
      return { layout };
    });
    expect(layout.details.some((d) => d!.startsWith('ap-southeast-1-production-'))).toBe(true);
    expect(layout.overflow).toBeLessThanOrEqual(0);
    expect(layout.strategyLines).toEqual(STRATEGIES.map(() => 1));
  }, 30_000);
});

describe('the largest-block chart in headless Chromium', () => {
  it("breaks a run's line where nothing was free, and draws across samples only another run has", async () => {
    const summary = syntheticSummary({ strategies: ['first-fit', 'last-fit'] });
    const root = ROOTS[0]!.id;
    const [full, shifted] = summary.runs.map((run) => run.series.find((s) => s.poolId === root)!);
    const samples = full!.event.length;
    // first-fit: nothing free from 30% to 70% of the run (a top-level pool's own workload can free space again)
    full!.largestPrefix = full!.largestPrefix.map((v, i) => (i > 0.3 * samples && i < 0.7 * samples ? null : v ?? 12));
    // last-fit: its samples one event later than first-fit's, so each run has a sample where the other has none
    shifted!.event = shifted!.event.map((e) => e + 1);
    shifted!.largestPrefix = shifted!.largestPrefix.map((v) => v ?? 12);
    const { band, pageErrors } = await inOwnChromium(renderReport(summary), async (opened) => {
      const band = await opened.page.evaluate((pool) => {
        const figure = Array.from(document.querySelectorAll('figure.chart')).find((f) =>
          (f as HTMLElement).dataset['metric'] === 'largestPrefix' && (f as HTMLElement).dataset['pool'] === pool)!;
        const canvas = figure.querySelector('.uplot canvas') as HTMLCanvasElement;
        // the middle tenth of the canvas: well inside first-fit's stretch of nothing free
        const from = Math.floor(canvas.width * 0.45), width = Math.floor(canvas.width * 0.1);
        const pixels = canvas.getContext('2d')!.getImageData(from, 0, width, canvas.height).data;
        const counts: Record<string, number> = {};
        for (let i = 0; i < pixels.length; i += 4) if (pixels[i + 3] !== 0) counts[`${pixels[i]},${pixels[i + 1]},${pixels[i + 2]}`] = (counts[`${pixels[i]},${pixels[i + 1]},${pixels[i + 2]}`] ?? 0) + 1;
        return counts;
      }, String(POOLS.findIndex((p) => p.id === root)));
      return { band, pageErrors: opened.pageErrors };
    });
    expect(pageErrors).toEqual([]);
    expect(band[key(rgb(STRATEGY_COLOURS[0]!))] ?? 0).toBe(0);
    expect(band[key(rgb(STRATEGY_COLOURS[1]!))] ?? 0).toBeGreaterThan(10);
  }, 30_000);
});

describe("the charts' legend in headless Chromium", () => {
  it('shows a utilisation under the cursor rounded down, as the table does: 99.96 % reads 99.9 %, never 100.0 %', async () => {
    const summary = syntheticSummary({ strategies: ['first-fit', 'last-fit'] });
    const root = ROOTS[0]!.id;
    // every run's last sample at 99.96 %: the cursor at the right edge lands on the last event of one of them
    for (const run of summary.runs) {
      const series = run.series.find((s) => s.poolId === root)!;
      series.utilisation[series.utilisation.length - 1] = 99.96;
    }
    const { values, pageErrors } = await inOwnChromium(renderReport(summary), async (opened) => {
      const figure = opened.page.locator(`figure.chart[data-metric="utilisation"][data-pool="${POOLS.findIndex((p) => p.id === root)}"]`);
      const over = (await figure.locator('.u-over').boundingBox())!;
      await opened.page.mouse.move(over.x + over.width - 1, over.y + over.height / 2);
      const values = await figure.locator('.u-legend .u-series .u-value').allTextContents();
      return { values, pageErrors: opened.pageErrors };
    });
    expect(pageErrors).toEqual([]);
    expect(values).toContain('99.9 %');
    expect(values).not.toContain('100.0 %');
  }, 30_000);
});
