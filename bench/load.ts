/**
 * Loopback load on `wasm-ipam serve` (a child process, as users run it) with autocannon: each
 * connection loops CreateIpamPoolAllocation → ListIpamPoolAllocations → DeleteIpamPoolAllocation
 * of what it created, so the pool stays near its prefilled size. Reports requests/s, latency and
 * the server process's CPU use (from /proc, where there is one).
 *
 * A closed loop: each connection sends its next request when the answer arrives, so the latency
 * of a saturated server is the number of connections over its throughput (Little's law). Runs
 * are made at autocannon's default of 10 connections and at 32 to show both.
 *
 * LOAD_SERVER_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is passed to the server's
 * node, for profiling it under this load.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

const R = 'cn-hangzhou';
const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const SERVER_NODE_FLAGS = process.env.LOAD_SERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];

export interface LoadResult {
  mode: 'in-memory' | 'durable' | 'do-nothing Node server';
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  /** The server process's CPU time over the run's wall time, in % of one core (undefined without /proc). */
  serverCpuPercent: number | undefined;
  errors: number;
  non2xx: number;
  total: number;
}

function q(action: string, params: Record<string, string | number>): string {
  return `/?${new URLSearchParams({ Action: action, Version: '2023-02-28', ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) })}`;
}

async function post(port: number, action: string, params: Record<string, string | number>): Promise<Record<string, any>> {
  const response = await fetch(`http://127.0.0.1:${port}${q(action, params)}`, { method: 'POST' });
  return response.json();
}

function portOf(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise<number>((resolve) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /:(\d+) \(/.exec(out);
      if (match) resolve(Number(match[1]));
    });
  });
}

/** CPU milliseconds a process has used (user + system), or undefined where there is no /proc. */
async function cpuMsOf(pid: number): Promise<number | undefined> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
}

/** Runs autocannon against a server child process, measuring the child's CPU use meanwhile. */
async function measure(mode: LoadResult['mode'], child: ReturnType<typeof spawn>, options: autocannon.Options): Promise<LoadResult> {
  const cpuBefore = await cpuMsOf(child.pid!);
  const started = performance.now();
  const result = await autocannon(options);
  const wallMs = performance.now() - started;
  const cpuAfter = await cpuMsOf(child.pid!);
  return {
    mode,
    connections: options.connections ?? 10,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    serverCpuPercent: cpuBefore === undefined || cpuAfter === undefined ? undefined : (100 * (cpuAfter - cpuBefore)) / wallMs,
    errors: result.errors,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}

async function stop(child: ReturnType<typeof spawn>): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

/**
 * The same load on a Node HTTP server that answers every request with a fixed JSON body, in its
 * own process like the real one: the ceiling this machine puts on any Node endpoint, measured in
 * the same run so the endpoint's figures can be read against it.
 */
export async function runBaselineLoad(seconds: number, connections: number): Promise<LoadResult> {
  const server = `const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => { r.writeHead(200, ['content-type', 'application/json']); r.end('{"RequestId":"00000000-0000-0000-0000-000000000000"}'); }); });
    s.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port + ' ('));
    process.on('SIGTERM', () => process.exit(0)); // a clean exit, so --cpu-prof writes its profile`;
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, '-e', server], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await portOf(child);
  try {
    return await measure('do-nothing Node server', child, { url: `http://127.0.0.1:${port}`, connections, duration: seconds, method: 'POST' });
  } finally {
    await stop(child);
  }
}

export async function runLoad(mode: 'in-memory' | 'durable', seconds: number, connections: number): Promise<LoadResult> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'wasm-ipam-load-'));
  const args = [CLI, 'serve', '--port', '0', ...(mode === 'in-memory' ? ['--in-memory'] : ['--data-dir', dataDir])];
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await portOf(child);
  try {
    const ipam = await post(port, 'CreateIpam', { RegionId: R, 'OperatingRegionList.1': R });
    const { IpamPoolId } = await post(port, 'CreateIpamPool', { RegionId: R, IpamScopeId: ipam.PrivateDefaultScopeId, PoolRegionId: R });
    await post(port, 'AddIpamPoolCidr', { RegionId: R, IpamPoolId, Cidr: '10.0.0.0/8' });
    for (let i = 0; i < 2000; i++) await post(port, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId, CidrMask: 26 });
    return await measure(mode, child, {
      url: `http://127.0.0.1:${port}`,
      connections,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          path: q('CreateIpamPoolAllocation', { RegionId: R, IpamPoolId, CidrMask: 26 }),
          onResponse: (_status: number, body: string, context: Record<string, unknown>) => {
            context.id = JSON.parse(body).IpamPoolAllocationId;
          },
        },
        { method: 'POST', path: q('ListIpamPoolAllocations', { RegionId: R, IpamPoolId, MaxResults: 10 }) },
        {
          method: 'POST',
          setupRequest: (request: Record<string, unknown>, context: Record<string, unknown>) => ({
            ...request,
            path: q('DeleteIpamPoolAllocation', { RegionId: R, IpamPoolAllocationId: String(context.id) }),
          }),
        },
      ],
    } as autocannon.Options);
  } finally {
    await stop(child);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
