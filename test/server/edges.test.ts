/**
 * Endpoint edges, each test killing a mutant the other server tests let live: oversized request
 * headers (not the URL) answered 431 in the API's error shape, the service's hostRegion as the HostId
 * of an endpoint given no region, the journal cut back after a failed
 * write is synced, a journal write that fails after SIGTERM is reported, and a --host that is an
 * address but not this machine's (EADDRNOTAVAIL) gets the message alone.
 */
import { spawn } from 'node:child_process';
import fsCallbacks, { promises as fs } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { IpamService } from '../../src/index.js';
import { createIpamServer } from '../../src/server/server.js';
import { DurableState, DurableStateError } from '../../src/server/durable.js';
import { serve } from '../../src/server/serve.js';
import { journaledCall } from '../support/durable-call.js';

const R = 'cn-hangzhou';

function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('request headers past Node\'s 16 KiB limit', () => {
  it('a short URL with oversized headers is answered 431 RequestHeaderFieldsTooLarge in the API shape', async () => {
    const server = createIpamServer(await IpamService.create(), { region: R });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const answer = await raw(port, `GET /?Action=ListIpams&Version=2023-02-28&RegionId=${R} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 431 /);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
      expect(body).toMatchObject({ Code: 'RequestHeaderFieldsTooLarge', RequestId: expect.any(String) });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

it('an endpoint made without a region names the service\'s hostRegion in error HostIds (it named "undefined")', async () => {
  const server = createIpamServer(await IpamService.create({ hostRegion: 'eu-west-1', regions: ['eu-west-1'] }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as net.AddressInfo;
    const answer = await fetch(`http://127.0.0.1:${port}/?Action=ListIpams&Version=2023-02-28&RegionId=nowhere`, { method: 'POST' });
    expect(await answer.json()).toMatchObject({ Code: 'InvalidRegionId.NotFound', HostId: 'vpcipam.eu-west-1.aliyuncs.com' });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('a failed journal write', () => {
  it('cuts the journal back and syncs the cut (else a power cut could bring back the batch answered 500)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wasm-ipam-review-'));
    const state = await DurableState.open(dir);
    await journaledCall(state, 'CreateIpam', { RegionId: R, OperatingRegionList: [R] });
    const order: string[] = [];
    const realTruncate = fsCallbacks.ftruncateSync;
    const full = vi.spyOn(fsCallbacks, 'writeSync').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    const truncate = vi.spyOn(fsCallbacks, 'ftruncateSync').mockImplementation((fd, len) => {
      order.push('truncate');
      return realTruncate(fd, len);
    });
    const sync = vi.spyOn(fsCallbacks, 'fdatasyncSync').mockImplementation(() => {
      order.push('fdatasync');
    });
    syncBuiltinESMExports();
    try {
      await expect(journaledCall(state, 'CreateIpam', { RegionId: 'cn-beijing', OperatingRegionList: ['cn-beijing'] })).rejects.toThrow(DurableStateError);
    } finally {
      full.mockRestore();
      truncate.mockRestore();
      sync.mockRestore();
      syncBuiltinESMExports();
    }
    expect(order).toEqual(['truncate', 'fdatasync']);
    await state.close();
  });
  it('fails after SIGTERM, for the request in flight at the signal: serve reports it (it returned as from a clean stop)', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'wasm-ipam-review-'));
    const listening = new Promise<number>((resolve) => {
      vi.spyOn(console, 'log').mockImplementation((line: string) => resolve(Number(/:(\d+) /.exec(line)![1])));
    });
    // the signal goes to serve's handler alone (the test runner's own would end the worker)
    const runners = process.listeners('SIGTERM');
    for (const listener of runners) process.off('SIGTERM', listener);
    let full: { mockRestore(): void } | undefined;
    try {
      const served = serve({ host: '127.0.0.1', port: 0, dataDir, region: R, inMemory: false });
      const port = await listening;
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.on('error', () => undefined);
      const query = new URLSearchParams({ Action: 'CreateIpam', Version: '2023-02-28', RegionId: R, 'OperatingRegionList.1': R });
      socket.write(`POST /?${query} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\na`); // its body still coming
      await new Promise((resolve) => setTimeout(resolve, 100));
      process.emit('SIGTERM');
      full = vi.spyOn(fsCallbacks, 'writeSync').mockImplementation(() => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      });
      syncBuiltinESMExports();
      socket.write('b');
      await expect(served).rejects.toThrow(/journal could not be written/);
      socket.destroy();
    } finally {
      full?.mockRestore();
      syncBuiltinESMExports();
      vi.mocked(console.log).mockRestore();
      for (const listener of runners) process.on('SIGTERM', listener);
    }
  });
});

it('serve --host that is an address but not this machine\'s (EADDRNOTAVAIL): the message alone, no stack trace', async () => {
  const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--in-memory', '--host', '192.0.2.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.on('exit', (c) => { clearTimeout(timer); resolve(c); });
  });
  expect(stdout).not.toContain('listening');
  expect(code).toBe(1);
  expect(stderr).toContain('EADDRNOTAVAIL');
  expect(stderr).not.toMatch(/^\s+at /m);
}, 10_000);
