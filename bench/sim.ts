/**
 * The simulator's speed: events per second per strategy on the default scenario, straight on
 * the engine and through the API, each strategy warmed up first and measured in one thread
 * (no maps: drawing is the report's cost, not the run's). Both paths run the whole scenario (a
 * shorter one is easier: its pools stay emptier and fail less), and the engine path takes the
 * best of ROUNDS runs, the statistic of its engine calls replayed alone beside it. Beside them,
 * reference runs: the run through the API ceiling's responses (sim-ceiling.ts), and random's run
 * with its draws replaced by the blocks they took and without counts (random-oracle.ts).
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
import type { Scenario } from '../src/sim/scenario.js';
import { engineAloneEventsPerSecond } from './sim-engine-alone.js';
import { runThroughCeiling } from './sim-ceiling.js';
import { buildOracleEngine, randomBounds, withoutTimes, type RandomBounds } from './random-oracle.js';

export interface SimRow {
  strategy: AllocationStrategy;
  via: 'engine' | 'api';
  events: number;
  eventsPerSecond: number;
  /** Engine path only: the same run's engine calls replayed alone (sim-engine-alone.ts). */
  engineAlone?: number;
  /** API path only: the run through the API ceiling's responses alone (sim-ceiling.ts), best of ROUNDS. */
  ceiling?: number;
}

export interface SimResults {
  rows: SimRow[];
  /** Random's run without its draws (random-oracle.ts); null when the scenario has no random. */
  random: RandomBounds | null;
}

/** Runs of the engine path per strategy (the best is kept), as its replay (sim-engine-alone.ts) takes the best of three. */
const ROUNDS = 3;

const figure = (n: number) => Math.round(n).toLocaleString('en-US');

/** `events`: the scenario's own (1,000,000) unless given (a quick run). */
export async function measureSimulator(events?: number): Promise<SimResults> {
  const scenario = builtInScenario(DEFAULT_SCENARIO)!;
  const engine = await Engine.load();
  const rows: SimRow[] = [];
  const sized = { ...scenario, events: events ?? scenario.events };
  const warmUp = { ...sized, events: Math.min(sized.events, 100_000) };
  /** Each strategy's engine-path run, without its timings: the reference runs must be the same. */
  const engineRuns = new Map<AllocationStrategy, string>();
  for (const via of ['engine', 'api'] as const) {
    for (const strategy of scenario.strategies) {
      await runJob(engine, { scenario: warmUp, strategy, via, mapSide: 0 });
      let eventsPerSecond = 0;
      for (let round = 0; round < (via === 'engine' ? ROUNDS : 1); round++) {
        const run = await runJob(engine, { scenario: sized, strategy, via, mapSide: 0 });
        eventsPerSecond = Math.max(eventsPerSecond, run.eventsPerSecond);
        if (via === 'engine') engineRuns.set(strategy, JSON.stringify(withoutTimes(run)));
      }
      const engineAlone = via === 'engine' ? await engineAloneEventsPerSecond(engine.module, sized, strategy) : undefined;
      const ceiling = via === 'api' ? await ceilingEventsPerSecond(engine.module, sized, warmUp, strategy, engineRuns.get(strategy)!) : undefined;
      rows.push({ strategy, via, events: sized.events, eventsPerSecond, engineAlone, ceiling });
      const beside = engineAlone !== undefined ? ` (its engine calls alone: ${figure(engineAlone)})` : ` (the ceiling's responses alone: ${figure(ceiling!)})`;
      console.log(`  ${via.padEnd(6)} ${strategy.padEnd(9)} ${figure(eventsPerSecond).padStart(10)} events/s${beside}`);
    }
  }
  let random: RandomBounds | null = null;
  if (scenario.strategies.includes('random')) {
    random = await randomBounds(await buildOracleEngine(), sized, engineRuns.get('random')!, ROUNDS);
    console.log(`  random with its draws ${figure(random.withDraws)}, without them ${figure(random.withoutDraws)}, without them or its counts ${figure(random.withoutDrawsOrCounts)}, without counts (another run) ${figure(random.withoutCounts.eventsPerSecond)} events/s`);
  }
  return { rows, random };
}

/** The best of ROUNDS runs through the API ceiling, each checked to be the engine path's run. */
async function ceilingEventsPerSecond(module: WebAssembly.Module, scenario: Scenario, warmUp: Scenario, strategy: AllocationStrategy, engineRun: string): Promise<number> {
  await runThroughCeiling(module, warmUp, strategy);
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const run = await runThroughCeiling(module, scenario, strategy);
    if (JSON.stringify(withoutTimes(run)) !== engineRun) throw new Error(`the ${strategy} run through the API ceiling is not the engine path's run`);
    best = Math.max(best, run.eventsPerSecond);
  }
  return best;
}

export function simulatorTable({ rows, random }: SimResults): string {
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  const row = (s: string, via: string) => rows.find((r) => r.strategy === s && r.via === via)!;
  const table = [
    '| strategy | engine path, events/s | its engine calls alone, events/s | API path, events/s | through the API ceiling\'s responses, events/s |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...strategies.map((s) => `| ${s} | ${figure(row(s, 'engine').eventsPerSecond)} | ${figure(row(s, 'engine').engineAlone!)} | ${figure(row(s, 'api').eventsPerSecond)} | ${figure(row(s, 'api').ceiling!)} |`),
  ].join('\n');
  if (!random) return table;
  return `${table}

Random on the engine path without its draws (${figure(random.takes)} random allocations recorded, then replayed as walks to the
blocks they took; best of three runs each, all on the benchmark's own build with the oracle, bench/random-oracle.ts):

| random, engine path | events/s |
| --- | ---: |
| with its draws (the oracle's build) | ${figure(random.withDraws)} |
| draws replaced, counts kept | ${figure(random.withoutDraws)} |
| draws replaced, no counts | ${figure(random.withoutDrawsOrCounts)} |
| another run: its draws that need no free-address counts, none kept (see below) | ${figure(random.withoutCounts.eventsPerSecond)} |

The last row is random with its exact draws that read no free-address counts, and none kept (the tree's summaries,
histogram and order sets are kept as always): the listed draw where at most 64 maximal free blocks fit, else rejection
sampling (a uniform block of the asked size in the pool's CIDRs that hold a fitting one, up to 32 tries), then the
walk through every fitting block. In one run the listed draw served ${figure(random.withoutCounts.listed)} calls, rejection sampling
${figure(random.withoutCounts.uniform)} (${figure(random.withoutCounts.tries)} tries in all, the 32 of each call it missed included), the walk
${figure(random.withoutCounts.walked)}, and the biased descent (not exact) ${figure(random.withoutCounts.descent)}.`;
}

const RESULT_MARK = 'simulator rows: ';

/** measureSimulator in a child process (same node, same flags), its progress lines passed through. */
export function measureSimulatorApart(events?: number): Promise<SimResults> {
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
      else resolve(JSON.parse(rows.slice(RESULT_MARK.length)) as SimResults);
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const events = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  console.log(RESULT_MARK + JSON.stringify(await measureSimulator(events)));
}
