// Review of d3c0d7e ("an unusable --out is refused before the run (exit 2, what is in the way)"):
// the check makes the directory and asks for write access, but not whether the report's own
// files can be written there. A directory named index.html inside --out passes the check; the
// whole run goes ahead, summary.json is written, then renaming index.html fails with an EISDIR
// stack trace and exit 1, leaving half a report behind.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasm-ipam-review-out-'));
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

describe('review: simulate --out whose report file is blocked', () => {
  it('refuses before the run when index.html in --out is a directory, leaving no half report', async () => {
    await mkdir(join(dir, 'out', 'index.html'), { recursive: true });
    const { code, stdout, stderr } = await cli('simulate', '--scenario', 'small-lab', '--events', '2000', '--out', 'out');
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(stdout).not.toMatch(/^strategy\s+allocations/m); // refused before the run
    expect(code).toBe(2);
    expect(stderr).toContain('cannot hold the report');
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['index.html']); // no summary.json without its report
  });
});
