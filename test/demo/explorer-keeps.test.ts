/**
 * The explorer keeps and says what a planner expects across actions (from a review of the page):
 * a parent chosen for the next sub-pool stays chosen while other actions refresh the page (every
 * refresh reset it, and the next pool came out top-level), and the IP version shows the parent's,
 * locked (a sub-pool takes its parent's: another choice was ignored unsaid); the utilisation never reads 100 % with
 * addresses free or 0 % with some allocated (it was toFixed(2)); an imported state shows the IPAM
 * made last, as the page did when it exported (it showed the file's first); a burst in which no
 * allocation succeeds is a refusal with its code, not "Burst done" at some operations/s, and a
 * refused burst leaves no figure of the one before; releasing with the keyboard leaves focus in
 * the list (it fell to the page's body).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IpamService } from '../../src/index.js';
import { explorerPerTest } from './explorer-page.js';

const R = 'cn-hangzhou';
const explorer = explorerPerTest('wasm-ipam-explorer-keeps-');

describe('explorer: a burst in which no allocation succeeds', () => {
  it('is not reported as done with an operations-per-second figure', async () => {
    const page = explorer.page;
    await page.getByRole('button', { name: 'Create IPAM' }).click();
    await page.getByRole('button', { name: 'Create pool' }).click(); // no CIDR provisioned
    await page.getByRole('button', { name: 'Run burst' }).click();
    await page.waitForFunction(() => /^Burst/.test(document.getElementById('status')!.textContent!), undefined, { timeout: 30_000 });
    const text = (await page.locator('#status').textContent())!;
    expect(text).not.toMatch(/operations\/s/);
    expect(await page.locator('#status').getAttribute('class')).toBe('error');
  });

  it('a refused burst does not leave the previous burst\'s result on screen', async () => {
    const page = explorer.page;
    await page.getByRole('button', { name: 'Create IPAM' }).click();
    await page.getByRole('button', { name: 'Create pool' }).click();
    await page.getByRole('button', { name: 'Provision' }).click();
    await page.getByRole('button', { name: 'Run burst' }).click();
    await page.waitForFunction(() => /^Burst done/.test(document.getElementById('status')!.textContent!), undefined, { timeout: 30_000 });
    await page.getByLabel(/^Burst/).fill('/33');
    await page.getByRole('button', { name: 'Run burst' }).click();
    expect(await page.locator('#status').textContent()).toMatch(/^Burst refused — IllegalParam\.CidrMask/);
    expect(await page.locator('#burst-result').textContent()).not.toMatch(/operations\/s/);
  });
});

describe('explorer: export then import', () => {
  it('shows the region the page showed when it exported', async () => {
    const page = explorer.page;
    await page.getByRole('button', { name: 'Create IPAM' }).click(); // cn-hangzhou
    await page.getByLabel('Name').fill('hz-pool');
    await page.getByRole('button', { name: 'Create pool' }).click();
    await page.getByLabel('Region').selectOption('cn-shanghai');
    await page.getByRole('button', { name: 'Create IPAM' }).click(); // the page moves to cn-shanghai
    await page.getByLabel('Name').fill('sh-pool');
    await page.getByRole('button', { name: 'Create pool' }).click();
    const before = await page.locator('#pool-select option').allTextContents();
    expect(before).toEqual(['sh-pool · IPv4 · first-fit']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export state (JSON)' }).click()]);
    await page.locator('#import').setInputFiles((await download.path())!);
    await page.waitForFunction(() => /^Import/.test(document.getElementById('status')!.textContent!), undefined, { timeout: 20_000 });
    expect(await page.locator('#pool-select option').allTextContents()).toEqual(before);
  });
});

describe('explorer: the parent pool chosen for a sub-pool', () => {
  it('stays chosen when another action refreshes the page, so the pool is created under it', async () => {
    const page = explorer.page;
    await page.getByRole('button', { name: 'Create IPAM' }).click();
    await page.getByLabel('Name').fill('parent');
    await page.getByRole('button', { name: 'Create pool' }).click();
    await page.getByRole('button', { name: 'Provision' }).click(); // 10.0.0.0/8
    const parentId = await page.locator('#pool-select').inputValue();
    await page.getByLabel('Parent pool (for a sub-pool)').selectOption(parentId);
    // an unrelated call before creating the sub-pool
    await page.getByRole('button', { name: 'Allocate in the selected pool' }).click();
    expect(await page.locator('#status').textContent()).toMatch(/^Allocated /);
    expect(await page.locator('#pool-parent').inputValue()).toBe(parentId);
    await page.getByLabel('Name').fill('child');
    await page.getByRole('button', { name: 'Create pool' }).click();
    // a sub-pool takes a mask from its parent; a top-level pool refuses one
    await page.getByLabel(/Provision a CIDR/).fill('/16');
    await page.getByRole('button', { name: 'Provision' }).click();
    expect(await page.locator('#status').textContent()).toBe('Provisioned 10.1.0.0/16');
  });

  it('sets the IP version to the parent\'s and locks it, since a sub-pool takes its parent\'s (the choice was ignored unsaid)', async () => {
    const page = explorer.page;
    await page.getByRole('button', { name: 'Create IPAM' }).click();
    await page.getByRole('button', { name: 'Create pool' }).click(); // IPv4
    const parentId = await page.locator('#pool-select').inputValue();
    await page.getByLabel('IP version').selectOption('IPv6');
    await page.getByLabel('Parent pool (for a sub-pool)').selectOption(parentId);
    expect(await page.locator('#pool-version').inputValue()).toBe('IPv4');
    expect(await page.locator('#pool-version').isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Create pool' }).click(); // a refresh keeps both
    expect(await page.locator('#pool-version').isDisabled()).toBe(true);
    await page.getByLabel('Parent pool (for a sub-pool)').selectOption('');
    expect(await page.locator('#pool-version').isDisabled()).toBe(false);
  });
});

describe('explorer: Release with the keyboard', () => {
  it('leaves focus on a control in the list, not on the body', async () => {
    const page = explorer.page;
    await page.getByRole('button', { name: 'Create IPAM' }).click();
    await page.getByRole('button', { name: 'Create pool' }).click();
    await page.getByRole('button', { name: 'Provision' }).click();
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Allocate in the selected pool' }).click();
    await page.getByRole('button', { name: 'Release 10.0.1.0/24' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('#status').textContent()).toMatch(/^Released /);
    expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('BODY');
  });
});

async function showState(make: (ipam: IpamService, scope: string) => void): Promise<string[]> {
  const ipam = await IpamService.create();
  const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
  make(ipam, PrivateDefaultScopeId);
  const file = join(explorer.dir, 'state.json');
  await writeFile(file, JSON.stringify(ipam.exportState()));
  await explorer.page.locator('#import').setInputFiles(file);
  await explorer.page.waitForFunction(() => /^Import/.test(document.getElementById('status')!.textContent!), undefined, { timeout: 20_000 });
  return explorer.page.locator('#figures .figure b').allTextContents();
}

describe('explorer: the utilisation figure', () => {
  it('does not read 100.00 % while addresses are free', async () => {
    const [utilisation, free] = await showState((ipam, IpamScopeId) => {
      const { IpamPoolId } = ipam.createIpamPool({ RegionId: R, IpamScopeId, IpVersion: 'IPv4' });
      ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId, Cidr: '10.0.0.0/8' });
      // every mask from /9 to /23 once: all but one /23 (512 addresses) of the /8
      for (let mask = 9; mask <= 23; mask++) ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId, CidrMask: mask });
    });
    expect(free).toBe('512');
    expect(utilisation).toBe('99.9 %'); // was 100.00 %
  });

  it('does not read 0.00 % while addresses are allocated', async () => {
    const [utilisation] = await showState((ipam, IpamScopeId) => {
      const { IpamPoolId } = ipam.createIpamPool({ RegionId: R, IpamScopeId, IpVersion: 'IPv6' });
      ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId, Cidr: '2001:db8::/32' });
      ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId, CidrMask: 64 });
    });
    expect(utilisation).toBe('< 0.1 %');
  });
});
