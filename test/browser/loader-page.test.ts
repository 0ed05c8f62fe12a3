/**
 * Chromium only: what a page can change about loading. A relative wasm URL is resolved as
 * fetch resolves it, against the document's base URL (a <base href>, as Angular apps and
 * single-page apps under a sub-path have); it used to be resolved against location.href and
 * fetched another URL. A Module, URL or Response made in an iframe (another realm, where
 * `instanceof` is false) loads like one of the page's own; each used to be refused as bytes.
 */
import { afterEach, expect, inject, it } from 'vitest';
import { Engine, formatCidr } from '../../src/index.js';

const served = (path: string) => new URL(path, inject('repositoryUrl'));

function allocatesOnce(engine: Engine): string {
  const space = engine.createSpace(4);
  space.addSource('10.0.0.0/8');
  return formatCidr(space.allocate(24));
}

const cleanUp: (() => void)[] = [];
afterEach(() => cleanUp.splice(0).forEach((undo) => undo()));

it('resolves a relative wasm URL against <base href>, as fetch does', async () => {
  const base = document.createElement('base');
  base.href = served('build/').href;
  document.head.prepend(base);
  cleanUp.push(() => base.remove());
  expect(new URL('engine.wasm', location.href).href).not.toBe(served('build/engine.wasm').href); // the page is elsewhere
  expect((await fetch('engine.wasm')).status).toBe(200);
  expect(allocatesOnce(await Engine.load('engine.wasm'))).toBe('10.0.0.0/24');
});

it("takes an iframe's Module, URL and Response", async () => {
  const frame = document.createElement('iframe');
  document.body.append(frame);
  cleanUp.push(() => frame.remove());
  const other = frame.contentWindow as unknown as typeof globalThis;
  const url = new other.URL(served('build/engine.wasm').href);
  expect(url instanceof URL).toBe(false);
  const bytes = await (await fetch(url.href)).arrayBuffer();
  const module = await other.WebAssembly.compile(bytes);
  expect(module instanceof WebAssembly.Module).toBe(false);
  expect(allocatesOnce(await Engine.load(module))).toBe('10.0.0.0/24');
  expect(allocatesOnce(await Engine.load(url))).toBe('10.0.0.0/24');
  const response = await other.fetch(url);
  expect(response instanceof Response).toBe(false);
  expect(allocatesOnce(await Engine.load(response))).toBe('10.0.0.0/24');
});
