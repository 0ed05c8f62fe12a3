// Review finding: `simulate --out` naming a path that cannot be a directory (an existing file)
// is only noticed after the whole simulation has run, and then ends with a Node stack trace
// and exit code 1 — unlike every other bad option, which gets a one-line message and exit 2
// (README: "bad options and files refused with exit code 2").
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasm-ipam-review-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('review: simulate --out that cannot be a directory', () => {
  it('is refused like any bad option: exit 2 and a message, not a stack trace', async () => {
    await writeFile(join(dir, 'taken'), 'a file, not a directory');
    const { code, stderr } = await cli('simulate', '--scenario', 'small-lab', '--events', '2000', '--out', 'taken');
    expect(stderr).not.toMatch(/\n\s+at /); // today: "Error: EEXIST: file already exists, mkdir ..." and its stack
    expect(code).toBe(2); // today: 1
  });
});
