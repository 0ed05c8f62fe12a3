// Found in review: a scenario parseScenario accepts must run through the API as it runs on the
// engine (README: "--via api ... same results"). A pool tree 11 levels deep is accepted and
// runs on the engine, but the API refuses the 11th level (OperationDenied.PoolDepthExceeded),
// so `simulate --via api` died with an IpamApiError stack trace (exit 1). The scenario check
// now refuses it, and ten levels run alike on both paths.
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.js';
import type { StrategyRun } from '../../src/report/summary.js';
import { parseScenario, ScenarioError, type PoolPlan } from '../../src/sim/scenario.js';
import { runJob } from '../../src/sim/simulate.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const withoutTimes = (r: StrategyRun) => ({ ...r, elapsedMs: 0, eventsPerSecond: 0, series: r.series.map((s) => ({ ...s, eventsPerSecond: [] })) });

/** A chain of sub-pools under one top-level /8: `levels` pools in all, counting the top one. */
function chain(levels: number): unknown {
  let pool: unknown = { name: 'leaf', chunk: 8 + levels - 1, workload: { weight: 1, masks: { '28': 1 } } };
  for (let level = levels - 2; level >= 1; level--) pool = { name: `level-${level + 1}`, chunk: 8 + level, children: [pool] };
  return { name: 'deep', seed: 1, events: 200, pools: [{ name: 'top', ipVersion: 'IPv4', cidrs: ['10.0.0.0/8'], children: [pool] }] };
}

const depth = (plan: PoolPlan): number => 1 + Math.max(0, ...(plan.children ?? []).map(depth));

describe('review: a scenario deeper than the API allows', () => {
  it('is refused by parseScenario, as the API would refuse its 11th level', () => {
    expect(() => parseScenario(chain(11))).toThrow(ScenarioError);
    expect(() => parseScenario(chain(11))).toThrow(/children: pools can be nested at most 10 levels deep/);
  });

  it('(control) ten levels run the same on both paths', async () => {
    const scenario = parseScenario(chain(10));
    const viaEngine = await runJob(engine, { scenario, strategy: 'first-fit', via: 'engine', mapSide: 0 });
    const viaApi = await runJob(engine, { scenario, strategy: 'first-fit', via: 'api', mapSide: 0 });
    expect(withoutTimes(viaApi)).toEqual(withoutTimes(viaEngine));
  });
});
