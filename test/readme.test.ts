import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Engine, formatCidr } from '../src/index.js';

it('the README usage example gives the results its comments state', async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const claim of ["'10.0.0.0/24'", "'10.255.240.0/20'", 'freeAddresses: 16707584n, largestFreePrefix: 10, blocksThatFit: 65264n', 'pool.holdsFreeAddresses(9);                    // true', "['10.1.0.0/16', '10.255.240.0/20']"]) {
    expect(readme).toContain(claim);
  }
  const engine = await Engine.load();
  const pool = engine.createSpace(4);
  pool.addSource('10.0.0.0/8');
  expect(formatCidr(pool.allocate(24))).toBe('10.0.0.0/24');
  expect(formatCidr(pool.allocate(20, 'last-fit'))).toBe('10.255.240.0/20');
  pool.reserve('10.1.0.0/16');
  pool.release('10.0.0.0/24');
  expect(formatCidr(pool.preview(24)!)).toBe('10.0.0.0/24');
  expect(pool.overlapsAllocation('10.1.2.0/24')).toBe(true);
  expect(pool.capacity(24)).toMatchObject({ freeAddresses: 16707584n, largestFreePrefix: 10, blocksThatFit: 65264n });
  expect(pool.holdsFreeAddresses(9)).toBe(true);
  expect(pool.holdsFreeAddresses(8)).toBe(false);
  expect(pool.allocations().map(formatCidr)).toEqual(['10.1.0.0/16', '10.255.240.0/20']);
});

it('the README\'s GetIpamPoolUtilization paragraph names every field of the answer (it left IpVersion out)', async () => {
  const { IpamService } = await import('../src/index.js');
  const ipam = await IpamService.create();
  const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: 'cn-hangzhou', OperatingRegionList: ['cn-hangzhou'] });
  const { IpamPoolId } = ipam.createIpamPool({ RegionId: 'cn-hangzhou', IpamScopeId: PrivateDefaultScopeId });
  ipam.addIpamPoolCidr({ RegionId: 'cn-hangzhou', IpamPoolId, Cidr: '10.0.0.0/24' });
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('- **`GetIpamPoolUtilization`**');
  const paragraph = readme.slice(start, readme.indexOf('\n\n', start));
  const answer = ipam.getIpamPoolUtilization({ RegionId: 'cn-hangzhou', IpamPoolId });
  expect(Object.keys(answer).filter((field) => field !== 'RequestId' && !paragraph.includes(`\`${field}\``))).toEqual([]);
});
