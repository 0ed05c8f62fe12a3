/** The service's records. Field names are the API's own, so responses are built by picking fields. */
import type { Cidr } from '../cidr/index.js';
import type { AddressSpace, AllocationStrategy } from '../engine/index.js';
import { AllocationIndex } from './allocation-index.js';
import type { BlockWords } from './block.js';
import { Collection } from './collection.js';
import { ClientTokenStore } from './token-store.js';
import type { PoolCidrs } from './pool-cidrs.js';
import type { Tag } from './params.js';

export type IpVersion = 'IPv4' | 'IPv6';

export interface IpamRecord {
  readonly seq: number;
  readonly IpamId: string;
  /** The hosted (managed) region. */
  readonly RegionId: string;
  OperatingRegionList: string[];
  IpamName?: string;
  IpamDescription?: string;
  ResourceGroupId?: string;
  Tags: Tag[];
  readonly CreateTime: string;
  readonly PrivateDefaultScopeId: string;
  readonly PublicDefaultScopeId: string;
  readonly DefaultResourceDiscoveryId: string;
  readonly DefaultResourceDiscoveryAssociationId: string;
}

export interface ScopeRecord {
  readonly seq: number;
  readonly IpamScopeId: string;
  readonly IpamId: string;
  readonly IpamScopeType: 'private' | 'public';
  readonly IsDefault: boolean;
  IpamScopeName?: string;
  IpamScopeDescription?: string;
  ResourceGroupId?: string;
  Tags: Tag[];
  readonly CreateTime: string;
  readonly RegionId: string;
  /** Top-level pools' provisioned CIDRs, as allocations over a /0 source: the scope-wide overlap check. */
  readonly spaces: { readonly IPv4: AddressSpace; readonly IPv6: AddressSpace };
  readonly pools: Set<string>;
}

export interface PoolCidrRecord {
  readonly seq: number;
  readonly Cidr: string;
  readonly block: Cidr;
  /** For a sub-pool: the parent's allocation that holds this CIDR. */
  readonly parentAllocationId?: string;
}

/** BlockWords (not exported): Cidr in the engine's numeric form, so a release needs neither parsing nor BigInt. */
export interface AllocationRecord extends BlockWords {
  readonly seq: number;
  readonly IpamPoolAllocationId: string;
  readonly IpamPoolId: string;
  readonly Cidr: string;
  readonly SourceCidr: string;
  readonly ResourceType: 'Custom' | 'IpamPool';
  readonly ResourceId: string;
  readonly ResourceRegionId: string;
  readonly RegionId: string;
  IpamPoolAllocationName?: string;
  IpamPoolAllocationDescription?: string;
  readonly CreationTime: string;
  /** Its place in the pool's allocations (see Sequenced; not exported). */
  slot: number;
}

/**
 * An allocation record with its fields always in this order, whether made by a call or restored:
 * one shape for every record, so the hot path's reads of them stay monomorphic (a restored record
 * spread from its document's fields took another shape).
 */
export function allocationRecord(fields: Omit<AllocationRecord, keyof BlockWords | 'slot'>, block: BlockWords): AllocationRecord {
  return {
    seq: fields.seq,
    IpamPoolAllocationId: fields.IpamPoolAllocationId,
    IpamPoolId: fields.IpamPoolId,
    Cidr: fields.Cidr,
    w0: block.w0,
    w1: block.w1,
    w2: block.w2,
    w3: block.w3,
    prefixLength: block.prefixLength,
    SourceCidr: fields.SourceCidr,
    ResourceType: fields.ResourceType,
    ResourceId: fields.ResourceId,
    ResourceRegionId: fields.ResourceRegionId,
    RegionId: fields.RegionId,
    IpamPoolAllocationName: fields.IpamPoolAllocationName,
    IpamPoolAllocationDescription: fields.IpamPoolAllocationDescription,
    CreationTime: fields.CreationTime,
    slot: -1,
  };
}

export interface PoolRecord {
  readonly seq: number;
  readonly IpamPoolId: string;
  readonly IpamId: string;
  readonly IpamScopeId: string;
  readonly SourceIpamPoolId?: string;
  readonly PoolRegionId?: string;
  readonly IpVersion: IpVersion;
  readonly Ipv6Isp?: string;
  AllocationMinCidrMask?: number;
  AllocationMaxCidrMask: number;
  AllocationDefaultCidrMask?: number;
  AutoImport?: boolean;
  /** Extension: the engine strategy for CidrMask / NetmaskLength requests (default first-fit). */
  AllocationStrategy: AllocationStrategy;
  IpamPoolName?: string;
  IpamPoolDescription?: string;
  ResourceGroupId?: string;
  Tags: Tag[];
  readonly CreateTime: string;
  /** 1 for a top-level pool, parent + 1 for a sub-pool. */
  readonly PoolDepth: number;
  /** Provisioned CIDRs are its sources; allocations (custom and sub-pool) its reservations. */
  readonly space: AddressSpace;
  readonly cidrs: PoolCidrs;
  readonly allocations: Collection<AllocationRecord>;
  readonly children: Set<string>;
}

export interface ClientTokenEntry {
  action: string;
  digest: string;
  response: unknown;
  at: number;
}

export class Store {
  seq = 0;
  /** Committed changes so far: what a cached count of a list's matches is checked against. */
  changes = 0;
  readonly ipams = new Collection<IpamRecord>();
  readonly scopes = new Collection<ScopeRecord>();
  readonly pools = new Collection<PoolRecord>();
  /** Every allocation of every pool, for lookups by ID. */
  readonly allocations = new AllocationIndex();
  readonly clientTokens = new ClientTokenStore();

  nextSeq(): number {
    return ++this.seq;
  }
}
