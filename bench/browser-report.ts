/** The "Browser" section of bench/RESULTS.md: Chromium against Node, and what a page downloads. */
import type { BrowserComparison } from './browser.js';
import type { BundleSizes } from './bundle.js';

/** The target for the engine workload in Chromium. */
export const CHROMIUM_NODE_TARGET = 1.5;

export const chromiumNodeRatio = (c: BrowserComparison, mode: 'batch' | 'call') => c.nsPerOp[mode].chromium / c.nsPerOp[mode].node;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export function browserTable(c: BrowserComparison, sizes: BundleSizes): string {
  const row = (mode: 'batch' | 'call', name: string) => {
    const ratio = chromiumNodeRatio(c, mode);
    const rounds = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
    return `| ${name} | ${c.nsPerOp[mode].node.toFixed(1)} | ${c.nsPerOp[mode].chromium.toFixed(1)} | ${ratio.toFixed(2)}× | ${ratio <= CHROMIUM_NODE_TARGET ? 'met' : '**not met**'} | ${rounds(c.samples[mode].node)} / ${rounds(c.samples[mode].chromium)} |`;
  };
  return [
    `IPv4 churn on 10.0.0.0/8 kept 50% full (the workload above, self-timed with performance.now), in headless`,
    `${c.browser} and ${c.node} from the same run (both load dist/ and build/engine.wasm): ${c.rounds} alternating rounds each,`,
    `the fastest round shown, every round in the last column. Target: Chromium/Node ≤ ${CHROMIUM_NODE_TARGET}×. Run ${new Date().toISOString()}.`,
    '',
    '| engine | Node ns/op | Chromium ns/op | Chromium/Node | target | rounds, Node / Chromium ns/op |',
    '| --- | ---: | ---: | ---: | --- | --- |',
    row('batch', 'batch calls'),
    row('call', 'one call per op'),
    '',
    `A page that does \`import { IpamService } from 'wasm-ipam'\`, bundled by esbuild (minified): JS ${kb(sizes.jsMinified)}, ${kb(sizes.jsGzipped)} gzipped;`,
    `engine.wasm ${kb(sizes.wasm)}, ${kb(sizes.wasmGzipped)} gzipped.`,
    '',
  ].join('\n');
}
