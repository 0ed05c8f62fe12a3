// The simulator as a user runs it: the built CLI (dist/) in a child process, worker threads included.
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cliInScratchDirectory } from '../support/cli.js';
import type { SimulationSummary, StrategyRun } from '../../src/report/summary.js';
import { inReportDirectory } from '../../src/sim/command.js';

const run = promisify(execFile);
const scratch = cliInScratchDirectory('wasm-ipam-sim-');
const { cli } = scratch;
const inScratch = (...parts: string[]) => join(scratch.dir(), ...parts);

const stripTimes = (r: StrategyRun) => ({ ...r, elapsedMs: 0, eventsPerSecond: 0, series: r.series.map((s) => ({ ...s, eventsPerSecond: [] })) });

describe('wasm-ipam simulate', () => {
  it('lists the built-in scenarios', async () => {
    const { code, stdout } = await cli('simulate', '--list');
    expect(code).toBe(0);
    for (const name of ['org-growth', 'vpc-churn', 'ipv6-vpcs', 'small-lab']) expect(stdout).toMatch(new RegExp(`^${name}\\s`, 'm'));
  });

  it('writes the report and summary, prints the comparison, and workers give what one thread gives', async () => {
    const parallel = await cli('simulate', '--scenario', 'small-lab', '--events', '5000', '--out', 'par', '--workers', '2');
    expect(parallel.code).toBe(0);
    expect(parallel.stdout).toMatch(/2 worker threads/);
    expect(parallel.stdout).toMatch(/^strategy\s+allocations/m);
    for (const s of ['first-fit', 'last-fit', 'best-fit', 'sparse', 'random']) expect(parallel.stdout).toMatch(new RegExp(`^${s}\\s`, 'm'));
    expect(parallel.stdout).toContain(inScratch('par', 'index.html'));
    // not a terminal here: plain progress lines
    expect(parallel.stderr).toMatch(/first-fit: 100% \(5,000 events\)/);
    const serial = await cli('simulate', '--scenario', 'small-lab', '--events', '5000', '--out', 'ser', '--workers', '1');
    expect(serial.code).toBe(0);
    const a = JSON.parse(await readFile(inScratch('par', 'summary.json'), 'utf8')) as SimulationSummary;
    const b = JSON.parse(await readFile(inScratch('ser', 'summary.json'), 'utf8')) as SimulationSummary;
    expect(a.environment.workers).toBe(2);
    expect(b.environment.workers).toBe(1);
    expect(a.runs.map(stripTimes)).toEqual(b.runs.map(stripTimes));
    expect(a.scenario).toEqual({ name: 'small-lab', description: expect.any(String), events: 5000, seed: 3, definition: expect.objectContaining({ name: 'small-lab', events: 5000, seed: 3 }) });
    const html = await readFile(inScratch('par', 'index.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
  });

  it('reads a scenario file and applies --seed and --strategies', async () => {
    await writeFile(inScratch('mine.json'), JSON.stringify({
      name: 'mine', events: 3000, pools: [{ name: 'p', ipVersion: 'IPv6', cidrs: ['fd00::/56'], workload: { weight: 1, masks: { '60': 1, '64': 3 } } }],
    }));
    const { code, stdout } = await cli('simulate', '--scenario', 'mine.json', '--seed', '42', '--strategies', 'sparse,best-fit', '--out', 'mine');
    expect(code).toBe(0);
    const summary = JSON.parse(await readFile(inScratch('mine', 'summary.json'), 'utf8')) as SimulationSummary;
    expect(summary.strategies).toEqual(['sparse', 'best-fit']);
    expect(summary.scenario.seed).toBe(42);
    expect(stdout).toMatch(/Scenario mine: 3,000 events, seed 42/);
  });

  it('runs a report\'s summary.json again, exactly as it ran (options applied), and reads a file with a byte-order mark', async () => {
    await writeFile(inScratch('bom.json'), '\uFEFF' + JSON.stringify({
      name: 'bom', events: 4000, pools: [{ name: 'p', ipVersion: 'IPv4', cidrs: ['10.0.0.0/20'], workload: { weight: 1, masks: { '26': 1, '28': 2 } } }],
    }));
    expect((await cli('simulate', '--scenario', 'bom.json', '--seed', '9', '--strategies', 'random,sparse', '--events', '3000', '--out', 'first')).code).toBe(0);
    const again = await cli('simulate', '--scenario', join('first', 'summary.json'), '--out', 'again');
    expect(again.stdout).toMatch(/Scenario bom: 3,000 events, seed 9, strategies random, sparse/);
    const [a, b] = await Promise.all(['first', 'again'].map(async (d) => JSON.parse(await readFile(inScratch(d, 'summary.json'), 'utf8')) as SimulationSummary));
    expect(b.scenario).toEqual(a.scenario);
    expect(b.runs.map(stripTimes)).toEqual(a.runs.map(stripTimes));
    // a summary that does not hold its scenario says so
    delete a.scenario.definition;
    await writeFile(inScratch('old-summary.json'), JSON.stringify(a));
    const old = await cli('simulate', '--scenario', 'old-summary.json', '--out', 'old');
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/a summary written before summaries kept their scenario/);
  });

  it('is also a Node entry for programs, wasm-ipam/simulator, giving what the CLI gives', async () => {
    const script = `
      const sim = await import('wasm-ipam/simulator');
      const { Engine } = await import('wasm-ipam');
      const scenario = sim.parseScenario({ ...sim.builtInScenario('small-lab'), events: 5000 });
      const summary = await sim.simulateSerial(await Engine.load(), scenario);
      console.log(JSON.stringify(summary.runs));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('../..', import.meta.url).pathname });
    const runs = JSON.parse(stdout) as StrategyRun[];
    expect((await cli('simulate', '--scenario', 'small-lab', '--events', '5000', '--out', 'prog', '--workers', '1')).code).toBe(0);
    const fromCli = JSON.parse(await readFile(inScratch('prog', 'summary.json'), 'utf8')) as SimulationSummary;
    expect(runs.map(stripTimes)).toEqual(fromCli.runs.map(stripTimes));
  });

  it.each([
    [['simulate', '--scenario', 'nope.json'], /no scenario file "nope.json" and no built-in scenario/],
    [['simulate', '--scenario', 'small-lab', '--events', '0'], /--events must be a whole number from 1/],
    [['simulate', '--scenario', 'small-lab', '--strategies', 'first-fit,worst-fit'], /unknown strategy "worst-fit"/],
    [['simulate', '--scenario', 'small-lab', '--via', 'carrier-pigeon'], /--via must be engine or api/],
    [['simulate', '--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j with a clear message and exit code 2', async (args, message) => {
    const { code, stderr } = await cli(...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('refuses a broken scenario file, naming the file and the problem', async () => {
    await writeFile(inScratch('broken.json'), '{ "name": "x", ');
    const { code, stderr } = await cli('simulate', '--scenario', 'broken.json');
    expect(code).toBe(2);
    expect(stderr).toMatch(/broken.json is not valid JSON/);
  });

  it('refuses an --out that cannot be a directory before running anything: exit 2 and a message, not a stack trace', async () => {
    await writeFile(inScratch('taken'), 'a file, not a directory');
    for (const [out, why] of [['taken', 'a file of that name is in the way'], ['taken/report', 'part of the path is a file']] as const) {
      const { code, stdout, stderr } = await cli('simulate', '--scenario', 'small-lab', '--events', '2000', '--out', out);
      expect(code).toBe(2);
      expect(stderr).toContain(`--out ${inScratch(out)} cannot hold the report: ${why}`);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(stdout).not.toMatch(/^strategy\s+allocations/m); // refused before the run
    }
    // a directory where one of the report's files goes: refused before the run, no half report left
    await mkdir(inScratch('blocked', 'index.html'), { recursive: true });
    const blocked = await cli('simulate', '--scenario', 'small-lab', '--events', '2000', '--out', 'blocked');
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toContain(`--out ${inScratch('blocked')} cannot hold the report: index.html there is not a file`);
    expect(blocked.stdout).not.toMatch(/^strategy\s+allocations/m);
    expect((await readdir(inScratch('blocked'))).sort()).toEqual(['index.html']);
  });

  it('refuses an --out the kernel will not make a directory at (under /proc) with exit 2, rather than waiting forever', async () => {
    // Node 20's recursive mkdir never settles here: the kernel answers ENOENT under a /proc that exists
    const { code, stdout, stderr } = await cli('simulate', '--scenario', 'small-lab', '--events', '2000', '--out', '/proc/wasm-ipam-report/deep');
    expect(code).toBe(2);
    expect(stderr).toContain('--out /proc/wasm-ipam-report/deep cannot hold the report: no directory can be made there');
    expect(stdout).not.toMatch(/^strategy\s+allocations/m);
  }, 30_000);

  it('leaves no directory it made behind when the run fails after the check, and keeps what was there', async () => {
    const failing = () => Promise.reject(new Error('the run stopped'));
    await expect(inReportDirectory(inScratch('gone', 'deep', 'report'), failing)).rejects.toThrow('the run stopped');
    expect(await readdir(scratch.dir())).not.toContain('gone');
    // an existing directory stays, with its files, and so does one the run put a file in
    await mkdir(inScratch('kept'));
    await writeFile(inScratch('kept', 'notes.txt'), 'mine');
    await expect(inReportDirectory(inScratch('kept', 'report'), failing)).rejects.toThrow('the run stopped');
    expect(await readdir(inScratch('kept'))).toEqual(['notes.txt']);
    const writes = async () => {
      await writeFile(inScratch('kept', 'busy', 'partial.txt'), 'x');
      throw new Error('the run stopped');
    };
    await expect(inReportDirectory(inScratch('kept', 'busy'), writes)).rejects.toThrow('the run stopped');
    expect(await readdir(inScratch('kept', 'busy'))).toEqual(['partial.txt']);
    // a run that succeeds keeps the directory and gives its result
    expect(await inReportDirectory(inScratch('made', 'report'), async () => 42)).toBe(42);
    // its probe file leaves nothing, and a file someone left under an old-style probe name is no obstacle
    await mkdir(inScratch('probed'));
    await writeFile(inScratch('probed', `.wasm-ipam-probe-${process.pid}`), '');
    expect(await inReportDirectory(inScratch('probed'), async () => 7)).toBe(7);
    expect(await readdir(inScratch('probed'))).toEqual([`.wasm-ipam-probe-${process.pid}`]);
    expect(await readdir(inScratch('made'))).toEqual(['report']);
  });

  it('says how many worker threads it really uses (at most one per strategy) and has --help', async () => {
    const many = await cli('simulate', '--scenario', 'small-lab', '--events', '1000', '--strategies', 'first-fit,random', '--workers', '64', '--out', 'many');
    expect(many.code).toBe(0);
    expect(many.stdout).toMatch(/via the engine, 2 worker threads\./);
    const summary = JSON.parse(await readFile(inScratch('many', 'summary.json'), 'utf8')) as SimulationSummary;
    expect(summary.environment.workers).toBe(2);
    const help = await cli('simulate', '--help');
    expect(help.code).toBe(0);
    for (const option of ['--scenario', '--out', '--events', '--seed', '--strategies', '--via', '--workers', '--list']) expect(help.stdout).toContain(option);
  });
});
