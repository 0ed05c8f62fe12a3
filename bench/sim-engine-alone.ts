/**
 * How much of the simulator's engine path is the engine itself: one run's raw engine calls are
 * recorded (with the IPv6 addresses they pass through the IO area), then replayed alone on a
 * fresh engine instance, with nothing of the simulator's JS around them. Since the engine draws
 * the events onto its tape and applies them (assembly/stream.ts, live.ts), that is nearly the
 * whole run: the JS left is the loop over chunks, failures, pool growth and samples. The run's
 * rate next to the replay's says what a faster simulator could still win, and what only a
 * faster engine can.
 */
import { Engine, type AllocationStrategy, type EngineExports } from '../src/engine/index.js';
import { IO_ADDRESS_IN } from '../src/engine/layout.js';
import { runJob } from '../src/sim/simulate.js';
import type { Scenario } from '../src/sim/scenario.js';

type RawCall = (...args: number[]) => number;

/** Exports that take an IPv6 address from the IO area (the allocating ones write it instead). */
const readsAddressIn = (name: string) => name.endsWith('6') && !name.startsWith('allocate') && !name.startsWith('preview');

/** A log of raw calls, flat: export index, argument count, arguments, 4 IO words when read. */
class CallLog {
  values: number[] = [];

  record(engine: Engine, names: string[]): EngineExports {
    const raw = engine.raw as unknown as Record<string, RawCall>;
    const into = (engine.io + IO_ADDRESS_IN) >>> 2;
    const recording: Record<string, unknown> = { memory: engine.raw.memory };
    names.forEach((name, index) => {
      const call = raw[name]!;
      const withAddress = readsAddressIn(name);
      recording[name] = (...args: number[]) => {
        this.values.push(index, args.length, ...args);
        if (withAddress) for (let k = 0; k < 4; k++) this.values.push(engine.words[into + k]!);
        return call(...args);
      };
    });
    return recording as unknown as EngineExports;
  }
}

/** Replays the log on `engine`; returns the milliseconds it took. */
function replay(log: Float64Array, engine: Engine, names: string[]): number {
  const raw = engine.raw as unknown as Record<string, RawCall>;
  const calls = names.map((name) => raw[name]!);
  const withAddress = names.map(readsAddressIn);
  const into = (engine.io + IO_ADDRESS_IN) >>> 2;
  const start = performance.now();
  for (let i = 0; i < log.length;) {
    const index = log[i]!, count = log[i + 1]!;
    const a = log[i + 2]!, b = log[i + 3]!, c = log[i + 4]!;
    i += 2 + count;
    if (withAddress[index]) {
      const words = engine.words;
      words[into] = log[i]!; words[into + 1] = log[i + 1]!; words[into + 2] = log[i + 2]!; words[into + 3] = log[i + 3]!;
      i += 4;
    }
    const call = calls[index]!;
    if (count === 3) call(a, b, c);
    else if (count === 2) call(a, b);
    else if (count === 1) call(a);
    else call();
  }
  return performance.now() - start;
}

/**
 * Events per second of the scenario's engine calls alone for one strategy: the best of `rounds`
 * replays, each on a fresh instance of the engine's module (so memory and ids match the run).
 */
export async function engineAloneEventsPerSecond(module: WebAssembly.Module, scenario: Scenario, strategy: AllocationStrategy, rounds = 3): Promise<number> {
  const recorder = await Engine.load(module);
  const names = Object.keys(recorder.raw).filter((name) => typeof (recorder.raw as unknown as Record<string, unknown>)[name] === 'function');
  const log = new CallLog();
  // the drivers hold engine.raw, so the recording stands in for it before the run begins
  (recorder as { raw: EngineExports }).raw = log.record(recorder, names);
  await runJob(recorder, { scenario, strategy, via: 'engine', mapSide: 0 });
  const recorded = Float64Array.from(log.values);
  log.values = [];
  let bestMs = Infinity;
  for (let round = 0; round < rounds; round++) bestMs = Math.min(bestMs, replay(recorded, await Engine.load(module), names));
  return scenario.events / (bestMs / 1000);
}
