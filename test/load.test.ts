/**
 * Loading the engine's wasm, in Node and in Chromium alike: from the default URL next to the
 * package, over HTTP (streaming, and with MIME types compileStreaming refuses), from bytes or
 * a module the caller supplies, and the errors when it cannot load.
 */
import { readFileUrl } from '#read-file';
import { describe, expect, inject, it, vi } from 'vitest';
import { DEFAULT_WASM_URL, Engine, EngineLoadError, formatCidr, IpamService } from '../src/index.js';

const served = (path: string) => new URL(path, inject('repositoryUrl'));

/** The engine's bytes, read the way this environment can read them. */
async function engineBytes(): Promise<Uint8Array<ArrayBuffer>> {
  if (DEFAULT_WASM_URL!.protocol === 'file:') return readFileUrl(DEFAULT_WASM_URL!);
  return new Uint8Array(await (await fetch(DEFAULT_WASM_URL!)).arrayBuffer());
}

/** Proves an engine works: one allocation in a fresh space. */
function allocatesOnce(engine: Engine): string {
  const space = engine.createSpace(4);
  space.addSource('10.0.0.0/8');
  return formatCidr(space.allocate(24));
}

async function loadError(source: Parameters<typeof Engine.load>[0]): Promise<EngineLoadError> {
  const error = await Engine.load(source).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(EngineLoadError);
  return error as EngineLoadError;
}

describe('loading the engine', () => {
  it('loads from the default URL next to the package', async () => {
    expect(DEFAULT_WASM_URL!.pathname).toMatch(/\/build\/engine\.wasm$/);
    expect(allocatesOnce(await Engine.load())).toBe('10.0.0.0/24');
  });

  it('compiles an http response served as application/wasm (streaming)', async () => {
    const streaming = vi.spyOn(WebAssembly, 'compileStreaming');
    try {
      expect(allocatesOnce(await Engine.load(served('build/engine.wasm')))).toBe('10.0.0.0/24');
      // streamed (the buffered fallback gives the same engine, only later), and compiled from it
      expect(streaming).toHaveBeenCalledOnce();
      await expect(streaming.mock.results[0]!.value).resolves.toBeInstanceOf(WebAssembly.Module);
    } finally {
      streaming.mockRestore();
    }
  });

  it('falls back to the whole body when the server sends another MIME type', async () => {
    const url = served('build/engine.wasm?type=application/octet-stream');
    const response = await fetch(url);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    // compileStreaming alone refuses this response
    await expect(WebAssembly.compileStreaming(response)).rejects.toThrow(TypeError);
    expect(allocatesOnce(await Engine.load(url))).toBe('10.0.0.0/24');
  });

  it('compiles from the whole body when application/wasm carries a parameter', async () => {
    // compileStreaming refuses `application/wasm; charset=utf-8` (servers that add a charset to
    // every response send it); it used to be handed that response, and the load failed
    const url = served(`build/engine.wasm?type=${encodeURIComponent('application/wasm; charset=utf-8')}`);
    await expect(WebAssembly.compileStreaming(fetch(url))).rejects.toThrow(TypeError);
    expect(allocatesOnce(await Engine.load(url))).toBe('10.0.0.0/24');
    const ipam = await IpamService.create({ wasm: await fetch(url) });
    expect(ipam.createIpam({ RegionId: 'cn-hangzhou', OperatingRegionList: ['cn-hangzhou'] }).IpamId).toMatch(/^ipam-/);
    // another case of the type: Node's compileStreaming compares it case by case, and refused it
    expect(allocatesOnce(await Engine.load(new Response(await engineBytes(), { headers: { 'content-type': 'Application/WASM' } })))).toBe('10.0.0.0/24');
  });

  it('takes a Response, bytes or a compiled module from the caller', async () => {
    const bytes = await engineBytes();
    expect(allocatesOnce(await Engine.load(await fetch(served('build/engine.wasm'))))).toBe('10.0.0.0/24');
    expect(allocatesOnce(await Engine.load(bytes))).toBe('10.0.0.0/24');
    expect(allocatesOnce(await Engine.load(await WebAssembly.compile(bytes)))).toBe('10.0.0.0/24');
    const ipam = await IpamService.create({ wasm: bytes });
    expect(ipam.createIpam({ RegionId: 'cn-hangzhou', OperatingRegionList: ['cn-hangzhou'] }).IpamId).toMatch(/^ipam-/);
  });

  it('takes every ArrayBufferView its WasmSource type admits: a view into a larger buffer, a DataView (WebAssembly.compile refused it)', async () => {
    const bytes = await engineBytes();
    const padded = new Uint8Array(bytes.length + 16);
    padded.set(bytes, 8);
    expect(allocatesOnce(await Engine.load(new DataView(padded.buffer, 8, bytes.length)))).toBe('10.0.0.0/24');
    expect(allocatesOnce(await Engine.load(padded.subarray(8, 8 + bytes.length)))).toBe('10.0.0.0/24');
  });

  it('gives one independent instance per load', async () => {
    const bytes = await engineBytes();
    const [a, b] = [await Engine.load(bytes), await Engine.load(bytes)];
    expect(allocatesOnce(a)).toBe('10.0.0.0/24');
    expect(allocatesOnce(b)).toBe('10.0.0.0/24');
    expect(a.raw.memory).not.toBe(b.raw.memory);
  });
});

describe('when the engine cannot load', () => {
  it('names the URL and the HTTP status', async () => {
    const url = served('build/no-such-engine.wasm');
    const error = await loadError(url);
    expect(error.url).toBe(url.href);
    expect(error.status).toBe(404);
    expect(error.message).toBe(`could not load the wasm-ipam engine from ${url.href}: HTTP 404 Not Found`);
  });

  it('names the URL when the server cannot be reached', async () => {
    // nothing listens on port 9 (discard) of this machine; the browser may also refuse the port
    const url = 'http://127.0.0.1:9/engine.wasm';
    const error = await loadError(url);
    expect(error.url).toBe(url);
    expect(error.status).toBeUndefined();
    expect(error.message).toMatch(/^could not load the wasm-ipam engine from http:\/\/127\.0\.0\.1:9\/engine\.wasm: ./);
  });

  it('names the URL when what it serves is not the engine', async () => {
    const url = served('package.json?type=application/wasm');
    const error = await loadError(url);
    expect(error.url).toBe(url.href);
    expect(error.message).toContain(`from ${url.href}: `);
    expect(error.cause).toBeInstanceOf(WebAssembly.CompileError);
  });

  it('says so when the given bytes are not WebAssembly', async () => {
    const error = await loadError(new TextEncoder().encode('not wasm'));
    expect(error.url).toBeUndefined();
    expect(error.message).toMatch(/^could not load the wasm-ipam engine from the given bytes: /);
    expect(error.cause).toBeInstanceOf(WebAssembly.CompileError);
  });

  it('refuses a file: URL it cannot read, naming it', async () => {
    const url = 'file:///no/such/dir/engine.wasm';
    const error = await loadError(url);
    expect(error.url).toBe(url);
    expect(error.message).toContain(`from ${url}: `);
  });

  it('passes the error through IpamService.create', async () => {
    const url = served('build/no-such-engine.wasm');
    await expect(IpamService.create({ wasm: url })).rejects.toMatchObject({ name: 'EngineLoadError', status: 404, url: url.href });
  });
});

describe('Engine.load of a WebAssembly module that is not the engine', () => {
  // README: "When it cannot load, both reject with EngineLoadError". Bytes that compile but are
  // not the engine (another module, an out-of-date engine.wasm kept in a cache) reject with a
  // TypeError from `raw.ioOffset is not a function`, or from instantiate's missing imports.
  it('an empty but valid module rejects with EngineLoadError', async () => {
    const empty = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    await expect(Engine.load(empty)).rejects.toBeInstanceOf(EngineLoadError); // was: TypeError
  });

  it('a module that needs imports rejects with EngineLoadError', async () => {
    // (type () -> ()) (import "env" "f" (func))
    const needsImport = new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
      0x02, 0x09, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00,
    ]);
    await expect(Engine.load(needsImport)).rejects.toBeInstanceOf(EngineLoadError); // was: TypeError (LinkError-like)
  });
});
