import { describe, expect, it, vi } from 'vitest';
import { cidrContains, formatCidr, parseCidr } from '../../src/cidr/index.js';
import { IpamApiError, IpamService, OPERATIONS, type Action } from '../../src/index.js';
import { CLIENT_TOKEN_TTL_MS, ClientTokenStore } from '../../src/api/token-store.js';
import { digest, fixture, newService, OTHER, R, refuses, type Fixture } from './fixture.js';

describe('the README flow', () => {
  it('creates an IPAM, a pool, provisions a CIDR and allocates by mask', async () => {
    const ipam = await IpamService.create();
    const { IpamId, PrivateDefaultScopeId } = ipam.call('CreateIpam', { RegionId: 'cn-hangzhou', OperatingRegionList: ['cn-hangzhou'] });
    expect(IpamId).toMatch(/^ipam-[a-z0-9]{20}$/);
    const { IpamPoolId } = ipam.createIpamPool({ RegionId: 'cn-hangzhou', IpamScopeId: PrivateDefaultScopeId, PoolRegionId: 'cn-hangzhou', IpVersion: 'IPv4' });
    ipam.addIpamPoolCidr({ RegionId: 'cn-hangzhou', IpamPoolId, Cidr: '10.0.0.0/8' });
    const a = ipam.createIpamPoolAllocation({ RegionId: 'cn-hangzhou', IpamPoolId, CidrMask: 24 });
    expect(a).toMatchObject({ Cidr: '10.0.0.0/24', SourceCidr: '10.0.0.0/8' });
    expect(a.IpamPoolAllocationId).toMatch(/^ipam-pool-alloc-/);
    expect(a.RequestId).toMatch(/^[0-9A-F-]{36}$/);
  });

  it('repeats IDs, RequestIds and times with a seed and a clock', async () => {
    const run = async () => {
      const ipam = await newService(42);
      return [ipam.createIpam({ RegionId: R, OperatingRegionList: [R] }), ipam.listIpams({ RegionId: R })];
    };
    expect(await run()).toEqual(await run());
  });

  it('leaves the stack traces out of refusals when errorStacks is false, and puts the global limit back', async () => {
    const refusal = (ipam: IpamService) => {
      try {
        ipam.call('GetIpamPoolAllocation', { RegionId: R, IpamPoolAllocationId: 'ipam-pool-alloc-none' });
      } catch (error) {
        return error as IpamApiError;
      }
      throw new Error('expected a refusal');
    };
    const limit = Error.stackTraceLimit;
    const plain = refusal(await IpamService.create({ errorStacks: false }));
    expect(plain).toBeInstanceOf(IpamApiError);
    expect(plain).toBeInstanceOf(Error);
    expect(plain).toMatchObject({ code: 'ResourceNotFound.IpamPoolAllocation', httpStatus: 400, requestId: expect.stringMatching(/^[0-9A-F-]{36}$/) });
    expect(plain.stack).not.toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(limit);
    expect(refusal(await IpamService.create()).stack).toMatch(/\n\s+at /);
  });

  it('refuses a seed it would cut to 32 bits, and a host region no request could name', async () => {
    // 1 and 2^32 + 1 used to give the same IDs; NaN, 1.5 and -1 were taken as other seeds; a
    // hostRegion outside the regions was taken, and named only in error HostIds
    for (const seed of [2 ** 32 + 1, Number.NaN, 1.5, -1]) {
      await expect(IpamService.create({ seed }), String(seed)).rejects.toThrow(/seed must be an integer from 0 to 4294967295/);
    }
    await expect(IpamService.create({ hostRegion: 'mars-1' })).rejects.toThrow(/hostRegion "mars-1" is not one of the service's regions/);
    await expect(IpamService.create({ hostRegion: 'mars-1', regions: ['mars-1'] })).resolves.toBeInstanceOf(IpamService);
    await expect(IpamService.create({ seed: 2 ** 32 - 1, hostRegion: 'eu-west-1' })).resolves.toBeInstanceOf(IpamService);
    // without one, cn-hangzhou, or the first of the regions when they leave it out (it stayed cn-hangzhou)
    expect((await IpamService.create({ regions: ['cn-beijing', 'cn-shanghai'] })).hostRegion).toBe('cn-beijing');
    expect((await IpamService.create({ regions: ['cn-beijing', 'cn-hangzhou'] })).hostRegion).toBe('cn-hangzhou');
    await expect(IpamService.create({ regions: [] })).rejects.toThrow(/regions must name one region at least/);
  });

  it('offers a camelCase method for every action in the table', async () => {
    const ipam = await newService();
    for (const op of OPERATIONS) {
      const name = op.action[0]!.toLowerCase() + op.action.slice(1);
      expect(typeof (ipam as unknown as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(OPERATIONS.map((o) => o.action).sort()).toEqual([
      'AddIpamPoolCidr', 'CreateIpam', 'CreateIpamPool', 'CreateIpamPoolAllocation', 'CreateIpamScope', 'DeleteIpam', 'DeleteIpamPool',
      'DeleteIpamPoolAllocation', 'DeleteIpamPoolCidr', 'DeleteIpamScope', 'GetIpamPoolAllocation', 'GetIpamPoolNextAvailableCidr', 'GetIpamPoolUtilization',
      'ListIpamPoolAllocations', 'ListIpamPoolCidrs', 'ListIpamPools', 'ListIpamScopes', 'ListIpams', 'UpdateIpam', 'UpdateIpamPool',
      'UpdateIpamPoolAllocation', 'UpdateIpamScope',
    ]);
    expect(OPERATIONS.filter((o) => o.method === 'GET').map((o) => o.action).sort()).toEqual(['GetIpamPoolAllocation', 'GetIpamPoolNextAvailableCidr', 'GetIpamPoolUtilization']);
  });
});

describe('successful operations', () => {
  it('IPAMs: create with default scopes, update operating regions and names, list, delete', async () => {
    const f = await fixture();
    const { ipam } = f;
    const listed = ipam.listIpams({ RegionId: R });
    expect(listed).toMatchObject({ Count: 1, TotalCount: 1, MaxResults: 10 });
    expect(listed.Ipams[0]).toMatchObject({ IpamId: f.IpamId, OperatingRegionList: [R, OTHER], ScopeCount: 2, IpamStatus: 'Created', CreateTime: '2026-11-26T00:00:00Z' });
    ipam.updateIpam({ RegionId: R, IpamId: f.IpamId, AddOperatingRegion: ['cn-shanghai'], RemoveOperatingRegion: [OTHER], IpamName: 'corp 网络' });
    expect(ipam.listIpams({ RegionId: R }).Ipams[0]).toMatchObject({ OperatingRegionList: [R, 'cn-shanghai'], IpamName: 'corp 网络' });
    expect(ipam.listIpams({ RegionId: OTHER }).Ipams).toEqual([]);
    const other = await newService();
    const { IpamId } = other.createIpam({ RegionId: OTHER, OperatingRegionList: [OTHER] });
    expect(other.deleteIpam({ RegionId: OTHER, IpamId })).toEqual({ RequestId: expect.any(String) });
    expect(other.listIpams({ RegionId: OTHER }).TotalCount).toBe(0);
    expect(other.listIpamScopes({ RegionId: OTHER }).TotalCount).toBe(0);
  });

  it('scopes: create a private scope, list with filters, delete it', async () => {
    const { ipam, IpamId } = await fixture();
    const { IpamScopeId } = ipam.createIpamScope({ RegionId: R, IpamId, IpamScopeName: 'lab', IpamScopeDescription: 'Lab networks' });
    const all = ipam.listIpamScopes({ RegionId: R, IpamId });
    expect(all.TotalCount).toBe(3);
    expect(ipam.listIpamScopes({ RegionId: R, IpamScopeName: 'lab' }).IpamScopes).toEqual([
      expect.objectContaining({ IpamScopeId, IpamScopeType: 'private', IsDefault: false, PoolCount: 0, IpamScopeDescription: 'Lab networks' }),
    ]);
    expect(ipam.listIpamScopes({ RegionId: R, IpamScopeType: 'public' }).Count).toBe(1);
    ipam.updateIpamScope({ RegionId: R, IpamScopeId, IpamScopeName: 'prod', IpamScopeDescription: 'Production' });
    expect(ipam.listIpamScopes({ RegionId: R, IpamScopeIds: [IpamScopeId] }).IpamScopes[0]).toMatchObject({ IpamScopeName: 'prod', IpamScopeDescription: 'Production' });
    ipam.updateIpamScope({ RegionId: R, IpamScopeId, IpamScopeName: 'staging' }); // the description stays
    expect(ipam.listIpamScopes({ RegionId: R, IpamScopeIds: [IpamScopeId] }).IpamScopes[0]).toMatchObject({ IpamScopeName: 'staging', IpamScopeDescription: 'Production' });
    ipam.deleteIpamScope({ RegionId: R, IpamScopeId });
    expect(ipam.listIpamScopes({ RegionId: R }).TotalCount).toBe(2);
  });

  it('pools: sub-pools inherit region, report depth and CIDRs; update masks; delete', async () => {
    const f = await fixture();
    const { ipam } = f;
    ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: f.child, NetmaskLength: 16 });
    const items = ipam.listIpamPools({ RegionId: R, MaxResults: 100 }).IpamPools;
    expect(items.find((p) => p.IpamPoolId === f.pool)).toMatchObject({ PoolDepth: 1, HasSubPool: true, Cidrs: ['10.0.0.0/8'], PoolRegionId: R, IpamScopeType: 'private', IpamRegionId: R });
    expect(items.find((p) => p.IpamPoolId === f.child)).toMatchObject({ PoolDepth: 2, HasSubPool: false, SourceIpamPoolId: f.pool, PoolRegionId: R, Cidrs: ['10.0.0.0/16'], IpVersion: 'IPv4' });
    expect(ipam.listIpamPools({ RegionId: R, SourceIpamPoolId: f.pool }).IpamPools.map((p) => p.IpamPoolId)).toEqual([f.child]);
    expect(ipam.listIpamPools({ RegionId: R, PoolRegionId: 'cn-hangzhou_fake' }).IpamPools).toEqual([]);
    ipam.updateIpamPool({ RegionId: R, IpamPoolId: f.plainPool, AllocationMinCidrMask: 20, AllocationMaxCidrMask: 26, AllocationDefaultCidrMask: 24, IpamPoolName: 'plain' });
    expect(ipam.listIpamPools({ RegionId: R, IpamPoolIds: [f.plainPool] }).IpamPools[0]).toMatchObject({ AllocationMinCidrMask: 20, AllocationMaxCidrMask: 26, AllocationDefaultCidrMask: 24, IpamPoolName: 'plain' });
    ipam.updateIpamPool({ RegionId: R, IpamPoolId: f.plainPool, ClearAllocationDefaultCidrMask: true });
    expect(ipam.listIpamPools({ RegionId: R, IpamPoolIds: [f.plainPool] }).IpamPools[0]!.AllocationDefaultCidrMask).toBeUndefined();
    ipam.deleteIpamPoolCidr({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '192.168.0.0/16' });
    ipam.deleteIpamPool({ RegionId: R, IpamPoolId: f.plainPool });
    expect(ipam.listIpamPools({ RegionId: R, IpamPoolIds: [f.plainPool] }).IpamPools).toEqual([]);
  });

  it("a sub-pool's CIDR is an IpamPool allocation of its parent, freed with the CIDR", async () => {
    const f = await fixture();
    const { ipam } = f;
    ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: f.child, Cidr: '10.8.0.0/16' });
    const parentAllocations = ipam.listIpamPoolAllocations({ RegionId: R, IpamPoolId: f.pool }).IpamPoolAllocations;
    expect(parentAllocations).toEqual([expect.objectContaining({ Cidr: '10.8.0.0/16', ResourceType: 'IpamPool', ResourceId: f.child, SourceCidr: '10.0.0.0/8' })]);
    const childAlloc = ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.child, CidrMask: 24 });
    expect(childAlloc).toMatchObject({ Cidr: '10.8.0.0/24', SourceCidr: '10.8.0.0/16' });
    ipam.deleteIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: childAlloc.IpamPoolAllocationId });
    ipam.deleteIpamPoolCidr({ RegionId: R, IpamPoolId: f.child, Cidr: '10.8.0.0/16' });
    expect(ipam.listIpamPoolAllocations({ RegionId: R, IpamPoolId: f.pool }).TotalCount).toBe(0);
    expect(ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, Cidr: '10.8.0.0/16' }).Cidr).toBe('10.8.0.0/16');
  });

  it('pool CIDRs: provision several, list in order with a filter, delete', async () => {
    const f = await fixture();
    const { ipam } = f;
    ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '172.16.0.0/12' });
    expect(ipam.listIpamPoolCidrs({ RegionId: R, IpamPoolId: f.plainPool }).IpamPoolCidrs).toEqual([
      { Cidr: '192.168.0.0/16', IpamPoolId: f.plainPool, Status: 'Created' },
      { Cidr: '172.16.0.0/12', IpamPoolId: f.plainPool, Status: 'Created' },
    ]);
    expect(ipam.listIpamPoolCidrs({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '172.16.0.0/12' }).TotalCount).toBe(1);
    expect(ipam.listIpamPoolCidrs({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '10.0.0.0/20_fake' }).TotalCount).toBe(0);
    expect(ipam.listIpamPoolCidrs({ RegionId: R, IpamPoolId: 'ipam-pool-unknown' }).IpamPoolCidrs).toEqual([]);
    // first fit across provisioned CIDRs in address order, whatever the order they were added
    expect(ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.plainPool, CidrMask: 16 }).Cidr).toBe('172.16.0.0/16');
    ipam.deleteIpamPoolCidr({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '192.168.0.0/16' });
    expect(ipam.listIpamPoolCidrs({ RegionId: R, IpamPoolId: f.plainPool }).TotalCount).toBe(1);
  });

  it('allocations: by Cidr and by mask, get, rename, list, delete, reuse', async () => {
    const f = await fixture();
    const { ipam } = f;
    const byCidr = ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, Cidr: '10.0.0.0/16', IpamPoolAllocationName: 'on-prem', IpamPoolAllocationDescription: 'Datacenter A' });
    const byMask = ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 20 });
    expect(byMask.Cidr).toBe('10.1.0.0/20');
    expect(ipam.getIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: byCidr.IpamPoolAllocationId })).toMatchObject({
      Cidr: '10.0.0.0/16', SourceCidr: '10.0.0.0/8', ResourceType: 'Custom', RegionId: R, Status: 'Created',
      IpamPoolAllocationName: 'on-prem', IpamPoolAllocationDescription: 'Datacenter A', CreationTime: '2026-11-26T00:00:00Z',
    });
    ipam.updateIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: byMask.IpamPoolAllocationId, IpamPoolAllocationName: 'vpc-x' });
    expect(ipam.listIpamPoolAllocations({ RegionId: R, IpamPoolId: f.pool, IpamPoolAllocationName: 'vpc-x' }).IpamPoolAllocations.map((a) => a.Cidr)).toEqual(['10.1.0.0/20']);
    ipam.deleteIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: byCidr.IpamPoolAllocationId });
    refuses(ipam, () => ipam.getIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: byCidr.IpamPoolAllocationId }), 'ResourceNotFound.IpamPoolAllocation');
    expect(ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 16 }).Cidr).toBe('10.0.0.0/16');
    const v6 = ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool6, CidrMask: 64 });
    expect(v6).toMatchObject({ Cidr: '2001:db8::/64', SourceCidr: '2001:db8::/32' });
  });

  it('names the SourceCidr in pools of many CIDRs, added out of address order and some deleted', async () => {
    const f = await fixture();
    const { ipam } = f;
    const cases = [
      { version: 'IPv4' as const, cidrs: ['172.16.0.0/12', '10.0.0.0/16', '192.168.0.0/24', '10.3.0.0/16', '11.0.0.0/8', '0.0.0.0/5'], gone: '10.3.0.0/16' },
      { version: 'IPv6' as const, cidrs: ['2001:db8:8000::/33', '::/96', 'fd00::/8', '2001:db8::/48', '2001:db8:1::/48', 'fc00::/64', '::ffff:0:0/96'], gone: '2001:db8::/48' },
    ];
    // a scope of their own, clear of the fixture's pools (a top-level public IPv6 pool holds one CIDR only)
    const { IpamScopeId } = ipam.createIpamScope({ RegionId: R, IpamId: f.IpamId });
    for (const { version, cidrs, gone } of cases) {
      const pool = ipam.createIpamPool({ RegionId: R, IpamScopeId, PoolRegionId: R, IpVersion: version }).IpamPoolId;
      for (const Cidr of cidrs) ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: pool, Cidr });
      ipam.deleteIpamPoolCidr({ RegionId: R, IpamPoolId: pool, Cidr: gone });
      const left = cidrs.filter((c) => c !== gone).map((c) => parseCidr(c)).sort((x, y) => x.prefixLength - y.prefixLength);
      // largest CIDRs first, each split in two halves by mask: first fit fills one CIDR at a time
      for (const source of left) {
        for (let half = 0; half < 2; half++) {
          const a = ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: pool, CidrMask: source.prefixLength + 1 });
          expect(cidrContains(source, parseCidr(a.Cidr)), `${a.Cidr} in ${formatCidr(source)}`).toBe(true);
          expect(a.SourceCidr).toBe(formatCidr(source));
        }
      }
    }
  });

  it('region-less pools take allocation calls in the hosted region', async () => {
    const f = await fixture();
    expect(f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.plainPool, CidrMask: 24 }).Cidr).toBe('192.168.0.0/24');
  });

  it('next available CIDR previews by mask or checks a block, taking nothing', async () => {
    const f = await fixture();
    const { ipam } = f;
    ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24 });
    const before = digest(ipam);
    expect(ipam.getIpamPoolNextAvailableCidr({ RegionId: R, IpamPoolId: f.pool, CidrMask: 26 }).CidrBlock).toBe('10.0.1.0/26');
    expect(ipam.getIpamPoolNextAvailableCidr({ RegionId: R, IpamPoolId: f.pool, CidrBlock: '10.9.0.0/16' }).CidrBlock).toBe('10.9.0.0/16');
    expect(digest(ipam)).toBe(before);
  });

  it('pages lists with an opaque NextToken that survives deletions', async () => {
    const f = await fixture();
    const { ipam } = f;
    const ids = Array.from({ length: 25 }, () => ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24 }).IpamPoolAllocationId);
    const first = ipam.listIpamPoolAllocations({ RegionId: R, IpamPoolId: f.pool });
    expect(first).toMatchObject({ Count: 10, TotalCount: 25, MaxResults: 10, NextToken: expect.any(String) });
    ipam.deleteIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: ids[3]! });
    ipam.deleteIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: ids[10]! });
    const second = ipam.listIpamPoolAllocations({ RegionId: R, IpamPoolId: f.pool, NextToken: first.NextToken!, MaxResults: 100 });
    expect(second.IpamPoolAllocations.map((a) => a.IpamPoolAllocationId)).toEqual(ids.slice(11));
    expect(second.NextToken).toBeUndefined();
    expect(second.TotalCount).toBe(23);
  });

  it("refuses another list's NextToken: pool A's, sent for pool B, or to another action", async () => {
    const f = await fixture();
    const { ipam } = f;
    for (let i = 0; i < 5; i++) ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.plainPool, CidrMask: 24 });
    for (let i = 0; i < 15; i++) ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24 });
    const token = ipam.listIpamPoolAllocations({ RegionId: R, IpamPoolId: f.pool }).NextToken!;
    // a token is a place in its own list: B's list from A's place was an empty, final page (TotalCount 5)
    refuses(ipam, () => ipam.listIpamPoolAllocations({ RegionId: R, IpamPoolId: f.plainPool, NextToken: token }), 'IllegalParam.NextToken');
    refuses(ipam, () => ipam.listIpamPools({ RegionId: R, NextToken: token }), 'IllegalParam.NextToken');
    expect(ipam.listIpamPoolAllocations({ RegionId: R, IpamPoolId: f.pool, NextToken: token }).Count).toBe(5);
  });

  it("a sub-pool's allocation in its parent names the sub-pool's region as ResourceRegionId", async () => {
    const f = await fixture();
    const { ipam } = f;
    const child = ipam.createIpamPool({ RegionId: R, IpamScopeId: f.privateScope, SourceIpamPoolId: f.plainPool, PoolRegionId: OTHER }).IpamPoolId;
    ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: child, Cidr: '192.168.1.0/24' });
    const [item] = ipam.listIpamPoolAllocations({ RegionId: R, IpamPoolId: f.plainPool }).IpamPoolAllocations;
    // the allocation is the parent's (RegionId: the region-less parent's hosted region); the resource holding it is in OTHER
    expect(item).toMatchObject({ ResourceType: 'IpamPool', ResourceId: child, RegionId: R, ResourceRegionId: OTHER });
  });

  it('DryRun answers DryRunOperation when every check passes, the real error otherwise, and changes nothing', async () => {
    const f = await fixture();
    refuses(f.ipam, () => f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24, DryRun: true }), 'DryRunOperation');
    refuses(f.ipam, () => f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 4, DryRun: true }), 'OperationDenied.MaskOfCidrIsNotAllowed');
    refuses(f.ipam, () => f.ipam.deleteIpamPool({ RegionId: R, IpamPoolId: f.plainPool, DryRun: true }), 'DependencyViolation.PoolCidr');
    refuses(f.ipam, () => f.ipam.createIpam({ RegionId: 'cn-shanghai', OperatingRegionList: ['cn-shanghai'], DryRun: true }), 'DryRunOperation');
    expect(f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24, DryRun: false }).Cidr).toBe('10.0.0.0/24');
  });

  it('ClientToken: a repeat returns the first response and creates nothing; other parameters are refused', async () => {
    const f = await fixture();
    const { ipam } = f;
    const first = ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24, ClientToken: 'tok-1' });
    const again = ipam.createIpamPoolAllocation({ CidrMask: 24, IpamPoolId: f.pool, RegionId: R, ClientToken: 'tok-1' });
    expect(again).toEqual(first);
    // DryRun: false is the default said aloud: the same request
    expect(ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24, ClientToken: 'tok-1', DryRun: false })).toEqual(first);
    expect(ipam.listIpamPoolAllocations({ RegionId: R, IpamPoolId: f.pool }).TotalCount).toBe(1);
    refuses(ipam, () => ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 25, ClientToken: 'tok-1' }), 'IdempotentParameterMismatch');
    refuses(ipam, () => ipam.deleteIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: first.IpamPoolAllocationId, ClientToken: 'tok-1' }), 'IdempotentParameterMismatch');
  });

  describe('ClientToken: held for 24 hours of the service clock', () => {
    // tokens used to be kept forever, with their responses, in memory, in every exported state
    // and snapshot: a client sending a fresh token with each write grew the service without end
    const HOUR = 3_600_000;
    async function clocked() {
      let now = Date.parse('2026-11-26T00:00:00Z');
      const ipam = await IpamService.create({ seed: 3, clock: () => new Date(now) });
      const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
      const { IpamPoolId } = ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId });
      ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId, Cidr: '10.0.0.0/8' });
      return { ipam, pool: IpamPoolId, pass: (ms: number) => (now += ms) };
    }

    it('answers a retry with the first response until 24 hours after the first call, then takes it as a new request', async () => {
      const { ipam, pool, pass } = await clocked();
      const request = { RegionId: R, IpamPoolId: pool, CidrMask: 24, ClientToken: 'tok' };
      const first = ipam.createIpamPoolAllocation(request);
      pass(24 * HOUR - 1000);
      expect(ipam.createIpamPoolAllocation(request)).toEqual(first);
      refuses(ipam, () => ipam.createIpamPoolAllocation({ ...request, CidrMask: 25 }), 'IdempotentParameterMismatch');
      pass(1000);
      const later = ipam.createIpamPoolAllocation(request);
      expect(later.IpamPoolAllocationId).not.toBe(first.IpamPoolAllocationId);
      expect(later.Cidr).toBe('10.0.1.0/24');
      // the token now stands for the new call, for 24 hours again
      expect(ipam.createIpamPoolAllocation(request)).toEqual(later);
    });

    it('forgets the tokens of calls made long ago, so they do not pile up', async () => {
      const { ipam, pool, pass } = await clocked();
      for (let i = 0; i < 2000; i++) {
        const { IpamPoolAllocationId } = ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: pool, CidrMask: 24, ClientToken: `c${i}` });
        ipam.deleteIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId, ClientToken: `d${i}` });
        if (i % 100 === 99) pass(HOUR);
      }
      const held = () => (ipam.exportState().clientTokens as unknown[]).length;
      expect(held()).toBe(4000); // 20 hours: every one still held
      pass(7 * 24 * HOUR);
      ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: pool, CidrMask: 24, ClientToken: 'now' });
      expect(held()).toBe(1);
    });

    it('forgets expired tokens without walking the held ones from the start, in the order a walk would', async () => {
      // a walk from the map's start passed, on every call, over each entry deleted since V8 last
      // rebuilt the map's table: with a day of tokens held, 56 µs a call at 50,000 (14 µs at 5,000)
      const store = new ClientTokenStore();
      const model = new Map<string, number>(); // token → when it was given, forgotten by the walk: obviously right
      const walks = [vi.spyOn(Map.prototype, Symbol.iterator), vi.spyOn(Map.prototype, 'entries')];
      const walked = () => walks.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
      let storeWalks = 0, at = 0;
      try {
        for (let i = 0; i < 3000; i++) {
          at += (i % 7) * 3_600_000; // hours pass, some calls in the same second
          if (i % 13 === 0) at -= 5 * 3_600_000; // a clock set back
          const token = `t${i % 400}`; // tokens used again, expired or not
          if (store.held(token, at) !== undefined) continue; // a retry: answered from the store, nothing kept
          const before = walked();
          store.remember(token, { action: 'CreateIpamScope', digest: '', response: null, at });
          storeWalks += walked() - before;
          for (const [oldest, given] of model) {
            if (at - given < CLIENT_TOKEN_TTL_MS) break;
            model.delete(oldest);
          }
          model.delete(token);
          model.set(token, at);
        }
      } finally {
        for (const spy of walks) spy.mockRestore();
      }
      expect(storeWalks).toBe(0);
      expect([...store.entries()].map(([token, entry]) => [token, entry.at])).toEqual([...model]);
    });

    it('keeps when each token was given through exportState and restore', async () => {
      const { ipam, pool, pass } = await clocked();
      const request = { RegionId: R, IpamPoolId: pool, CidrMask: 24, ClientToken: 'tok' };
      const first = ipam.createIpamPoolAllocation(request);
      pass(23 * HOUR);
      const doc = ipam.exportState();
      expect(doc.clientTokens).toEqual([expect.objectContaining({ token: 'tok', time: '2026-11-26T00:00:00Z' })]);
      const at = (iso: string) => IpamService.restore(JSON.parse(JSON.stringify(doc)), { clock: () => new Date(iso) });
      expect((await at('2026-11-26T23:59:59Z')).createIpamPoolAllocation(request)).toEqual(first);
      expect((await at('2026-11-27T00:00:00Z')).createIpamPoolAllocation(request).IpamPoolAllocationId).not.toBe(first.IpamPoolAllocationId);
      // a document of a build before the time was kept: held for 24 hours from the restore
      const legacy = { ...doc, clientTokens: (doc.clientTokens as Record<string, unknown>[]).map(({ time: _t, ...entry }) => entry) };
      const restored = await IpamService.restore(legacy, { clock: () => new Date('2026-12-01T00:00:00Z') });
      expect(restored.createIpamPoolAllocation(request)).toEqual(first);
      await expect(IpamService.restore({ ...doc, clientTokens: [{ ...(doc.clientTokens as object[])[0], time: 'yesterday' }] })).rejects.toThrow(/clientTokens\[0\]\.time/);
    });
  });
});

type Case = [string, Action, (f: Fixture) => object, string, number?, ((f: Fixture) => void)?];

// Each error code an operation can raise, with its HTTP status; every case must also change nothing.
const ERROR_CASES: Case[] = [
  ['unknown action', 'Nope' as Action, () => ({}), 'InvalidAction.NotFound', 404],
  ['CreateIpam without RegionId', 'CreateIpam', () => ({ OperatingRegionList: [R] }), 'MissingParam.RegionId'],
  ['CreateIpam without regions', 'CreateIpam', () => ({ RegionId: 'cn-shanghai' }), 'MissingParam.OperatingRegionList'],
  ['CreateIpam in an unknown region', 'CreateIpam', () => ({ RegionId: 'xx-nowhere-1', OperatingRegionList: ['xx-nowhere-1'] }), 'InvalidRegionId.NotFound', 404],
  ['CreateIpam without its own region', 'CreateIpam', () => ({ RegionId: 'cn-shanghai', OperatingRegionList: [R] }), 'IllegalParam.OperatingRegionList'],
  ['CreateIpam with a region twice', 'CreateIpam', () => ({ RegionId: 'cn-shanghai', OperatingRegionList: ['cn-shanghai', 'cn-shanghai'] }), 'IllegalParam.OperatingRegionList'],
  ['a second IPAM in a region', 'CreateIpam', () => ({ RegionId: R, OperatingRegionList: [R] }), 'OperationDenied.IpamExists'],
  ['an IPAM name with a URL', 'CreateIpam', () => ({ RegionId: 'cn-shanghai', OperatingRegionList: ['cn-shanghai'], IpamName: 'https://x' }), 'IllegalParam.IpamName'],
  ['a description starting with a digit', 'CreateIpam', () => ({ RegionId: 'cn-shanghai', OperatingRegionList: ['cn-shanghai'], IpamDescription: '1st' }), 'IllegalParam.IpamDescription'],
  ['a repeated tag key', 'CreateIpam', () => ({ RegionId: 'cn-shanghai', OperatingRegionList: ['cn-shanghai'], Tag: [{ Key: 'a', Value: '1' }, { Key: 'a' }] }), 'DuplicatedParam.TagKey'],
  ['a reserved tag key', 'CreateIpam', () => ({ RegionId: 'cn-shanghai', OperatingRegionList: ['cn-shanghai'], Tag: [{ Key: 'acs:x' }] }), 'IllegalParam.Tag.1.Key'],
  ['UpdateIpam of an unknown IPAM', 'UpdateIpam', () => ({ RegionId: R, IpamId: 'ipam-nope' }), 'ResourceNotFound.Ipam', 404],
  ['UpdateIpam from the wrong region', 'UpdateIpam', (f) => ({ RegionId: OTHER, IpamId: f.IpamId }), 'OperationDenied.RequestRegionInvalid'],
  ['removing the hosted region', 'UpdateIpam', (f) => ({ RegionId: R, IpamId: f.IpamId, RemoveOperatingRegion: [R] }), 'OperationDenied.HostRegionRequired'],
  ['removing a region a pool uses', 'UpdateIpam', (f) => ({ RegionId: R, IpamId: f.IpamId, RemoveOperatingRegion: [OTHER] }), 'DependencyViolation.IpamPool', 400,
    (f) => f.ipam.createIpamPool({ RegionId: R, IpamScopeId: f.privateScope, PoolRegionId: OTHER })],
  ['adding an unknown region', 'UpdateIpam', (f) => ({ RegionId: R, IpamId: f.IpamId, AddOperatingRegion: ['mars-1'] }), 'InvalidRegionId.NotFound', 404],
  // the request's own parameters before the IPAM's lookup and region
  ['adding a region twice to an unknown IPAM', 'UpdateIpam', () => ({ RegionId: R, IpamId: 'ipam-nope', AddOperatingRegion: [OTHER, OTHER] }), 'IllegalParam.AddOperatingRegion'],
  ['adding a region twice from the wrong region', 'UpdateIpam', (f) => ({ RegionId: OTHER, IpamId: f.IpamId, AddOperatingRegion: ['cn-shanghai', 'cn-shanghai'] }), 'IllegalParam.AddOperatingRegion'],
  ['UpdateIpamScope of an unknown scope', 'UpdateIpamScope', () => ({ RegionId: R, IpamScopeId: 'ipam-scope-x', IpamScopeName: 'x' }), 'ResourceNotFound.IpamScope', 404],
  ['UpdateIpamScope from the wrong region', 'UpdateIpamScope', (f) => ({ RegionId: OTHER, IpamScopeId: f.privateScope, IpamScopeName: 'x' }), 'OperationDenied.RequestRegionInvalid'],
  ['a scope description starting with a Chinese character', 'UpdateIpamScope', (f) => ({ RegionId: R, IpamScopeId: f.privateScope, IpamScopeDescription: '网络' }), 'IllegalParam.IpamScopeDescription'],
  ['DeleteIpam with pools', 'DeleteIpam', (f) => ({ RegionId: R, IpamId: f.IpamId }), 'DependencyViolation.IpamPool'],
  ['CreateIpamScope of type public', 'CreateIpamScope', (f) => ({ RegionId: R, IpamId: f.IpamId, IpamScopeType: 'public' }), 'OperationDenied.UnsupportedScopeType'],
  ['CreateIpamScope of an unknown type', 'CreateIpamScope', (f) => ({ RegionId: R, IpamId: f.IpamId, IpamScopeType: 'secret' }), 'IllegalParam.IpamScopeType'],
  ['a sixth scope', 'CreateIpamScope', (f) => ({ RegionId: R, IpamId: f.IpamId }), 'QuotaExceeded.IpamScope', 400,
    (f) => { for (let i = 0; i < 3; i++) f.ipam.createIpamScope({ RegionId: R, IpamId: f.IpamId }); }],
  ['DeleteIpamScope of a default scope', 'DeleteIpamScope', (f) => ({ RegionId: R, IpamScopeId: f.publicScope }), 'OperationDenied.DefaultScope'],
  ['DeleteIpamScope of an unknown scope', 'DeleteIpamScope', () => ({ RegionId: R, IpamScopeId: 'ipam-scope-x' }), 'ResourceNotFound.IpamScope', 404],
  ['CreateIpamPool in an unknown scope', 'CreateIpamPool', () => ({ RegionId: R, IpamScopeId: 'ipam-scope-x' }), 'ResourceNotFound.IpamScope', 404],
  ['CreateIpamPool from an unknown source pool', 'CreateIpamPool', (f) => ({ RegionId: R, IpamScopeId: f.privateScope, SourceIpamPoolId: 'ipam-pool-x' }), 'ResourceNotFound.IpamPool', 404],
  ['a sub-pool of another IP version', 'CreateIpamPool', (f) => ({ RegionId: R, IpamScopeId: f.privateScope, SourceIpamPoolId: f.pool, IpVersion: 'IPv6' }), 'OperationDenied.SourcePoolMismatch'],
  ['a sub-pool in another scope', 'CreateIpamPool', (f) => ({ RegionId: R, IpamScopeId: f.publicScope, SourceIpamPoolId: f.pool }), 'OperationDenied.SourcePoolMismatch'],
  ['a pool region outside the operating regions', 'CreateIpamPool', (f) => ({ RegionId: R, IpamScopeId: f.privateScope, PoolRegionId: 'cn-shanghai' }), 'OperationDenied.PoolRegionInvalid'],
  ["a sub-pool region other than its parent's", 'CreateIpamPool', (f) => ({ RegionId: R, IpamScopeId: f.privateScope, SourceIpamPoolId: f.pool, PoolRegionId: OTHER }), 'OperationDenied.PoolRegionInvalid'],
  ['an IPv4 mask over 32', 'CreateIpamPool', (f) => ({ RegionId: R, IpamScopeId: f.privateScope, AllocationMaxCidrMask: 33 }), 'IllegalParam.AllocationMaxCidrMask'],
  ['masks out of order', 'CreateIpamPool', (f) => ({ RegionId: R, IpamScopeId: f.privateScope, AllocationMinCidrMask: 24, AllocationMaxCidrMask: 16 }), 'IllegalParam.AllocationMinCidrMask'],
  ['a default mask outside min..max', 'CreateIpamPool', (f) => ({ RegionId: R, IpamScopeId: f.privateScope, AllocationMinCidrMask: 16, AllocationDefaultCidrMask: 8 }), 'IllegalParam.AllocationDefaultCidrMask'],
  ['an ISP on a private pool', 'CreateIpamPool', (f) => ({ RegionId: R, IpamScopeId: f.privateScope, IpVersion: 'IPv6', Ipv6Isp: 'BGP' }), 'IllegalParam.Ipv6Isp'],
  ['AutoImport without a pool region', 'CreateIpamPool', (f) => ({ RegionId: R, IpamScopeId: f.privateScope, AutoImport: true }), 'OperationDenied.IpamPoolNotInRegion'],
  ['CreateIpamPool from the wrong region', 'CreateIpamPool', (f) => ({ RegionId: OTHER, IpamScopeId: f.privateScope }), 'OperationDenied.RequestRegionInvalid'],
  ['an eleventh pool level', 'CreateIpamPool', (f) => ({ RegionId: R, IpamScopeId: f.privateScope, SourceIpamPoolId: deepest(f) }), 'OperationDenied.PoolDepthExceeded', 400,
    (f) => { let parent = f.child; for (let depth = 3; depth <= 10; depth++) parent = f.ipam.createIpamPool({ RegionId: R, IpamScopeId: f.privateScope, SourceIpamPoolId: parent }).IpamPoolId; }],
  ['UpdateIpamPool of an unknown pool', 'UpdateIpamPool', () => ({ RegionId: R, IpamPoolId: 'ipam-pool-x' }), 'ResourceNotFound.IpamPool', 404],
  ['UpdateIpamPool to crossed masks', 'UpdateIpamPool', (f) => ({ RegionId: R, IpamPoolId: f.pool, AllocationMinCidrMask: 29 }), 'IllegalParam.AllocationMinCidrMask'],
  ['clearing and setting the default mask', 'UpdateIpamPool', (f) => ({ RegionId: R, IpamPoolId: f.pool, AllocationDefaultCidrMask: 24, ClearAllocationDefaultCidrMask: true }), 'IllegalParam.ClearAllocationDefaultCidrMask'],
  ['DeleteIpamPool with sub-pools', 'DeleteIpamPool', (f) => ({ RegionId: R, IpamPoolId: f.pool }), 'DependencyViolation.IpamPool'],
  ['DeleteIpamPool with allocations', 'DeleteIpamPool', (f) => ({ RegionId: R, IpamPoolId: f.plainPool }), 'DependencyViolation.CustomPoolAllocation', 400,
    (f) => f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.plainPool, CidrMask: 24 })],
  ['DeleteIpamPool with CIDRs', 'DeleteIpamPool', (f) => ({ RegionId: R, IpamPoolId: f.plainPool }), 'DependencyViolation.PoolCidr'],
  ['AddIpamPoolCidr with neither Cidr nor NetmaskLength', 'AddIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.plainPool }), 'MissingParam.CidrOrNetmaskLength'],
  ['AddIpamPoolCidr with both', 'AddIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.child, Cidr: '10.1.0.0/16', NetmaskLength: 16 }), 'IllegalParam.NetmaskLength'],
  ['a CIDR with host bits', 'AddIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '172.16.0.1/12' }), 'IllegalParam.Cidr'],
  ['an IPv6 CIDR in an IPv4 pool', 'AddIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.plainPool, Cidr: 'fd00::/8' }), 'IllegalParam.Cidr'],
  ['NetmaskLength on a top-level pool', 'AddIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.plainPool, NetmaskLength: 16 }), 'OperationDenied.ProvisionByCidrOnly'],
  ['a CIDR overlapping another pool in the scope', 'AddIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '10.128.0.0/9' }), 'OperationDenied.CidrOverlap'],
  ['a CIDR overlapping the pool itself', 'AddIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '192.168.4.0/24' }), 'OperationDenied.CidrOverlap'],
  ['a CIDR in an excluded range', 'AddIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '100.64.0.0/16' }), 'OperationDenied.CidrInExcludeCidrs'],
  ['a 51st CIDR', 'AddIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '172.31.0.0/24' }), 'QuotaExceeded.IpamPoolCidr', 400,
    (f) => { for (let i = 0; i < 49; i++) f.ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: f.plainPool, Cidr: `172.16.${i}.0/24` }); }],
  ['a sub-pool CIDR outside its parent', 'AddIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.child, Cidr: '11.0.0.0/16' }), 'OperationDenied.CidrUnavailableInPool'],
  ['a sub-pool CIDR over a parent allocation', 'AddIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.child, Cidr: '10.0.0.0/16' }), 'OperationDenied.CidrUnavailableInPool', 400,
    (f) => f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, Cidr: '10.0.1.0/24' })],
  ["a sub-pool CIDR outside the parent's mask rule", 'AddIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.child, NetmaskLength: 30 }), 'OperationDenied.MaskOfCidrIsNotAllowed'],
  ['a sub-pool CIDR larger than any free parent block', 'AddIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.child, NetmaskLength: 8 }), 'OperationDenied.AvailableCidrInsufficient', 400,
    (f) => f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 28 })],
  ['a sub-pool CIDR from a parent with none', 'AddIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: newChild(f, f.child), NetmaskLength: 24 }), 'OperationDenied.SourcePoolHasNoCidr'],
  ['DeleteIpamPoolCidr of a CIDR the pool lacks', 'DeleteIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '172.16.0.0/12' }), 'ResourceNotFound.IpamPoolCidr'],
  ['DeleteIpamPoolCidr with allocations inside', 'DeleteIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '192.168.0.0/16' }), 'OperationDenied.IpamPoolAllocationExist', 400,
    (f) => f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.plainPool, CidrMask: 24 })],
  ['DeleteIpamPoolCidr under a sub-pool CIDR', 'DeleteIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.pool, Cidr: '10.0.0.0/8' }), 'DependencyViolation.SubCidr', 400,
    (f) => f.ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: f.child, NetmaskLength: 16 })],
  ['ListIpamPoolCidrs from the wrong region', 'ListIpamPoolCidrs', (f) => ({ RegionId: OTHER, IpamPoolId: f.plainPool }), 'OperationDenied.RequestRegionInvalid'],
  ['an allocation with neither Cidr nor CidrMask', 'CreateIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolId: f.pool }), 'MissingParam.CidrOrCidrMask'],
  ['an allocation with both', 'CreateIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolId: f.pool, Cidr: '10.0.0.0/24', CidrMask: 24 }), 'IllegalParam.CidrMask'],
  ['an IPv4 CidrMask over 32', 'CreateIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolId: f.pool, CidrMask: 33 }), 'IllegalParam.CidrMask'],
  ['a CidrMask over 128', 'CreateIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolId: f.pool6, CidrMask: 129 }), 'IllegalParam.CidrMask'],
  ["a mask outside the pool's rule", 'CreateIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolId: f.pool, CidrMask: 29 }), 'OperationDenied.MaskOfCidrIsNotAllowed'],
  ["a Cidr outside the pool's rule", 'CreateIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolId: f.pool, Cidr: '10.0.0.0/30' }), 'OperationDenied.MaskOfCidrIsNotAllowed'],
  ['a Cidr outside the pool', 'CreateIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolId: f.pool, Cidr: '11.0.0.0/24' }), 'OperationDenied.CidrUnavailableInPool'],
  ['a Cidr already allocated', 'CreateIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolId: f.pool, Cidr: '10.0.0.0/16' }), 'OperationDenied.CidrUnavailableInPool', 400,
    (f) => f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, Cidr: '10.0.3.0/24' })],
  ['a Cidr in an excluded range', 'CreateIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolId: f.pool, Cidr: '127.0.0.0/24' }), 'OperationDenied.CidrInExcludeCidrs'],
  ['a bad Cidr', 'CreateIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolId: f.pool, Cidr: '10.0.0.0/33' }), 'IllegalParam.Cidr'],
  ['a pool with no CIDR', 'CreateIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolId: f.child, CidrMask: 24 }), 'OperationDenied.AvailableCidrInsufficient'],
  ['a full pool', 'CreateIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolId: f.pool, CidrMask: 8 }), 'OperationDenied.AvailableCidrInsufficient', 400,
    (f) => f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 28 })],
  ['an allocation call in the wrong region', 'CreateIpamPoolAllocation', (f) => ({ RegionId: OTHER, IpamPoolId: f.pool, CidrMask: 24 }), 'OperationDenied.RequestRegionInvalid'],
  ['an allocation in an unknown pool', 'CreateIpamPoolAllocation', () => ({ RegionId: R, IpamPoolId: 'ipam-pool-x', CidrMask: 24 }), 'ResourceNotFound.IpamPool', 404],
  ['renaming an unknown allocation', 'UpdateIpamPoolAllocation', () => ({ RegionId: R, IpamPoolAllocationId: 'ipam-pool-alloc-x', IpamPoolAllocationName: 'n' }), 'ResourceNotFound.IpamPoolAllocation'],
  ['renaming a sub-pool allocation', 'UpdateIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolAllocationId: subPoolAllocation(f) }), 'OperationDenied.ResourceTypeIsNotCustom', 400,
    (f) => f.ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: f.child, NetmaskLength: 16 })],
  ['deleting a sub-pool allocation', 'DeleteIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolAllocationId: subPoolAllocation(f) }), 'OperationDenied.ResourceTypeIsNotCustom', 400,
    (f) => f.ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: f.child, NetmaskLength: 16 })],
  ['deleting an unknown allocation', 'DeleteIpamPoolAllocation', () => ({ RegionId: R, IpamPoolAllocationId: 'ipam-pool-alloc-x' }), 'ResourceNotFound.IpamPoolAllocation'],
  ['deleting from the wrong region', 'DeleteIpamPoolAllocation', (f) => ({ RegionId: OTHER, IpamPoolAllocationId: firstAllocation(f) }), 'OperationDenied.RequestRegionInvalid', 400,
    (f) => f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24 })],
  ['getting an unknown allocation', 'GetIpamPoolAllocation', () => ({ RegionId: R, IpamPoolAllocationId: 'ipam-pool-alloc-x' }), 'ResourceNotFound.IpamPoolAllocation'],
  ['a NextToken from nowhere', 'ListIpamPoolAllocations', (f) => ({ RegionId: R, IpamPoolId: f.pool, NextToken: 'garbage' }), 'IllegalParam.NextToken'],
  ['MaxResults over 100', 'ListIpamPools', () => ({ RegionId: R, MaxResults: 101 }), 'IllegalParam.MaxResults'],
  ['MaxResults of 0', 'ListIpamScopes', () => ({ RegionId: R, MaxResults: 0 }), 'IllegalParam.MaxResults'],
  ['next CIDR with neither block nor mask', 'GetIpamPoolNextAvailableCidr', (f) => ({ RegionId: R, IpamPoolId: f.pool }), 'MissingParam.CidrOrCidrMask'],
  ['next CIDR with no room', 'GetIpamPoolNextAvailableCidr', (f) => ({ RegionId: R, IpamPoolId: f.pool, CidrMask: 8 }), 'ResourceNotEnough.IpamPoolCidr', 400,
    (f) => f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 28 })],
  ['next CIDR with a taken block', 'GetIpamPoolNextAvailableCidr', (f) => ({ RegionId: R, IpamPoolId: f.pool, CidrBlock: '10.0.0.0/24' }), 'OperationDenied.CidrUnavailableInPool', 400,
    (f) => f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24 })],
  ['utilisation of an unknown pool', 'GetIpamPoolUtilization', () => ({ RegionId: R, IpamPoolId: 'ipam-pool-x' }), 'ResourceNotFound.IpamPool', 404],
  ['a pool with an unknown strategy', 'CreateIpamPool', (f) => ({ RegionId: R, IpamScopeId: f.privateScope, AllocationStrategy: 'worst-fit' }), 'IllegalParam.AllocationStrategy'],
  ['a pool switched to an unknown strategy', 'UpdateIpamPool', (f) => ({ RegionId: R, IpamPoolId: f.pool, AllocationStrategy: 'First-Fit' }), 'IllegalParam.AllocationStrategy'],
  ['next CIDR with a bad block', 'GetIpamPoolNextAvailableCidr', (f) => ({ RegionId: R, IpamPoolId: f.pool, CidrBlock: 'ten/8' }), 'IllegalParam.CidrBlock'],
];

function deepest(f: Fixture): string {
  const pools = f.ipam.listIpamPools({ RegionId: R, MaxResults: 100 }).IpamPools;
  return pools.reduce((a, b) => (b.PoolDepth > a.PoolDepth ? b : a)).IpamPoolId;
}
function newChild(f: Fixture, parent: string): string {
  return f.ipam.listIpamPools({ RegionId: R, SourceIpamPoolId: parent }).IpamPools[0]?.IpamPoolId
    ?? f.ipam.createIpamPool({ RegionId: R, IpamScopeId: f.privateScope, SourceIpamPoolId: parent }).IpamPoolId;
}
function subPoolAllocation(f: Fixture): string {
  return f.ipam.listIpamPoolAllocations({ RegionId: R, IpamPoolId: f.pool }).IpamPoolAllocations.find((a) => a.ResourceType === 'IpamPool')!.IpamPoolAllocationId;
}
function firstAllocation(f: Fixture): string {
  return f.ipam.listIpamPoolAllocations({ RegionId: R, IpamPoolId: f.pool }).IpamPoolAllocations[0]!.IpamPoolAllocationId;
}

describe('every error code, with its HTTP status, leaves the state unchanged', () => {
  it.each(ERROR_CASES)('%s → %s', async (_name, action, params, code, status = 400, prepare) => {
    const f = await fixture();
    prepare?.(f);
    if (code === 'OperationDenied.SourcePoolHasNoCidr') newChild(f, f.child);
    const request = params(f);
    refuses(f.ipam, () => f.ipam.call(action, request as never), code, status);
  });

  it('covers every operation in the table', () => {
    const covered = new Set(ERROR_CASES.map((c) => c[1]));
    for (const op of OPERATIONS) if (!op.action.startsWith('List')) expect(covered.has(op.action), op.action).toBe(true);
  });
});

// A valid request of every mutating action, with what it needs made first: DryRun must answer
// DryRunOperation and change nothing, records and engine spaces alike, and the same request
// without DryRun must then succeed, as if the DryRun had never been.
type DryRunCase = [Action, (f: Fixture) => Record<string, unknown>];
const DRY_RUN_CASES: DryRunCase[] = [
  ['CreateIpam', () => ({ RegionId: OTHER, OperatingRegionList: [OTHER] })],
  ['UpdateIpam', (f) => ({ RegionId: R, IpamId: f.IpamId, AddOperatingRegion: ['cn-shanghai'] })],
  ['DeleteIpam', (f) => {
    const ipam = f.ipam.createIpam({ RegionId: OTHER, OperatingRegionList: [OTHER] });
    return { RegionId: OTHER, IpamId: ipam.IpamId };
  }],
  ['CreateIpamScope', (f) => ({ RegionId: R, IpamId: f.IpamId })],
  ['UpdateIpamScope', (f) => ({ RegionId: R, IpamScopeId: f.privateScope, IpamScopeName: 'renamed' })],
  ['DeleteIpamScope', (f) => ({ RegionId: R, IpamScopeId: f.ipam.createIpamScope({ RegionId: R, IpamId: f.IpamId }).IpamScopeId })],
  ['CreateIpamPool', (f) => ({ RegionId: R, IpamScopeId: f.privateScope, SourceIpamPoolId: f.pool })],
  ['UpdateIpamPool', (f) => ({ RegionId: R, IpamPoolId: f.pool, AllocationStrategy: 'random', AllocationMaxCidrMask: 27 })],
  ['DeleteIpamPool', (f) => ({ RegionId: R, IpamPoolId: f.ipam.createIpamPool({ RegionId: R, IpamScopeId: f.privateScope }).IpamPoolId })],
  // a top-level CIDR goes into the scope's space too, a sub-pool's into its parent's
  ['AddIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '172.16.0.0/12' })],
  ['AddIpamPoolCidr', (f) => ({ RegionId: R, IpamPoolId: f.child, NetmaskLength: 16 })],
  ['DeleteIpamPoolCidr', (f) => {
    f.ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: f.child, Cidr: '10.9.0.0/16' });
    return { RegionId: R, IpamPoolId: f.child, Cidr: '10.9.0.0/16' };
  }],
  ['CreateIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolId: f.pool, CidrMask: 20 })],
  ['CreateIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolId: f.pool6, Cidr: '2001:db8:ff00::/40' })],
  ['UpdateIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolAllocationId: f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24 }).IpamPoolAllocationId, IpamPoolAllocationName: 'renamed' })],
  ['DeleteIpamPoolAllocation', (f) => ({ RegionId: R, IpamPoolAllocationId: f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24 }).IpamPoolAllocationId })],
];

describe('DryRun on every mutating action', () => {
  it.each(DRY_RUN_CASES)('%s: DryRunOperation, nothing changed, then the real call as if it never ran', async (action, request) => {
    const f = await fixture();
    const twin = await fixture(); // never sees the DryRun
    const params = request(f);
    expect(request(twin)).toEqual(params);
    refuses(f.ipam, () => f.ipam.call(action, { ...params, DryRun: true } as never), 'DryRunOperation');
    const { RequestId: _a, ...answer } = f.ipam.call(action, params as never);
    const { RequestId: _b, ...twinAnswer } = twin.ipam.call(action, params as never);
    expect(answer).toEqual(twinAnswer);
    expect(digest(f.ipam)).toBe(digest(twin.ipam));
  });

  it('covers every mutating action in the table', () => {
    const covered = new Set(DRY_RUN_CASES.map((c) => c[0]));
    for (const op of OPERATIONS) if (op.mutates) expect(covered.has(op.action), op.action).toBe(true);
  });
});
