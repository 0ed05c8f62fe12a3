/**
 * Review (package as consumed): `import 'wasm-ipam'` must not throw at load time in a bundle
 * whose format has no `import.meta` (esbuild's default browser format `iife`, and `cjs` for
 * Node), at least when the caller brings the wasm itself. Today load.js evaluates
 * `new URL('../build/engine.wasm', import.meta.url)` at module top level; esbuild turns
 * `import.meta` into `{}` there, so the bundle dies with "TypeError: Invalid URL" on load.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const WASM = readFileSync(new URL('../build/engine.wasm', import.meta.url));

async function bundle(format: 'iife' | 'cjs', platform: 'browser' | 'node'): Promise<string> {
  const result = await build({
    stdin: {
      contents: `import { IpamService } from 'wasm-ipam'; globalThis.__wasmIpamBundle = IpamService;`,
      resolveDir: ROOT,
      sourcefile: 'app.js',
      loader: 'js',
    },
    bundle: true,
    format,
    platform,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

async function loadAndUse(code: string): Promise<string> {
  const g = globalThis as { __wasmIpamBundle?: { create(o: { wasm: Uint8Array }): Promise<{ call(a: string, p: object): { IpamId: string } }> } };
  delete g.__wasmIpamBundle;
  // evaluate as a script / CommonJS module would be
  new Function('require', 'module', 'exports', code)(createRequire(import.meta.url), { exports: {} }, {});
  const ipam = await g.__wasmIpamBundle!.create({ wasm: new Uint8Array(WASM) });
  return ipam.call('CreateIpam', { RegionId: 'cn-hangzhou', OperatingRegionList: ['cn-hangzhou'] }).IpamId;
}

describe('bundles without import.meta, with the wasm passed in', () => {
  it('esbuild --format=iife (its default for browser bundles) loads and works', async () => {
    await expect(loadAndUse(await bundle('iife', 'browser'))).resolves.toMatch(/^ipam-/);
  });

  it('esbuild --platform=node --format=cjs loads and works', async () => {
    await expect(loadAndUse(await bundle('cjs', 'node'))).resolves.toMatch(/^ipam-/);
  });

  it('without the wasm, the load is refused with an EngineLoadError saying to pass it (and not speaking of bytes given)', async () => {
    const g = globalThis as { __wasmIpamBundle?: { create(): Promise<unknown> } };
    new Function('require', 'module', 'exports', await bundle('cjs', 'node'))(createRequire(import.meta.url), { exports: {} }, {});
    const error = await g.__wasmIpamBundle!.create().then(() => undefined, (e: Error) => e);
    expect(error?.name).toBe('EngineLoadError');
    expect(error?.message).toMatch(/no import\.meta\.url.*pass the wasm/);
    expect(error?.message).not.toMatch(/the given bytes/); // nothing was given
  });
});
