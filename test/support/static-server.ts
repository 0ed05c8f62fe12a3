/**
 * A tiny static file server for the loader tests (started by test/support/global-setup.ts) and
 * the browser benchmark: files under `root`, 404 for anything else, CORS open so a page on
 * another origin (vitest's browser server) may fetch from it. `?type=…` overrides the
 * Content-Type, which lets a test serve the wasm with the wrong MIME type on purpose.
 * `extra` adds files that live only in memory (a generated page and its script).
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.wasm': 'application/wasm',
  '.js': 'text/javascript',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json',
};

export interface StaticServer {
  /** Base URL with a trailing slash, e.g. http://127.0.0.1:40123/ */
  url: string;
  close(): Promise<void>;
}

export async function startStaticServer(root: URL, extra: Record<string, { type: string; body: string }> = {}): Promise<StaticServer> {
  const rootPath = fileURLToPath(root);
  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const file = path.join(rootPath, decodeURIComponent(url.pathname));
    const headers = { 'access-control-allow-origin': '*', 'cache-control': 'no-store' };
    const inMemory = extra[url.pathname.slice(1)];
    if (inMemory) {
      response.writeHead(200, { ...headers, 'content-type': inMemory.type }).end(inMemory.body);
      return;
    }
    if (!file.startsWith(rootPath)) {
      response.writeHead(403, headers).end();
      return;
    }
    try {
      const body = await readFile(file);
      const type = url.searchParams.get('type') ?? TYPES[path.extname(file)] ?? 'application/octet-stream';
      response.writeHead(200, { ...headers, 'content-type': type }).end(body);
    } catch {
      response.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
