// The simulator's result, as written to summary.json and read by the HTML report. Plain JSON:
// numbers, strings, arrays; exact IPv6 counts are decimal strings.

import type { Scenario } from '../sim/scenario.js';

export const SUMMARY_FORMAT = 'wasm-ipam/simulation';
export const SUMMARY_VERSION = 2; // 2: failures by quota counted apart

export interface SimulationSummary {
  format: typeof SUMMARY_FORMAT;
  version: typeof SUMMARY_VERSION;
  scenario: {
    name: string; description: string; events: number; seed: number;
    /**
     * The whole scenario as run (options such as --events applied): `wasm-ipam simulate
     * --scenario summary.json` runs it again. Absent from summaries written before it was kept.
     */
    definition?: Scenario;
  };
  /** Strategy names in the order runs are shown. */
  strategies: string[];
  /** The pool tree, parents before children. */
  pools: PoolInfo[];
  runs: StrategyRun[];
  /** Machine and timing context, shown in the report's footer. */
  environment: { node: string; platform: string; cpus: number; workers: number; date: string };
}

export interface PoolInfo {
  id: string;
  name: string;
  parentId: string | null;
  ipVersion: 'IPv4' | 'IPv6';
  /** Top-level pools' provisioned CIDRs; a sub-pool has none of its own (it takes chunks). */
  cidrs: string[];
  /** Sub-pools: the prefix length of each CIDR taken from the parent when the pool needs room. */
  chunk?: number;
}

/**
 * Why an allocation failed: `fragmentation` when a pool asked had the addresses but no aligned
 * block; else `quota` when a pool that needed another CIDR was at the cloud's 50 per pool; else
 * `no-space`.
 */
export type FailureCause = 'no-space' | 'fragmentation' | 'quota';

export interface StrategyRun {
  strategy: string;
  elapsedMs: number;
  eventsPerSecond: number;
  allocations: number;
  releases: number;
  failures: { total: number; noSpace: number; fragmentation: number; quota: number };
  /**
   * The first refused allocation: when, in which pool, for what mask and why; and the top-level
   * pool of that pool's tree (`treeId`) with how full it was then (0..100): how much of the
   * address space the strategy had handed out when it first failed, to sub-pools included.
   * `inUse` (0..100) is the share of that top-level pool's addresses then allocated to
   * resources, in any pool of the tree: what the space really held, without the free room the
   * sub-pools kept in the CIDRs they had taken.
   */
  firstFailure: null | { event: number; poolId: string; mask: number; cause: FailureCause; treeId: string; utilisation: number; inUse: number };
  /** Sampled over time for every top-level pool (the root of each tree). */
  series: PoolSeries[];
  maps: { final: PoolMap[]; atFirstFailure: PoolMap[] | null };
}

export interface PoolSeries {
  poolId: string;
  /** Event index of each sample; the other arrays are parallel to it. */
  event: number[];
  /** Allocated addresses / provisioned addresses, percent 0..100. */
  utilisation: number[];
  /** Fragmentation index 0..1 (see README: (free addresses - largest free block) / free addresses). */
  fragmentation: number[];
  /** Prefix length of the largest allocatable block, or null when nothing is free. */
  largestPrefix: (number | null)[];
  /** Failed allocations in this pool's tree so far (cumulative). */
  failures: number[];
  /** The run's events per second over the interval ending at this sample (0 at the first sample). */
  eventsPerSecond: number[];
}

/**
 * A pool's address space on a Hilbert curve: side x side cells in row-major order, each cell
 * an equal share of the pool's span (the smallest aligned block holding all its CIDRs).
 * The d-th share of the span in address order sits at (x, y) = hilbertIndexToXY(log2(side), d),
 * i.e. at byte y * side + x. Made by rasterisePoolMap (src/report/hilbert.ts), which also
 * fixes the side of small spans (side^2 never exceeds the span's address count).
 */
export interface PoolMap {
  poolId: string;
  /** The span the map covers, e.g. "10.0.0.0/8". */
  span: string;
  side: number;
  /** Base64 of side*side cell bytes: see CELL_* below. */
  cells: string;
  /** Names for CELL_CHILD + i: the pool's sub-pools, in order. */
  children: string[];
}

export const CELL_OUTSIDE = 0;   // not provisioned to this pool
export const CELL_FREE = 1;
export const CELL_ALLOCATED = 2; // wholly allocated to resources
export const CELL_PARTLY = 3;    // some allocated, some free
export const CELL_CHILD = 16;    // 16 + i: (mostly) handed to sub-pool i
