import { ENGINE_FUNCTIONS, type EngineExports } from './exports.js';

/**
 * Where the engine's wasm comes from: bytes, a compiled module, a fetch Response, or a URL.
 * A string is resolved as fetch would resolve it: against the page in a browser (or worker),
 * against the package's build/ directory elsewhere.
 */
export type WasmSource = ArrayBuffer | ArrayBufferView | WebAssembly.Module | Response | URL | string;

declare global {
  // The WebAssembly types the declarations name, for a project whose lib has no "dom" (Node with
  // @types/node, which declares neither them nor BufferSource); empty, they merge with lib.dom's.
  namespace WebAssembly {
    interface Module {}
    interface Memory {}
  }
}

/**
 * build/engine.wasm, next to the package's own files (works from src/ and dist/). Vite and
 * webpack see this `new URL(…, import.meta.url)` and ship the file with the bundle. Undefined in
 * a bundle format without `import.meta` (esbuild's iife and cjs make it `{}`): importing the
 * package must still work there, with the wasm passed in.
 */
export const DEFAULT_WASM_URL: URL | undefined = import.meta.url ? new URL('../../build/engine.wasm', import.meta.url) : undefined;

const NO_DEFAULT = 'this bundle has no import.meta.url, so build/engine.wasm cannot be found: pass the wasm (bytes, a module, a Response or an absolute URL)';

/** The engine's wasm could not be fetched, read or compiled. */
export class EngineLoadError extends Error {
  override readonly name = 'EngineLoadError';
  /** The URL it was loaded from; undefined for bytes or a module the caller passed. */
  readonly url: string | undefined;
  /** The HTTP status when the server answered with something other than 2xx. */
  readonly status: number | undefined;

  constructor(message: string, url: string | undefined, status: number | undefined, cause?: unknown, from: string | null = url ?? 'the given bytes') {
    super(`could not load the wasm-ipam engine${from === null ? '' : ` from ${from}`}: ${message}`, { cause });
    this.url = url;
    this.status = status;
  }
}

/**
 * Whether a value is a Module, URL or Response, by its type tag: `instanceof` is false for one
 * made in another realm (an iframe, a vm context), which the loader takes all the same, as the
 * engine's batch methods take another realm's typed arrays.
 */
function isA(value: unknown, tag: 'WebAssembly.Module' | 'URL' | 'Response'): boolean {
  return Object.prototype.toString.call(value) === `[object ${tag}]`;
}

function isUrlSource(source: WasmSource): source is URL | string {
  return typeof source === 'string' || isA(source, 'URL');
}

function resolveUrl(source: URL | string): URL {
  if (typeof source !== 'string') return source instanceof URL ? source : new URL((source as { href: string }).href); // or another realm's
  // fetch resolves against the document's base URL (a <base href> moves it); a worker has no
  // document, and its location is what its fetch uses
  const page = globalThis as { document?: { baseURI?: string }; location?: { href: string } };
  const base = page.document?.baseURI ?? page.location?.href ?? DEFAULT_WASM_URL;
  try {
    return new URL(source, base);
  } catch (cause) {
    throw new EngineLoadError(base === undefined ? NO_DEFAULT : (cause as Error).message, source, undefined, cause);
  }
}

async function compileResponse(response: Response, url: string | undefined): Promise<WebAssembly.Module> {
  if (!response.ok) throw new EngineLoadError(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, url, response.status);
  // compileStreaming refuses any Content-Type but exactly application/wasm (a parameter such as
  // `; charset=utf-8` too, and in Node another case); many static servers send
  // application/octet-stream, so those bytes are compiled from a buffer instead.
  const type = response.headers.get('content-type') ?? '';
  try {
    if (type.trim() === 'application/wasm' && typeof WebAssembly.compileStreaming === 'function') {
      return await WebAssembly.compileStreaming(response);
    }
    return await WebAssembly.compile(await response.arrayBuffer());
  } catch (cause) {
    throw new EngineLoadError((cause as Error).message, url, undefined, cause);
  }
}

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  if (isA(source, 'WebAssembly.Module')) return source as WebAssembly.Module;
  if (isUrlSource(source)) {
    const url = resolveUrl(source);
    let response: Response;
    try {
      if (url.protocol === 'file:') {
        // Imported only when needed: a plain <script type="module"> page never resolves this
        // specifier (it would need an import map), and bundlers pick the browser variant anyway.
        const { readFileUrl } = await import('#read-file');
        return await WebAssembly.compile(await readFileUrl(url));
      }
      response = await fetch(url);
    } catch (cause) {
      throw new EngineLoadError((cause as Error).message, url.href, undefined, cause);
    }
    return compileResponse(response, url.href);
  }
  if (isA(source, 'Response')) {
    const response = source as Response;
    return compileResponse(response, response.url || undefined);
  }
  try {
    // any ArrayBufferView the type admits: WebAssembly.compile takes typed arrays, not a DataView
    const bytes = ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : source;
    return await WebAssembly.compile(bytes as BufferSource);
  } catch (cause) {
    throw new EngineLoadError((cause as Error).message, undefined, undefined, cause);
  }
}

/** Compiles and instantiates the engine; each call gives an independent instance. */
export async function instantiateEngine(source: WasmSource | undefined = DEFAULT_WASM_URL): Promise<{ exports: EngineExports; module: WebAssembly.Module }> {
  if (source === undefined) throw new EngineLoadError(NO_DEFAULT, undefined, undefined, undefined, null);
  const module = await compile(source);
  const url = isUrlSource(source) ? resolveUrl(source).href : undefined;
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, {});
  } catch (cause) {
    throw new EngineLoadError(`not the wasm-ipam engine: ${(cause as Error).message}`, url, undefined, cause);
  }
  // a module that compiles may still be another one, or an older engine.wasm kept in a cache
  const exports = instance.exports as Record<string, unknown>;
  if (!(exports.memory instanceof WebAssembly.Memory)) throw new EngineLoadError('not the wasm-ipam engine: it exports no memory', url, undefined);
  const missing = ENGINE_FUNCTIONS.filter((name) => typeof exports[name] !== 'function');
  if (missing.length > 0) throw new EngineLoadError(`not the wasm-ipam engine: it lacks ${missing.join(', ')}`, url, undefined);
  return { exports: instance.exports as unknown as EngineExports, module };
}
