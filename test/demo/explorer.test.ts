// The pool explorer end to end: `npm run demo`'s server, the page in headless Chromium, driven
// with the keyboard and forms like a person would.
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../../src/demo/serve.js';
import { launchChromium } from '../report/chromium.js';
import { openExplorer } from './explorer-page.js';

let server: DemoServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  server = await startDemoServer(0);
  browser = await launchChromium();
  page = await openExplorer(browser, server.url, pageErrors, true);
}, 40_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Counts of each colour on the map canvas. */
const mapColours = () => page.evaluate(() => {
  const canvas = document.getElementById('map') as HTMLCanvasElement;
  const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  const counts: Record<string, number> = {};
  for (let i = 0; i < data.length; i += 4) {
    const key = `${data[i]},${data[i + 1]},${data[i + 2]}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
});
const status = () => page.locator('#status').textContent();

describe('the pool explorer', () => {
  it('serves only the page, the package files and the wasm', async () => {
    for (const [path, code] of [['/web/index.html', 200], ['/build/engine.wasm', 200], ['/package.json', 404], ['/src/demo/serve.ts', 404], ['/dist/../package.json', 404]] as const) {
      expect((await fetch(new URL(path, server.url))).status, path).toBe(code);
    }
    expect((await fetch(new URL('/build/engine.wasm', server.url))).headers.get('content-type')).toBe('application/wasm');
    // a malformed escape is a bad request, not a crash
    expect((await fetch(new URL('/web/%E0', server.url))).status).toBe(400);
    expect((await fetch(new URL('/web/index.html', server.url))).status).toBe(200);
  });

  it('creates an IPAM and a pool, provisions, allocates, and the map and figures follow', async () => {
    await page.getByRole('button', { name: 'Create IPAM' }).click();
    expect(await status()).toMatch(/^Created ipam-/);
    await page.getByLabel('Name').fill('corp');
    await page.getByLabel('Strategy', { exact: true }).selectOption('sparse');
    await page.getByRole('button', { name: 'Create pool' }).click();
    expect(await status()).toMatch(/^Created pool ipam-pool-/);
    await page.getByLabel(/Provision a CIDR/).fill('10.0.0.0/8');
    await page.getByRole('button', { name: 'Provision' }).click();
    expect(await status()).toBe('Provisioned 10.0.0.0/8');
    const empty = await mapColours();
    expect(Object.keys(empty)).toHaveLength(1); // all free
    expect(await page.locator('#figures').textContent()).toContain('16,777,216free addresses');

    expect(await page.getByLabel(/Strategy for a mask/).inputValue()).toBe('sparse'); // the pool's own
    // keyboard only: focus the field, type, press Enter
    await page.getByLabel(/CIDR block, or a mask/).fill('/10');
    await page.getByLabel(/CIDR block, or a mask/).press('Enter');
    expect(await status()).toMatch(/^Allocated 10\.0\.0\.0\/10 /);
    await page.getByLabel(/CIDR block, or a mask/).fill('/10');
    await page.getByLabel(/CIDR block, or a mask/).press('Enter');
    expect(await status()).toMatch(/^Allocated 10\.128\.0\.0\/10 /); // sparse: the other half
    const after = await mapColours();
    expect(Object.keys(after)).toHaveLength(2); // free and allocated
    expect(Object.values(after).sort((a, b) => a - b)).toEqual([8192, 8192]); // two quarters of 128 x 128 cells
    expect(await page.locator('#figures').textContent()).toContain('50.0 %utilisation');
    // two /10s left free: the table starts at /10 (2 fit), then four /11s, …
    const fits = await page.locator('#fits tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.children, (c) => c.textContent)));
    expect(fits.slice(0, 3)).toEqual([['/10', '2'], ['/11', '4'], ['/12', '8']]);
  });

  it('shows a refused call with its API code and changes nothing', async () => {
    const before = await page.locator('#alloc-count').textContent();
    await page.getByLabel(/CIDR block, or a mask/).fill('10.0.0.0/24');
    await page.getByRole('button', { name: 'Allocate in the selected pool' }).click();
    const alert = page.getByRole('alert');
    expect(await alert.textContent()).toMatch(/OperationDenied\.CidrUnavailableInPool \(HTTP 400\)/);
    expect(await page.locator('#alloc-count').textContent()).toBe(before);
  });

  it('allocates with another strategy chosen at the allocate form', async () => {
    await page.getByLabel(/Strategy for a mask/).selectOption('last-fit');
    await page.getByLabel(/CIDR block, or a mask/).fill('/24');
    await page.getByLabel(/CIDR block, or a mask/).press('Enter');
    expect(await status()).toMatch(/^Allocated 10\.255\.255\.0\/24 /);
    expect(await page.locator('#pool-select option:checked').textContent()).toMatch(/last-fit$/);
    await page.getByRole('button', { name: 'Release 10.255.255.0/24' }).click();
    expect(await status()).toMatch(/^Released /);
  });

  it('exports the state to a file and imports it back', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export state (JSON)' }).click()]);
    const file = await download.path();
    const exported = JSON.parse(await readFile(file, 'utf8')) as { format: string; pools: unknown[] };
    expect(exported.format).toBe('wasm-ipam/state');
    expect(exported.pools).toHaveLength(1);
    // change something, then import the file: the change is gone
    await page.getByLabel(/CIDR block, or a mask/).fill('/16');
    await page.getByLabel(/CIDR block, or a mask/).press('Enter');
    expect(await page.locator('#alloc-count').textContent()).toBe('(3)');
    await page.getByLabel('Import state from a file').setInputFiles(file);
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Imported'));
    expect(await page.locator('#alloc-count').textContent()).toBe('(2)');

    // IDs in an imported file are data, never markup
    const text = await readFile(file, 'utf8');
    const { pools } = JSON.parse(text) as { pools: { IpamPoolId: string }[] };
    const hostile = text.replaceAll(pools[0]!.IpamPoolId, 'p\\"><img src=x onerror=window.hacked=1>');
    await page.getByLabel('Import state from a file').setInputFiles({ name: 'hostile.json', mimeType: 'application/json', buffer: Buffer.from(hostile) });
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Imported'));
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate(() => (window as { hacked?: number }).hacked)).toBeUndefined();
    expect(await page.locator('#pool-select option').first().getAttribute('value')).toBe('p"><img src=x onerror=window.hacked=1>');
    await page.getByLabel('Import state from a file').setInputFiles(file); // back to the exported state
  });

  it('releases from the list, and runs a burst reporting operations per second', async () => {
    await page.getByRole('button', { name: 'Release 10.128.0.0/10' }).click();
    expect(await status()).toMatch(/^Released /);
    expect(await page.locator('#alloc-count').textContent()).toBe('(1)');
    await page.getByRole('button', { name: 'Run burst' }).click();
    await page.waitForFunction(() => /operations\/s/.test(document.getElementById('burst-result')!.textContent!), undefined, { timeout: 60_000 });
    expect(await page.locator('#burst-result').textContent()).toMatch(/^100,000 operations in [\d.]+ s: [\d,]+ operations\/s$/);
    expect(await page.locator('#alloc-count').textContent()).toBe('(1)'); // a burst leaves the pool as it found it
    expect(pageErrors, pageErrors.join("\n")).toEqual([]);
  }, 90_000);
});
