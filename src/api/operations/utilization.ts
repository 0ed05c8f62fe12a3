import { query } from '../operation.js';
import { REGION, REQUIRED_ID } from '../params.js';

/**
 * Extension (not in the cloud's API): how full a pool is, exact, from the engine's free-block
 * histogram — O(address width), so it is cheap enough to call after every operation.
 * Counts are decimal strings because IPv6 counts exceed 2^53.
 */
export const getIpamPoolUtilization = query('GetIpamPoolUtilization', 'GET', {
  RegionId: REGION,
  IpamPoolId: REQUIRED_ID,
}, (ctx, p) => {
  const pool = ctx.pool(p.IpamPoolId, p.RegionId, 'pool');
  const u = pool.space.utilization();
  const minMask = pool.AllocationMinCidrMask ?? 0;
  const maxMask = pool.AllocationMaxCidrMask;
  // the largest block the pool's mask rule lets a CidrMask request take
  const largest = u.largestFreePrefix === undefined || u.largestFreePrefix > maxMask ? undefined : Math.max(u.largestFreePrefix, minMask);
  const allocatable: { CidrMask: number; Count: string }[] = [];
  for (let mask = minMask; mask <= maxMask; mask++) allocatable.push({ CidrMask: mask, Count: u.blocksThatFit[mask]!.toString() });
  return {
    IpamPoolId: pool.IpamPoolId,
    IpVersion: pool.IpVersion,
    TotalAddresses: u.totalAddresses.toString(),
    AllocatedAddresses: u.allocatedAddresses.toString(),
    FreeAddresses: u.freeAddresses.toString(),
    UtilizationPercent: u.utilizationPercent,
    ...(largest === undefined ? {} : { LargestAllocatableCidrMask: largest }),
    FragmentationIndex: u.fragmentationIndex,
    AllocatableCidrCounts: allocatable,
    FreeBlocks: u.freeBlocks.map((b) => ({ CidrMask: b.prefixLength, Count: b.count })),
  };
});
