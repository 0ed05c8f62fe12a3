/**
 * The simulator's speed: events per second per strategy on the default scenario, straight on
 * the engine and through the API, each strategy warmed up first and measured in this thread
 * (no maps: drawing is the report's cost, not the run's).
 */
import { Engine, type AllocationStrategy } from '../src/engine/index.js';
import { runJob } from '../src/sim/simulate.js';
import { builtInScenario, DEFAULT_SCENARIO } from '../src/sim/scenarios.js';

export interface SimRow {
  strategy: AllocationStrategy;
  via: 'engine' | 'api';
  events: number;
  eventsPerSecond: number;
}

export async function measureSimulator(apiEvents: number, engineEvents?: number): Promise<SimRow[]> {
  const scenario = builtInScenario(DEFAULT_SCENARIO)!;
  const engine = await Engine.load();
  const rows: SimRow[] = [];
  for (const via of ['engine', 'api'] as const) {
    const events = via === 'api' ? apiEvents : engineEvents ?? scenario.events;
    const sized = { ...scenario, events };
    for (const strategy of scenario.strategies) {
      await runJob(engine, { scenario: { ...sized, events: Math.min(events, 100_000) }, strategy, via, mapSide: 0 }); // warm-up
      const run = await runJob(engine, { scenario: sized, strategy, via, mapSide: 0 });
      rows.push({ strategy, via, events, eventsPerSecond: run.eventsPerSecond });
      console.log(`  ${via.padEnd(6)} ${strategy.padEnd(9)} ${Math.round(run.eventsPerSecond).toLocaleString('en-US').padStart(10)} events/s`);
    }
  }
  return rows;
}

export function simulatorTable(rows: SimRow[]): string {
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  const cell = (s: string, via: string) => Math.round(rows.find((r) => r.strategy === s && r.via === via)!.eventsPerSecond).toLocaleString('en-US');
  return [
    '| strategy | engine path, events/s | API path, events/s |',
    '| --- | ---: | ---: |',
    ...strategies.map((s) => `| ${s} | ${cell(s, 'engine')} | ${cell(s, 'api')} |`),
  ].join('\n');
}
