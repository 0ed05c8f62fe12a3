// FragmentationIndex where the free space is a huge block and a tiny one (IPv6): the share outside
// the largest block is far below 2^-53 and must not round to 0.
import { describe, expect, it } from 'vitest';
import { newService, R } from './fixture.js';

describe('FragmentationIndex', () => {
  it('is above 0 when an IPv6 pool\'s free space is two blocks (a /32 and a /128)', async () => {
    const ipam = await newService();
    const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
    const { IpamPoolId } = ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId, IpVersion: 'IPv6' });
    ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId, Cidr: '2001:db8::/32' });
    ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId, Cidr: '2001:db9::/128' });
    const u = ipam.getIpamPoolUtilization({ RegionId: R, IpamPoolId });
    // the free space is not one block: two maximal free blocks
    expect(u.FreeBlocks).toEqual([{ CidrMask: 32, Count: 1 }, { CidrMask: 128, Count: 1 }]);
    expect(u.FreeAddresses).toBe(((1n << 96n) + 1n).toString());
    // README: FragmentationIndex = (free − largest free block) ÷ free = 1/(2^96 + 1) ≈ 1.26e-29,
    // representable as a double; 0 is documented only for one block (or none)
    const expected = 1 / (2 ** 96 + 1);
    expect(u.FragmentationIndex).toBeGreaterThan(0);
    expect(u.FragmentationIndex / expected).toBeCloseTo(1, 12);
  });

  it('is above 0 in a single-CIDR IPv6 pool with one stray free /128 next to a free /33', async () => {
    const ipam = await newService();
    const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
    const { IpamPoolId } = ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId, IpVersion: 'IPv6' });
    ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId, Cidr: '2001:db8::/32' });
    // fill the lower /33 except its last /128
    for (let mask = 34; mask <= 128; mask++) ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId, CidrMask: mask });
    const u = ipam.getIpamPoolUtilization({ RegionId: R, IpamPoolId });
    expect(u.FreeBlocks).toEqual([{ CidrMask: 33, Count: 1 }, { CidrMask: 128, Count: 1 }]);
    const expected = 1 / (2 ** 95 + 1);
    expect(u.FragmentationIndex).toBeGreaterThan(0);
    expect(u.FragmentationIndex / expected).toBeCloseTo(1, 12);
  });
});
