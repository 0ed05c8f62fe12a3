/**
 * `wasm-ipam simulate` as a process: on a terminal (a pseudo-terminal from script(1)) its
 * progress bars fit the width and, when Ctrl-C stops the run, give back the cursor and line
 * wrapping they took; SIGINT and SIGTERM stop the workers and exit 130 / 143 leaving no
 * directory the run made for --out. Before, the bars were 91-95 columns wide whatever the
 * terminal, and a signal killed the process with the cursor hidden and the directories left.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasm-ipam-cli-process-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** simulate in a pseudo-terminal of `columns`; the shell prints its PID, which exec hands to node. */
function inTerminal(columns: number, args: string) {
  const inner = `stty cols ${columns} rows 40; echo PID=$$; exec ${process.execPath} ${CLI} simulate ${args}`;
  const child = spawn('script', ['-qfec', inner, '/dev/null'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  const session = { output: '', pid: 0, closed: new Promise<void>((resolve) => child.on('close', () => resolve())), child };
  child.stdout.on('data', (chunk: Buffer) => {
    session.output += chunk.toString('utf8');
    session.pid ||= Number(/PID=(\d+)/.exec(session.output)?.[1] ?? 0);
  });
  return session;
}

/** Resolves once `ready` holds of the output so far (or rejects after 20 s). */
function until(read: () => string, ready: (output: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (ready(read())) resolve();
      else if (Date.now() - started > 20_000) reject(new Error(`not seen in 20 s:\n${read()}`));
      else return;
      clearInterval(poll);
    }, 20);
  });
}

describe('simulate on a terminal', () => {
  it('draws bars that fit an 80-column terminal', async () => {
    const session = inTerminal(80, '--events 200000 --strategies first-fit --out fits');
    await session.closed;
    expect(session.output).toMatch(/Done in/);
    // each drawn bar: the text between a cursor move or line end and the next
    const bars = session.output.split(/\x1b\[[0-9;?]*[A-Za-z]|\r|\n/).filter((s) => s.includes('events ·'));
    expect(bars.length).toBeGreaterThan(0);
    expect(Math.max(...bars.map((s) => [...s].length))).toBeLessThanOrEqual(80);
  }, 30_000);

  it.each([40, 20])('draws name, bar and percentage alone on a terminal too narrow for the figures (%i columns)', async (columns) => {
    const session = inTerminal(columns, `--events 200000 --strategies first-fit --out narrow${columns}`);
    await session.closed;
    expect(session.output).toMatch(/Done in/);
    const bars = session.output.split(/\x1b\[[0-9;?]*[A-Za-z]|\r|\n/).filter((s) => /^ first-fit\s+\|.*\| *\d+%$/.test(s));
    expect(bars.length).toBeGreaterThan(0);
    expect(Math.max(...bars.map((s) => [...s].length))).toBeLessThanOrEqual(columns);
    expect(bars.some((s) => s.endsWith('100%'))).toBe(true);
  }, 30_000);

  it('gives back the cursor and line wrapping when Ctrl-C stops the run', async () => {
    const session = inTerminal(120, '--events 50000000 --strategies first-fit,last-fit --workers 2 --out stopped');
    try {
      await until(() => session.output, (o) => session.pid > 0 && o.includes('\x1b[?25l') && /[1-9]\d*% ·/.test(o));
      process.kill(session.pid, 'SIGINT');
      await session.closed;
    } finally {
      session.child.kill('SIGKILL');
      try {
        if (session.pid) process.kill(session.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    const { output } = session;
    expect(output.slice(output.lastIndexOf('\x1b[?25l')), 'the cursor shown again').toContain('\x1b[?25h');
    expect(output.slice(output.lastIndexOf('\x1b[?7l')), 'line wrapping on again').toContain('\x1b[?7h');
    expect(output).toContain('wasm-ipam: stopped by SIGINT; no report written');
  }, 30_000);
});

describe.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('simulate stopped by %s', (signal, exitCode) => {
  it(`exits ${exitCode} at once and leaves no --out directory it made`, async () => {
    const out = join(dir, signal, 'report');
    const child = spawn(process.execPath, [CLI, 'simulate', '--events', '5000000', '--strategies', 'first-fit,last-fit', '--workers', '2', '--out', out], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      await until(() => stderr, (text) => /: \d+% \(/.test(text)); // a progress line: the run is under way
      expect((await stat(out)).isDirectory()).toBe(true); // made for the run
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const sent = Date.now();
      child.kill(signal);
      expect(await exited).toBe(exitCode);
      expect(Date.now() - sent).toBeLessThan(5000);
      expect(await stat(join(dir, signal)).then(() => 'left behind', () => 'gone')).toBe('gone');
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});

/** A preload that announces, then holds for 5 s, the first fs/promises `fn` call whose path ends with `suffix`. */
async function slowHook(name: string, fn: 'rename' | 'lstat', argIndex: number, suffix: string): Promise<string> {
  const file = join(dir, `${name}.mjs`);
  await writeFile(file, `
import fs from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
const original = fs.${fn};
let held = false;
fs.${fn} = async (...args) => {
  if (!held && String(args[${argIndex}]).endsWith(${JSON.stringify(suffix)})) {
    held = true;
    process.stderr.write('HELD\\n');
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  return original(...args);
};
syncBuiltinESMExports();
`);
  return file;
}

async function interruptAt(hook: string, out: string, sent: 'SIGTERM' | 'SIGINT' = 'SIGTERM'): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', hook, CLI, 'simulate', '--events', '2000', '--strategies', 'first-fit', '--out', out],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<[number | null, string | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (!stderr.includes('HELD') && Date.now() - started < 20_000) return;
        clearInterval(poll);
        if (stderr.includes('HELD')) resolve();
        else reject(new Error(`never held:\n${stderr}`));
      }, 20);
    });
    child.kill(sent);
    const [code, signal] = await exited;
    return { code, signal, stderr };
  } finally {
    child.kill('SIGKILL');
  }
}

/** A preload that announces, then holds for 5 s, each worker's second terminate() (simulateParallel's finally, after the run). */
async function slowSecondTerminate(): Promise<string> {
  const file = join(dir, 'hold-terminate.mjs');
  await writeFile(file, `
import { Worker } from 'node:worker_threads';
const terminate = Worker.prototype.terminate;
const calls = new WeakMap();
Worker.prototype.terminate = async function () {
  const n = (calls.get(this) ?? 0) + 1;
  calls.set(this, n);
  if (n === 2) {
    process.stderr.write('HELD\\n');
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  return terminate.call(this);
};
`);
  return file;
}

describe('simulate: a signal outside the workers\' run', () => {
  // the handlers were in place only around the workers: a signal while --out was being checked
  // or the report written killed the process (directories left, a stray .tmp, a new summary.json
  // beside an older index.html), and one while the workers were being ended was swallowed (exit 0).
  // A preload holds one call for 5 s so that the signal lands there every time
  it('while the report is written: the report is finished whole, and the exit code is 143', async () => {
    const out = join(dir, 'writing', 'report');
    const result = await interruptAt(await slowHook('hold-html-rename', 'rename', 1, 'index.html'), out);
    expect({ code: result.code, signal: result.signal, left: (await readdir(out)).sort() }).toEqual({ code: 143, signal: null, left: ['index.html', 'summary.json'] });
    expect(result.stderr).toContain('wasm-ipam: stopped by SIGTERM; the report was written whole');
  }, 30_000);

  it('after --out is made, before the run starts: exits 143 and leaves no directory it made', async () => {
    const out = join(dir, 'probing', 'report');
    const result = await interruptAt(await slowHook('hold-lstat', 'lstat', 0, 'index.html'), out);
    expect({ code: result.code, signal: result.signal, left: await stat(join(dir, 'probing')).then(() => 'left behind', () => 'gone') })
      .toEqual({ code: 143, signal: null, left: 'gone' });
  }, 30_000);

  it('while the workers are ended after the last result: SIGINT is not swallowed (exit 130, no report)', async () => {
    const out = join(dir, 'finishing', 'report');
    const result = await interruptAt(await slowSecondTerminate(), out, 'SIGINT');
    expect({ code: result.code, signal: result.signal, left: await stat(join(dir, 'finishing')).then(() => 'left behind', () => 'gone') })
      .toEqual({ code: 130, signal: null, left: 'gone' });
  }, 30_000);
});
