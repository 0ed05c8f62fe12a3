// The report page's own script: plain ES2020 kept as text, because it runs in the browser
// from an inline <script> (a compiled function's toString() would carry bundler helpers).
// It reads the JSON data block, draws the uPlot charts into the server-rendered figures and
// paints each Hilbert map canvas. Names reach the page only through textContent (uPlot's
// legend uses textContent too), never as markup.

export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var payload = JSON.parse(document.getElementById('report-data').textContent);
  var summary = payload.summary;
  var palette = payload.palette;

  function strategyColour(i) { return palette.strategies[i % palette.strategies.length]; }

  // ---- charts over time ----

  // value: a sample in the legend (null = no sample); tick: an axis label
  var METRICS = {
    utilisation: {
      pick: function (s) { return s.utilisation; },
      range: function () { return [0, 100]; },
      // rounded down, as in the table (html.ts utilisationText): short of full never reads 100.0 %
      value: function (v) { return v == null ? '-' : (Math.floor(v * 10 + 1e-9) / 10).toFixed(1) + ' %'; },
      tick: function (v) { return v.toLocaleString('en-US', { maximumFractionDigits: 1 }) + ' %'; },
      dir: 1
    },
    fragmentation: {
      pick: function (s) { return s.fragmentation; },
      range: function () { return [0, 1]; },
      // never a false 0 or 1: a trace of fragmentation, or nearly all of it, says so
      value: function (v) { return v == null ? '-' : v > 0 && v < 0.0005 ? '< 0.001' : v < 1 && v >= 0.9995 ? '> 0.999' : v.toFixed(3); },
      tick: function (v) { return v.toLocaleString('en-US', { maximumFractionDigits: 2 }); },
      dir: 1
    },
    largestPrefix: {
      pick: function (s) { return s.largestPrefix; },
      // shorter prefixes are bigger blocks: the axis runs downwards so "more room" is up
      range: function (u, min, max) { return min == null ? [0, 1] : [Math.max(0, Math.floor(min) - 1), Math.ceil(max) + 1]; },
      value: function (v) { return v === undefined ? '-' : v === null ? 'nothing free' : '/' + v; },
      tick: function (v) { return Number.isInteger(v) ? '/' + v : ''; },
      dir: -1
    },
    failures: {
      pick: function (s) { return s.failures; },
      range: function (u, min, max) { return [0, Math.max(1, max == null ? 1 : max)]; },
      value: function (v) { return v == null ? '-' : Math.round(v).toLocaleString('en-US'); },
      tick: function (v) { return Number.isInteger(v) ? v.toLocaleString('en-US') : ''; },
      dir: 1
    },
    eventsPerSecond: {
      pick: function (s) { return s.eventsPerSecond; },
      range: function (u, min, max) { return [0, Math.max(1, max == null ? 1 : max)]; },
      value: function (v) { return v == null ? '-' : Math.round(v).toLocaleString('en-US'); },
      tick: function (v) { return v >= 1e6 ? (v / 1e6).toLocaleString('en-US') + 'M' : v >= 1e3 ? (v / 1e3).toLocaleString('en-US') + 'k' : String(v); },
      dir: 1
    }
  };

  // One x array for all strategies: the union of their sample events. Where a run has no sample its
  // line has undefined, which uPlot draws across; a null of the run's own (nothing free) is a gap.
  function alignedSeries(poolId, metric) {
    var perRun = summary.runs.map(function (run) {
      for (var i = 0; i < run.series.length; i++) if (run.series[i].poolId === poolId) return run.series[i];
      return null;
    });
    var events = [];
    var seen = new Set();
    perRun.forEach(function (s) {
      if (s) s.event.forEach(function (e) { if (!seen.has(e)) { seen.add(e); events.push(e); } });
    });
    events.sort(function (a, b) { return a - b; });
    var column = new Map();
    events.forEach(function (e, i) { column.set(e, i); });
    var data = [events];
    perRun.forEach(function (s) {
      var ys = new Array(events.length).fill(undefined);
      if (s) {
        var values = METRICS[metric].pick(s);
        s.event.forEach(function (e, i) { ys[column.get(e)] = values[i] == null ? null : values[i]; });
      }
      data.push(ys);
    });
    return data;
  }

  function chartWidth(area) { return Math.max(260, Math.floor(area.clientWidth)); }

  var charts = [];
  document.querySelectorAll('figure.chart').forEach(function (figure) {
    var pool = summary.pools[Number(figure.dataset.pool)];
    var metric = METRICS[figure.dataset.metric];
    var area = figure.querySelector('.chart-area');
    // the legend shows values under the cursor; with no cursor (index null) it shows a dash
    var series = [{ label: 'event', value: function (u, v, s, index) { return index == null || v == null ? '-' : Math.round(v).toLocaleString('en-US'); } }];
    summary.runs.forEach(function (run, runIndex) {
      var i = summary.strategies.indexOf(run.strategy);
      series.push({
        label: run.strategy,
        stroke: strategyColour(i < 0 ? runIndex : i),
        width: 1.5,
        spanGaps: false,
        points: { show: false },
        value: function (u, v, s, index) { return index == null ? '-' : metric.value(v); }
      });
    });
    var options = {
      width: chartWidth(area),
      height: 220,
      // room on the right for the last x tick's label ("1,000,000" is centred on the edge)
      padding: [null, 40, null, null],
      scales: { x: { time: false }, y: { range: metric.range, dir: metric.dir } },
      series: series,
      axes: [
        { values: function (u, ticks) { return ticks.map(function (t) { return t.toLocaleString('en-US'); }); } },
        { size: 64, values: function (u, ticks) { return ticks.map(metric.tick); } }
      ],
      legend: { show: true },
      cursor: { drag: { x: true, y: false } }
    };
    charts.push({ plot: new uPlot(options, alignedSeries(pool.id, figure.dataset.metric), area), area: area });
  });

  var resizePending = false;
  window.addEventListener('resize', function () {
    if (resizePending) return;
    resizePending = true;
    requestAnimationFrame(function () {
      resizePending = false;
      charts.forEach(function (c) { c.plot.setSize({ width: chartWidth(c.area), height: 220 }); });
    });
  });

  // ---- Hilbert maps ----

  function rgb(hex) {
    return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
  }
  var cellRgb = new Array(256);
  for (var code = 0; code < 256; code++) {
    var hex = palette.cells[code] || (code >= palette.firstChildCode
      ? palette.children[(code - palette.firstChildCode) % palette.children.length]
      : palette.unknown);
    cellRgb[code] = rgb(hex);
  }

  function decodeCells(base64) {
    var text = atob(base64);
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  }

  document.querySelectorAll('canvas.pool-map').forEach(function (canvas) {
    var run = summary.runs[Number(canvas.dataset.run)];
    var map = run.maps[canvas.dataset.moment][Number(canvas.dataset.map)];
    var side = map.side;
    var cells = decodeCells(map.cells);
    if (cells.length !== side * side) throw new Error('map of ' + map.poolId + ' has ' + cells.length + ' cells, expected ' + side * side);
    canvas.width = side;
    canvas.height = side;
    var context = canvas.getContext('2d');
    var image = context.createImageData(side, side);
    for (var i = 0; i < cells.length; i++) {
      var colour = cellRgb[cells[i]];
      image.data[4 * i] = colour[0];
      image.data[4 * i + 1] = colour[1];
      image.data[4 * i + 2] = colour[2];
      image.data[4 * i + 3] = 255;
    }
    context.putImageData(image, 0, 0);
    canvas.dataset.painted = 'true';
  });
  document.documentElement.dataset.reportReady = 'true';
})();
`;
