/**
 * `wasm-ipam serve --port` takes a port as decimal digits, like simulate's numeric options
 * (Number() took '' as 0, any free port, and '0x1f90' as 8080). A port that is taken, a host that
 * is not this machine's, a --data-dir that cannot be one are the user's to fix: the message alone,
 * no stack trace (and no hang: Node 20's recursive mkdir never settled under /proc). `serve --help`
 * and `demo --help` print the usage.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

const scratch = mkdtempSync(join(tmpdir(), 'wasm-ipam-cli-serve-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the CLI; a child still running after `ms` is killed (SIGKILL) and reported as timedOut. */
function run(args: string[], ms = 4000): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

it.each([['--port='], ['--port=0x1f90'], ['--port=1e3']])('serve %s is refused with exit code 2', async (option) => {
  const { code, stdout } = await run(['serve', option, '--in-memory']);
  expect(stdout).not.toContain('listening');
  expect(code).toBe(2);
});

it('serve --region of no known region is refused with exit code 2', async () => {
  // it used to start, and refuse every request that named the region (InvalidRegionId.NotFound)
  const { code, stdout, stderr } = await run(['serve', '--region', 'mars-1', '--in-memory']);
  expect(stdout).not.toContain('listening');
  expect(stderr).toContain('--region must be one of');
  expect(code).toBe(2);
});

it('serve on a port in use: exit 1 with the message, no stack trace', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const { port } = blocker.address() as net.AddressInfo;
  try {
    const { code, stderr } = await run(['serve', '--port', String(port), '--in-memory']);
    expect(code).toBe(1);
    expect(stderr).toContain('EADDRINUSE');
    expect(stderr).not.toMatch(/\n\s+at /);
  } finally {
    blocker.close();
  }
});

it('serve --data-dir naming a file: the message alone, no stack trace', async () => {
  const file = join(scratch, 'not-a-dir');
  writeFileSync(file, '{}');
  const { code, stdout, stderr } = await run(['serve', '--port', '0', '--data-dir', file]);
  expect(stdout).not.toContain('listening');
  expect(code).not.toBe(0);
  expect(stderr).toContain(file);
  expect(stderr).not.toMatch(/^\s+at /m); // was: "wasm-ipam: Error: EEXIST: file already exists, mkdir …" and a stack
});

it('serve --data-dir under a file: the message alone, no stack trace', async () => {
  const file = join(scratch, 'also-a-file');
  writeFileSync(file, '{}');
  const { code, stderr } = await run(['serve', '--port', '0', '--data-dir', join(file, 'state')]);
  expect(code).not.toBe(0);
  expect(stderr).not.toMatch(/^\s+at /m); // was: ENOTDIR with a stack
});

it.runIf(process.platform === 'linux')('serve --data-dir where no directory can be made (/proc) stops at once instead of hanging', async () => {
  // Node 20's mkdir(…, { recursive: true }) never settles there: serve spun a core until killed
  const { timedOut, code, stdout } = await run(['serve', '--port', '0', '--data-dir', '/proc/wasm-ipam-review'], 5000);
  expect(timedOut).toBe(false);
  expect(stdout).not.toContain('listening');
  expect(code).not.toBe(0);
}, 10_000);

it('serve --help prints the usage and exits 0, as simulate --help does', async () => {
  const { code, stdout, stderr } = await run(['serve', '--help']);
  expect(stderr).not.toContain("Unknown option '--help'");
  expect(code).toBe(0);
  expect(stdout).toContain('--data-dir');
});

it('serve --host that is not an address of this machine: the message alone, no stack trace', async () => {
  const { code, stdout, stderr } = await run(['serve', '--port', '0', '--in-memory', '--host', '999.1.1.1']);
  expect(stdout).not.toContain('listening');
  expect(code).toBe(1);
  expect(stderr).not.toMatch(/^\s+at /m); // was: "wasm-ipam: Error: getaddrinfo ENOTFOUND 999.1.1.1" and a stack
});

it('demo --help prints the usage instead of running the demo and its million-operation timing', async () => {
  const { code, stdout } = await run(['demo', '--help'], 30_000);
  expect(code).toBe(0);
  expect(stdout).not.toContain('wasm-ipam engine demo'); // was: the arguments are ignored and the demo runs
  expect(stdout).toContain('usage:');
}, 40_000);
