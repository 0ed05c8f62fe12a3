/**
 * Pages of records named by ID (pageOf), from a mutation review: they must page as a filtered
 * Collection page does — no NextToken when the page holds the last match, and TotalCount all the
 * matches on every page, not those left after the token.
 */
import { describe, expect, it } from 'vitest';
import { newService, R } from './fixture.js';

async function fivePools() {
  const ipam = await newService();
  const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
  const pools = Array.from({ length: 5 }, () => ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId }).IpamPoolId);
  return { ipam, pools };
}

describe('a page of pools named by IpamPoolIds', () => {
  it('gives no NextToken when the page holds exactly the matches left, as the unnamed filter does', async () => {
    const { ipam, pools } = await fivePools();
    const named = ipam.listIpamPools({ RegionId: R, IpamPoolIds: [pools[1]!, pools[3]!], MaxResults: 2 });
    expect(named.IpamPools.map((p) => p.IpamPoolId)).toEqual([pools[1], pools[3]]);
    expect(named.NextToken).toBeUndefined();
    // the same by another filter (a scan): the two paths agree
    const scanned = ipam.listIpamPools({ RegionId: R, MaxResults: 5 });
    expect(scanned.NextToken).toBeUndefined();
  });

  it('keeps TotalCount every match on a later page', async () => {
    const { ipam, pools } = await fivePools();
    const request = { RegionId: R, IpamPoolIds: [pools[4]!, pools[0]!, pools[2]!], MaxResults: 1 };
    const first = ipam.listIpamPools(request);
    expect([first.TotalCount, first.Count]).toEqual([3, 1]);
    const second = ipam.listIpamPools({ ...request, NextToken: first.NextToken! });
    expect(second.IpamPools.map((p) => p.IpamPoolId)).toEqual([pools[2]]);
    expect(second.TotalCount).toBe(3);
    const third = ipam.listIpamPools({ ...request, NextToken: second.NextToken! });
    expect([third.IpamPools.map((p) => p.IpamPoolId), third.TotalCount, third.NextToken]).toEqual([[pools[4]], 3, undefined]);
  });
});
