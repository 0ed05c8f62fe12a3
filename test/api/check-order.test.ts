/**
 * AddIpamPoolCidr on a sub-pool checks its block as an allocation by Cidr does (requestedBlock):
 * the parent's mask rule, then the excluded ranges, then room in the parent (mutation review:
 * the mask rule moved after the excluded ranges survived the suite).
 */
import { it } from 'vitest';
import { fixture, R, refuses } from './fixture.js';

it('a sub-pool CIDR that breaks the parent\'s mask rule and lies in an excluded range answers the mask rule, as an allocation does', async () => {
  const f = await fixture(); // pool: 10.0.0.0/8, masks /8–/28; child: its sub-pool
  refuses(f.ipam, () => f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, Cidr: '127.0.0.0/30' }), 'OperationDenied.MaskOfCidrIsNotAllowed');
  refuses(f.ipam, () => f.ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: f.child, Cidr: '127.0.0.0/30' }), 'OperationDenied.MaskOfCidrIsNotAllowed');
  // within the rule, the excluded range answers before the parent's room
  refuses(f.ipam, () => f.ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: f.child, Cidr: '127.0.0.0/24' }), 'OperationDenied.CidrInExcludeCidrs');
});
