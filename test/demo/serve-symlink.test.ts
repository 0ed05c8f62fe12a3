// README: "the pool explorer page runs from an installed package with
// `node node_modules/wasm-ipam/dist/demo/serve.js`". Under pnpm, npm link or a workspace,
// node_modules/wasm-ipam is a symlink; the server must start there too (it exited silently, code 0).
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

it('dist/demo/serve.js starts when reached through a symlinked node_modules/wasm-ipam', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wasm-ipam-link-'));
  try {
    await mkdir(join(dir, 'node_modules'));
    await symlink(ROOT, join(dir, 'node_modules', 'wasm-ipam'), 'dir');
    const child = spawn(process.execPath, ['node_modules/wasm-ipam/dist/demo/serve.js'], { cwd: dir, env: { ...process.env, PORT: '0' } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const outcome = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('still running'), 5_000);
      child.stdout.on('data', () => /pool explorer: http/.test(out) && (clearTimeout(timer), resolve('listening')));
      child.on('exit', (code) => (clearTimeout(timer), resolve(`exited ${code} saying ${JSON.stringify(out)}`)));
    });
    child.kill();
    expect(outcome).toBe('listening');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
