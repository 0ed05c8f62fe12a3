/** The built CLI (dist/cli.js) in a child process, as a user runs it. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';

const run = promisify(execFile);
export const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;

/** Runs `wasm-ipam ...args` in `cwd`; its exit code and output, whether it succeeded or not. */
export async function runCli(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * A scratch directory made before the file's tests and removed after them, and `cli` to run
 * `wasm-ipam` in it (call at the top level of a test file).
 */
export function cliInScratchDirectory(prefix: string): { dir: () => string; cli: (...args: string[]) => ReturnType<typeof runCli> } {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return { dir: () => dir, cli: (...args) => runCli(dir, args) };
}
