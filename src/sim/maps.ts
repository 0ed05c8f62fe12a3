/** Pool snapshots → Hilbert maps for the report. */
import { rasterisePoolMap, smallestCommonBlock } from '../report/hilbert.js';
import type { PoolMap } from '../report/summary.js';
import type { PoolSnapshot } from './driver.js';
import { flattenPools, type Scenario } from './scenario.js';

/** A function drawing pool i's snapshot: top-level pools at `side` cells a side, sub-pools at half. */
export function poolMapper(scenario: Scenario, side: number): (pool: number, snapshot: PoolSnapshot) => PoolMap | null {
  const pools = flattenPools(scenario);
  return (pool, snapshot) => {
    const { plan, parent } = pools[pool]!;
    const childNames = (plan.children ?? []).map((c) => c.name);
    if (snapshot.provisioned.length === 0) return null; // a sub-pool that never needed room: nothing to draw
    return rasterisePoolMap({
      poolId: plan.name,
      span: smallestCommonBlock(snapshot.provisioned),
      side: parent < 0 ? side : Math.max(1, side >> 1),
      provisioned: snapshot.provisioned,
      allocated: snapshot.allocated,
      children: childNames.map((name, i) => ({ name, blocks: snapshot.children[i]! })),
    });
  };
}
