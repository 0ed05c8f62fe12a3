import type { EngineExports } from './exports.js';

/** Where the engine's wasm comes from: bytes, a compiled module, a Response, or a URL. */
export type WasmSource = BufferSource | WebAssembly.Module | Response | URL | string;

/** build/engine.wasm, next to the package's own files (works from src/ and dist/). */
export const DEFAULT_WASM_URL = new URL('../../build/engine.wasm', import.meta.url);

async function readFileUrl(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  // Only reached for file: URLs, i.e. in Node; browsers never evaluate this import.
  const fs = await import(/* @vite-ignore */ 'node:fs/promises');
  return (await fs.readFile(url)) as Uint8Array<ArrayBuffer>;
}

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof source === 'string' || source instanceof URL) {
    const url = new URL(source, DEFAULT_WASM_URL);
    if (url.protocol === 'file:') return WebAssembly.compile(await readFileUrl(url));
    return compile(await fetch(url));
  }
  if (typeof Response !== 'undefined' && source instanceof Response) {
    if (!source.ok) throw new Error(`could not load the wasm-ipam engine: HTTP ${source.status} for ${source.url}`);
    return WebAssembly.compileStreaming(source);
  }
  return WebAssembly.compile(source as BufferSource);
}

/** Compiles and instantiates the engine; each call gives an independent instance. */
export async function instantiateEngine(source: WasmSource = DEFAULT_WASM_URL): Promise<EngineExports> {
  let module: WebAssembly.Module;
  try {
    module = await compile(source);
  } catch (cause) {
    throw new Error(`could not load the wasm-ipam engine from ${String(source instanceof URL || typeof source === 'string' ? source : 'the given bytes')}: ${(cause as Error).message}`, { cause });
  }
  const instance = await WebAssembly.instantiate(module, {});
  return instance.exports as unknown as EngineExports;
}
