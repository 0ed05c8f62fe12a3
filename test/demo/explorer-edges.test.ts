// The pool explorer at its edges, each case once broken: more pools than a page of the list, an
// imported file without an IPAM, a burst refused for another reason than a full pool, IPv6
// figures and maps. Driven in headless Chromium like explorer.test.ts, a fresh page per case.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IpamService } from '../../src/index.js';
import { explorerPerTest } from './explorer-page.js';

const R = 'cn-hangzhou';
const explorer = explorerPerTest('wasm-ipam-explorer-edges-');

const status = () => explorer.page.locator('#status').textContent();
async function stateFile(name: string, doc: unknown): Promise<string> {
  const file = join(explorer.dir, name);
  await writeFile(file, JSON.stringify(doc));
  return file;
}
async function importFile(file: string): Promise<void> {
  await explorer.page.locator('#import').setInputFiles(file);
  await explorer.page.waitForFunction(() => /^Import/.test(document.getElementById('status')!.textContent!), undefined, { timeout: 20_000 });
}

/** An IPAM and an IPv6 pool with `cidr` provisioned, made through the forms. */
async function ipv6Pool(cidr: string): Promise<void> {
  await explorer.page.getByRole('button', { name: 'Create IPAM' }).click();
  await explorer.page.getByLabel('IP version').selectOption('IPv6');
  await explorer.page.getByRole('button', { name: 'Create pool' }).click();
  await explorer.page.getByLabel(/Provision a CIDR/).fill(cidr);
  await explorer.page.getByRole('button', { name: 'Provision' }).click();
  expect(await status()).toBe(`Provisioned ${cidr}`);
}

describe('the pool explorer at its edges', () => {
  it('lists every pool of a state with more than 100 (one page of the list was all it showed)', async () => {
    const ipam = await IpamService.create();
    const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
    for (let i = 0; i < 150; i++) ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId, IpVersion: 'IPv4', IpamPoolName: `pool-${i}` });
    await importFile(await stateFile('many.json', ipam.exportState()));
    expect(await status()).toBe('Imported many.json');
    const names = await explorer.page.locator('#pool-select option').allTextContents();
    expect(names).toHaveLength(150);
    expect(names.some((n) => n.startsWith('pool-149 '))).toBe(true);
  });

  it('importing a state with no IPAM clears the previous pools from the page', async () => {
    await explorer.page.getByRole('button', { name: 'Create IPAM' }).click();
    await explorer.page.getByRole('button', { name: 'Create pool' }).click();
    expect(await explorer.page.locator('#pool-select option').count()).toBe(1);
    const empty = (await IpamService.create()).exportState();
    await importFile(await stateFile('empty.json', empty));
    expect(await status()).toBe('Imported empty.json');
    // the old service's pool stayed listed, and acting on it said it did not exist
    expect(await explorer.page.locator('#pool-select option').count()).toBe(0);
  });

  it('a burst whose every allocation is refused for a reason other than a full pool shows that refusal', async () => {
    // no IPAM, no pool selected: each CreateIpamPoolAllocation is IllegalParam.IpamPoolId
    await explorer.page.getByRole('button', { name: 'Run burst' }).click();
    const text = await status();
    expect(await explorer.page.locator('#status').getAttribute('class')).toBe('error');
    expect(text).not.toContain('pool full');
    expect(text).toContain('IllegalParam.IpamPoolId');
  });

  it('the figures of an IPv6 pool stay inside their boxes (free addresses of a /8)', async () => {
    await ipv6Pool('fd00::/8');
    for (const width of [1300, 800]) {
      await explorer.page.setViewportSize({ width, height: 1000 });
      const overflowing = await explorer.page.evaluate(() => Array.from(document.querySelectorAll<HTMLElement>('.figure b'))
        .filter((b) => b.scrollWidth > b.clientWidth + 1).map((b) => `${b.textContent}: ${b.scrollWidth}px in ${b.clientWidth}px`));
      expect(overflowing, `at ${width} px`).toEqual([]);
    }
  });

  it('an IPv6 /56 pool gets the full 128 × 128 map, like an IPv4 one', async () => {
    await ipv6Pool('2001:db8:0:100::/56');
    expect(await explorer.page.locator('#map').evaluate((c: HTMLCanvasElement) => c.width)).toBe(128);
  });
});
