/**
 * Review mutants of today's API changes that no test killed: a NextToken of pool A's CIDR list
 * sent for pool B's, a NextToken of one plain list (ListIpams) sent to another (ListIpamScopes),
 * and UpdateIpam's check of its own RegionId before its region lists.
 */
import { describe, expect, it } from 'vitest';
import { fixture, R, refuses } from './fixture.js';

describe('a NextToken names its list', () => {
  it("ListIpamPoolCidrs refuses pool A's token for pool B (was: a page of B from A's place)", async () => {
    const f = await fixture();
    const { ipam } = f;
    ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '172.16.0.0/16' });
    ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '172.17.0.0/16' });
    const a = ipam.listIpamPoolCidrs({ RegionId: R, IpamPoolId: f.plainPool, MaxResults: 1 });
    expect(a.NextToken).toBeDefined();
    refuses(ipam, () => ipam.listIpamPoolCidrs({ RegionId: R, IpamPoolId: f.pool6, NextToken: a.NextToken! }), 'IllegalParam.NextToken');
    // and its own list takes it
    expect(ipam.listIpamPoolCidrs({ RegionId: R, IpamPoolId: f.plainPool, NextToken: a.NextToken!, MaxResults: 1 }).Count).toBe(1);
  });

  it("ListIpams and ListIpamPools refuse ListIpamScopes' token", async () => {
    const f = await fixture();
    const { ipam } = f;
    const scopes = ipam.listIpamScopes({ RegionId: R, MaxResults: 1 });
    expect(scopes.NextToken).toBeDefined();
    refuses(ipam, () => ipam.listIpams({ RegionId: R, NextToken: scopes.NextToken! }), 'IllegalParam.NextToken');
    refuses(ipam, () => ipam.listIpamPools({ RegionId: R, NextToken: scopes.NextToken! }), 'IllegalParam.NextToken');
    expect(ipam.listIpamScopes({ RegionId: R, MaxResults: 1, NextToken: scopes.NextToken! }).Count).toBe(1);
  });
});

describe('UpdateIpam: the request\'s own parameters first', () => {
  it('an unknown RegionId is named before a repeated AddOperatingRegion', async () => {
    const f = await fixture();
    refuses(f.ipam, () => f.ipam.updateIpam({ RegionId: 'cn-nowhere', IpamId: f.IpamId, AddOperatingRegion: [R, R] }), 'InvalidRegionId.NotFound', 404);
  });
});
