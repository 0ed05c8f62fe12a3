import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { IpamService } from '../../src/index.js';
import { createIpamServer } from '../../src/server/server.js';

/** Sends `text` on a raw connection and returns what the server answered before closing it. */
function rawExchange(port: number, text: string): Promise<{ answer: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('close', () => resolve({ answer, ms: Date.now() - started }));
    socket.on('error', reject);
    setTimeout(() => reject(new Error('the server kept a half-open connection for 10 s')), 10_000).unref();
  });
}

describe('slow and half-open connections', () => {
  it('are cut off with 408 after the header and request timeouts, not left hanging', async () => {
    const server = createIpamServer(await IpamService.create(), { region: 'cn-hangzhou', limits: { headersTimeoutMs: 500, requestTimeoutMs: 1000 } });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const slowHeaders = await rawExchange(port, 'POST /?Action=ListIpams HTTP/1.1\r\nHost: x\r\n');
      expect(slowHeaders.answer).toMatch(/^HTTP\/1\.1 408/);
      expect(slowHeaders.ms).toBeLessThan(5000);
      const slowBody = await rawExchange(port, 'POST /?Action=ListIpams&Version=2023-02-28 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nRegionId=cn');
      expect(slowBody.answer).toMatch(/^HTTP\/1\.1 408/);
      expect(slowBody.ms).toBeLessThan(5000);
    } finally {
      server.close();
    }
  }, 20_000);
});
