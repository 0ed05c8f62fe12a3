/**
 * npm run bench:browser — the Chromium/Node comparison and the bundle sizes alone, written into
 * the "## Browser" section of bench/RESULTS.md (the rest of the file, from `npm run bench`, stays).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { browserTable } from './browser-report.js';
import { compareChromiumWithNode } from './browser.js';
import { browserBundleSizes } from './bundle.js';

const QUICK = process.env.BENCH_QUICK === '1';
const section = browserTable(await compareChromiumWithNode(QUICK ? { rounds: 1, durationMs: 300 } : {}), await browserBundleSizes());
console.log(section);

if (!QUICK || process.env.BENCH_WRITE === '1') {
  const file = new URL('./RESULTS.md', import.meta.url);
  const results = readFileSync(file, 'utf8');
  const start = results.indexOf('\n## Browser\n');
  const end = start < 0 ? -1 : results.indexOf('\n## ', start + 1);
  const before = start < 0 ? `${results.trimEnd()}\n` : results.slice(0, start);
  const after = end < 0 ? '' : results.slice(end);
  writeFileSync(file, `${before}\n## Browser\n\n${section}${after}`);
  console.log('wrote the Browser section of bench/RESULTS.md');
}
