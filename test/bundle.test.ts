/**
 * A browser app's `import { IpamService } from 'wasm-ipam'`, bundled from the built package
 * (dist/) the way esbuild and Vite resolve it for a consumer: nothing from Node, nothing from
 * the server or the CLI, and the wasm shipped with the bundle.
 */
import { describe, expect, it } from 'vitest';
import { browserBundleSizes, bundleWithEsbuild, bundleWithVite } from '../bench/bundle.js';

const SERVER_OR_CLI = /(^|\/)(server|cli)(\/|\.js$)/;

describe('the browser bundle', () => {
  it('esbuild (platform browser): bundles with no node: import, no external, no server or CLI code', async () => {
    const bundle = await bundleWithEsbuild('browser');
    expect(bundle.externals).toEqual([]);
    expect(bundle.code).not.toMatch(/["'`]node:/);
    expect(bundle.inputs).toContain('dist/engine/read-file.browser.js');
    expect(bundle.inputs).not.toContain('dist/engine/read-file.node.js');
    expect(bundle.inputs.filter((file) => SERVER_OR_CLI.test(file))).toEqual([]);
    expect(bundle.inputs).toContain('dist/api/service.js');
  });

  it('esbuild (platform node) picks the file reader that uses node:fs', async () => {
    const bundle = await bundleWithEsbuild('node');
    expect(bundle.inputs).toContain('dist/engine/read-file.node.js');
    expect(bundle.externals).toEqual(['node:fs/promises']);
  });

  it('keeps wasm-ipam/server out of reach of browser bundles', async () => {
    await expect(bundleWithEsbuild('browser', `export * from 'wasm-ipam/server';`)).rejects.toThrow(/wasm-ipam\/server/);
    const server = await bundleWithEsbuild('node', `export { serve, createIpamServer } from 'wasm-ipam/server';`);
    expect(server.inputs).toContain('dist/server/server.js');
  });

  it('Vite: emits the engine wasm as an asset and points the default URL at it', async () => {
    const { chunks, assets } = await bundleWithVite();
    const wasm = assets.find((asset) => asset.fileName.endsWith('.wasm'));
    expect(wasm?.bytes).toBeGreaterThan(1000);
    const code = chunks.map((chunk) => chunk.code).join('\n');
    expect(code).toContain(wasm!.fileName);
    expect(code).not.toMatch(/["'`]node:/);
  });
});

it('the README\'s table of what a page downloads is the bundle\'s (it went stale as the API grew)', async () => {
  const readme = await import('node:fs/promises').then((fs) => fs.readFile(new URL('../README.md', import.meta.url), 'utf8'));
  const sizes = await browserBundleSizes();
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  expect(readme).toContain(`| JS (codec, engine wrapper, the whole IPAM API) | ${kib(sizes.jsMinified)} | ${kib(sizes.jsGzipped)} |`);
  expect(readme).toContain(`| \`engine.wasm\` | ${kib(sizes.wasm)} | ${kib(sizes.wasmGzipped)} |`);
});
