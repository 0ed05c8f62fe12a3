/**
 * How fast could `random` be on the simulator's engine path with a better draw? A reference: one run
 * records the block each random allocation took; then the same run is replayed with every draw
 * replaced by a walk to the block recorded for it (what first-fit's descent costs), so the tree
 * changes exactly as in the run and only the draws are gone. Replayed twice: keeping the
 * free-address counts the shipped draws read (kept on every change), and without them: what
 * random would reach with a draw that cost one walk to its block and kept nothing of its own up
 * to date (the tree's summaries, histogram and order sets are kept as always; an index of free
 * blocks by order would have upkeep of its own; a draw cheaper than a walk could do better than
 * either replay). Beside them, another run (not the recorded one): random with its exact draws
 * that need no free-address counts, and no counts kept: the listed draw where few blocks fit,
 * rejection sampling (the uniform draw), then the walk through every fitting block. The engine
 * for it is a copy of `assembly/` with the patches below, built for the benchmark alone; the
 * shipped engine has none of this.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import { Engine } from '../src/engine/index.js';
import { runJob } from '../src/sim/simulate.js';
import type { Scenario } from '../src/sim/scenario.js';
import type { StrategyRun } from '../src/report/summary.js';

/** The oracle's modes (ORACLE_* in its patch of tree.ts below). */
const MODE = { shipped: 0, record: 1, withCounts: 2, bare: 3, noCounts: 4 } as const;
/** Random's draws as engine.raw.lastRandomDraw() numbers them (DRAW_* in assembly/tree.ts), and the tries' tally after them. */
const DRAW = { counted: 0, listed: 1, countedAgain: 2, uniform: 3, walked: 4, descent: 5 } as const;
const TRIES_TALLY = 6;

const ORACLE_EXPORTS = `
// ---- the benchmark's draw oracle (bench/random-oracle.ts) ----
export function oracleMode(mode: u32): void { T.setOracleMode(mode); }
export function oracleTakes(): u32 { return T.oracleTakes; }
export function oracleUsed(): u32 { return T.oracleUsed; }
/** Room for \`takes\` records (24 bytes each: u64 hi, u64 lo, u64 prefix); their address, 0 without memory. */
export function oracleLog(takes: u32): usize { return T.oracleLogFor(takes); }
export function oracleLogBase(): usize { return T.oracleLogBase(); }
/** Without counts: 0..5 how many calls each draw served (T.DRAW_*); 6 the uniform draw's tries. */
export function oracleTally(i: u32): u32 { return load<u32>(T.ORACLE_TALLY + (<usize>i << 2)); }
`;

const ORACLE_TREE = `
// ---- the benchmark's draw oracle (bench/random-oracle.ts) ----
export const ORACLE_OFF: u32 = ${MODE.shipped};  // draws as shipped
export const ORACLE_RECORD: u32 = ${MODE.record};  // draws as shipped, each random take recorded
export const ORACLE_COUNTED: u32 = ${MODE.withCounts};  // the recorded blocks instead of draws, counts kept
export const ORACLE_BARE: u32 = ${MODE.bare};  // the recorded blocks instead of draws, no counts
export const ORACLE_NO_COUNTS: u32 = ${MODE.noCounts};  // the draws as shipped, but no counts built: their counted draws never serve
export const ORACLE_TALLY = memory.data(${(TRIES_TALLY + 1) * 4});
const TRIES_TALLY: u32 = ${TRIES_TALLY};
@inline function tally(i: u32): void {
  store<u32>(ORACLE_TALLY + (<usize>i << 2), load<u32>(ORACLE_TALLY + (<usize>i << 2)) + 1);
}
let oracleMode: u32 = ORACLE_OFF;
export let oracleTakes: u32 = 0;
export let oracleUsed: u32 = 0;
const ORACLE_LOG = memory.data(8);
export function setOracleMode(mode: u32): void {
  oracleMode = mode;
  oracleUsed = 0;
  if (mode == ORACLE_RECORD) oracleTakes = 0;
}
export function oracleLogBase(): usize {
  return arrayBase(ORACLE_LOG);
}
export function oracleLogFor(takes: u32): usize {
  if (!growArray(ORACLE_LOG, <u64>takes * 24, <usize>oracleTakes * 24)) return 0;
  oracleTakes = takes;
  return arrayBase(ORACLE_LOG);
}
function recordTake(prefix: u32): void {
  let base = oracleLogFor(oracleTakes + 1);
  if (base == 0) unreachable(); // no memory for the log: the benchmark reports the trap
  let at = base + <usize>(oracleTakes - 1) * 24;
  store<u64>(at, resultHi);
  store<u64>(at, resultLo, 8);
  store<u64>(at, <u64>prefix, 16);
}
/** The recorded block for this take, found as reserve finds a block (E_NO_FIT as the draw would answer it). */
function recordedFit(s: usize, prefix: u32): i32 {
  if (summaryAt(blockPtr(entryNode(s)), entryPos(s)) < widthOf(s) - prefix + 1) return S.E_NO_FIT;
  if (oracleMode == ORACLE_COUNTED && countsCanBeExact(s) && !countsKept(s) && !buildCounts(s, blocksToTakeWithCounts(s))) return S.E_OUT_OF_MEMORY;
  if (oracleUsed >= oracleTakes) unreachable(); // more random takes than recorded: not the recorded run
  let at = arrayBase(ORACLE_LOG) + <usize>oracleUsed * 24;
  oracleUsed++;
  resultHi = load<u64>(at);
  resultLo = load<u64>(at, 8);
  if (<u32>load<u64>(at, 16) != prefix || locate(s, resultHi, resultLo, prefix) != STOP_WHOLE_FREE) unreachable(); // not the recorded run
  beginDraws(randomStateOf(s));
  return S.OK;
}
function findFit(s: usize, prefix: u32, strategy: u32): i32 {
  if (strategy == RANDOM && (oracleMode == ORACLE_COUNTED || oracleMode == ORACLE_BARE)) return recordedFit(s, prefix);
  let status = drawnFit(s, prefix, strategy);
  if (strategy == RANDOM && oracleMode == ORACLE_NO_COUNTS && status == S.OK) tally(randomDrawServed);
  return status;
}
function drawnFit(s: usize, prefix: u32, strategy: u32): i32 {`;

/** Each patch: file, the text it replaces (which must occur exactly once), the new text. */
const PATCHES: Array<[string, string, string]> = [
  ['tree.ts', '    if (countsCanBeExact(s) && !countsKept(s) && !buildCounts(s, blocksToTakeWithCounts(s))) return S.E_OUT_OF_MEMORY;',
    '    if (oracleMode != ORACLE_NO_COUNTS && countsCanBeExact(s) && !countsKept(s) && !buildCounts(s, blocksToTakeWithCounts(s))) return S.E_OUT_OF_MEMORY;'],
  // the walk through every fitting block, exact, as wherever counts are kept: otherwise past
  // WALKED_BLOCKS blocks the biased descent would answer (tallied: none in the default scenario)
  ['tree.ts', '  let limit = countsKept(s) ? u32.MAX_VALUE : WALKED_BLOCKS;', '  let limit = countsKept(s) || oracleMode == ORACLE_NO_COUNTS ? u32.MAX_VALUE : WALKED_BLOCKS;'],
  ['tree.ts', '    if (isFreeBlock(s, hi, lo, prefix)) {\n      locate(s, hi, lo, prefix);', '    if (oracleMode == ORACLE_NO_COUNTS) tally(TRIES_TALLY);\n    if (isFreeBlock(s, hi, lo, prefix)) {\n      locate(s, hi, lo, prefix);'],
  ['tree.ts', "import { blockPtr, ensureNodeBlocks } from './arena';", "import { blockPtr, ensureNodeBlocks, growArray, arrayBase } from './arena';"],
  ['tree.ts', 'function findFit(s: usize, prefix: u32, strategy: u32): i32 {', ORACLE_TREE],
  ['tree.ts', '  if (!ensureBlocksToTake(s)) return S.E_OUT_OF_MEMORY;\n  // only a taken block moves the generator',
    '  if (!ensureBlocksToTake(s)) return S.E_OUT_OF_MEMORY;\n  if (strategy == RANDOM && oracleMode == ORACLE_RECORD) recordTake(prefix);\n  // only a taken block moves the generator'],
];

/** The engine with the oracle, compiled as the release build is (asconfig.json). */
export async function buildOracleEngine(): Promise<WebAssembly.Module> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'wasm-ipam-oracle-'));
  try {
    cpSync(join(root, 'assembly'), dir, { recursive: true });
    for (const [file, find, replacement] of PATCHES) {
      const text = readFileSync(join(dir, file), 'utf8');
      if (text.split(find).length !== 2) throw new Error(`bench/random-oracle.ts: assembly/${file} no longer holds exactly one "${find.split('\n')[0]}": update its patch`);
      writeFileSync(join(dir, file), text.replace(find, () => replacement));
    }
    writeFileSync(join(dir, 'index.ts'), readFileSync(join(dir, 'index.ts'), 'utf8') + ORACLE_EXPORTS);
    const out = join(dir, 'oracle.wasm');
    const { error, stderr } = await asc.main([join(dir, 'index.ts'), '--config', join(root, 'asconfig.json'), '--target', 'release', '--outFile', out, '--textFile', join(dir, 'oracle.wat')]);
    if (error) throw new Error(`building the oracle engine failed: ${error.message}\n${stderr.toString()}`);
    return new WebAssembly.Module(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type OracleExports = {
  oracleMode(mode: number): void; oracleTakes(): number; oracleUsed(): number; oracleLog(takes: number): number; oracleLogBase(): number;
  oracleTally(i: number): number;
};
const oracleOf = (engine: Engine) => engine.raw as unknown as OracleExports;

export interface RandomBounds {
  /** Events per second with random's own draws (this build; best of rounds). */
  withDraws: number;
  /** With each draw replaced by the block it took, the counts kept. */
  withoutDraws: number;
  /** With each draw replaced, no counts kept. */
  withoutDrawsOrCounts: number;
  /** Random takes recorded and replayed. */
  takes: number;
  /**
   * Another run, not the recorded one: random's draws with no free-address counts built, so its
   * counted draws never serve: the listed draw where at most 64 maximal free blocks fit, the
   * uniform draw (rejection sampling: blocks of the sources that hold a fitting one, up to 32
   * tries), then the walk through every fitting block (exact, with no limit). Best of rounds, and
   * how many calls each draw served in one run, the biased descent included (not exact).
   */
  withoutCounts: { eventsPerSecond: number; listed: number; uniform: number; walked: number; descent: number; tries: number };
}

/** The run's figures with its timings left out: what a replay must reproduce. */
export const withoutTimes = (r: StrategyRun) => ({ ...r, elapsedMs: 0, eventsPerSecond: 0, series: r.series.map((s) => ({ ...s, eventsPerSecond: [] })) });

/**
 * Records the scenario's random run on the oracle engine, then replays it in each mode `rounds`
 * times (fresh instances, best kept), checking that every replay is the recorded run, and that
 * the recorded run is `shippedRun` (the shipped engine's random run of the same scenario,
 * withoutTimes, as JSON).
 */
export async function randomBounds(module: WebAssembly.Module, scenario: Scenario, shippedRun: string, rounds = 3): Promise<RandomBounds> {
  const run = async (mode: number, log?: Uint8Array) => {
    const engine = await Engine.load(module);
    if (log) {
      const at = oracleOf(engine).oracleLog(log.length / 24); // may grow memory: the buffer is read after
      if (at === 0) throw new Error('no memory for the oracle log');
      new Uint8Array(engine.raw.memory.buffer, at, log.length).set(log);
    }
    oracleOf(engine).oracleMode(mode);
    const result = await runJob(engine, { scenario, strategy: 'random', via: 'engine', mapSide: 0 });
    return { engine, result };
  };
  const recorded = await run(MODE.record);
  const takes = oracleOf(recorded.engine).oracleTakes();
  const log = new Uint8Array(recorded.engine.raw.memory.buffer, oracleOf(recorded.engine).oracleLogBase(), takes * 24).slice();
  const expected = JSON.stringify(withoutTimes(recorded.result));
  if (expected !== shippedRun) throw new Error("the oracle's build ran another random run than the shipped engine");
  const best = { withDraws: 0, withoutDraws: 0, withoutDrawsOrCounts: 0 };
  let withoutCounts = { eventsPerSecond: 0, listed: 0, uniform: 0, walked: 0, descent: 0, tries: 0 };
  const modes = [['withDraws', MODE.shipped], ['withoutDraws', MODE.withCounts], ['withoutDrawsOrCounts', MODE.bare]] as const;
  for (let round = 0; round < rounds; round++) {
    for (const [figure, mode] of modes) {
      const replay = mode !== MODE.shipped;
      const { engine, result } = await run(mode, replay ? log : undefined);
      if (JSON.stringify(withoutTimes(result)) !== expected) throw new Error(`the oracle's ${figure} run is another run than the recorded one`);
      if (replay && oracleOf(engine).oracleUsed() !== takes) throw new Error(`the oracle's ${figure} run replayed ${oracleOf(engine).oracleUsed()} of ${takes} takes`);
      best[figure] = Math.max(best[figure], result.eventsPerSecond);
    }
    const { engine, result } = await run(MODE.noCounts);
    const served = (draw: number) => oracleOf(engine).oracleTally(draw);
    if (served(DRAW.counted) + served(DRAW.countedAgain) !== 0) throw new Error('the oracle run without counts made counted draws');
    withoutCounts = {
      eventsPerSecond: Math.max(withoutCounts.eventsPerSecond, result.eventsPerSecond),
      listed: served(DRAW.listed), uniform: served(DRAW.uniform), walked: served(DRAW.walked), descent: served(DRAW.descent), tries: served(TRIES_TALLY),
    };
  }
  return { ...best, takes, withoutCounts };
}
