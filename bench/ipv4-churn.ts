/**
 * The IPv4 churn workload of bench/run.ts (10.0.0.0/8 kept half full, masks /20–/28, 4,096
 * releases then 4,096 allocations per step, first-fit), self-timed with performance.now so the
 * identical code runs in Node and, bundled, in Chromium (bench/browser.ts).
 */
import type { Engine } from '../src/engine/index.js';
import { engineBatch, engineCall } from './adapters.js';
import { ChurnBuffers, churnStep, LiveSet, prefill, Random } from './workloads.js';

export type ChurnMode = 'batch' | 'call';

const K = 4096;
const pickPrefix = (r: Random) => 20 + r.below(9);

/** ns per operation over `durationMs` of churn steps, after a warm-up of a fifth of that. */
export function measureIpv4Churn(engine: Engine, mode: ChurnMode, durationMs: number): number {
  const space = engine.createSpace(4);
  space.addSource('10.0.0.0/8');
  try {
    const allocator = mode === 'batch' ? engineBatch(space) : engineCall(space);
    const live = new LiveSet((1 << 20) + 2 * K + 16, 1);
    const random = new Random(20261126);
    prefill(allocator, live, random, pickPrefix, Infinity, 32, 1 << 23);
    const buffers = new ChurnBuffers(K, 1);
    const run = (ms: number) => {
      let ops = 0;
      const start = performance.now();
      let now = start;
      while (now - start < ms) {
        ops += churnStep(allocator, live, random, pickPrefix, buffers);
        now = performance.now();
      }
      return ((now - start) * 1e6) / ops;
    };
    run(durationMs / 5);
    return run(durationMs);
  } finally {
    space.destroy();
  }
}
