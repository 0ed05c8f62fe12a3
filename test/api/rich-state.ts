// A service holding most kinds of state, for the state document tests: two IPAMs, a custom
// scope and a deleted one, a five-level IPv4 tree, both families, public IPv6 of two ISPs,
// every strategy, ClientTokens, tags, unicode names, deleted pools and allocations.
import { Engine } from '../../src/engine/index.js';
import { IpamService } from '../../src/index.js';

export const H = 'cn-hangzhou';
export const B = 'cn-beijing';
export const S = 'cn-shanghai';
let engine: Promise<Engine> | undefined;
export async function sharedEngine(): Promise<Engine> {
  engine ??= Engine.load();
  return engine;
}
export function clockFrom(start = Date.parse('2026-11-26T00:00:00Z')) {
  let t = start;
  return () => new Date((t += 1000));
}

export interface Rich {
  s: IpamService;
  ids: Record<string, string>;
}

/** A service with most kinds of state: two IPAMs, custom scope, deep trees, both families, all strategies, tokens, deletions. */
export async function rich(seed = 7): Promise<Rich> {
  const s = await IpamService.create({ engine: await sharedEngine(), seed, clock: clockFrom() });
  const ids: Record<string, string> = {};
  const a = s.createIpam({ RegionId: H, OperatingRegionList: [H, B, S], IpamName: 'ipam ✓ 名字', Tag: [{ Key: 'env', Value: 'prod' }], ClientToken: 'tok-ipam' });
  ids.ipamA = a.IpamId; ids.privA = a.PrivateDefaultScopeId; ids.pubA = a.PublicDefaultScopeId;
  const b = s.createIpam({ RegionId: S, OperatingRegionList: [S] });
  ids.ipamB = b.IpamId; ids.privB = b.PrivateDefaultScopeId; ids.pubB = b.PublicDefaultScopeId;
  ids.lab = s.createIpamScope({ RegionId: H, IpamId: ids.ipamA, IpamScopeName: 'lab', IpamScopeDescription: 'Lab scope', Tag: [{ Key: 'team', Value: 'net' }] }).IpamScopeId;
  const gone = s.createIpamScope({ RegionId: H, IpamId: ids.ipamA }).IpamScopeId;
  s.deleteIpamScope({ RegionId: H, IpamScopeId: gone });

  // deep IPv4 tree in cn-hangzhou (depth 5)
  ids.p1 = s.createIpamPool({ RegionId: H, IpamScopeId: ids.privA, PoolRegionId: H, AllocationMinCidrMask: 8, AllocationMaxCidrMask: 30, IpamPoolName: 'top ünï', Tag: [{ Key: 'k', Value: 'v' }] }).IpamPoolId;
  s.addIpamPoolCidr({ RegionId: H, IpamPoolId: ids.p1, Cidr: '10.0.0.0/8' });
  s.addIpamPoolCidr({ RegionId: H, IpamPoolId: ids.p1, Cidr: '172.16.0.0/12' });
  ids.p2 = s.createIpamPool({ RegionId: H, IpamScopeId: ids.privA, SourceIpamPoolId: ids.p1, AllocationStrategy: 'best-fit' }).IpamPoolId;
  s.addIpamPoolCidr({ RegionId: H, IpamPoolId: ids.p2, NetmaskLength: 12, ClientToken: 'tok-cidr' });
  ids.p3 = s.createIpamPool({ RegionId: H, IpamScopeId: ids.privA, SourceIpamPoolId: ids.p2, AllocationStrategy: 'sparse', AllocationDefaultCidrMask: 24 }).IpamPoolId;
  s.addIpamPoolCidr({ RegionId: H, IpamPoolId: ids.p3, NetmaskLength: 16 });
  ids.p4 = s.createIpamPool({ RegionId: H, IpamScopeId: ids.privA, SourceIpamPoolId: ids.p3, AllocationStrategy: 'random', RandomSeed: 12345 }).IpamPoolId;
  s.addIpamPoolCidr({ RegionId: H, IpamPoolId: ids.p4, NetmaskLength: 20 });
  ids.p5 = s.createIpamPool({ RegionId: H, IpamScopeId: ids.privA, SourceIpamPoolId: ids.p4, AllocationStrategy: 'last-fit' }).IpamPoolId;
  s.addIpamPoolCidr({ RegionId: H, IpamPoolId: ids.p5, NetmaskLength: 24 });
  for (let i = 0; i < 6; i++) s.createIpamPoolAllocation({ RegionId: H, IpamPoolId: ids.p4, CidrMask: 26 + (i % 3), IpamPoolAllocationName: `r${i}` });
  for (let i = 0; i < 4; i++) s.createIpamPoolAllocation({ RegionId: H, IpamPoolId: ids.p5, CidrMask: 28 });
  for (let i = 0; i < 5; i++) s.createIpamPoolAllocation({ RegionId: H, IpamPoolId: ids.p3, CidrMask: 24 });
  for (let i = 0; i < 5; i++) s.createIpamPoolAllocation({ RegionId: H, IpamPoolId: ids.p2, CidrMask: 22 });
  ids.a1 = s.createIpamPoolAllocation({ RegionId: H, IpamPoolId: ids.p1, Cidr: '172.16.5.0/24', IpamPoolAllocationDescription: 'Ünïcödé ✓ 描述', ClientToken: 'tok-alloc' }).IpamPoolAllocationId;
  const doomed = s.createIpamPoolAllocation({ RegionId: H, IpamPoolId: ids.p1, CidrMask: 20 }).IpamPoolAllocationId;
  s.createIpamPoolAllocation({ RegionId: H, IpamPoolId: ids.p1, CidrMask: 20 });
  s.deleteIpamPoolAllocation({ RegionId: H, IpamPoolAllocationId: doomed, ClientToken: 'tok-del' });
  // a region-less pool, and a pool in cn-beijing
  ids.plain = s.createIpamPool({ RegionId: H, IpamScopeId: ids.privA }).IpamPoolId;
  s.addIpamPoolCidr({ RegionId: H, IpamPoolId: ids.plain, Cidr: '192.168.0.0/16' });
  ids.bj = s.createIpamPool({ RegionId: H, IpamScopeId: ids.lab, PoolRegionId: B, AllocationStrategy: 'random' }).IpamPoolId;
  s.addIpamPoolCidr({ RegionId: H, IpamPoolId: ids.bj, Cidr: '10.0.0.0/16' }); // another scope: may overlap
  for (let i = 0; i < 3; i++) s.createIpamPoolAllocation({ RegionId: B, IpamPoolId: ids.bj, CidrMask: 24 });
  ids.bjSub = s.createIpamPool({ RegionId: H, IpamScopeId: ids.lab, SourceIpamPoolId: ids.bj }).IpamPoolId;
  s.addIpamPoolCidr({ RegionId: H, IpamPoolId: ids.bjSub, Cidr: '10.0.128.0/20' });
  const deadPool = s.createIpamPool({ RegionId: H, IpamScopeId: ids.privA }).IpamPoolId;
  s.deleteIpamPool({ RegionId: H, IpamPoolId: deadPool });
  // IPv6 private, and public IPv6 with ISPs
  ids.v6 = s.createIpamPool({ RegionId: H, IpamScopeId: ids.privA, IpVersion: 'IPv6', PoolRegionId: H, AllocationStrategy: 'random' }).IpamPoolId;
  s.addIpamPoolCidr({ RegionId: H, IpamPoolId: ids.v6, Cidr: '2001:db8::/32' });
  ids.v6sub = s.createIpamPool({ RegionId: H, IpamScopeId: ids.privA, SourceIpamPoolId: ids.v6, AllocationStrategy: 'sparse' }).IpamPoolId;
  s.addIpamPoolCidr({ RegionId: H, IpamPoolId: ids.v6sub, NetmaskLength: 48 });
  for (let i = 0; i < 4; i++) s.createIpamPoolAllocation({ RegionId: H, IpamPoolId: ids.v6, CidrMask: 56 });
  for (let i = 0; i < 4; i++) s.createIpamPoolAllocation({ RegionId: H, IpamPoolId: ids.v6sub, CidrMask: 64 });
  ids.pub6 = s.createIpamPool({ RegionId: H, IpamScopeId: ids.pubA, IpVersion: 'IPv6', Ipv6Isp: 'ChinaMobile' }).IpamPoolId;
  s.addIpamPoolCidr({ RegionId: H, IpamPoolId: ids.pub6, Cidr: '2409:8000::/28' });
  ids.pub6sub = s.createIpamPool({ RegionId: H, IpamScopeId: ids.pubA, SourceIpamPoolId: ids.pub6, PoolRegionId: B }).IpamPoolId;
  s.addIpamPoolCidr({ RegionId: H, IpamPoolId: ids.pub6sub, NetmaskLength: 40 });
  s.createIpamPoolAllocation({ RegionId: B, IpamPoolId: ids.pub6sub, CidrMask: 48 });
  ids.bgp = s.createIpamPool({ RegionId: H, IpamScopeId: ids.pubA, IpVersion: 'IPv6' }).IpamPoolId;
  s.addIpamPoolCidr({ RegionId: H, IpamPoolId: ids.bgp, Cidr: '2400:3200::/32' });
  // IPAM B
  ids.poolB = s.createIpamPool({ RegionId: S, IpamScopeId: ids.privB, AllocationStrategy: 'last-fit' }).IpamPoolId;
  s.addIpamPoolCidr({ RegionId: S, IpamPoolId: ids.poolB, Cidr: '10.0.0.0/8' });
  s.createIpamPoolAllocation({ RegionId: S, IpamPoolId: ids.poolB, CidrMask: 16 });
  s.updateIpamPool({ RegionId: H, IpamPoolId: ids.p1, IpamPoolName: 'renamed ✓', AllocationMaxCidrMask: 29 });
  return { s, ids };
}
