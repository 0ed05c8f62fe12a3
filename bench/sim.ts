/**
 * The simulator's speed: events per second per strategy on the default scenario, straight on
 * the engine and through the API, each strategy warmed up first and measured in one thread
 * (no maps: drawing is the report's cost, not the run's).
 *
 * `npm run bench` runs it in a process of its own (`measureSimulatorApart`), as `wasm-ipam
 * simulate` runs each strategy in a fresh worker: inside the bench's process, after the other
 * workloads, the heap they leave behind slows it by about a fifth.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Engine, type AllocationStrategy } from '../src/engine/index.js';
import { runJob } from '../src/sim/simulate.js';
import { builtInScenario, DEFAULT_SCENARIO } from '../src/sim/scenarios.js';
import { engineAloneEventsPerSecond } from './sim-engine-alone.js';

export interface SimRow {
  strategy: AllocationStrategy;
  via: 'engine' | 'api';
  events: number;
  eventsPerSecond: number;
  /** Engine path only: the same run's engine calls replayed alone (sim-engine-alone.ts). */
  engineAlone?: number;
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
      const engineAlone = via === 'engine' ? await engineAloneEventsPerSecond(engine.module, sized, strategy) : undefined;
      rows.push({ strategy, via, events, eventsPerSecond: run.eventsPerSecond, engineAlone });
      const alone = engineAlone === undefined ? '' : ` (its engine calls alone: ${Math.round(engineAlone).toLocaleString('en-US')})`;
      console.log(`  ${via.padEnd(6)} ${strategy.padEnd(9)} ${Math.round(run.eventsPerSecond).toLocaleString('en-US').padStart(10)} events/s${alone}`);
    }
  }
  return rows;
}

export function simulatorTable(rows: SimRow[]): string {
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  const row = (s: string, via: string) => rows.find((r) => r.strategy === s && r.via === via)!;
  const figure = (n: number) => Math.round(n).toLocaleString('en-US');
  return [
    '| strategy | engine path, events/s | its engine calls alone, events/s | API path, events/s |',
    '| --- | ---: | ---: | ---: |',
    ...strategies.map((s) => `| ${s} | ${figure(row(s, 'engine').eventsPerSecond)} | ${figure(row(s, 'engine').engineAlone!)} | ${figure(row(s, 'api').eventsPerSecond)} |`),
  ].join('\n');
}

const RESULT_MARK = 'simulator rows: ';

/** measureSimulator in a child process (same node, same flags), its progress lines passed through. */
export function measureSimulatorApart(apiEvents: number, engineEvents?: number): Promise<SimRow[]> {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), String(apiEvents), ...(engineEvents === undefined ? [] : [String(engineEvents)])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let rows: string | undefined;
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk;
    const lines = out.split('\n');
    out = lines.pop()!;
    for (const line of lines) if (!line.startsWith(RESULT_MARK)) console.log(line);
    rows ??= lines.find((line) => line.startsWith(RESULT_MARK));
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0 || rows === undefined) reject(new Error(`the simulator benchmark exited with ${code}`));
      else resolve(JSON.parse(rows.slice(RESULT_MARK.length)) as SimRow[]);
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [apiEvents, engineEvents] = process.argv.slice(2).map(Number);
  const rows = await measureSimulator(apiEvents!, engineEvents);
  console.log(RESULT_MARK + JSON.stringify(rows));
}
