/**
 * The IPv4 churn workload in headless Chromium (Debian's /usr/bin/chromium through Playwright)
 * and in Node, in the same run, alternating rounds so both see the same machine load. Both
 * run the built package (dist/ + build/engine.wasm); the page imports it through an import map
 * from a local static server, the workload code is bundled for it with esbuild.
 */
import { build } from 'esbuild';
import { chromium } from 'playwright';
import { startStaticServer } from '../test/support/static-server.js';
import { measureIpv4Churn, type ChurnMode } from './ipv4-churn.js';

const ROOT = new URL('../', import.meta.url);

export interface BrowserComparison {
  browser: string;
  node: string;
  rounds: number;
  /** ns/op of every round, per mode and environment. */
  samples: Record<ChurnMode, { chromium: number[]; node: number[] }>;
  /**
   * The fastest round per mode and environment: on a shared machine the other load only ever
   * adds time, so the best round is the closest to the code's own cost.
   */
  nsPerOp: Record<ChurnMode, { chromium: number; node: number }>;
}

const PAGE = `<!doctype html>
<script type="importmap">{ "imports": { "wasm-ipam": "/dist/index.js" } }</script>
<script type="module" src="/bench/browser-page.js"></script>
`;

async function pageScript(): Promise<string> {
  const result = await build({
    entryPoints: [new URL('./browser-page.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    external: ['wasm-ipam'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export async function compareChromiumWithNode({ rounds = 5, durationMs = 1000 } = {}): Promise<BrowserComparison> {
  const { Engine } = await import('wasm-ipam');
  type SrcEngine = Parameters<typeof measureIpv4Churn>[0];
  const nodeChurn = async (mode: ChurnMode) => measureIpv4Churn((await Engine.load()) as unknown as SrcEngine, mode, durationMs);

  const server = await startStaticServer(ROOT, {
    'bench/browser.html': { type: 'text/html; charset=utf-8', body: PAGE },
    'bench/browser-page.js': { type: 'text/javascript', body: await pageScript() },
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    headless: true,
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}bench/browser.html`);
    await page.waitForFunction(() => 'measureIpv4Churn' in globalThis, undefined, { timeout: 10_000 }).catch(() => {
      throw new Error(`the benchmark page did not start: ${errors.join('; ') || 'no error reported'}`);
    });
    const chromiumChurn = (mode: ChurnMode) =>
      page.evaluate(([m, ms]) => (globalThis as unknown as { measureIpv4Churn(m: string, ms: number): Promise<number> }).measureIpv4Churn(m, ms), [mode, durationMs] as const);

    const samples: Record<ChurnMode, { chromium: number[]; node: number[] }> = { batch: { chromium: [], node: [] }, call: { chromium: [], node: [] } };
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['batch', 'call'] as const) {
        // alternate which goes first, so neither always runs on the warmer/cooler machine
        const order = round % 2 === 0 ? (['node', 'chromium'] as const) : (['chromium', 'node'] as const);
        for (const where of order) samples[mode][where].push(where === 'node' ? await nodeChurn(mode) : await chromiumChurn(mode));
      }
    }
    const best = (mode: ChurnMode) => ({ chromium: Math.min(...samples[mode].chromium), node: Math.min(...samples[mode].node) });
    return { browser: `Chromium ${browser.version()}`, node: `Node ${process.version}`, rounds, samples, nsPerOp: { batch: best('batch'), call: best('call') } };
  } finally {
    await browser.close();
    await server.close();
  }
}
