// The simulator's report as one self-contained HTML file: the page fetches nothing (a CSP
// forbids it), uPlot and the data are inline, and every name from the summary is escaped.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { escapeHtml } from './escape.js';
import { utilisationText } from './figures.js';
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_STYLE } from './page-style.js';
import { CELL_COLOURS, CHILD_COLOURS, STRATEGY_COLOURS, UNKNOWN_CELL_COLOUR, childColour, strategyColour } from './palette.js';
import {
  CELL_ALLOCATED,
  CELL_CHILD,
  CELL_FREE,
  CELL_OUTSIDE,
  CELL_PARTLY,
  SUMMARY_FORMAT,
  SUMMARY_VERSION,
  type PoolInfo,
  type SimulationSummary,
  type StrategyRun,
} from './summary.js';

export { escapeHtml };

/**
 * JSON for a <script type="application/json"> block: with every "<" escaped, no "</script>"
 * or "<!--" can end or bend the block, and JSON.parse reads the same value back.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** Wraps trusted code in an element, refusing text that could close the element early. */
function inlineElement(tag: 'script' | 'style', code: string): string {
  if (new RegExp(`</${tag}|<!--`, 'i').test(code)) throw new Error(`cannot inline ${tag}: it contains "</${tag}" or "<!--"`);
  return `<${tag}>${code}</${tag}>`;
}

let uplotAssets: { script: string; style: string } | undefined;

/** uPlot's browser build and stylesheet, read once from the installed package. */
function uplot(): { script: string; style: string } {
  if (uplotAssets === undefined) {
    const require = createRequire(import.meta.url);
    uplotAssets = {
      script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      style: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return uplotAssets;
}

const METRICS = [
  { key: 'utilisation', title: 'Utilisation %' },
  { key: 'fragmentation', title: 'Fragmentation index' },
  { key: 'largestPrefix', title: 'Largest allocatable prefix' },
  { key: 'failures', title: 'Failed allocations (cumulative)' },
  { key: 'eventsPerSecond', title: 'Throughput (events/s)' },
] as const;

const MAP_CSS_SIZE = 384;

const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

// ---- figures as text ----

// Number(...) first: a summary read back from JSON could carry anything where a number belongs,
// and a number's text can hold no markup.
function count(n: number): string {
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: 0 });
}

function duration(ms: number): string {
  return Number(ms) < 1000 ? `${count(ms)} ms` : `${(Number(ms) / 1000).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} s`;
}

function percent(value: number): string {
  return `${utilisationText(value)} %`;
}

function swatch(colour: string): string {
  return `<span class="swatch" style="background:${colour}"></span>`;
}

// ---- sections ----

function renderHeader(summary: SimulationSummary): string {
  const { scenario } = summary;
  const facts: [string, string][] = [
    ['Events', count(scenario.events)],
    ['Seed', String(scenario.seed)],
    ['Strategies', count(summary.strategies.length)],
    ['Pools', count(summary.pools.length)],
  ];
  return `<header>
<h1>${escapeHtml(scenario.name)}</h1>
<p class="description">${escapeHtml(scenario.description)}</p>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${k}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>
</header>`;
}

function strategyIndex(summary: SimulationSummary, run: StrategyRun): number {
  const i = summary.strategies.indexOf(run.strategy);
  return i >= 0 ? i : summary.runs.indexOf(run);
}

function strategyLabel(summary: SimulationSummary, run: StrategyRun): string {
  return `${swatch(strategyColour(strategyIndex(summary, run)))}${escapeHtml(run.strategy)}`;
}

function poolName(pools: Map<string, PoolInfo>, poolId: string): string {
  return pools.get(poolId)?.name ?? poolId;
}

function renderComparison(summary: SimulationSummary, pools: Map<string, PoolInfo>): string {
  const rows = summary.runs.map((run) => {
    const first = run.firstFailure;
    const firstCells = first === null
      ? '<td class="first-failure-event">—</td><td class="first-failure-utilisation">—</td><td class="first-failure-in-use">—</td>'
      : `<td class="first-failure-event">${count(first.event)}<span class="detail">${escapeHtml(poolName(pools, first.poolId))}, /${Number(first.mask)}, ${escapeHtml(first.cause)}</span></td>` +
        `<td class="first-failure-utilisation">${percent(first.utilisation)}<span class="detail">of ${escapeHtml(poolName(pools, first.treeId))}</span></td>` +
        `<td class="first-failure-in-use">${percent(first.inUse)}</td>`;
    return `<tr data-strategy-index="${summary.runs.indexOf(run)}">
<td class="strategy text">${strategyLabel(summary, run)}</td>
<td class="allocations">${count(run.allocations)}</td>
<td class="releases">${count(run.releases)}</td>
<td class="failures-total">${count(run.failures.total)}</td>
<td class="failures-no-space">${count(run.failures.noSpace)}</td>
<td class="failures-fragmentation">${count(run.failures.fragmentation)}</td>
<td class="failures-quota">${count(run.failures.quota)}</td>
${firstCells}
<td class="events-per-second">${count(run.eventsPerSecond)}</td>
<td class="elapsed">${duration(run.elapsedMs)}</td>
</tr>`;
  });
  return `<section id="comparison">
<h2>Strategies compared</h2>
<div class="table-wrap"><table class="comparison">
<thead>
<tr><th rowspan="2">Strategy</th><th rowspan="2">Allocations</th><th rowspan="2">Releases</th><th colspan="4">Failed allocations</th><th colspan="3">First failure</th><th rowspan="2">Events/s</th><th rowspan="2">Elapsed</th></tr>
<tr><th>total</th><th>no space</th><th>fragmentation</th><th>quota</th><th>at event</th><th>tree utilisation</th><th>in use</th></tr>
</thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>
<p class="note">A failure is <em>fragmentation</em> when a pool asked (the leaf, or a parent asked for a chunk) had enough free addresses in total but no free aligned block of the size asked for; else <em>quota</em> when a pool that needed another CIDR already held the cloud's 50; else <em>no space</em>. At the first failure, <em>tree utilisation</em> is the share of the tree's top-level pool handed out, the CIDRs its sub-pools took included (as <code>GetIpamPoolUtilization</code> counts it); <em>in use</em> is the share then allocated to resources, in any pool of the tree, without the room the sub-pools kept free.</p>
</section>`;
}

function renderPools(summary: SimulationSummary, pools: Map<string, PoolInfo>): string {
  const rows = summary.pools.map(
    (pool) => `<tr><td class="text">${escapeHtml(pool.name)}</td><td class="text">${pool.parentId === null ? '—' : escapeHtml(poolName(pools, pool.parentId))}</td><td class="text">${escapeHtml(pool.ipVersion)}</td><td class="text">${pool.chunk === undefined ? pool.cidrs.map(escapeHtml).join(', ') : `/${pool.chunk} blocks from its parent, as it needs them`}</td></tr>`,
  );
  return `<section id="pools">
<h2>Pools</h2>
<div class="table-wrap"><table class="pools">
<thead><tr><th>Pool</th><th class="text">Parent</th><th class="text">IP version</th><th class="text">CIDRs</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>
</section>`;
}

function renderCharts(summary: SimulationSummary): string {
  const groups = summary.pools.flatMap((pool, poolIndex) => {
    if (pool.parentId !== null) return [];
    const figures = METRICS.map(
      (m) => `<figure class="chart" data-pool="${poolIndex}" data-metric="${m.key}"><figcaption>${m.title}</figcaption><div class="chart-area"></div></figure>`,
    );
    return [`<h3>${escapeHtml(pool.name)} <small>${pool.cidrs.map(escapeHtml).join(', ')}</small></h3>\n<div class="chart-grid">${figures.join('\n')}</div>`];
  });
  return `<section id="charts">
<h2>Over time</h2>
<p class="note">Sampled for each top-level pool. The largest allocatable prefix axis runs downwards: higher means a bigger free block.</p>
${groups.join('\n')}
</section>`;
}

function renderLegend(children: readonly string[]): string {
  const items: [string, string][] = [
    [CELL_COLOURS[CELL_OUTSIDE]!, 'not in the pool'],
    [CELL_COLOURS[CELL_FREE]!, 'free'],
    [CELL_COLOURS[CELL_PARTLY]!, 'partly allocated'],
    [CELL_COLOURS[CELL_ALLOCATED]!, 'allocated'],
    ...children.map((name, i): [string, string] => [childColour(i), `sub-pool ${name}`]),
  ];
  return `<ul class="legend">${items.map(([colour, label]) => `<li>${swatch(colour)}${escapeHtml(label)}</li>`).join('')}</ul>`;
}

type Moment = 'final' | 'atFirstFailure';

/**
 * One pool's maps across the runs, at one moment: a canvas per run, or a placeholder. With
 * `spanInCaption`, each caption names its map's span (the runs put the pool in different places).
 */
function renderMapRow(summary: SimulationSummary, poolId: string, moment: Moment, spanInCaption: boolean): string | null {
  const figures = summary.runs.map((run, runIndex) => {
    const maps = run.maps[moment];
    const mapIndex = maps?.findIndex((m) => m.poolId === poolId) ?? -1;
    const map = mapIndex < 0 ? undefined : maps![mapIndex]!;
    // "span": the smallest block holding the pool's CIDRs, which the map covers (not a CIDR of the pool)
    const span = spanInCaption && map ? ` <small class="span">span ${escapeHtml(map.span)}</small>` : '';
    const caption = `<figcaption>${strategyLabel(summary, run)}${span}</figcaption>`;
    if (map === undefined) {
      const why = moment === 'atFirstFailure' && run.firstFailure === null ? 'no allocation failed' : 'no map';
      return `<figure class="map">${caption}<div class="empty">${why}</div></figure>`;
    }
    const side = Number(map.side);
    const cssSize = side * Math.max(1, Math.floor(MAP_CSS_SIZE / side));
    return `<figure class="map">${caption}<canvas class="pool-map" data-run="${runIndex}" data-moment="${moment}" data-map="${mapIndex}" width="${side}" height="${side}" style="max-width:${cssSize}px" title="${escapeHtml(`${run.strategy}: ${map.span}, ${side} x ${side} cells`)}"></canvas></figure>`;
  });
  const anyMap = summary.runs.some((run) => run.maps[moment]?.some((m) => m.poolId === poolId));
  return anyMap ? `<div class="map-row">${figures.join('\n')}</div>` : null;
}

function renderMaps(summary: SimulationSummary, pools: Map<string, PoolInfo>): string {
  // pools in tree order, then any map of a pool the tree does not list
  const poolIds = summary.pools.map((p) => p.id);
  for (const run of summary.runs) {
    for (const map of [...run.maps.final, ...(run.maps.atFirstFailure ?? [])]) {
      if (!poolIds.includes(map.poolId)) poolIds.push(map.poolId);
    }
  }
  const groups = poolIds.flatMap((poolId) => {
    const poolMaps = summary.runs.flatMap((r) => [...r.maps.final, ...(r.maps.atFirstFailure ?? [])]).filter((m) => m.poolId === poolId);
    if (poolMaps.length === 0) return [];
    // the heading names the span when every map shows the same one; else each caption names its own
    const sharedSpan = poolMaps.every((m) => m.span === poolMaps[0]!.span) ? poolMaps[0]!.span : null;
    const final = renderMapRow(summary, poolId, 'final', sharedSpan === null);
    const atFailure = renderMapRow(summary, poolId, 'atFirstFailure', sharedSpan === null);
    const sample = poolMaps[0]!;
    return [`<h3>${escapeHtml(poolName(pools, poolId))}${sharedSpan === null ? '' : ` <small>span ${escapeHtml(sharedSpan)}</small>`}</h3>
${renderLegend(sample.children)}
${final === null ? '' : `<h4>At the end of the run</h4>\n${final}`}
${atFailure === null ? '' : `<h4>At the first failure</h4>\n${atFailure}`}`];
  });
  return `<section id="maps">
<h2>Address maps</h2>
<p class="note">Each map is a pool's span laid along a Hilbert curve: addresses that are close stay close on screen, so a CIDR block is a compact square or rectangle. Every pixel is an equal share of the span.</p>
${groups.join('\n')}
</section>`;
}

function renderFooter(summary: SimulationSummary): string {
  const env = summary.environment;
  return `<footer>Generated by wasm-ipam on ${escapeHtml(env.date)} · Node ${escapeHtml(env.node)} on ${escapeHtml(env.platform)}, ${count(env.cpus)} CPUs, ${count(env.workers)} workers</footer>`;
}

/** The whole report: one HTML document that needs nothing but itself. */
export function renderReport(summary: SimulationSummary): string {
  if (summary.format !== SUMMARY_FORMAT || summary.version !== SUMMARY_VERSION) {
    throw new Error(`not a ${SUMMARY_FORMAT} version ${SUMMARY_VERSION} summary (format ${JSON.stringify(summary.format)}, version ${JSON.stringify(summary.version)})`);
  }
  const pools = new Map(summary.pools.map((p) => [p.id, p]));
  const palette = {
    strategies: STRATEGY_COLOURS,
    cells: CELL_COLOURS,
    children: CHILD_COLOURS,
    firstChildCode: CELL_CHILD,
    unknown: UNKNOWN_CELL_COLOUR,
  };
  const assets = uplot();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(summary.scenario.name)} · wasm-ipam simulation</title>
${inlineElement('style', assets.style)}
${inlineElement('style', PAGE_STYLE)}
</head>
<body>
${renderHeader(summary)}
<main>
${renderComparison(summary, pools)}
${renderCharts(summary)}
${renderMaps(summary, pools)}
${renderPools(summary, pools)}
</main>
${renderFooter(summary)}
<script type="application/json" id="report-data">${jsonForScript({ summary, palette })}</script>
${inlineElement('script', assets.script)}
${inlineElement('script', PAGE_SCRIPT)}
</body>
</html>
`;
}
