// The simulator's inputs at their edges: strategy names that are Object.prototype members, unknown
// keys in arrivals and bursts, fields given as null, empty or non-decimal numbers, empty --out and
// --host, an --out no file can be made in, a directory as --scenario, options with no command,
// serve's --port, and the CPU count a serial run records.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { CLI, cliInScratchDirectory } from '../support/cli.js';
import { Engine } from '../../src/engine/index.js';
import { parseScenario, ScenarioError } from '../../src/sim/scenario.js';
import { simulateSerial } from '../../src/sim/simulate.js';

const scratch = cliInScratchDirectory('wasm-ipam-inputs-');
const { cli } = scratch;

const base = () => ({
  name: 't',
  events: 100,
  pools: [{ name: 'top', ipVersion: 'IPv4', cidrs: ['10.0.0.0/16'], workload: { weight: 1, masks: { '24': 1 } } }],
});

describe('scenario checks', () => {
  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty'])(
    'refuses the strategy name %j (an Object.prototype member, not a strategy)', (name) => {
      const doc = { ...base(), strategies: [name] };
      expect(() => parseScenario(doc)).toThrow(ScenarioError);
      expect(() => parseScenario(doc)).toThrow(/unknown strategy/);
    },
  );

  it('refuses --strategies toString on the command line with exit 2, running nothing and writing no report', async () => {
    const { code, stdout, stderr } = await cli('simulate', '--scenario', 'small-lab', '--events', '500', '--strategies', 'toString', '--out', 'proto');
    expect(stderr).toMatch(/unknown strategy "toString"/);
    expect(code).toBe(2);
    expect(stdout).not.toMatch(/^strategy\s+allocations/m);
    expect(await readdir(scratch.dir())).not.toContain('proto');
  });

  it.each([
    ['arrivals', { arrivals: { start: 0.7, end: 0.5, slope: 0.1 } }, /scenario\.arrivals: unknown key "slope"/],
    ['a burst', { bursts: [{ at: 0.4, length: 0.02, arrivalShare: 0.95, share: 1 }] }, /scenario\.bursts\[0\]: unknown key "share"/],
  ])('refuses an unknown key in %s, as it does at the top level, in pools and in workloads', (_, extra, message) => {
    const doc = { ...base(), ...extra };
    expect(() => parseScenario(doc)).toThrow(ScenarioError);
    expect(() => parseScenario(doc)).toThrow(message);
  });

  // "checked whole with precise messages": a null where a number, list or object belongs is a
  // mistyped field, as "description": null and "chunk": null are; it is not a field left out
  it.each(['seed', 'samples', 'strategies', 'arrivals', 'bursts'])('refuses "%s": null instead of running with the default', (key) => {
    const doc = { ...base(), [key]: null };
    expect(() => parseScenario(doc)).toThrow(ScenarioError);
    expect(() => parseScenario(doc)).toThrow(new RegExp(`scenario\\.${key}`));
  });
});

describe('wasm-ipam options and exit codes', () => {
  it('refuses an empty --seed (--seed=) instead of running with seed 0', async () => {
    const { code, stdout, stderr } = await cli('simulate', '--scenario', 'small-lab', '--events', '500', '--seed=', '--out', 'emptyseed');
    expect(stdout).not.toMatch(/seed 0/);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--seed must be a whole number/);
  });

  it('refuses an --out directory its files cannot be created in (/proc) before the run: exit 2, no stack trace', async () => {
    const { code, stdout, stderr } = await cli('simulate', '--scenario', 'small-lab', '--events', '1000', '--out', '/proc');
    expect(stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(stdout).not.toMatch(/^strategy\s+allocations/m); // refused before the run
    expect(code).toBe(2);
    expect(stderr).toContain('--out /proc cannot hold the report');
  });

  it('treats options given without a command as options of the default command, simulate', async () => {
    const { code, stdout, stderr } = await cli('--list');
    expect(stderr).not.toMatch(/unknown command/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^small-lab\s/m);
  });

  it('refuses an empty --out (--out=) with exit 2 instead of writing index.html and summary.json into the working directory', async () => {
    const { code, stderr } = await cli('simulate', '--scenario', 'small-lab', '--events', '200', '--strategies', 'first-fit', '--out=');
    expect(await readdir(scratch.dir())).not.toContain('index.html');
    expect(code).toBe(2);
    expect(stderr).toMatch(/--out must name a directory/);
  });

  it('says that a --scenario directory is a directory, not that no such file exists', async () => {
    const { code, stderr } = await cli('simulate', '--scenario', scratch.dir(), '--events', '200');
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot read the scenario file .*: it is a directory/);
  });

  it('refuses an empty serve --host (--host=) with exit 2 instead of listening on every interface', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--host=', '--port', '0', '--in-memory'], { cwd: scratch.dir() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      const poll = setInterval(() => {
        if (/listening on/.test(stdout)) {
          clearInterval(poll);
          child.kill(); // it started (the defect): stop the server this test started
        }
      }, 50);
      child.on('exit', () => clearInterval(poll));
    });
    expect(stdout).not.toMatch(/listening on/);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--host must name an address/);
  });

  it('refuses serve --port abc with a message and exit 2, not a stack trace and exit 1', async () => {
    const { code, stderr } = await cli('serve', '--in-memory', '--port', 'abc');
    expect(stderr).toMatch(/--port must be a whole number from 0 to 65535, got abc/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(2);
  });
});

describe('summary contents', () => {
  it('simulateSerial records the machine\'s CPU count in summary.environment, as the parallel run does', async () => {
    const engine = await Engine.load();
    const scenario = parseScenario({ ...base(), strategies: ['first-fit'] });
    const summary = await simulateSerial(engine, scenario, { mapSide: 0 });
    expect(summary.environment.cpus).toBe(availableParallelism());
  });
});
