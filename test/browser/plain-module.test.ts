/**
 * Chromium only: the built package imported straight from a plain static server, as a
 * `<script type="module">` page would (no bundler, no Vite transform): dist/index.js and its
 * relative imports, then the wasm from build/engine.wasm next to it by streaming compile.
 */
import { expect, inject, it } from 'vitest';
import type * as WasmIpam from '../../src/index.js';

it('imports dist/index.js unbundled and loads the wasm next to it', async () => {
  const entry = new URL('dist/index.js', inject('repositoryUrl')).href;
  const { IpamService, DEFAULT_WASM_URL } = (await import(/* @vite-ignore */ entry)) as typeof WasmIpam;
  expect(DEFAULT_WASM_URL!.href).toBe(new URL('build/engine.wasm', inject('repositoryUrl')).href);
  const ipam = await IpamService.create();
  const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: 'cn-hangzhou', OperatingRegionList: ['cn-hangzhou'] });
  const { IpamPoolId } = ipam.createIpamPool({ RegionId: 'cn-hangzhou', IpamScopeId: PrivateDefaultScopeId, PoolRegionId: 'cn-hangzhou' });
  ipam.addIpamPoolCidr({ RegionId: 'cn-hangzhou', IpamPoolId, Cidr: '10.0.0.0/8' });
  expect(ipam.createIpamPoolAllocation({ RegionId: 'cn-hangzhou', IpamPoolId, CidrMask: 24 }).Cidr).toBe('10.0.0.0/24');
  // the wasm came over HTTP from the static server, as application/wasm
  const wasmLoads = performance.getEntriesByType('resource').filter((entry) => entry.name === DEFAULT_WASM_URL!.href);
  expect(wasmLoads.length).toBeGreaterThan(0);
});
