// The simulate command's options against a user's own scenario file, and an --out whose old
// report only another user may replace (all three found by a review of the CLI).
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
let sticky = '';
beforeAll(async () => {
  sticky = await mkdtemp(join(tmpdir(), 'wasm-ipam-sticky-'));
  await chmod(sticky, 0o1777); // like /tmp: anyone may add files, only their owner may replace them
  await writeFile(join(sticky, 'index.html'), 'an older report, not ours\n', { mode: 0o644 });
  await writeFile(join(sticky, 'summary.json'), '{}\n', { mode: 0o644 });
  await writeFile(join(sticky, 'one.json'), JSON.stringify({ name: 'one', events: 10, strategies: ['first-fit'], pools: [pool] }), { mode: 0o644 });
});
afterAll(() => rm(sticky, { recursive: true, force: true }));

describe('simulate: --out whose report files another user owns, in a sticky directory', () => {
  // another user is needed: the tests run as root in CI (.ci/run installs Chromium), and the run
  // below is made as "nobody"
  it.skipIf(!asRoot)('is refused before the run with exit 2 and a message', async () => {
    let code = 0, stdout = '', stderr = '';
    try {
      ({ stdout, stderr } = await run('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', process.execPath, CLI, 'simulate', '--scenario', 'one.json', '--out', sticky], { cwd: sticky, timeout: 60_000 }));
    } catch (error) {
      ({ code, stdout, stderr } = error as { code: number; stdout: string; stderr: string });
    }
    expect(stderr).toMatch(/^wasm-ipam: --out .* cannot hold the report: index\.html there belongs to another user/m);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(code).toBe(2);
    expect(stdout).not.toMatch(/^Scenario one:/m); // nothing ran
    expect(await readFile(join(sticky, 'index.html'), 'utf8')).toBe('an older report, not ours\n');
  });
});
