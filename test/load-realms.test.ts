/**
 * Node: a compiled engine module made in another realm (a vm context here; an iframe in a
 * browser, test/browser/loader-page.test.ts) is taken as a module. `instanceof` is false for
 * it, and it used to be handed to WebAssembly.compile as bytes and refused.
 */
import { readFile } from 'node:fs/promises';
import vm from 'node:vm';
import { expect, it } from 'vitest';
import { DEFAULT_WASM_URL, Engine, formatCidr, IpamService } from '../src/index.js';

async function moduleOfAnotherRealm(): Promise<WebAssembly.Module> {
  const bytes = new Uint8Array(await readFile(DEFAULT_WASM_URL!));
  const foreign = (await vm.runInNewContext('WebAssembly.compile(bytes)', { bytes })) as WebAssembly.Module;
  expect(foreign instanceof WebAssembly.Module).toBe(false);
  return foreign;
}

it('Engine.load and IpamService.create take a module compiled in another realm', async () => {
  const space = (await Engine.load(await moduleOfAnotherRealm())).createSpace(6);
  space.addSource('2001:db8::/32');
  expect(formatCidr(space.allocate(48))).toBe('2001:db8::/48');
  const ipam = await IpamService.create({ wasm: await moduleOfAnotherRealm() });
  expect(ipam.createIpam({ RegionId: 'cn-hangzhou', OperatingRegionList: ['cn-hangzhou'] }).IpamId).toMatch(/^ipam-/);
});
