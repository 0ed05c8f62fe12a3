// The report's own stylesheet (uPlot's is inlined beside it). System fonts only: the page
// must never reach the network.

export const PAGE_STYLE = `
:root { color-scheme: light; --ink: #1d2327; --muted: #5d6970; --rule: #d9dee2; --panel: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
header, main, footer { max-width: 1320px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; padding-bottom: 8px; border-bottom: 1px solid var(--rule); }
h1 { font-size: 1.7rem; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 32px 0 12px; }
h3 { font-size: 1.05rem; margin: 24px 0 8px; overflow-wrap: anywhere; }
h4 { font-size: 0.95rem; margin: 14px 0 6px; color: var(--muted); font-weight: 600; }
.description { margin: 0 0 12px; color: var(--muted); max-width: 80ch; overflow-wrap: anywhere; white-space: pre-line; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 0 0 12px; }
.facts div { display: flex; gap: 6px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 12px; border-bottom: 1px solid var(--rule); text-align: right; white-space: nowrap; vertical-align: top; }
th { font-size: 0.85rem; color: var(--muted); font-weight: 600; background: var(--panel); }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
th[colspan] { text-align: center; }
td.text { white-space: normal; overflow-wrap: anywhere; }
td .detail { display: block; font-size: 0.8rem; color: var(--muted); white-space: normal; overflow-wrap: anywhere; max-width: 26ch; margin-left: auto; }
/* strategy names are the engine's own (never user text), so they may stay on one line */
td.strategy { white-space: nowrap; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 7px; vertical-align: -1px; border: 1px solid rgba(0, 0, 0, 0.15); }
.note { color: var(--muted); max-width: 90ch; }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 16px; }
figure { margin: 0; }
figure.chart { border: 1px solid var(--rule); border-radius: 6px; padding: 10px 10px 4px; min-width: 0; }
figure.chart figcaption { font-weight: 600; font-size: 0.9rem; margin-bottom: 4px; }
.chart-area { width: 100%; min-height: 220px; }
.map-row { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 18px; align-items: start; }
figure.map { display: flex; flex-direction: column; gap: 6px; min-width: 0; }
figure.map canvas { image-rendering: pixelated; border: 1px solid var(--rule); width: 100%; height: auto; background: #fff; }
figure.map figcaption { font-size: 0.9rem; overflow-wrap: anywhere; max-width: 384px; }
figure.map figcaption .span { display: block; color: var(--muted); font-size: 0.85rem; }
figure.map .empty { display: flex; aspect-ratio: 1; width: 100%; align-items: center; justify-content: center; color: var(--muted); border: 1px dashed var(--rule); font-size: 0.9rem; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 6px 0 12px; font-size: 0.85rem; padding: 0; list-style: none; }
.legend li { overflow-wrap: anywhere; }
footer { margin-top: 40px; padding-top: 12px; padding-bottom: 28px; border-top: 1px solid var(--rule); color: var(--muted); font-size: 0.85rem; }
.u-legend { font-size: 0.8rem; }
`;
