/**
 * `wasm-ipam serve --port` takes a port as decimal digits, like simulate's numeric options
 * (Number() took '' as 0, any free port, and '0x1f90' as 8080). A port that is taken, a host that
 * is not this machine's, a --data-dir that cannot be one are the user's to fix: the message alone,
 * no stack trace (and no hang: Node 20's recursive mkdir never settled under /proc). `serve --help`
 * and `demo --help` print the usage. SIGTERM stops it promptly under keep-alive load: a request in
 * flight is answered (and journaled) on a closing connection, one that comes after is refused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const R = 'cn-hangzhou';

const scratch = mkdtempSync(join(tmpdir(), 'wasm-ipam-cli-serve-'));
const servers: ChildProcess[] = [];
afterAll(() => {
  for (const child of servers) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the CLI; a child still running after `ms` is killed (SIGKILL) and reported as timedOut. */
function run(args: string[], ms = 4000): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

it.each([['--port='], ['--port=0x1f90'], ['--port=1e3']])('serve %s is refused with exit code 2', async (option) => {
  const { code, stdout } = await run(['serve', option, '--in-memory']);
  expect(stdout).not.toContain('listening');
  expect(code).toBe(2);
});

it('serve --region of no known region is refused with exit code 2', async () => {
  // it used to start, and refuse every request that named the region (InvalidRegionId.NotFound)
  const { code, stdout, stderr } = await run(['serve', '--region', 'mars-1', '--in-memory']);
  expect(stdout).not.toContain('listening');
  expect(stderr).toContain('--region: hostRegion "mars-1" is not one of the service\'s regions');
  expect(code).toBe(2);
});

it('serve on a port in use: exit 1 with the message, no stack trace', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const { port } = blocker.address() as net.AddressInfo;
  try {
    const { code, stderr } = await run(['serve', '--port', String(port), '--in-memory']);
    expect(code).toBe(1);
    expect(stderr).toContain('EADDRINUSE');
    expect(stderr).not.toMatch(/\n\s+at /);
  } finally {
    blocker.close();
  }
});

it('serve --data-dir naming a file: the message alone, no stack trace', async () => {
  const file = join(scratch, 'not-a-dir');
  writeFileSync(file, '{}');
  const { code, stdout, stderr } = await run(['serve', '--port', '0', '--data-dir', file]);
  expect(stdout).not.toContain('listening');
  expect(code).not.toBe(0);
  expect(stderr).toContain(file);
  expect(stderr).not.toMatch(/^\s+at /m); // was: "wasm-ipam: Error: EEXIST: file already exists, mkdir …" and a stack
});

it('serve --data-dir under a file: the message alone, no stack trace', async () => {
  const file = join(scratch, 'also-a-file');
  writeFileSync(file, '{}');
  const { code, stderr } = await run(['serve', '--port', '0', '--data-dir', join(file, 'state')]);
  expect(code).not.toBe(0);
  expect(stderr).not.toMatch(/^\s+at /m); // was: ENOTDIR with a stack
});

it.runIf(process.platform === 'linux')('serve --data-dir where no directory can be made (/proc) stops at once instead of hanging', async () => {
  // Node 20's mkdir(…, { recursive: true }) never settles there: serve spun a core until killed
  const { timedOut, code, stdout } = await run(['serve', '--port', '0', '--data-dir', '/proc/wasm-ipam-review'], 5000);
  expect(timedOut).toBe(false);
  expect(stdout).not.toContain('listening');
  expect(code).not.toBe(0);
}, 10_000);

it('serve --help prints the usage and exits 0, as simulate --help does', async () => {
  const { code, stdout, stderr } = await run(['serve', '--help']);
  expect(stderr).not.toContain("Unknown option '--help'");
  expect(code).toBe(0);
  expect(stdout).toContain('--data-dir');
});

it('serve --host that is not an address of this machine: the message alone, no stack trace', async () => {
  const { code, stdout, stderr } = await run(['serve', '--port', '0', '--in-memory', '--host', '999.1.1.1']);
  expect(stdout).not.toContain('listening');
  expect(code).toBe(1);
  expect(stderr).not.toMatch(/^\s+at /m); // was: "wasm-ipam: Error: getaddrinfo ENOTFOUND 999.1.1.1" and a stack
});

it('--version prints the package\'s version (it was refused as an unknown option, exit 2)', async () => {
  const { code, stdout } = await run(['--version'], 30_000);
  expect(code).toBe(0);
  expect(stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
}, 40_000);

it('demo --help prints the usage instead of running the demo and its million-operation timing', async () => {
  const { code, stdout } = await run(['demo', '--help'], 30_000);
  expect(code).toBe(0);
  expect(stdout).not.toContain('wasm-ipam engine demo'); // was: the arguments are ignored and the demo runs
  expect(stdout).toContain('usage:');
}, 40_000);

/** Starts `serve` on a fresh data directory (or `dataDir`); `exited` settles with its exit code. */
async function listen(dataDir = mkdtempSync(join(scratch, 'state-'))) {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  return { child, port, dataDir, exited };
}

async function call(port: number, action: string, params: Record<string, string>): Promise<Record<string, any>> {
  const query = new URLSearchParams({ Action: action, Version: '2023-02-28', ...params });
  return (await fetch(`http://127.0.0.1:${port}/?${query}`, { method: action.startsWith('Get') ? 'GET' : 'POST' })).json();
}

/** A server with a pool of 10.0.0.0/8 to allocate from. */
async function withPool() {
  const server = await listen();
  const ipam = await call(server.port, 'CreateIpam', { RegionId: R, 'OperatingRegionList.1': R });
  const { IpamPoolId } = await call(server.port, 'CreateIpamPool', { RegionId: R, IpamScopeId: ipam.PrivateDefaultScopeId, PoolRegionId: R });
  await call(server.port, 'AddIpamPoolCidr', { RegionId: R, IpamPoolId, Cidr: '10.0.0.0/8' });
  return { ...server, IpamPoolId };
}

/** The allocations in the pool as a restart from `dataDir` finds them. */
async function allocationsAfterRestart(dataDir: string, IpamPoolId: string): Promise<string[]> {
  const { child, port, exited } = await listen(dataDir);
  const ids: string[] = [];
  let NextToken = '';
  do {
    const page = await call(port, 'ListIpamPoolAllocations', { RegionId: R, IpamPoolId, MaxResults: '100', ...(NextToken && { NextToken }) });
    ids.push(...page.IpamPoolAllocations.map((a: { IpamPoolAllocationId: string }) => a.IpamPoolAllocationId));
    NextToken = page.NextToken ?? '';
  } while (NextToken);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  return ids;
}

/** A raw connection, to send a request in pieces around the signal. */
async function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const conn = { socket, received: '', closed: false };
  socket.on('data', (chunk) => (conn.received += chunk));
  socket.on('close', () => (conn.closed = true));
  socket.on('error', () => undefined);
  return conn;
}

const allocate = (IpamPoolId: string) => `POST /?${new URLSearchParams({ Action: 'CreateIpamPoolAllocation', Version: '2023-02-28', RegionId: R, IpamPoolId, CidrMask: '28' })} HTTP/1.1\r\nHost: x\r\n`;

it('SIGTERM answers a request in flight on a closing connection, journaled, refuses the next one and exits at once', async () => {
  // answers said keep-alive: a connection busy at the signal stayed open, its next requests were
  // served (writes journaled after shutdown began) and the process ran on until the client stopped
  const { child, port, dataDir, exited, IpamPoolId } = await withPool();
  const conn = await connect(port);
  conn.socket.write(`${allocate(IpamPoolId)}Content-Type: text/plain\r\nContent-Length: 2\r\n\r\na`); // its body still coming
  await sleep(200);
  const signalled = Date.now();
  child.kill('SIGTERM');
  await sleep(300);
  conn.socket.write('b');
  await sleep(300);
  expect(conn.received).toMatch(/^HTTP\/1\.1 200 /);
  expect(conn.received).toMatch(/\r\nConnection: close\r\n/i);
  const answered = JSON.parse(conn.received.slice(conn.received.indexOf('\r\n\r\n') + 4)).IpamPoolAllocationId;

  conn.received = '';
  if (!conn.closed) conn.socket.write(`${allocate(IpamPoolId)}Content-Length: 0\r\n\r\n`);
  await sleep(300);
  expect(conn.received).not.toMatch(/^HTTP\/1\.1 200 /);
  expect(await Promise.race([exited, sleep(3000).then(() => 'still running')])).toBe(0);
  expect(Date.now() - signalled).toBeLessThan(3000);
  conn.socket.destroy();
  expect(await allocationsAfterRestart(dataDir, IpamPoolId)).toEqual([answered]);
}, 20_000);

it('a request whose headers end after SIGTERM gets ServiceUnavailable (503) and is not applied', async () => {
  const { child, port, dataDir, exited, IpamPoolId } = await withPool();
  const conn = await connect(port);
  conn.socket.write(allocate(IpamPoolId)); // the connection came before the signal, the rest of the request after
  await sleep(200);
  child.kill('SIGTERM');
  await sleep(300);
  conn.socket.write('Content-Length: 0\r\n\r\n');
  await sleep(300);
  expect(conn.received).toMatch(/^HTTP\/1\.1 503 /);
  expect(conn.received).toMatch(/\r\nConnection: close\r\n/i);
  expect(JSON.parse(conn.received.slice(conn.received.indexOf('\r\n\r\n') + 4))).toMatchObject({ Code: 'ServiceUnavailable', HostId: `vpcipam.${R}.aliyuncs.com` });
  expect(conn.closed).toBe(true);
  expect(await exited).toBe(0);
  expect(await allocationsAfterRestart(dataDir, IpamPoolId)).toEqual([]);
}, 20_000);

it('SIGTERM under pooled keep-alive clients that keep writing: only the writes in flight are answered, and the process exits 0 at once', async () => {
  // it ran on 8 s after the signal and acknowledged 2,734 more writes on the connections it kept
  const { child, port, dataDir, exited, IpamPoolId } = await withPool();
  const query = new URLSearchParams({ Action: 'CreateIpamPoolAllocation', Version: '2023-02-28', RegionId: R, IpamPoolId, CidrMask: '28' });
  const acknowledged: string[] = [];
  let closing = 0; // answers that closed their connection: those in flight at the signal
  const client = async () => {
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/?${query}`, { method: 'POST' });
        const body = await response.json();
        if (response.status !== 200) return; // refused: the server is stopping
        acknowledged.push(body.IpamPoolAllocationId);
        if (response.headers.get('connection') === 'close') closing++;
      } catch {
        return; // no connection any more
      }
    }
  };
  const clients = Array.from({ length: 4 }, client);
  await sleep(300);
  const signalled = Date.now();
  child.kill('SIGTERM');
  expect(await Promise.race([exited, sleep(3000).then(() => 'still running')])).toBe(0);
  expect(Date.now() - signalled).toBeLessThan(3000);
  await Promise.all(clients);
  expect(closing).toBeLessThanOrEqual(4);
  expect(acknowledged.length).toBeGreaterThan(4);
  expect(new Set(await allocationsAfterRestart(dataDir, IpamPoolId))).toEqual(new Set(acknowledged));
}, 20_000);
