/**
 * What every operation handler works with: the store, the engine, IDs and time, and the
 * lookups and rules shared between operations (region rule §2.4, not-found codes, CIDR text).
 */
import { AddressParseError, formatCidr, parseCidr, cidrOverlaps, type Cidr } from '../cidr/index.js';
import type { Engine } from '../engine/index.js';
import { apiError, illegalParam, type ErrorCode } from './errors.js';
import { formatTime, type Clock, type IdSource } from './ids.js';
import type { AllocationRecord, IpamRecord, IpVersion, PoolRecord, ScopeRecord, Store } from './model.js';

export class Context {
  constructor(
    readonly store: Store,
    readonly engine: Engine,
    readonly ids: IdSource,
    clock: Clock | undefined,
    readonly regions: ReadonlySet<string>,
    readonly excludeCidrs: readonly Cidr[],
  ) {
    // without a clock, Date.now: no Date object per allocation
    this.#millis = clock ? () => clock().getTime() : Date.now;
  }

  /**
   * A new IPAM, scope, pool or resource-discovery ID that no record holds. IDs are random, but a
   * restored document's generator state can have been set back by hand, and an ID made a second
   * time would merge two records into one.
   */
  newId(prefix: string): string {
    const { ipams, scopes, pools } = this.store;
    const held = (id: string) => ipams.has(id) || scopes.has(id) || pools.has(id) ||
      [...ipams.values()].some((ipam) => ipam.DefaultResourceDiscoveryId === id || ipam.DefaultResourceDiscoveryAssociationId === id);
    let id: string;
    do id = this.ids.id(prefix);
    while (held(id));
    return id;
  }

  readonly #millis: () => number;
  #second = Number.NaN;
  #secondText = '';

  /** The current time in the API's format (formatted once per second: allocations are frequent). */
  now(): string {
    const ms = this.#millis();
    const second = Math.floor(ms / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#secondText = formatTime(new Date(second * 1000));
    }
    return this.#secondText;
  }

  /** The current time as `now()` writes it: ms of a whole second. */
  nowSecond(): number {
    return Math.floor(this.#millis() / 1000) * 1000;
  }

  /** RegionId must name a region this service knows. */
  knownRegion(regionId: string): void {
    if (!this.regions.has(regionId)) throw apiError('InvalidRegionId.NotFound', regionId);
  }

  ipamHostedIn(regionId: string): IpamRecord | undefined {
    for (const ipam of this.store.ipams.values()) if (ipam.RegionId === regionId) return ipam;
    return undefined;
  }

  /** Calls about an IPAM, its scopes and its pools go to the IPAM's hosted region. */
  inHostedRegion(ipamId: string, regionId: string, code: ErrorCode = 'OperationDenied.RequestRegionInvalid'): void {
    const ipam = this.store.ipams.get(ipamId)!;
    if (ipam.RegionId !== regionId) throw apiError(code, `Use ${ipam.RegionId}.`);
  }

  /** Where a pool is in effect (spec §2.3): its PoolRegionId, or its IPAM's hosted region for a region-less pool. */
  regionOf(pool: PoolRecord): string {
    return pool.PoolRegionId ?? this.store.ipams.get(pool.IpamId)!.RegionId;
  }

  /** Allocation calls go to the pool's region (regionOf). */
  inPoolRegion(pool: PoolRecord, regionId: string): void {
    const expected = this.regionOf(pool);
    if (expected !== regionId) throw apiError('OperationDenied.RequestRegionInvalid', `Use ${expected}.`);
  }

  ipam(id: string, regionId: string): IpamRecord {
    this.knownRegion(regionId);
    const ipam = this.store.ipams.get(id);
    if (!ipam) throw apiError('ResourceNotFound.Ipam', id);
    this.inHostedRegion(id, regionId);
    return ipam;
  }

  scope(id: string, regionId: string): ScopeRecord {
    this.knownRegion(regionId);
    const scope = this.existingScope(id);
    this.inHostedRegion(scope.IpamId, regionId);
    return scope;
  }

  /** The scope, or ResourceNotFound: the lookup alone, for a call that looks up more before its region rule. */
  existingScope(id: string): ScopeRecord {
    const scope = this.store.scopes.get(id);
    if (!scope) throw apiError('ResourceNotFound.IpamScope', id);
    return scope;
  }

  /** The pool, or ResourceNotFound: the lookup alone, as existingScope. */
  existingPool(id: string): PoolRecord {
    const pool = this.store.pools.get(id);
    if (!pool) throw apiError('ResourceNotFound.IpamPool', id);
    return pool;
  }

  /** A pool addressed by a pool-management call (hosted region) or an allocation call (pool region). */
  pool(id: string, regionId: string, rule: 'hosted' | 'pool', regionCode?: ErrorCode): PoolRecord {
    this.knownRegion(regionId);
    const pool = this.existingPool(id);
    if (rule === 'hosted') this.inHostedRegion(pool.IpamId, regionId, regionCode);
    else this.inPoolRegion(pool, regionId);
    return pool;
  }

  allocation(id: string, regionId: string): AllocationRecord {
    this.knownRegion(regionId);
    const allocation = this.store.allocations.get(id);
    if (!allocation) throw apiError('ResourceNotFound.IpamPoolAllocation', id);
    if (allocation.RegionId !== regionId) throw apiError('OperationDenied.RequestRegionInvalid', `Use ${allocation.RegionId}.`);
    return allocation;
  }

  /** Parses CIDR text for a pool of the given version; IllegalParam.<name> says why it is refused. */
  cidrFor(version: IpVersion, text: string, name = 'Cidr'): Cidr {
    let cidr: Cidr;
    try {
      cidr = parseCidr(text);
    } catch (error) {
      if (error instanceof AddressParseError) throw illegalParam(name, error.reason);
      throw error;
    }
    if ((cidr.family === 4) !== (version === 'IPv4')) throw illegalParam(name, `${formatCidr(cidr)} is not an ${version} block`);
    return cidr;
  }

  excluded(cidr: Cidr): Cidr | undefined {
    return this.excludeCidrs.find((range) => cidrOverlaps(range, cidr));
  }

  /** Refuses a block that overlaps an excluded range (provisioned or allocated alike). */
  notExcluded(block: Cidr): void {
    const excluded = this.excluded(block);
    if (excluded) throw apiError('OperationDenied.CidrInExcludeCidrs', `${formatCidr(block)} overlaps ${formatCidr(excluded)}.`);
  }
}

/**
 * The pool's allocation mask rule (spec §2.5), for its own allocations and for its sub-pools'
 * CIDRs alike (a sub-pool's CIDR is an allocation of its parent).
 */
export function maskAllowed(pool: PoolRecord, prefixLength: number): void {
  if (prefixLength < (pool.AllocationMinCidrMask ?? 0) || prefixLength > pool.AllocationMaxCidrMask) {
    throw apiError('OperationDenied.MaskOfCidrIsNotAllowed',
      `/${prefixLength} is outside /${pool.AllocationMinCidrMask ?? 0}–/${pool.AllocationMaxCidrMask} for ${pool.IpamPoolId}.`);
  }
}

/** A block the pool can hand out as it is: inside one of its CIDRs and clear of its allocations. */
export function freeIn(pool: PoolRecord, block: Cidr): void {
  if (!pool.space.insideSource(block) || pool.space.overlapsAllocation(block)) {
    throw apiError('OperationDenied.CidrUnavailableInPool', `${formatCidr(block)} is not free in ${pool.IpamPoolId}.`);
  }
}

/** Address width of an IP version: 32 or 128 (the largest prefix length a pool can have). */
export function familyBits(version: IpVersion): number {
  return version === 'IPv4' ? 32 : 128;
}
