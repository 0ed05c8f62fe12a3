/** The simulator through the Alibaba-shaped API: every step is an IpamService call. */
import { parseCidr, type Cidr } from '../cidr/index.js';
import { Engine, type AllocationStrategy } from '../engine/index.js';
import { IpamApiError, IpamService } from '../api/index.js';
import { CallPerEventDriver, poolRandomSeed, type GrowResult, type PoolFigures, type PoolSnapshot } from './driver.js';
import { flattenPools, type Scenario } from './scenario.js';

const REGION = 'cn-hangzhou';
/** Simulated time does not pass: every record is made at the epoch (one Date, not one per call). */
const EPOCH = new Date(0);
// the API's ways of saying "no room": no free block, or (for a sub-pool's parent) no CIDR at all yet
const NO_FIT = new Set(['OperationDenied.AvailableCidrInsufficient', 'OperationDenied.SourcePoolHasNoCidr']);

export class ApiDriver extends CallPerEventDriver {
  readonly ipam: IpamService;
  /** The service's own engine instance, which also draws the run's events. */
  readonly engine: Engine;
  readonly #poolIds: string[] = [];
  readonly #children: number[][] = [];
  /** Each pool's address width (32 or 128). */
  readonly #bits: number[] = [];

  private constructor(ipam: IpamService, engine: Engine) {
    super();
    this.ipam = ipam;
    this.engine = engine;
  }

  /**
   * A service on an engine instance of its own, made from the caller's compiled module: when the
   * run ends the whole instance goes, its memory with it (IpamService.dispose() gives back a shared
   * engine's nodes, but not the fresh memory each space's record took).
   */
  static async create(engine: Engine, scenario: Scenario, strategy: AllocationStrategy): Promise<ApiDriver> {
    // full pools are outcomes here, not faults: their refusals need no stack traces
    const own = await Engine.load(engine.module);
    const ipam = await IpamService.create({ engine: own, seed: scenario.seed, clock: () => EPOCH, errorStacks: false });
    const driver = new ApiDriver(ipam, own);
    const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: REGION, OperatingRegionList: [REGION] });
    for (const { plan, parent, bits } of flattenPools(scenario)) {
      const { IpamPoolId } = ipam.createIpamPool({
        RegionId: REGION,
        IpamScopeId: PrivateDefaultScopeId,
        IpVersion: bits === 32 ? 'IPv4' : 'IPv6',
        AllocationStrategy: strategy,
        RandomSeed: poolRandomSeed(scenario.seed, driver.#poolIds.length),
        IpamPoolName: plan.name,
        ...(parent < 0 ? {} : { SourceIpamPoolId: driver.#poolIds[parent]! }),
      });
      for (const cidr of plan.cidrs ?? []) ipam.addIpamPoolCidr({ RegionId: REGION, IpamPoolId, Cidr: cidr });
      if (parent >= 0) driver.#children[parent]!.push(driver.#poolIds.length);
      driver.#poolIds.push(IpamPoolId);
      driver.#children.push([]);
      driver.#bits.push(bits);
    }
    return driver;
  }

  protected createAllocation(pool: number, mask: number): string | undefined {
    try {
      return this.ipam.call('CreateIpamPoolAllocation', { RegionId: REGION, IpamPoolId: this.#poolIds[pool]!, CidrMask: mask }).IpamPoolAllocationId;
    } catch (error) {
      if (error instanceof IpamApiError && NO_FIT.has(error.code)) return undefined;
      throw error;
    }
  }

  protected deleteAllocation(id: string): void {
    this.ipam.call('DeleteIpamPoolAllocation', { RegionId: REGION, IpamPoolAllocationId: id });
  }

  grow(pool: number, prefix: number): GrowResult {
    try {
      this.ipam.call('AddIpamPoolCidr', { RegionId: REGION, IpamPoolId: this.#poolIds[pool]!, NetmaskLength: prefix });
      return 'ok';
    } catch (error) {
      if (error instanceof IpamApiError && NO_FIT.has(error.code)) return 'no-fit';
      if (error instanceof IpamApiError && error.code === 'QuotaExceeded.IpamPoolCidr') return 'quota';
      throw error;
    }
  }

  figures(pool: number): PoolFigures {
    const u = this.ipam.call('GetIpamPoolUtilization', { RegionId: REGION, IpamPoolId: this.#poolIds[pool]! });
    return {
      utilisation: u.UtilizationPercent,
      fragmentation: u.FragmentationIndex,
      largestPrefix: u.FreeBlocks[0]?.CidrMask ?? null,
      freeAddresses: BigInt(u.FreeAddresses),
      totalAddresses: BigInt(u.TotalAddresses),
    };
  }

  holdsFreeAddresses(pool: number, prefix: number): boolean {
    return this.figures(pool).freeAddresses >= 1n << BigInt(this.#bits[pool]! - prefix);
  }

  /** Every allocation of a pool, page by page. */
  #allocations(pool: number): { Cidr: string; ResourceType: string; ResourceId: string }[] {
    const out: { Cidr: string; ResourceType: string; ResourceId: string }[] = [];
    let NextToken: string | undefined;
    do {
      const page = this.ipam.call('ListIpamPoolAllocations', { RegionId: REGION, IpamPoolId: this.#poolIds[pool]!, MaxResults: 100, ...(NextToken ? { NextToken } : {}) });
      out.push(...page.IpamPoolAllocations);
      NextToken = page.NextToken || undefined;
    } while (NextToken);
    return out;
  }

  snapshot(pool: number): PoolSnapshot {
    const cidrs = this.ipam.call('ListIpamPoolCidrs', { RegionId: REGION, IpamPoolId: this.#poolIds[pool]!, MaxResults: 100 }).IpamPoolCidrs;
    const byAddress = (a: Cidr, b: Cidr) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0);
    const allocations = this.#allocations(pool);
    const childIds = this.#children[pool]!.map((c) => this.#poolIds[c]!);
    return {
      provisioned: cidrs.map((c) => parseCidr(c.Cidr)).sort(byAddress),
      allocated: allocations.filter((a) => a.ResourceType === 'Custom').map((a) => parseCidr(a.Cidr)).sort(byAddress),
      children: childIds.map((id) => allocations.filter((a) => a.ResourceId === id).map((a) => parseCidr(a.Cidr))),
    };
  }

  close(): void {
    // the service's engine instance is its own (see create): dropping the driver frees it
  }
}
