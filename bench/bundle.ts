/**
 * What a browser app that does `import { IpamService } from 'wasm-ipam'` ships: the app
 * bundled by esbuild and by Vite from the built package (dist/, resolved through package.json
 * "exports"/"imports" like any consumer), and the sizes of its JS and wasm, minified and gzipped.
 * Used by test/bundle.test.ts (no Node built-in, no server code) and by the benchmark report.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build as esbuild, type Metafile } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The smallest real consumer: create the service (which loads the wasm) and keep it. */
export const APP_SOURCE = `import { IpamService } from 'wasm-ipam';\nglobalThis.ipam = await IpamService.create();\n`;

export interface Bundle {
  code: string;
  /** Files that went into the bundle, relative to the repository. */
  inputs: string[];
  /** Imports esbuild left outside the bundle. */
  externals: string[];
}

/** Bundles `source` (importing 'wasm-ipam' by name) with esbuild for a platform, minified. */
export async function bundleWithEsbuild(platform: 'browser' | 'node', source = APP_SOURCE): Promise<Bundle> {
  const result = await esbuild({
    stdin: { contents: source, resolveDir: ROOT, sourcefile: 'app.js', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform,
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const meta: Metafile = result.metafile;
  const output = Object.values(meta.outputs)[0]!;
  return {
    code: result.outputFiles[0]!.text,
    inputs: Object.keys(meta.inputs),
    externals: output.imports.filter((i) => i.external).map((i) => i.path),
  };
}

export interface ViteBundle {
  /** The JS chunks and their code. */
  chunks: Array<{ fileName: string; code: string }>;
  /** Emitted assets (the engine's wasm among them). */
  assets: Array<{ fileName: string; bytes: number }>;
}

/** Builds a one-page app with Vite (production, in memory) whose module imports 'wasm-ipam'. */
export async function bundleWithVite(): Promise<ViteBundle> {
  const { build } = await import('vite');
  const page = '\0wasm-ipam-app';
  const output = await build({
    root: ROOT,
    logLevel: 'silent',
    configFile: false,
    build: { write: false, rollupOptions: { input: page } },
    plugins: [{
      name: 'wasm-ipam-app',
      resolveId: (id) => (id === page ? page : undefined),
      load: (id) => (id === page ? APP_SOURCE : undefined),
    }],
  });
  const outputs = (Array.isArray(output) ? output : [output]).flatMap((o) => ('output' in o ? o.output : []));
  return {
    chunks: outputs.flatMap((o) => (o.type === 'chunk' ? [{ fileName: o.fileName, code: o.code }] : [])),
    assets: outputs.flatMap((o) => (o.type === 'asset' ? [{ fileName: o.fileName, bytes: o.source.length }] : [])),
  };
}

export interface BundleSizes {
  jsMinified: number;
  jsGzipped: number;
  wasm: number;
  wasmGzipped: number;
}

/** Bytes a browser downloads for the esbuild bundle of APP_SOURCE and build/engine.wasm. */
export async function browserBundleSizes(): Promise<BundleSizes> {
  const { code } = await bundleWithEsbuild('browser');
  const wasm = await readFile(new URL('../build/engine.wasm', import.meta.url));
  return {
    jsMinified: Buffer.byteLength(code),
    jsGzipped: gzipSync(code).length,
    wasm: wasm.length,
    wasmGzipped: gzipSync(wasm).length,
  };
}
