/**
 * What the simulator needs from an IPAM, and two ways to provide it: straight on the engine
 * (numbers in, numbers out — the fast path) and through the Alibaba-shaped API (IpamService).
 * Both must give identical runs for the same scenario, strategy and seed; a test holds them to it.
 */
import type { Cidr } from '../cidr/index.js';

export type GrowResult = 'ok' | 'no-fit' | 'quota';

export interface PoolFigures {
  utilisation: number;
  fragmentation: number;
  largestPrefix: number | null;
  freeAddresses: bigint;
}

/** A pool's blocks at one moment, for its Hilbert map. */
export interface PoolSnapshot {
  provisioned: Cidr[];
  /** Allocations to resources (not sub-pool CIDRs). */
  allocated: Cidr[];
  /** CIDRs held by each sub-pool, in the order of the plan's children. */
  children: Cidr[][];
}

export interface Driver {
  /**
   * Allocates a block of `mask` in the pool with the run's strategy; returns a handle for
   * release, or -1 when no block fits.
   */
  allocate(pool: number, mask: number): number;
  release(handle: number): void;
  /** Takes a /prefix from the pool's parent (parent's strategy) and adds it to the pool's CIDRs. */
  grow(pool: number, prefix: number): GrowResult;
  figures(pool: number): PoolFigures;
  snapshot(pool: number): PoolSnapshot;
  /** Frees everything the driver made. */
  close(): void;
}

/** The random strategy's seed for pool i of a scenario: the same on both paths. */
export function poolRandomSeed(scenarioSeed: number, pool: number): number {
  return scenarioSeed * 4096 + pool;
}

/** Handles 0..n-1 with reuse: the simulator's live set is a dense list of them. */
export class HandleSlots {
  #free: number[] = [];
  #next = 0;
  take(): number {
    return this.#free.pop() ?? this.#next++;
  }
  give(handle: number): void {
    this.#free.push(handle);
  }
  get highWater(): number {
    return this.#next;
  }
}
