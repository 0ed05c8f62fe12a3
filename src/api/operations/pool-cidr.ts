import { formatCidr, type Cidr } from '../../cidr/index.js';
import { blockOf, formatBlock, releaseBlock, type BlockWords } from '../block.js';
import { EngineError } from '../../engine/index.js';
import type { Context } from '../context.js';
import { familyBits, freeIn, maskAllowed } from '../context.js';
import { apiError, illegalParam } from '../errors.js';
import { MAX_CIDRS_PER_POOL, MAX_CIDRS_PER_PUBLIC_IPV6_POOL } from '../limits.js';
import { allocationRecord, type AllocationRecord, type PoolCidrRecord, type PoolRecord } from '../model.js';
import { mutation, query } from '../operation.js';
import { CIDR_TEXT, FILTER_TEXT, MASK, MUTATION, PAGE, REGION, REQUIRED_ID } from '../params.js';
import { cidrFilter, listOf } from './shared.js';

/** Provisioned CIDRs a pool may hold (spec §2.2): 50, and 1 for a top-level public IPv6 pool. */
function cidrQuota(ctx: Context, pool: PoolRecord): number {
  const publicIpv6 = pool.SourceIpamPoolId === undefined && pool.IpVersion === 'IPv6' && ctx.store.scopes.get(pool.IpamScopeId)!.IpamScopeType === 'public';
  return publicIpv6 ? MAX_CIDRS_PER_PUBLIC_IPV6_POOL : MAX_CIDRS_PER_POOL;
}

/** The pool's provisioned CIDR that holds the block. */
export function sourceCidrOf(pool: PoolRecord, block: BlockWords): string {
  const source = pool.cidrs.holding(block);
  if (!source) throw apiError('InternalError', 'allocation outside every provisioned CIDR');
  return source.Cidr;
}

/** Records an allocation already reserved in the pool's space. */
export function recordAllocation(
  ctx: Context, pool: PoolRecord, block: BlockWords, fields: Pick<AllocationRecord, 'ResourceType' | 'IpamPoolAllocationName' | 'IpamPoolAllocationDescription'> & { ResourceId?: string; ResourceRegionId?: string },
): AllocationRecord {
  const id = ctx.store.allocations.newId(ctx.ids);
  const region = ctx.regionOf(pool); // an allocation belongs to its pool's region (spec §2.3)
  const record = allocationRecord({
    seq: ctx.store.nextSeq(),
    IpamPoolAllocationId: id,
    IpamPoolId: pool.IpamPoolId,
    Cidr: formatBlock(pool.space, block),
    SourceCidr: sourceCidrOf(pool, block),
    ResourceType: fields.ResourceType,
    ResourceId: fields.ResourceId ?? id,
    ResourceRegionId: fields.ResourceRegionId ?? region,
    RegionId: region,
    IpamPoolAllocationName: fields.IpamPoolAllocationName,
    IpamPoolAllocationDescription: fields.IpamPoolAllocationDescription,
    CreationTime: ctx.now(),
  }, block);
  pool.allocations.add(id, record);
  ctx.store.allocations.add(record);
  return record;
}

export function dropAllocation(ctx: Context, pool: PoolRecord, allocation: AllocationRecord): void {
  releaseBlock(pool.space, allocation);
  pool.allocations.delete(allocation.IpamPoolAllocationId, allocation);
  ctx.store.allocations.delete(allocation);
}

/** Runs engine steps in order; if one throws, undoes the ones done and reports InternalError. */
export function allOrNothing(steps: Array<[() => void, () => void]>): void {
  const done: Array<() => void> = [];
  try {
    for (const [apply, undo] of steps) {
      apply();
      done.push(undo);
    }
  } catch (error) {
    for (const undo of done.reverse()) undo();
    if (error instanceof EngineError) throw apiError('InternalError', error.message);
    throw error;
  }
}

export const addIpamPoolCidr = mutation('AddIpamPoolCidr', {
  RegionId: REGION,
  IpamPoolId: REQUIRED_ID,
  Cidr: CIDR_TEXT,
  NetmaskLength: MASK,
  ...MUTATION,
}, (ctx, p) => {
  // exactly one of them: parameter checks, before any lookup
  if (p.Cidr === undefined && p.NetmaskLength === undefined) throw apiError('MissingParam.CidrOrNetmaskLength');
  if (p.Cidr !== undefined && p.NetmaskLength !== undefined) throw illegalParam('NetmaskLength', 'give Cidr or NetmaskLength, not both');
  const pool = ctx.pool(p.IpamPoolId, p.RegionId, 'hosted');
  const parent = pool.SourceIpamPoolId === undefined ? undefined : ctx.store.pools.get(pool.SourceIpamPoolId)!;
  // the block's own checks (its text and family, or whether a length may be asked), then the pool's quota
  const given = p.Cidr === undefined ? undefined : ctx.cidrFor(pool.IpVersion, p.Cidr);
  if (given === undefined) {
    if (!parent) throw apiError('OperationDenied.ProvisionByCidrOnly');
    if (p.NetmaskLength! > familyBits(pool.IpVersion)) throw illegalParam('NetmaskLength', `must be between 0 and ${familyBits(pool.IpVersion)}`);
  }
  if (pool.cidrs.size >= cidrQuota(ctx, pool)) throw apiError('QuotaExceeded.IpamPoolCidr');
  let block: Cidr;
  if (given !== undefined) {
    block = given;
  } else {
    const source = parent!; // a length is asked of a sub-pool only (checked above)
    if (source.cidrs.size === 0) throw apiError('OperationDenied.SourcePoolHasNoCidr', source.IpamPoolId);
    maskAllowed(source, p.NetmaskLength!);
    const found = source.space.preview(p.NetmaskLength!, source.AllocationStrategy);
    if (!found) throw apiError('OperationDenied.AvailableCidrInsufficient', `No /${p.NetmaskLength} is free in ${source.IpamPoolId}.`);
    block = found;
  }
  // a sub-pool's CIDR is carved from its parent as an allocation of the parent's is, checked in
  // the same order (requestedBlock): the parent's mask rule, excluded ranges, then free in a parent CIDR
  if (parent) {
    if (parent.cidrs.size === 0) throw apiError('OperationDenied.SourcePoolHasNoCidr', parent.IpamPoolId);
    maskAllowed(parent, block.prefixLength);
  }
  ctx.notExcluded(block);
  const scopeSpace = ctx.store.scopes.get(pool.IpamScopeId)!.spaces[pool.IpVersion];
  if (parent) freeIn(parent, block);
  else if (scopeSpace.overlapsAllocation(block)) throw apiError('OperationDenied.CidrOverlap', formatCidr(block));
  return (RequestId) => {
    const text = formatCidr(block);
    let parentAllocationId: string | undefined;
    // a take by mask advances a random-strategy parent's generator: undone, it goes back too
    const parentRandomState = parent?.space.randomState;
    allOrNothing([
      parent
        ? [() => takeFromParent(parent, block, p.NetmaskLength), () => {
          parent.space.release(block);
          parent.space.setRandomState(...parentRandomState!);
        }]
        : [() => scopeSpace.reserve(block), () => scopeSpace.release(block)],
      [() => pool.space.addSource(block), () => pool.space.removeSource(block)],
    ]);
    if (parent) parentAllocationId = recordAllocation(ctx, parent, blockOf(block), { ResourceType: 'IpamPool', ResourceId: pool.IpamPoolId, ResourceRegionId: ctx.regionOf(pool) }).IpamPoolAllocationId;
    pool.cidrs.add(text, { seq: ctx.store.nextSeq(), Cidr: text, block, parentAllocationId });
    return { RequestId, Cidr: text };
  };
});

/**
 * Takes the sub-pool's block from its parent: by mask through the parent's strategy (which
 * previews exactly what it then takes, and for random advances the parent's generator), by
 * CIDR exactly.
 */
function takeFromParent(parent: PoolRecord, block: Cidr, mask: number | undefined): void {
  if (mask === undefined) {
    parent.space.reserve(block);
    return;
  }
  const taken = parent.space.allocate(mask, parent.AllocationStrategy);
  if (taken.address !== block.address) {
    parent.space.release(taken);
    throw apiError('InternalError', `the engine took ${formatCidr(taken)} after previewing ${formatCidr(block)}`);
  }
}

export const deleteIpamPoolCidr = mutation('DeleteIpamPoolCidr', {
  RegionId: REGION,
  IpamPoolId: REQUIRED_ID,
  Cidr: { ...CIDR_TEXT, required: true },
  ...MUTATION,
}, (ctx, p) => {
  const pool = ctx.pool(p.IpamPoolId, p.RegionId, 'hosted');
  const block = ctx.cidrFor(pool.IpVersion, p.Cidr);
  const record = pool.cidrs.get(formatCidr(block));
  if (!record) throw apiError('ResourceNotFound.IpamPoolCidr', formatCidr(block));
  if (pool.space.overlapsAllocation(block)) {
    // a sub-pool's CIDR in it is found among the sub-pools' (50 each at most), not the pool's allocations
    const subPoolCidr = [...pool.children].some((child) => [...ctx.store.pools.get(child)!.cidrs.values()]
      .some((c) => ctx.store.allocations.get(c.parentAllocationId!)!.SourceCidr === record.Cidr));
    if (subPoolCidr) throw apiError('DependencyViolation.SubCidr', 'Delete the sub-pool CIDR blocks first.');
    throw apiError('OperationDenied.IpamPoolAllocationExist', `Allocations remain in ${record.Cidr}.`);
  }
  const parent = pool.SourceIpamPoolId === undefined ? undefined : ctx.store.pools.get(pool.SourceIpamPoolId)!;
  return (RequestId) => {
    pool.space.removeSource(block);
    if (parent) {
      dropAllocation(ctx, parent, ctx.store.allocations.get(record.parentAllocationId!)!);
    } else {
      ctx.store.scopes.get(pool.IpamScopeId)!.spaces[pool.IpVersion].release(block);
    }
    pool.cidrs.delete(record.Cidr);
    return { RequestId };
  };
});

export const listIpamPoolCidrs = query('ListIpamPoolCidrs', 'POST', {
  RegionId: REGION,
  IpamPoolId: REQUIRED_ID,
  Cidr: FILTER_TEXT,
  ...PAGE,
}, (ctx, p) => {
  ctx.knownRegion(p.RegionId);
  const pool = ctx.store.pools.get(p.IpamPoolId);
  if (pool) ctx.inHostedRegion(pool.IpamId, p.RegionId);
  // an unknown pool or a filter that matches nothing gives an empty page (spec §5.9)
  const cidr = cidrFilter(p.Cidr);
  return listOf(ctx, 'IpamPoolCidrs', pool?.cidrs, p, cidr === undefined ? undefined : (c) => c.Cidr === cidr,
    (c: PoolCidrRecord) => ({ Cidr: c.Cidr, IpamPoolId: p.IpamPoolId, Status: 'Created' }), `IpamPoolCidrs ${p.IpamPoolId}`);
});
