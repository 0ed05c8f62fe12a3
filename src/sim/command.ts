/** `wasm-ipam simulate`: run a scenario for every strategy, write the report, print the comparison. */
import { randomUUID } from 'node:crypto';
import { lstat, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { REPORT_FILES, utilisationText, writeReport } from '../report/index.js';
import { DIRECTORY_PROBLEMS as OUT_PROBLEMS, makeDirectories } from '../server/directories.js';
import { SUMMARY_FORMAT, type SimulationSummary } from '../report/summary.js';
import { defaultWorkers, simulateParallel } from './parallel.js';
import { SimulationInterrupted } from './run.js';
import { parseScenario, ScenarioError, type Scenario } from './scenario.js';
import { builtInScenario, builtInScenarioNames, DEFAULT_SCENARIO } from './scenarios.js';

export const SIMULATE_USAGE = `wasm-ipam simulate [--scenario <file.json | built-in name>] [--out ./report] [--events N] [--seed S]
                   [--strategies first-fit,best-fit,...] [--via engine|api] [--workers N] [--list] [--help]`;

const SIMULATE_OPTIONS = `  --scenario   a scenario file (JSON), a report's summary.json (runs its scenario again) or a built-in
               scenario's name (default ${DEFAULT_SCENARIO}; --list shows them)
  --out        the report's directory: index.html and summary.json (default ./report)
  --events     events to replay, overriding the scenario's
  --seed       the seed of the event stream, overriding the scenario's
  --strategies which strategies to compare, comma-separated (default: the scenario's)
  --via        engine (default) or api: straight on the engine, or every step through IpamService
  --workers    worker threads (default: one per core, at most one per strategy)`;

/**
 * The scenario document --scenario names, not yet checked: the command line's overrides go in
 * first, so a file may leave to them what they give (a file without "events", run with --events).
 */
async function loadScenarioDocument(given: string | undefined): Promise<unknown> {
  const name = given ?? DEFAULT_SCENARIO;
  const builtIn = builtInScenario(name);
  if (builtIn) return builtIn;
  let text: string;
  try {
    text = await readFile(name, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new ScenarioError(`cannot read the scenario file ${JSON.stringify(name)}: ${code === 'EISDIR' ? 'it is a directory' : (error as Error).message}`);
    throw new ScenarioError(`no scenario file ${JSON.stringify(name)} and no built-in scenario of that name (see --list)`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, '')); // a byte-order mark, as some Windows editors save
  } catch (error) {
    throw new ScenarioError(`${name} is not valid JSON: ${(error as Error).message}`);
  }
  // a report's summary.json holds the scenario it ran: run it again
  if ((doc as { format?: unknown } | null)?.format === SUMMARY_FORMAT) {
    doc = (doc as { scenario?: { definition?: unknown } }).scenario?.definition;
    if (doc === undefined) throw new ScenarioError(`${name} is a summary written before summaries kept their scenario: nothing to run again`);
  }
  return doc;
}

/**
 * The document with the command line's overrides, checked as one scenario. --events and --seed
 * come checked to the same ranges as the file's fields; a refused strategy list given on the
 * command line is named as the option, not as the file's field.
 */
function withOverrides(doc: unknown, overrides: { events?: number; seed?: number; strategies?: string }): Scenario {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return parseScenario(doc); // refused as it is
  const strategies = overrides.strategies?.split(',').map((s) => s.trim());
  const given = Object.fromEntries(Object.entries({ events: overrides.events, seed: overrides.seed, strategies }).filter(([, value]) => value !== undefined));
  try {
    return parseScenario({ ...doc, ...given });
  } catch (error) {
    const refused = strategies && error instanceof ScenarioError ? /^scenario\.strategies: (.*)$/s.exec(error.message) : null;
    if (refused) throw new ScenarioError(`--strategies ${overrides.strategies}: ${refused[1]}`);
    throw error;
  }
}

/** A numeric option: decimal digits in [min, max], or a ScenarioError (exit 2) saying what was given. */
export function wholeNumber(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  // decimal digits only (an empty value, 0x10 or 1e3 is not taken for a number), _ between them
  const n = /^\d+(_\d+)*$/.test(value) ? Number(value.replaceAll('_', '')) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new ScenarioError(`--${flag} must be a whole number from ${min} to ${max}, got ${value}`);
  return n;
}

/** Progress: one bar per strategy on a terminal, a line per strategy every 10% otherwise. */
function progressReporter(scenario: Scenario): { update: (strategy: string, done: number) => void; stop: () => void } {
  if (process.stderr.isTTY) {
    // the bar takes what the terminal's width leaves (line wrapping is off while bars draw, so a
    // longer line is cut): the name, the widest figures and an ETA of up to 6 characters; a
    // terminal too narrow for a 10-character bar beside them gets the name, bar and percentage
    const columns = (process.stderr.columns || 80) - 1;
    const head = ` ${'x'.repeat(9)} || 100%`.length;
    const figures = ` · ${scenario.events}/${scenario.events} events · 00h00m left`.length;
    const full = columns - head - figures >= 10;
    const barsize = Math.max(1, Math.min(40, columns - head - (full ? figures : 0)));
    const bars = new cliProgress.MultiBar({
      format: ` {strategy} |{bar}| {percentage}%${full ? ' · {value}/{total} events · {eta_formatted} left' : ''}`,
      barsize,
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    }, cliProgress.Presets.shades_classic);
    const byStrategy = new Map<string, cliProgress.SingleBar>(scenario.strategies.map((s) => [s, bars.create(scenario.events, 0, { strategy: s.padEnd(9) })]));
    return { update: (s, done) => byStrategy.get(s)?.update(done), stop: () => bars.stop() };
  }
  const shown = new Map<string, number>();
  return {
    update: (strategy, done) => {
      const tenth = Math.floor((done / scenario.events) * 10);
      if (tenth > (shown.get(strategy) ?? 0)) {
        shown.set(strategy, tenth);
        console.error(`  ${strategy}: ${tenth * 10}% (${done.toLocaleString('en-US')} events)`);
      }
    },
    stop: () => {},
  };
}

export function comparisonTable(summary: SimulationSummary): string {
  const header = ['strategy', 'allocations', 'releases', 'failures', 'no space', 'fragmented', 'quota', 'first failure', 'events/s'];
  const rows = summary.runs.map((r) => [
    r.strategy,
    r.allocations.toLocaleString('en-US'),
    r.releases.toLocaleString('en-US'),
    r.failures.total.toLocaleString('en-US'),
    r.failures.noSpace.toLocaleString('en-US'),
    r.failures.fragmentation.toLocaleString('en-US'),
    r.failures.quota.toLocaleString('en-US'),
    r.firstFailure ? `event ${r.firstFailure.event.toLocaleString('en-US')} at ${utilisationText(r.firstFailure.utilisation)}% (${utilisationText(r.firstFailure.inUse)}% in use)` : 'none',
    Math.round(r.eventsPerSecond).toLocaleString('en-US'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * Makes the report's directory before `run`, and checks that its files could be written there,
 * so an unusable --out is refused at once rather than after the run; when `run` fails, removes
 * the directories it made (still empty: the report is written after the run). Exported for tests.
 */
export async function inReportDirectory<T>(out: string, run: () => Promise<T>): Promise<T> {
  let made: string | undefined;
  try {
    made = await makeDirectories(out);
    // a file made and removed: access(W_OK) says yes to root, and to pseudo-file systems like /proc
    const probe = join(out, `.wasm-ipam-probe-${randomUUID()}`); // never a name already there
    await writeFile(probe, '', { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new Error('no file can be made there') : error;
    });
    await rm(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const why = OUT_PROBLEMS[code] ?? (error as Error).message;
    throw new ScenarioError(`--out ${out} cannot hold the report: ${why}`);
  }
  const directory = await stat(out);
  const sticky = (directory.mode & 0o1000) !== 0;
  const user = process.geteuid?.();
  for (const name of Object.values(REPORT_FILES)) {
    // the report renames its files into place, which replaces the name that is there (a symlink
    // itself, not what it points to): lstat, and only a name that is not there is absent
    const entry = await lstat(join(out, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw new ScenarioError(`--out ${out} cannot hold the report: ${name} there: ${OUT_PROBLEMS[error.code ?? ''] ?? error.message}`);
    });
    if (entry?.isDirectory()) throw new ScenarioError(`--out ${out} cannot hold the report: ${name} there is not a file`);
    // a sticky directory (such as /tmp) lets only the name's owner, the directory's, or root replace it
    if (entry && sticky && user !== undefined && user !== 0 && entry.uid !== user && directory.uid !== user) {
      throw new ScenarioError(`--out ${out} cannot hold the report: ${name} there belongs to another user, and the directory is sticky (only its owner may replace it)`);
    }
  }
  try {
    return await run();
  } catch (error) {
    // from the deepest up to the first one made; rmdir leaves anything someone put there since
    for (let dir = out; made !== undefined; dir = dirname(dir)) {
      await rmdir(dir).catch(() => undefined);
      if (dir === made || dir === dirname(dir)) break;
    }
    throw error;
  }
}

export async function simulateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      scenario: { type: 'string' },
      out: { type: 'string', default: './report' },
      events: { type: 'string' },
      seed: { type: 'string' },
      strategies: { type: 'string' },
      via: { type: 'string', default: 'engine' },
      workers: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(`usage: ${SIMULATE_USAGE}\n\n${SIMULATE_OPTIONS}`);
    return 0;
  }
  if (values.list) {
    for (const name of builtInScenarioNames()) {
      const s = builtInScenario(name)!;
      console.log(`${name.padEnd(12)} ${s.events.toLocaleString('en-US').padStart(9)} events  ${s.description}`);
    }
    return 0;
  }
  if (values.via !== 'engine' && values.via !== 'api') throw new ScenarioError(`--via must be engine or api, got ${values.via}`);
  const via = values.via;
  // command-line overrides go through the same checks as the file
  const scenario = withOverrides(await loadScenarioDocument(values.scenario), {
    events: wholeNumber('events', values.events, 1, 1e9),
    seed: wholeNumber('seed', values.seed, 0, 2 ** 32 - 1),
    strategies: values.strategies,
  });
  // no more threads than strategies: each runs one strategy at a time
  const workers = Math.min(wholeNumber('workers', values.workers, 1, 64) ?? defaultWorkers(scenario.strategies.length), scenario.strategies.length);
  // an empty value (an unset shell variable) would resolve to the working directory
  if (values.out === '') throw new ScenarioError('--out must name a directory, got an empty value');
  const out = resolve(values.out!);
  const started = performance.now();
  // Ctrl-C or a SIGTERM until the run's result is in stops the workers and goes the way a failed
  // run goes: the bars put the cursor back, the directories made for the report are removed.
  // Once the result is in, the report is written whole (both files, or an older report's two
  // would be mixed), and the exit code still says the run was stopped
  const interrupt = new AbortController();
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => interrupt.abort(new SimulationInterrupted(signal));
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  let html: string;
  let summary: SimulationSummary;
  try {
    summary = await inReportDirectory(out, async () => {
      interrupt.signal.throwIfAborted(); // stopped while --out was being made
      console.log(`Scenario ${scenario.name}: ${scenario.events.toLocaleString('en-US')} events, seed ${scenario.seed}, ` +
        `strategies ${scenario.strategies.join(', ')}, via the ${via}, ${workers} worker thread${workers === 1 ? '' : 's'}.`);
      const progress = progressReporter(scenario);
      try {
        const done = await simulateParallel(scenario, { via, workers, onProgress: progress.update, signal: interrupt.signal });
        interrupt.signal.throwIfAborted(); // stopped while the workers were being ended
        return done;
      } finally {
        progress.stop();
      }
    });
    ({ html } = await writeReport(out, summary));
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  if (interrupt.signal.aborted) throw new SimulationInterrupted((interrupt.signal.reason as SimulationInterrupted).signal, `the report was written whole: ${html}`);
  const seconds = (performance.now() - started) / 1000;
  console.log(`\n${comparisonTable(summary)}\n`);
  console.log(`Done in ${seconds.toFixed(1)} s. Report: ${html}`);
  return 0;
}
