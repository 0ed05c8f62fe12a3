#!/usr/bin/env node
/**
 * `npm run demo`: serves the pool explorer (web/) with the package's browser files (dist/, the
 * wasm in build/) on 127.0.0.1. Only those three directories are served; everything runs in the page.
 */
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVED = ['web', 'dist', 'build'];
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.json': 'application/json',
};

export interface DemoServer {
  url: string;
  close(): Promise<void>;
}

export async function startDemoServer(port = 0, host = '127.0.0.1'): Promise<DemoServer> {
  const server = http.createServer(async (request, response) => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('bad request');
      return;
    }
    const relative = pathname === '/' ? 'web/index.html' : path.normalize(pathname.slice(1));
    const top = relative.split(path.sep)[0]!;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (!SERVED.includes(top) || relative.startsWith('..')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    try {
      const body = await readFile(path.join(PACKAGE_ROOT, relative));
      response.writeHead(200, { 'content-type': TYPES[path.extname(relative)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/`,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

// import.meta.url is the real path; argv[1] may run through a symlink (pnpm, npm link, workspaces)
if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(path.resolve(process.argv[1]))) {
  const port = Number(process.env.PORT ?? 5173);
  startDemoServer(port).then(
    (s) => console.log(`wasm-ipam pool explorer: ${s.url}  (Ctrl-C to stop)`),
    (error: Error) => {
      console.error(`wasm-ipam demo: ${error.message}`);
      process.exitCode = 1;
    },
  );
}
