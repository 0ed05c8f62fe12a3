/**
 * `wasm-ipam serve --port` takes a port as decimal digits, like simulate's numeric options
 * (Number() took '' as 0, any free port, and '0x1f90' as 8080). A port that is taken is the
 * user's to fix: the message alone, no stack trace.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

function run(args: string[], ms = 4000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

it.each([['--port='], ['--port=0x1f90'], ['--port=1e3']])('serve %s is refused with exit code 2', async (option) => {
  const { code, stdout } = await run(['serve', option, '--in-memory']);
  expect(stdout).not.toContain('listening');
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
