import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript, renderReport, utilisationText, writeReport } from '../../src/report/index.js';
import type { SimulationSummary } from '../../src/report/summary.js';
import { launchChromium, openReport } from './chromium.js';
import { comparisonTable } from '../../src/sim/command.js';
import { POOLS, syntheticSummary } from './synthetic.js';

const HOSTILE = [
  '</script><script>window.__pwned = 1</script>',
  '"\'><img src=x onerror="window.__pwned = 2">',
  '<!--<script>window.__pwned = 3</script>',
  "' onmouseover='window.__pwned = 4' x='",
  '</style><svg onload="window.__pwned = 5"></svg>',
  '&amp; &lt;b&gt; <b>not bold</b> \u2028 ${x} \\u003c',
];

/** A summary with a hostile string in every name a user can choose. */
function hostileSummary(): SimulationSummary {
  const strategies = ['first-fit', 'last-fit', 'best-fit', 'sparse', 'random'].map((s, i) => `${s} ${HOSTILE[i % HOSTILE.length]}`);
  const pools = POOLS.map((p, i) => ({ ...p, name: `${p.name} ${HOSTILE[(i + 1) % HOSTILE.length]}` }));
  const summary = syntheticSummary({
    strategies,
    pools,
    scenario: { name: `Scenario ${HOSTILE[0]}`, description: `About ${HOSTILE[1]} and ${HOSTILE[5]}`, events: 200_000, seed: 7 },
  });
  summary.environment = { node: HOSTILE[2]!, platform: HOSTILE[3]!, cpus: 2, workers: 1, date: HOSTILE[4]! };
  return summary;
}

describe('escaping helpers', () => {
  it('escapeHtml leaves no markup or quote characters', () => {
    for (const text of HOSTILE) {
      const escaped = escapeHtml(text);
      expect(escaped).not.toMatch(/[<>"']/);
      expect(escaped.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&#38;/g, '&')).toBe(text);
    }
  });

  it('jsonForScript has no "<" at all and reads back the same value', () => {
    const value = { names: HOSTILE, nested: { '</script>': '<!--' } };
    const json = jsonForScript(value);
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('renderReport as text', () => {
  const summary = syntheticSummary();
  const html = renderReport(summary);
  const uplotSource = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');

  it('is one document holding uPlot inline, and names no URL outside uPlot\'s own source', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(uplotSource);
    const withoutUplot = html.replace(uplotSource, '');
    expect(withoutUplot).not.toMatch(/https?:\/\//i);
    expect(withoutUplot).not.toMatch(/<(link|img|iframe)\b|\bsrc=|@import|url\(/i);
    // and the page forbids itself any fetch
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
  });

  it('gives utilisation at the first failure rounded down, in the page and the terminal table alike: 99.96 is not 100.0 %', () => {
    const at = (utilisation: number) => {
      const runs = summary.runs.slice(0, 1).map((run) => ({ ...run, firstFailure: { ...run.firstFailure!, utilisation } }));
      const page = renderReport({ ...summary, runs });
      const cell = /<td class="first-failure-utilisation">([^<]*)</.exec(page)![1];
      const terminal = / at ([0-9.]+)%/.exec(comparisonTable({ ...summary, runs }))![1];
      return [cell, terminal];
    };
    expect(at(99.96)).toEqual(['99.9 %', '99.9']);
    expect(at(97.3)).toEqual(['97.3 %', '97.3']);
    expect(at(100)).toEqual(['100.0 %', '100.0']);
  });

  it('renders a summary with no runs and no pools (an empty table, no charts, no maps)', () => {
    const empty = renderReport({ ...summary, strategies: [], pools: [], runs: [] });
    expect(empty).toContain('<tbody>\n\n</tbody>');
    expect(empty).not.toContain('class="chart"');
    expect(empty).not.toContain('class="pool-map"');
  });

  it('refuses a document that is not a version 2 simulation summary', () => {
    expect(() => renderReport({ ...summary, version: 1 as 2 })).toThrow(/not a wasm-ipam\/simulation version 2 summary/);
    expect(() => renderReport({ ...summary, format: 'other' as 'wasm-ipam/simulation' })).toThrow(/not a/);
  });
});

describe('writeReport', () => {
  it('creates the directory and writes index.html and summary.json, leaving no temporary files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'wasm-ipam-write-'));
    try {
      const summary = syntheticSummary();
      const dir = join(root, 'nested', 'report');
      const written = await writeReport(dir, summary);
      expect(written).toEqual({ html: join(dir, 'index.html'), json: join(dir, 'summary.json') });
      expect((await readdir(dir)).sort()).toEqual(['index.html', 'summary.json']);
      expect(JSON.parse(await readFile(written.json, 'utf8'))).toEqual(summary);
      expect(await readFile(written.html, 'utf8')).toBe(renderReport(summary));
      // writing again replaces both files
      const changed = { ...summary, scenario: { ...summary.scenario, name: 'Second run' } };
      await writeReport(dir, changed);
      expect(await readFile(written.html, 'utf8')).toContain('<h1>Second run</h1>');
      expect((await readdir(dir)).sort()).toEqual(['index.html', 'summary.json']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('writes nothing when the summary cannot be rendered', async () => {
    const root = await mkdtemp(join(tmpdir(), 'wasm-ipam-write-'));
    try {
      const bad = { ...syntheticSummary(), version: 9 as 2 };
      await expect(writeReport(join(root, 'out'), bad)).rejects.toThrow(/not a/);
      expect(await readdir(root)).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('hostile names in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('injects no element, runs no script, fetches nothing, and shows every name as written', async () => {
    const summary = hostileSummary();
    const report = await openReport(browser, renderReport(summary));
    try {
      const { page } = report;
      const found = await page.evaluate(() => {
        const all = Array.from(document.querySelectorAll('*'));
        return {
          scripts: Array.from(document.scripts).map((s) => s.type || 'classic'),
          injected: all.filter((e) => ['IMG', 'SVG', 'B', 'IFRAME'].includes(e.tagName.toUpperCase())).map((e) => e.tagName),
          eventAttributes: all.flatMap((e) => Array.from(e.attributes).filter((a) => a.name.startsWith('on')).map((a) => `${e.tagName}[${a.name}]`)),
          pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
          title: document.title,
          h1: document.querySelector('h1')?.textContent,
          description: document.querySelector('.description')?.textContent,
          footer: document.querySelector('footer')?.textContent,
          tableStrategies: Array.from(document.querySelectorAll('table.comparison tbody td.strategy')).map((td) => td.textContent),
          poolRows: Array.from(document.querySelectorAll('table.pools tbody tr td:first-child')).map((td) => td.textContent),
          chartHeadings: Array.from(document.querySelectorAll('#charts h3')).map((h) => h.firstChild?.textContent),
          mapHeadings: Array.from(document.querySelectorAll('#maps h3')).map((h) => h.firstChild?.textContent),
          legendItems: Array.from(document.querySelectorAll('ul.legend li')).map((li) => li.textContent),
          uplotLabels: Array.from(document.querySelectorAll('.u-legend .u-label')).map((l) => l.textContent),
          mapTitles: Array.from(document.querySelectorAll('canvas.pool-map')).map((c) => c.getAttribute('title')),
          data: JSON.parse(document.getElementById('report-data')!.textContent!).summary.scenario.name,
        };
      });
      expect(found.scripts).toEqual(['application/json', 'classic', 'classic']);
      expect(found.injected).toEqual([]);
      expect(found.eventAttributes).toEqual([]);
      expect(found.pwned).toBeNull();
      expect(found.title).toBe(`${summary.scenario.name} · wasm-ipam simulation`);
      expect(found.h1).toBe(summary.scenario.name);
      expect(found.description).toBe(summary.scenario.description);
      expect(found.footer).toContain(summary.environment.date);
      expect(found.footer).toContain(summary.environment.platform);
      expect(found.tableStrategies.map((t) => t?.trim())).toEqual(summary.strategies);
      expect(found.poolRows).toEqual(summary.pools.map((p) => p.name));
      const roots = summary.pools.filter((p) => p.parentId === null);
      expect(found.chartHeadings.map((h) => h?.trim())).toEqual(roots.map((p) => p.name));
      expect(found.mapHeadings.map((h) => h?.trim())).toEqual(summary.pools.map((p) => p.name));
      for (const child of summary.pools.filter((p) => p.parentId !== null)) expect(found.legendItems).toContain(`sub-pool ${child.name}`);
      // each of the 10 charts (5 per top-level pool) lists every strategy in its legend
      for (const name of summary.strategies) expect(found.uplotLabels.filter((l) => l === name)).toHaveLength(10);
      expect(found.mapTitles[0]).toBe(`${summary.strategies[0]}: 10.0.0.0/8, 256 x 256 cells`);
      expect(found.data).toBe(summary.scenario.name);
      expect(report.requests).toEqual([report.url]);
      expect(report.pageErrors).toEqual([]);
      expect(report.consoleErrors).toEqual([]);
    } finally {
      await report.close();
    }
  }, 30_000);
});

describe('utilisationText, as the report and the pool explorer write a utilisation', () => {
  it('rounds down to one decimal, and never hides a share the counts show', () => {
    expect(utilisationText(97.3)).toBe('97.3');
    expect(utilisationText(99.96)).toBe('99.9');
    expect(utilisationText(0)).toBe('0.0');
    // under 0.1 % allocated used to read 0.0; 100 as a double with addresses free, 100.0
    expect(utilisationText(0.04)).toBe('< 0.1');
    expect(utilisationText(1e-20, { allocated: 1n, free: (1n << 96n) - 1n })).toBe('< 0.1');
    expect(utilisationText(100, { allocated: (1n << 96n) - 1n, free: 1n })).toBe('> 99.9');
    expect(utilisationText(100, { allocated: 1n << 96n, free: 0n })).toBe('100.0');
    expect(utilisationText(0, { allocated: 0n, free: 1n })).toBe('0.0');
  });
});
