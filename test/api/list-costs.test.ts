/**
 * What a list page costs at scale, counted in filter calls (from a review of the API's
 * complexity): a filtered page counted its matches over the whole collection every time, so paging
 * through a filter was quadratic (160,000 allocations: 9.6 s, 1,000,000 projected at 400 s), and
 * a page naming one allocation by ID scanned the pool (244 ms at 1,000,000). Counts are made once
 * per change now, and records named by ID are looked up. And two other costs of a big pool: a
 * refused DeleteIpamPoolCidr walked its allocations, and a restore moved them O(n × sub-pools).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Collection } from '../../src/api/collection.js';
import { IpamService } from '../../src/index.js';
import { digest, newService, R } from './fixture.js';

/** Calls of every filter given to Collection#page while `run` runs. */
function filterCalls(run: () => void): number {
  let calls = 0;
  const page = Collection.prototype.page;
  vi.spyOn(Collection.prototype, 'page').mockImplementation(function (this: Collection<never>, max, token, filter, ...rest) {
    return page.call(this, max, token, filter && ((record) => (calls++, filter(record))), ...rest);
  });
  try {
    run();
  } finally {
    vi.restoreAllMocks();
  }
  return calls;
}

const N = 20_000;

async function bigPool() {
  const ipam = await newService();
  const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
  const { IpamPoolId: pool } = ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId });
  const { IpamPoolId: other } = ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId });
  ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: pool, Cidr: '10.0.0.0/8' });
  ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: other, Cidr: '172.16.0.0/12' });
  const ids: string[] = [];
  for (let i = 0; i < N; i++) ids.push(ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: pool, CidrMask: 32, ...(i % 2 ? { IpamPoolAllocationName: 'odd' } : {}) }).IpamPoolAllocationId);
  const elsewhere = ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: other, CidrMask: 24 }).IpamPoolAllocationId;
  return { ipam, pool, ids, elsewhere };
}

afterEach(() => vi.restoreAllMocks());

describe('ListIpamPoolAllocations at 20,000 allocations', () => {
  it('pages through a filter with one count of its matches, and counts again after a change', async () => {
    const { ipam, pool } = await bigPool();
    const odd = { RegionId: R, IpamPoolId: pool, IpamPoolAllocationName: 'odd', MaxResults: 100 };
    let seen = 0, pages = 0;
    const calls = filterCalls(() => {
      let NextToken: string | undefined;
      do {
        const page = ipam.listIpamPoolAllocations({ ...odd, ...(NextToken && { NextToken }) });
        expect(page.TotalCount).toBe(N / 2);
        seen += page.Count;
        pages++;
        NextToken = page.NextToken;
      } while (NextToken);
    });
    expect([seen, pages]).toEqual([N / 2, N / 200]);
    expect(calls).toBeLessThan(3 * N); // a count per page was N / 200 × N
    // a change between pages is counted
    const first = ipam.listIpamPoolAllocations(odd);
    ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: pool, CidrMask: 32, IpamPoolAllocationName: 'odd' });
    expect(ipam.listIpamPoolAllocations({ ...odd, NextToken: first.NextToken! }).TotalCount).toBe(N / 2 + 1);
    const renamed = ipam.listIpamPoolAllocations({ ...odd, MaxResults: 1 }).IpamPoolAllocations[0]!.IpamPoolAllocationId;
    ipam.updateIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: renamed, IpamPoolAllocationName: 'even' });
    expect(ipam.listIpamPoolAllocations(odd).TotalCount).toBe(N / 2);
  });

  it('answers a page naming allocations by ID without a scan: the pool\'s own, once each, in creation order', async () => {
    const { ipam, pool, ids, elsewhere } = await bigPool();
    let answer: ReturnType<typeof ipam.listIpamPoolAllocations> | undefined;
    const named = [ids[N - 7]!, 'ipam-pool-alloc-unknown', elsewhere, ids[3]!, ids[N - 7]!, ids[5]!];
    const calls = filterCalls(() => (answer = ipam.listIpamPoolAllocations({ RegionId: R, IpamPoolId: pool, IpamPoolAllocationIds: named, MaxResults: 2 })));
    expect(calls).toBeLessThan(100);
    expect(answer!.IpamPoolAllocations.map((a) => a.IpamPoolAllocationId)).toEqual([ids[3], ids[5]]);
    expect(answer!.TotalCount).toBe(3);
    const rest = ipam.listIpamPoolAllocations({ RegionId: R, IpamPoolId: pool, IpamPoolAllocationIds: named, MaxResults: 2, NextToken: answer!.NextToken! });
    expect([rest.IpamPoolAllocations.map((a) => a.IpamPoolAllocationId), rest.NextToken]).toEqual([[ids[N - 7]], undefined]);
    // other filters still hold
    expect(ipam.listIpamPoolAllocations({ RegionId: R, IpamPoolId: pool, IpamPoolAllocationIds: named, IpamPoolAllocationName: 'odd' }).TotalCount).toBe(3);
    expect(ipam.listIpamPoolAllocations({ RegionId: R, IpamPoolId: pool, IpamPoolAllocationIds: named, IpamPoolAllocationName: 'none' }).TotalCount).toBe(0);
  });
});

describe('ListIpamPools at 4,000 pools', () => {
  it('pages through every pool with one count, and names a pool by ID without a scan', async () => {
    const ipam = await newService();
    const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
    const pools = Array.from({ length: 4000 }, () => ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId }).IpamPoolId);
    let seen = 0;
    const calls = filterCalls(() => {
      let NextToken: string | undefined;
      do {
        const page = ipam.listIpamPools({ RegionId: R, MaxResults: 50, ...(NextToken && { NextToken }) });
        seen += page.Count;
        NextToken = page.NextToken;
      } while (NextToken);
    });
    expect(seen).toBe(4000);
    expect(calls).toBeLessThan(3 * 4000); // 80 pages × 4,000 before
    const one = filterCalls(() => expect(ipam.listIpamPools({ RegionId: R, IpamPoolIds: [pools[3997]!] }).IpamPools.map((p) => p.IpamPoolId)).toEqual([pools[3997]]));
    expect(one).toBeLessThan(10);
    // the region still holds for a pool named by ID
    expect(ipam.listIpamPools({ RegionId: 'cn-beijing', IpamPoolIds: [pools[0]!] }).TotalCount).toBe(0);
  });
});

describe('other costs of a big pool', () => {
  it('refusing to delete a CIDR that holds allocations does not walk the pool\'s allocations', async () => {
    const { ipam, pool } = await bigPool();
    const before = digest(ipam);
    const walk = vi.spyOn(Collection.prototype, 'values');
    let refusal: unknown;
    try {
      ipam.deleteIpamPoolCidr({ RegionId: R, IpamPoolId: pool, Cidr: '10.0.0.0/8' });
    } catch (error) {
      refusal = error;
    }
    expect(walk).not.toHaveBeenCalled();
    walk.mockRestore();
    expect(refusal).toMatchObject({ code: 'OperationDenied.IpamPoolAllocationExist' });
    expect(digest(ipam)).toBe(before);
  });

  it('restores a pool whose sub-pool CIDRs were taken after its allocations without moving them one by one', async () => {
    // each allocation went into its pool before the sub-pools' CIDRs carved earlier: 2 × allocations × sub-pools moves
    const { ipam, pool } = await bigPool();
    const { IpamScopeId } = ipam.listIpamPools({ RegionId: R, IpamPoolIds: [pool] }).IpamPools[0]!;
    for (let i = 0; i < 100; i++) {
      const child = ipam.createIpamPool({ RegionId: R, IpamScopeId, SourceIpamPoolId: pool }).IpamPoolId;
      ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: child, NetmaskLength: 28 });
    }
    const splice = vi.spyOn(Array.prototype, 'splice');
    const restored = await IpamService.restore(ipam.exportState(), { engine: ipam.engine });
    // elements behind each insertion, moved by it
    const moved = splice.mock.calls.reduce((sum, [start], i) => sum + (splice.mock.contexts[i] as unknown[]).length - start!, 0);
    splice.mockRestore();
    expect(moved).toBeLessThan(10 * N);
    expect(restored.exportState()).toEqual(ipam.exportState());
  });
});
