// The pool explorer (src/demo/explorer.ts, web/index.html) in headless Chromium: what the page
// shows must be the selected pool's (no legend, map label or count left from another), what the
// API accepts the page must let through (an empty optional name), a list cut at 200 rows says so,
// and the page fits a phone's width.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IpamService } from '../../src/index.js';
import { explorerPerTest } from './explorer-page.js';

const R = 'cn-hangzhou';
const explorer = explorerPerTest('wasm-ipam-explorer-display-', true);

const status = () => explorer.page.locator('#status').textContent();
const click = (name: string) => explorer.page.getByRole('button', { name }).click();
async function importDoc(name: string, doc: unknown): Promise<void> {
  const file = join(explorer.dir, name);
  await writeFile(file, JSON.stringify(doc));
  await explorer.page.locator('#import').setInputFiles(file);
  await explorer.page.waitForFunction(() => /^Import/.test(document.getElementById('status')!.textContent!), undefined, { timeout: 20_000 });
}

describe('the pool explorer shows the selected pool, and only it', () => {
  it('a pool without CIDRs does not keep the previous pool\'s legend and map label', async () => {
    await click('Create IPAM');
    await explorer.page.getByLabel('Name').fill('parent');
    await click('Create pool');
    const parentId = await explorer.page.locator('#pool-select').inputValue();
    await explorer.page.getByLabel(/Provision a CIDR/).fill('10.0.0.0/8');
    await click('Provision');
    await explorer.page.getByLabel('Name').fill('kid');
    await explorer.page.getByLabel('Parent pool').selectOption(parentId);
    await click('Create pool');
    await explorer.page.getByLabel(/Provision a CIDR/).fill('/16');
    await click('Provision');
    await explorer.page.locator('#pool-select').selectOption(parentId);
    expect(await explorer.page.locator('#legend').textContent()).toContain('kid');
    // a new top-level pool, selected, with no CIDR yet
    await explorer.page.getByLabel('Name').fill('empty');
    await explorer.page.getByLabel('Parent pool').selectOption('');
    await click('Create pool');
    expect(await explorer.page.locator('#pool-select option:checked').textContent()).toMatch(/^empty /);
    expect(await explorer.page.locator('#legend').textContent()).not.toContain('kid');
    expect(await explorer.page.locator('#map').getAttribute('aria-label')).not.toContain('10.0.0.0/8');
  });

  it('importing a state without pools clears the allocation count', async () => {
    await click('Create IPAM');
    await click('Create pool');
    await explorer.page.getByLabel(/Provision a CIDR/).fill('10.0.0.0/8');
    await click('Provision');
    await explorer.page.getByLabel(/CIDR block, or a mask/).fill('/24');
    await click('Allocate in the selected pool');
    expect(await explorer.page.locator('#alloc-count').textContent()).toBe('(1)');
    await importDoc('empty.json', (await IpamService.create()).exportState());
    expect(await status()).toBe('Imported empty.json');
    expect(await explorer.page.locator('#allocations tbody tr').count()).toBe(0);
    expect(await explorer.page.locator('#alloc-count').textContent()).toBe('');
    expect(await explorer.page.locator('#legend').textContent()).toBe('');
  });

  it('creates a pool with the (optional) Name field left empty', async () => {
    await click('Create IPAM');
    await explorer.page.getByLabel('Name').fill('');
    await click('Create pool');
    expect(await status()).toMatch(/^Created pool ipam-pool-/);
  });

  it('every allocation of a pool can be released from the list (or the list says it is cut)', async () => {
    const ipam = await IpamService.create();
    const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
    const { IpamPoolId } = ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId, IpVersion: 'IPv4' });
    ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId, Cidr: '10.0.0.0/16' });
    for (let i = 0; i < 250; i++) ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId, CidrMask: 24 });
    await importDoc('many-allocations.json', ipam.exportState());
    expect(await explorer.page.locator('#alloc-count').textContent()).toBe('(250)');
    const rows = await explorer.page.locator('#allocations tbody tr').count();
    const told = /\b(first|showing|of 250)\b/i.test((await explorer.page.locator('#allocations').textContent()) ?? '');
    expect(rows === 250 || told, `${rows} rows of 250, no word of the rest`).toBe(true);
  });

  it('fits a phone-width viewport without horizontal scrolling', async () => {
    await explorer.page.setViewportSize({ width: 375, height: 800 });
    expect(await explorer.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  });
});
