import { STRATEGIES } from '../../engine/index.js';
import { allocateBlock, blockOf, formatBlock, previewBlock, reserveBlock, type BlockWords } from '../block.js';
import type { Context } from '../context.js';
import { familyBits, freeIn, maskAllowed } from '../context.js';
import { apiError, illegalParam } from '../errors.js';
import type { AllocationRecord, PoolRecord } from '../model.js';
import { mutation, query } from '../operation.js';
import { CIDR_TEXT, CLIENT_TOKEN, DESCRIPTION, FILTER_IDS, FILTER_TEXT, MASK, MUTATION, NAME, PAGE, REGION, REQUIRED_ID } from '../params.js';
import { dropAllocation, recordAllocation } from './pool-cidr.js';
import { cidrFilter, listOf } from './shared.js';

/** Exactly one of a CIDR and a mask: a parameter check, so made before any lookup (README: order of checks). */
function cidrOrMask(cidr: string | undefined, mask: number | undefined): void {
  if (cidr === undefined && mask === undefined) throw apiError('MissingParam.CidrOrCidrMask');
  if (cidr !== undefined && mask !== undefined) throw illegalParam('CidrMask', 'give a CIDR block or a mask, not both');
}

type Insufficient = 'OperationDenied.AvailableCidrInsufficient' | 'ResourceNotEnough.IpamPoolCidr';

/**
 * The block a Cidr or CidrMask request names, checked against the pool (nothing taken). By
 * mask, whether one fits is one summary read; `preview` then also finds the block the pool's
 * strategy would take, and without it the answer is undefined (an allocation's commit searches
 * once, itself).
 */
function requestedBlock(ctx: Context, pool: PoolRecord, cidr: string | undefined, mask: number | undefined, insufficient: Insufficient, preview: true): BlockWords;
function requestedBlock(ctx: Context, pool: PoolRecord, cidr: string | undefined, mask: number | undefined, insufficient: Insufficient, preview: false): BlockWords | undefined;
function requestedBlock(ctx: Context, pool: PoolRecord, cidr: string | undefined, mask: number | undefined, insufficient: Insufficient, preview: boolean): BlockWords | undefined {
  if (cidr === undefined) {
    // CidrMask within the family, then within the pool's rule
    if (mask! > familyBits(pool.IpVersion)) throw illegalParam('CidrMask', `must be between 0 and ${familyBits(pool.IpVersion)} for ${pool.IpVersion}`);
    maskAllowed(pool, mask!);
    if (!pool.space.fits(mask!)) {
      throw apiError(insufficient, pool.cidrs.size === 0 ? `${pool.IpamPoolId} has no provisioned CIDR block.` : `No /${mask} is free in ${pool.IpamPoolId}.`);
    }
    return preview ? previewBlock(pool.space, mask!, STRATEGIES[pool.AllocationStrategy]) : undefined;
  }
  const block = ctx.cidrFor(pool.IpVersion, cidr, insufficient === 'ResourceNotEnough.IpamPoolCidr' ? 'CidrBlock' : 'Cidr');
  maskAllowed(pool, block.prefixLength);
  ctx.notExcluded(block);
  freeIn(pool, block);
  return blockOf(block);
}

export const createIpamPoolAllocation = mutation('CreateIpamPoolAllocation', {
  RegionId: REGION,
  IpamPoolId: REQUIRED_ID,
  Cidr: CIDR_TEXT,
  CidrMask: MASK,
  IpamPoolAllocationName: NAME,
  IpamPoolAllocationDescription: DESCRIPTION,
  ...MUTATION,
}, (ctx, p) => {
  cidrOrMask(p.Cidr, p.CidrMask);
  const pool = ctx.pool(p.IpamPoolId, p.RegionId, 'pool');
  // the block's own checks next, then a pool with no CIDR answers as a full one
  const block = requestedBlock(ctx, pool, p.Cidr, p.CidrMask, 'OperationDenied.AvailableCidrInsufficient', false);
  return (RequestId) => {
    // checked above: only an out-of-memory can refuse it (an EngineError, answered as InternalError).
    // By mask, the pool's strategy takes the block (for random that also advances the pool's
    // generator); by Cidr, exactly that block.
    const taken = block ? reserveBlock(pool.space, block) : allocateBlock(pool.space, p.CidrMask!, STRATEGIES[pool.AllocationStrategy]);
    const record = recordAllocation(ctx, pool, taken, {
      ResourceType: 'Custom',
      IpamPoolAllocationName: p.IpamPoolAllocationName,
      IpamPoolAllocationDescription: p.IpamPoolAllocationDescription,
    });
    return { RequestId, IpamPoolAllocationId: record.IpamPoolAllocationId, Cidr: record.Cidr, SourceCidr: record.SourceCidr };
  };
});

function customAllocation(ctx: Context, id: string, regionId: string): AllocationRecord {
  const allocation = ctx.allocation(id, regionId);
  if (allocation.ResourceType !== 'Custom') {
    throw apiError('OperationDenied.ResourceTypeIsNotCustom', `${id} holds sub-pool ${allocation.ResourceId}; delete that pool's CIDR instead.`);
  }
  return allocation;
}

export const updateIpamPoolAllocation = mutation('UpdateIpamPoolAllocation', {
  RegionId: REGION,
  IpamPoolAllocationId: REQUIRED_ID,
  IpamPoolAllocationName: NAME,
  IpamPoolAllocationDescription: DESCRIPTION,
  ...MUTATION,
}, (ctx, p) => {
  const allocation = customAllocation(ctx, p.IpamPoolAllocationId, p.RegionId);
  return (RequestId) => {
    if (p.IpamPoolAllocationName !== undefined) allocation.IpamPoolAllocationName = p.IpamPoolAllocationName;
    if (p.IpamPoolAllocationDescription !== undefined) allocation.IpamPoolAllocationDescription = p.IpamPoolAllocationDescription;
    return { RequestId };
  };
});

export const deleteIpamPoolAllocation = mutation('DeleteIpamPoolAllocation', {
  RegionId: REGION,
  IpamPoolAllocationId: REQUIRED_ID,
  ...MUTATION,
}, (ctx, p) => {
  const allocation = customAllocation(ctx, p.IpamPoolAllocationId, p.RegionId);
  const pool = ctx.store.pools.get(allocation.IpamPoolId)!;
  return (RequestId) => {
    dropAllocation(ctx, pool, allocation);
    return { RequestId };
  };
});

export type AllocationItem = {
  IpamPoolAllocationId: string; IpamPoolId: string; Cidr: string; SourceCidr: string; ResourceId: string;
  ResourceType: AllocationRecord['ResourceType']; ResourceRegionId: string; ResourceOwnerId: number; RegionId: string;
  Status: 'Created'; IpamPoolAllocationName?: string; IpamPoolAllocationDescription?: string; CreationTime: string;
};

function allocationItem(a: AllocationRecord): AllocationItem {
  // field by field, the optional ones only when set (so never `undefined`), keys in the API's
  // order: list pages make ten of these per call
  const item = {
    IpamPoolAllocationId: a.IpamPoolAllocationId,
    IpamPoolId: a.IpamPoolId,
    Cidr: a.Cidr,
    SourceCidr: a.SourceCidr,
    ResourceId: a.ResourceId,
    ResourceType: a.ResourceType,
    ResourceRegionId: a.ResourceRegionId,
    ResourceOwnerId: 0,
    RegionId: a.RegionId,
    Status: 'Created',
  } as AllocationItem;
  if (a.IpamPoolAllocationName !== undefined) item.IpamPoolAllocationName = a.IpamPoolAllocationName;
  if (a.IpamPoolAllocationDescription !== undefined) item.IpamPoolAllocationDescription = a.IpamPoolAllocationDescription;
  item.CreationTime = a.CreationTime;
  return item;
}

export const getIpamPoolAllocation = query('GetIpamPoolAllocation', 'GET', {
  RegionId: REGION,
  IpamPoolAllocationId: REQUIRED_ID,
}, (ctx, p) => allocationItem(ctx.allocation(p.IpamPoolAllocationId, p.RegionId)));

export const listIpamPoolAllocations = query('ListIpamPoolAllocations', 'POST', {
  RegionId: REGION,
  IpamPoolId: REQUIRED_ID,
  IpamPoolAllocationIds: { ...FILTER_IDS, maxItems: 20 },
  Cidr: FILTER_TEXT,
  IpamPoolAllocationName: FILTER_TEXT,
  ...PAGE,
}, (ctx, p) => {
  ctx.knownRegion(p.RegionId);
  const pool = ctx.store.pools.get(p.IpamPoolId);
  if (pool) ctx.inPoolRegion(pool, p.RegionId);
  // an unknown pool or a filter that matches nothing gives an empty page (spec §5.14)
  const cidr = cidrFilter(p.Cidr);
  const filtered = p.IpamPoolAllocationIds !== undefined || cidr !== undefined || p.IpamPoolAllocationName !== undefined;
  return listOf(ctx, 'IpamPoolAllocations', pool?.allocations, p, filtered ? (a) =>
    (!p.IpamPoolAllocationIds || p.IpamPoolAllocationIds.includes(a.IpamPoolAllocationId)) &&
    (cidr === undefined || a.Cidr === cidr) &&
    (p.IpamPoolAllocationName === undefined || a.IpamPoolAllocationName === p.IpamPoolAllocationName) : undefined, allocationItem,
    `IpamPoolAllocations ${p.IpamPoolId}`,
    // the pool's own among the IDs named (the store holds every pool's)
    p.IpamPoolAllocationIds?.map((id) => {
      const allocation = ctx.store.allocations.get(id);
      return allocation?.IpamPoolId === p.IpamPoolId ? allocation : undefined;
    }));
});

export const getIpamPoolNextAvailableCidr = query('GetIpamPoolNextAvailableCidr', 'GET', {
  RegionId: REGION,
  IpamPoolId: REQUIRED_ID,
  CidrBlock: CIDR_TEXT,
  CidrMask: MASK,
  ClientToken: CLIENT_TOKEN,
}, (ctx, p) => {
  cidrOrMask(p.CidrBlock, p.CidrMask);
  const pool = ctx.pool(p.IpamPoolId, p.RegionId, 'pool');
  const block = requestedBlock(ctx, pool, p.CidrBlock, p.CidrMask, 'ResourceNotEnough.IpamPoolCidr', true);
  return { CidrBlock: formatBlock(pool.space, block) };
});
