import type { Context } from '../context.js';
import { familyBits } from '../context.js';
import { apiError, illegalParam } from '../errors.js';
import { MAX_POOL_DEPTH } from '../limits.js';
import type { IpVersion, PoolRecord } from '../model.js';
import { Collection } from '../collection.js';
import { PoolCidrs } from '../pool-cidrs.js';
import { mutation, query } from '../operation.js';
import { ALLOCATION_STRATEGY, DESCRIPTION, FILTER_IDS, FILTER_TEXT, ID, IP_VERSION, ISP, MASK, MUTATION, NAME, PAGE, RANDOM_SEED, REGION, REGION_ID, REQUIRED_ID, TAG_FILTER, TAGS } from '../params.js';
import { defined, hasTags, listOf } from './shared.js';

export interface MaskRule {
  AllocationMinCidrMask?: number;
  AllocationMaxCidrMask: number;
  AllocationDefaultCidrMask?: number;
}

/** Spec §5.3: one top-level public IPv6 pool per ISP type per region, the account over; that pool, if any. */
function topLevelPublicIpv6Pool(ctx: Context, isp: string, region: string): PoolRecord | undefined {
  for (const pool of ctx.store.pools.values()) {
    if (pool.SourceIpamPoolId === undefined && pool.Ipv6Isp === isp && ctx.regionOf(pool) === region) return pool;
  }
  return undefined;
}

/** Masks within the family's range and ordered min <= default <= max (spec §2.5). */
export function checkMasks(version: IpVersion, rule: MaskRule): void {
  const bits = familyBits(version);
  for (const name of ['AllocationMinCidrMask', 'AllocationMaxCidrMask', 'AllocationDefaultCidrMask'] as const) {
    const value = rule[name];
    if (value !== undefined && value > bits) throw illegalParam(name, `must be between 0 and ${bits} for ${version}`);
  }
  const min = rule.AllocationMinCidrMask ?? 0;
  if (min > rule.AllocationMaxCidrMask) throw illegalParam('AllocationMinCidrMask', 'must not be greater than AllocationMaxCidrMask');
  const def = rule.AllocationDefaultCidrMask;
  if (def !== undefined && (def < min || def > rule.AllocationMaxCidrMask)) {
    throw illegalParam('AllocationDefaultCidrMask', 'must lie between AllocationMinCidrMask and AllocationMaxCidrMask');
  }
}

export const createIpamPool = mutation('CreateIpamPool', {
  RegionId: REGION,
  IpamScopeId: REQUIRED_ID,
  SourceIpamPoolId: ID,
  PoolRegionId: REGION_ID,
  IpVersion: { ...IP_VERSION, default: 'the source pool\'s, else `IPv4`' },
  Ipv6Isp: { ...ISP, default: 'for a public IPv6 pool, the source pool\'s, else `BGP`' },
  AllocationMinCidrMask: { ...MASK, default: '0' },
  AllocationMaxCidrMask: { ...MASK, default: '32 for IPv4, 128 for IPv6' },
  AllocationDefaultCidrMask: MASK,
  AutoImport: { type: 'boolean' },
  AllocationStrategy: { ...ALLOCATION_STRATEGY, default: '`first-fit`' },
  RandomSeed: { ...RANDOM_SEED, default: 'derived from the pool\'s ID' },
  IpamPoolName: NAME,
  IpamPoolDescription: DESCRIPTION,
  ResourceGroupId: ID,
  Tag: TAGS,
  ...MUTATION,
}, (ctx, p) => {
  // both resources are looked up before the region rule (README, order of checks)
  ctx.knownRegion(p.RegionId);
  const scope = ctx.existingScope(p.IpamScopeId);
  const parent = p.SourceIpamPoolId === undefined ? undefined : ctx.existingPool(p.SourceIpamPoolId);
  ctx.inHostedRegion(scope.IpamId, p.RegionId);
  const ipam = ctx.store.ipams.get(scope.IpamId)!;
  if (parent) {
    if (parent.IpamScopeId !== scope.IpamScopeId) throw apiError('OperationDenied.SourcePoolMismatch', 'The scopes differ.');
    if (p.IpVersion !== undefined && p.IpVersion !== parent.IpVersion) throw apiError('OperationDenied.SourcePoolMismatch', 'The IP versions differ.');
    if (parent.PoolDepth >= MAX_POOL_DEPTH) throw apiError('OperationDenied.PoolDepthExceeded');
  }
  const version: IpVersion = p.IpVersion ?? parent?.IpVersion ?? 'IPv4';
  // A sub-pool of a pool with a region has that region; otherwise any operating region.
  const poolRegion = p.PoolRegionId ?? parent?.PoolRegionId;
  if (poolRegion !== undefined && !ipam.OperatingRegionList.includes(poolRegion)) {
    throw apiError('OperationDenied.PoolRegionInvalid', `${poolRegion} is not an operating region of ${ipam.IpamId}.`);
  }
  if (parent?.PoolRegionId !== undefined && poolRegion !== parent.PoolRegionId) {
    throw apiError('OperationDenied.PoolRegionInvalid', `The source pool's region is ${parent.PoolRegionId}.`);
  }
  if (p.Ipv6Isp !== undefined && (version !== 'IPv6' || scope.IpamScopeType !== 'public')) throw illegalParam('Ipv6Isp', 'only public IPv6 pools have an ISP');
  // a sub-pool's addresses are its source pool's, and so is their ISP
  if (p.Ipv6Isp !== undefined && parent?.Ipv6Isp !== undefined && p.Ipv6Isp !== parent.Ipv6Isp) {
    throw apiError('OperationDenied.SourcePoolMismatch', `The source pool's ISP is ${parent.Ipv6Isp}.`);
  }
  // a public IPv6 pool's ISP defaults to its source pool's, or to BGP at the top (spec §5.3)
  const isp = p.Ipv6Isp ?? (version === 'IPv6' && scope.IpamScopeType === 'public' ? parent?.Ipv6Isp ?? 'BGP' : undefined);
  if (isp !== undefined && parent === undefined) {
    const region = poolRegion ?? ipam.RegionId;
    const other = topLevelPublicIpv6Pool(ctx, isp, region);
    if (other) throw apiError('QuotaExceeded.IpamPool', `${other.IpamPoolId} is the top-level public IPv6 pool of ${isp} in ${region}.`);
  }
  if (p.AutoImport && poolRegion === undefined) throw apiError('OperationDenied.IpamPoolNotInRegion', 'AutoImport needs a pool region.');
  const masks: MaskRule = {
    AllocationMinCidrMask: p.AllocationMinCidrMask,
    AllocationMaxCidrMask: p.AllocationMaxCidrMask ?? familyBits(version),
    AllocationDefaultCidrMask: p.AllocationDefaultCidrMask,
  };
  checkMasks(version, masks);
  return (RequestId) => {
    const space = ctx.engine.createSpace(version === 'IPv4' ? 4 : 6);
    const IpamPoolId = ctx.newId('ipam-pool-');
    space.seedRandom(p.RandomSeed ?? seedFromId(IpamPoolId));
    const pool: PoolRecord = {
      seq: ctx.store.nextSeq(),
      IpamPoolId,
      IpamId: ipam.IpamId,
      IpamScopeId: scope.IpamScopeId,
      SourceIpamPoolId: parent?.IpamPoolId,
      PoolRegionId: poolRegion,
      IpVersion: version,
      Ipv6Isp: isp,
      ...masks,
      AutoImport: p.AutoImport,
      AllocationStrategy: p.AllocationStrategy ?? 'first-fit',
      IpamPoolName: p.IpamPoolName,
      IpamPoolDescription: p.IpamPoolDescription,
      ResourceGroupId: p.ResourceGroupId,
      Tags: p.Tag ?? [],
      CreateTime: ctx.now(),
      PoolDepth: parent ? parent.PoolDepth + 1 : 1,
      space,
      cidrs: new PoolCidrs(familyBits(version)),
      allocations: new Collection(false),
      children: new Set(),
    };
    ctx.store.pools.add(pool.IpamPoolId, pool);
    scope.pools.add(pool.IpamPoolId);
    parent?.children.add(pool.IpamPoolId);
    return { RequestId, IpamPoolId: pool.IpamPoolId };
  };
});

/**
 * A pool's default random seed: FNV-1a of its ID, so every pool draws its own sequence and a
 * seeded service repeats them, without taking numbers from the ID generator's stream.
 */
export function seedFromId(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

export const updateIpamPool = mutation('UpdateIpamPool', {
  RegionId: REGION,
  IpamPoolId: REQUIRED_ID,
  IpamPoolName: NAME,
  IpamPoolDescription: DESCRIPTION,
  AllocationMinCidrMask: MASK,
  AllocationMaxCidrMask: MASK,
  AllocationDefaultCidrMask: MASK,
  ClearAllocationDefaultCidrMask: { type: 'boolean' },
  AutoImport: { type: 'boolean' },
  AllocationStrategy: ALLOCATION_STRATEGY,
  ...MUTATION,
}, (ctx, p) => {
  if (p.ClearAllocationDefaultCidrMask && p.AllocationDefaultCidrMask !== undefined) {
    throw illegalParam('ClearAllocationDefaultCidrMask', 'cannot be combined with AllocationDefaultCidrMask');
  }
  const pool = ctx.pool(p.IpamPoolId, p.RegionId, 'hosted');
  const masks: MaskRule = {
    AllocationMinCidrMask: p.AllocationMinCidrMask ?? pool.AllocationMinCidrMask,
    AllocationMaxCidrMask: p.AllocationMaxCidrMask ?? pool.AllocationMaxCidrMask,
    AllocationDefaultCidrMask: p.ClearAllocationDefaultCidrMask ? undefined : p.AllocationDefaultCidrMask ?? pool.AllocationDefaultCidrMask,
  };
  checkMasks(pool.IpVersion, masks);
  if (p.AutoImport && pool.PoolRegionId === undefined) throw apiError('OperationDenied.IpamPoolNotInRegion', 'AutoImport needs a pool region.');
  return (RequestId) => {
    if (p.IpamPoolName !== undefined) pool.IpamPoolName = p.IpamPoolName;
    if (p.IpamPoolDescription !== undefined) pool.IpamPoolDescription = p.IpamPoolDescription;
    if (p.AutoImport !== undefined) pool.AutoImport = p.AutoImport;
    if (p.AllocationStrategy !== undefined) pool.AllocationStrategy = p.AllocationStrategy;
    Object.assign(pool, masks);
    return { RequestId };
  };
});

export const deleteIpamPool = mutation('DeleteIpamPool', {
  RegionId: REGION,
  IpamPoolId: REQUIRED_ID,
  ...MUTATION,
}, (ctx, p) => {
  // the spec's own code for this call's region refusal (§5.5); sub-pools depend on the pool (§4.1)
  const pool = ctx.pool(p.IpamPoolId, p.RegionId, 'hosted', 'OperationDenied.PoolRegionNotSupportDeletePool');
  if (pool.children.size > 0) throw apiError('DependencyViolation.IpamPool', `${pool.children.size} sub-pool(s) remain.`);
  if (pool.allocations.size > 0) throw apiError('DependencyViolation.CustomPoolAllocation', `${pool.allocations.size} allocation(s) remain.`);
  if (pool.cidrs.size > 0) throw apiError('DependencyViolation.PoolCidr', `${pool.cidrs.size} CIDR block(s) remain.`);
  return (RequestId) => {
    dropPool(ctx, pool);
    return { RequestId };
  };
});

function dropPool(ctx: Context, pool: PoolRecord): void {
  pool.space.destroy();
  ctx.store.scopes.get(pool.IpamScopeId)!.pools.delete(pool.IpamPoolId);
  if (pool.SourceIpamPoolId !== undefined) ctx.store.pools.get(pool.SourceIpamPoolId)!.children.delete(pool.IpamPoolId);
  ctx.store.pools.delete(pool.IpamPoolId);
}

export const listIpamPools = query('ListIpamPools', 'POST', {
  RegionId: REGION,
  IpamScopeId: FILTER_TEXT,
  IpamPoolIds: FILTER_IDS,
  IpamPoolName: FILTER_TEXT,
  PoolRegionId: FILTER_TEXT,
  SourceIpamPoolId: FILTER_TEXT,
  IpVersion: FILTER_TEXT,
  Ipv6Isp: FILTER_TEXT,
  IsShared: { type: 'boolean' },
  ResourceGroupId: FILTER_TEXT,
  Tags: TAG_FILTER,
  ...PAGE,
}, (ctx, p) => {
  ctx.knownRegion(p.RegionId);
  // filters that match nothing (unknown IDs, malformed values) give an empty page, not an error
  return listOf(ctx, 'IpamPools', ctx.store.pools, p, (pool) =>
    ctx.store.ipams.get(pool.IpamId)!.RegionId === p.RegionId &&
    (p.IpamScopeId === undefined || pool.IpamScopeId === p.IpamScopeId) &&
    (!p.IpamPoolIds || p.IpamPoolIds.includes(pool.IpamPoolId)) &&
    (p.IpamPoolName === undefined || pool.IpamPoolName === p.IpamPoolName) &&
    (p.PoolRegionId === undefined || pool.PoolRegionId === p.PoolRegionId) &&
    (p.SourceIpamPoolId === undefined || pool.SourceIpamPoolId === p.SourceIpamPoolId) &&
    (p.IpVersion === undefined || pool.IpVersion === p.IpVersion) &&
    (p.Ipv6Isp === undefined || pool.Ipv6Isp === p.Ipv6Isp) &&
    (p.IsShared === undefined || p.IsShared === false) &&
    (p.ResourceGroupId === undefined || pool.ResourceGroupId === p.ResourceGroupId) &&
    hasTags(pool.Tags, p.Tags), (pool) => poolItem(ctx, pool), undefined, p.IpamPoolIds?.map((id) => ctx.store.pools.get(id)));
});

function poolItem(ctx: Context, pool: PoolRecord) {
  const ipam = ctx.store.ipams.get(pool.IpamId)!;
  return defined({
    IpamPoolId: pool.IpamPoolId,
    IpamPoolName: pool.IpamPoolName,
    IpamPoolDescription: pool.IpamPoolDescription,
    IpamId: pool.IpamId,
    IpamScopeId: pool.IpamScopeId,
    IpamScopeType: ctx.store.scopes.get(pool.IpamScopeId)!.IpamScopeType,
    IpamRegionId: ipam.RegionId,
    RegionId: ipam.RegionId,
    PoolRegionId: pool.PoolRegionId,
    SourceIpamPoolId: pool.SourceIpamPoolId,
    PoolDepth: pool.PoolDepth,
    HasSubPool: pool.children.size > 0,
    IpVersion: pool.IpVersion,
    Ipv6Isp: pool.Ipv6Isp,
    AllocationMinCidrMask: pool.AllocationMinCidrMask,
    AllocationMaxCidrMask: pool.AllocationMaxCidrMask,
    AllocationDefaultCidrMask: pool.AllocationDefaultCidrMask,
    AutoImport: pool.AutoImport ?? false,
    AllocationStrategy: pool.AllocationStrategy,
    Cidrs: [...pool.cidrs.values()].map((c) => c.Cidr),
    IsShared: false,
    OwnerId: 0, // the account: one local account, as allocations' ResourceOwnerId
    Status: 'Created',
    ResourceGroupId: pool.ResourceGroupId,
    CreateTime: pool.CreateTime,
    Tags: pool.Tags.map((t) => ({ ...t })),
  });
}
