/**
 * What the simulator needs from an IPAM (Driver). engine-driver.ts provides it straight on the
 * engine (numbers in, numbers out — the fast path), api-driver.ts through the Alibaba-shaped API
 * (IpamService, on CallPerEventDriver below). Both must give identical runs for the same
 * scenario, strategy and seed; a test holds them to it.
 */
import type { Cidr } from '../cidr/index.js';
import type { Engine } from '../engine/index.js';
import { tapeWord } from './stream.js';

export type GrowResult = 'ok' | 'no-fit' | 'quota';

export interface PoolFigures {
  utilisation: number;
  fragmentation: number;
  largestPrefix: number | null;
  freeAddresses: bigint;
  totalAddresses: bigint;
}

/** A pool's blocks at one moment, for its Hilbert map. */
export interface PoolSnapshot {
  provisioned: Cidr[];
  /** Allocations to resources (not sub-pool CIDRs). */
  allocated: Cidr[];
  /** CIDRs held by each sub-pool, in the order of the plan's children. */
  children: Cidr[][];
}

/**
 * Events are drawn a chunk at a time onto the driver's engine's tape (stream.ts), three u32
 * per event (assembly/live.ts): the pool's tape id, TAPE_ARRIVAL | mask, and the event's draw
 * d, which releases live allocation ⌊d / 2^32 · liveCount⌋. An event is an arrival when its
 * TAPE_ARRIVAL bit is set or nothing is live.
 */
export const TAPE_ARRIVAL = 0x100;
/** Events per tape chunk (the engine's tape holds as many). */
export const TAPE_EVENTS = 4096;

export interface Driver {
  /** Live allocations made through `allocate` and `apply`, numbered 0..liveCount-1. */
  readonly liveCount: number;
  /** The engine instance whose tape the run's events are drawn on (one run at a time). */
  readonly engine: Engine;
  /** The pool's id on the tape. */
  tapeId(pool: number): number;
  /**
   * Applies the tape's events first..end-1 in order until it meets one it leaves to the caller,
   * always an arrival, and returns that event's number (end when it applied them all). The
   * caller applies it (`allocate`, growing pools when it finds no room) and goes on after it.
   * Which arrivals a driver leaves is its choice: the engine those it tried that found no room
   * or no memory (changing nothing), the API all of them, untried.
   */
  apply(first: number, end: number): number;
  /** Whether the arrival the last `apply` left was tried and found no room: `allocate` would only say so again. */
  readonly leftNoRoom: boolean;
  /**
   * Allocates a block of `mask` in the pool with the run's strategy and appends it to the live
   * list; false when no block fits.
   */
  allocate(pool: number, mask: number): boolean;
  /** Releases live allocation `index`; the last one takes its number (swap-remove). */
  releaseAt(index: number): void;
  /** Takes a /prefix from the pool's parent (parent's strategy) and adds it to the pool's CIDRs. */
  grow(pool: number, prefix: number): GrowResult;
  figures(pool: number): PoolFigures;
  /**
   * Whether the pool's free addresses add up to a /prefix's worth, aligned or not (asked after
   * every failure, to tell fragmentation from a true lack of space).
   */
  holdsFreeAddresses(pool: number, prefix: number): boolean;
  snapshot(pool: number): PoolSnapshot;
  /** Frees everything the driver made. */
  close(): void;
}

/**
 * A driver that makes each allocation and each release with a call of its own, naming the
 * allocation by ID (the API path): it keeps the live IDs, applies the tape's releases one call
 * at a time and leaves every arrival to the caller, untried.
 */
export abstract class CallPerEventDriver implements Driver {
  abstract readonly engine: Engine;
  readonly leftNoRoom = false;
  /** IDs of the live allocations, dense (swap-remove on release). */
  readonly #live: string[] = [];

  /** Allocates a block of `mask` in the pool; its ID, or undefined when no block fits. */
  protected abstract createAllocation(pool: number, mask: number): string | undefined;
  /** Releases the allocation. */
  protected abstract deleteAllocation(id: string): void;
  abstract grow(pool: number, prefix: number): GrowResult;
  abstract figures(pool: number): PoolFigures;
  abstract holdsFreeAddresses(pool: number, prefix: number): boolean;
  abstract snapshot(pool: number): PoolSnapshot;
  abstract close(): void;

  get liveCount(): number {
    return this.#live.length;
  }

  tapeId(pool: number): number {
    return pool;
  }

  apply(first: number, end: number): number {
    for (let i = first; i < end; i++) {
      if (this.#live.length === 0 || (tapeWord(this.engine, i, 1) & TAPE_ARRIVAL) !== 0) return i;
      this.releaseAt(Math.floor((tapeWord(this.engine, i, 2) / 4294967296) * this.#live.length));
    }
    return end;
  }

  allocate(pool: number, mask: number): boolean {
    const id = this.createAllocation(pool, mask);
    if (id === undefined) return false;
    this.#live.push(id);
    return true;
  }

  releaseAt(index: number): void {
    this.deleteAllocation(this.#live[index]!);
    this.#live[index] = this.#live[this.#live.length - 1]!;
    this.#live.pop();
  }
}

/** The random strategy's seed for pool i of a scenario: the same on both paths. */
export function poolRandomSeed(scenarioSeed: number, pool: number): number {
  return scenarioSeed * 4096 + pool;
}
