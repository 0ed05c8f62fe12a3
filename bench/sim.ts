/**
 * The simulator's speed: events per second per strategy on the default scenario, straight on
 * the engine and through the API, each strategy warmed up first and measured in one thread
 * (no maps: drawing is the report's cost, not the run's). Both paths run the whole scenario (a
 * shorter one is easier: its pools stay emptier and fail less), and the engine path takes the
 * best of ROUNDS runs, the statistic of its engine calls replayed alone beside it.
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

/** Runs of the engine path per strategy (the best is kept), as its replay (sim-engine-alone.ts) takes the best of three. */
const ROUNDS = 3;

/** `events`: the scenario's own (1,000,000) unless given (a quick run). */
export async function measureSimulator(events?: number): Promise<SimRow[]> {
  const scenario = builtInScenario(DEFAULT_SCENARIO)!;
  const engine = await Engine.load();
  const rows: SimRow[] = [];
  const sized = { ...scenario, events: events ?? scenario.events };
  for (const via of ['engine', 'api'] as const) {
    for (const strategy of scenario.strategies) {
      await runJob(engine, { scenario: { ...sized, events: Math.min(sized.events, 100_000) }, strategy, via, mapSide: 0 }); // warm-up
      let eventsPerSecond = 0;
      for (let round = 0; round < (via === 'engine' ? ROUNDS : 1); round++) {
        eventsPerSecond = Math.max(eventsPerSecond, (await runJob(engine, { scenario: sized, strategy, via, mapSide: 0 })).eventsPerSecond);
      }
      const engineAlone = via === 'engine' ? await engineAloneEventsPerSecond(engine.module, sized, strategy) : undefined;
      rows.push({ strategy, via, events: sized.events, eventsPerSecond, engineAlone });
      const alone = engineAlone === undefined ? '' : ` (its engine calls alone: ${Math.round(engineAlone).toLocaleString('en-US')})`;
      console.log(`  ${via.padEnd(6)} ${strategy.padEnd(9)} ${Math.round(eventsPerSecond).toLocaleString('en-US').padStart(10)} events/s${alone}`);
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
export function measureSimulatorApart(events?: number): Promise<SimRow[]> {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), ...(events === undefined ? [] : [String(events)])];
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
  const events = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  const rows = await measureSimulator(events);
  console.log(RESULT_MARK + JSON.stringify(rows));
}
