// The simulate command's options against a user's own scenario file, and an --out whose old
// report only another user may replace (all three found by a review of the CLI).
import { execFile } from 'node:child_process';
import { chmod, chown, lchown, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cliInScratchDirectory } from '../support/cli.js';

const scratch = cliInScratchDirectory('wasm-ipam-sim-options-');
const pool = { name: 'p', ipVersion: 'IPv4', cidrs: ['10.0.0.0/24'], workload: { weight: 1, masks: { '28': 1 } } };

describe('simulate: options over a scenario file', () => {
  it('--events gives the events of a file that leaves them out', async () => {
    await writeFile(join(scratch.dir(), 'noev.json'), JSON.stringify({ name: 'noev', pools: [pool] }));
    const { code, stderr, stdout } = await scratch.cli('simulate', '--scenario', 'noev.json', '--events', '100', '--strategies', 'first-fit', '--out', 'out');
    expect(stderr).not.toMatch(/scenario\.events/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Scenario noev: 100 events/);
    // without it the file is still refused for what it lacks
    const bare = await scratch.cli('simulate', '--scenario', 'noev.json', '--out', 'out2');
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/scenario\.events: must be a number/);
  });

  it('a refused --strategies value is named as the option, not as a field of the file', async () => {
    await writeFile(join(scratch.dir(), 'mine.json'), JSON.stringify({ name: 'mine', events: 10, pools: [pool] }));
    for (const [value, why] of [['first-fit,bogus', /unknown strategy "bogus"/], ['first-fit,', /unknown strategy ""/], ['first-fit,first-fit', /lists a strategy twice/]] as const) {
      const { code, stderr } = await scratch.cli('simulate', '--scenario', 'mine.json', '--strategies', value, '--out', 'out');
      expect(code).toBe(2);
      expect(stderr).toContain(`wasm-ipam: --strategies ${value}: `);
      expect(stderr).toMatch(why);
      expect(stderr).not.toMatch(/scenario\.strategies/);
    }
  });
});

const run = promisify(execFile);
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const OTHER = 65533; // another user, neither nobody nor root
let base = '';
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'wasm-ipam-sticky-'));
  await chmod(base, 0o755);
  await writeFile(join(base, 'one.json'), JSON.stringify({ name: 'one', events: 10, strategies: ['first-fit'], pools: [pool] }), { mode: 0o644 });
});
afterAll(() => rm(base, { recursive: true, force: true }));

/** A root-owned sticky directory, like /tmp: anyone may add names, only their owner may replace them. */
async function stickyDirectory(name: string): Promise<string> {
  const dir = join(base, name);
  await mkdir(dir);
  await chmod(dir, 0o1777);
  return dir;
}

/** The simulate command run as "nobody" (setpriv), with its exit code and output. */
async function simulateAsNobody(out: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, CLI, 'simulate', '--scenario', join(base, 'one.json'), '--out', out], { cwd: base, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return error as { code: number; stdout: string; stderr: string };
  }
}

// another user is needed: the tests run as root in CI (.ci/run installs Chromium), and the runs
// below are made as "nobody". The report renames its files into place, which in a sticky
// directory only the owner of the name there (a symlink itself, not its target) may do.
describe.skipIf(!asRoot)('simulate: --out in a sticky directory whose report files another user owns', () => {
  it('is refused before the run with exit 2 and a message', async () => {
    const out = await stickyDirectory('theirs');
    await writeFile(join(out, 'index.html'), 'an older report, not ours\n', { mode: 0o644 });
    await writeFile(join(out, 'summary.json'), '{}\n', { mode: 0o644 });
    const { code, stdout, stderr } = await simulateAsNobody(out);
    expect(stderr).toMatch(/^wasm-ipam: --out .* cannot hold the report: index\.html there belongs to another user/m);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(code).toBe(2);
    expect(stdout).not.toMatch(/^Scenario one:/m); // nothing ran
    expect(await readFile(join(out, 'index.html'), 'utf8')).toBe('an older report, not ours\n');
  });

  it('judges a symlink by its own owner: another user\'s link to our file, or a dangling one, is refused before the run', async () => {
    const out = await stickyDirectory('their-link');
    const mine = join(base, 'mine.html');
    await writeFile(mine, 'an older report\n', { mode: 0o644 });
    await chown(mine, NOBODY, NOBODY);
    await writeFile(join(out, 'summary.json'), '{"old":true}\n', { mode: 0o644 });
    await chown(join(out, 'summary.json'), NOBODY, NOBODY);
    await symlink(mine, join(out, 'index.html'));
    await lchown(join(out, 'index.html'), OTHER, OTHER);
    const linked = await simulateAsNobody(out);
    // before: the run went, summary.json was replaced, and index.html's rename failed (a mixed report)
    expect({ code: linked.code, ran: /^Scenario one:/m.test(linked.stdout), summary: await readFile(join(out, 'summary.json'), 'utf8') })
      .toEqual({ code: 2, ran: false, summary: '{"old":true}\n' });
    expect(linked.stderr).toMatch(/index\.html there belongs to another user/);
    expect(await readlink(join(out, 'index.html'))).toBe(mine);

    const dangling = await stickyDirectory('dangling');
    await symlink(join(base, 'gone.html'), join(dangling, 'index.html'));
    await lchown(join(dangling, 'index.html'), OTHER, OTHER);
    const gone = await simulateAsNobody(dangling);
    expect({ code: gone.code, ran: /^Scenario one:/m.test(gone.stdout) }).toEqual({ code: 2, ran: false });
  });

  it('replaces our own symlinks, whatever they point to', async () => {
    const out = await stickyDirectory('own-links');
    const elsewhere = join(base, 'elsewhere');
    await mkdir(elsewhere);
    for (const name of ['index.html', 'summary.json']) {
      await writeFile(join(elsewhere, name), 'not ours\n', { mode: 0o644 });
      await chown(join(elsewhere, name), OTHER, OTHER);
      await symlink(join(elsewhere, name), join(out, name));
      await lchown(join(out, name), NOBODY, NOBODY);
    }
    const { code, stderr } = await simulateAsNobody(out);
    expect(stderr).not.toMatch(/belongs to another user/);
    expect(code).toBe(0);
    expect(await readFile(join(out, 'summary.json'), 'utf8')).toMatch(/"runs"/);
    expect(await readFile(join(elsewhere, 'summary.json'), 'utf8')).toBe('not ours\n'); // the link was replaced, not its target
  });
});
