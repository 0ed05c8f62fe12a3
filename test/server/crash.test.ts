/**
 * The real process, really killed: `wasm-ipam serve` under concurrent load is SIGKILLed at random
 * moments; after each restart every acknowledged allocation is there with its CIDR, nothing
 * beyond what was acknowledged or still in flight appears, and no two allocations overlap.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cidrOverlaps, parseCidr } from '../../src/cidr/index.js';

const R = 'cn-hangzhou';
const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

/** Starts `wasm-ipam serve`; with `fileSizeKiB`, under that limit on the size of any file it writes. */
async function start(dataDir: string, fileSizeKiB?: number): Promise<{ child: ChildProcess; port: number }> {
  const serve = [process.execPath, CLI, 'serve', '--port', '0', '--data-dir', dataDir];
  const [command, ...args] = fileSizeKiB === undefined ? serve : ['bash', '-c', `ulimit -f ${fileSizeKiB} && exec "$@"`, 'serve', ...serve];
  const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return { child, port };
}

async function call(port: number, action: string, params: Record<string, string | number>): Promise<{ status: number; body: Record<string, any> }> {
  const query = new URLSearchParams({ Action: action, Version: '2023-02-28', ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
  const method = action.startsWith('Get') ? 'GET' : 'POST';
  const response = await fetch(`http://127.0.0.1:${port}/?${query}`, { method });
  return { status: response.status, body: await response.json() };
}

async function listAll(port: number, IpamPoolId: string): Promise<Array<{ IpamPoolAllocationId: string; Cidr: string }>> {
  const out = [];
  let token: string | undefined;
  do {
    const { body } = await call(port, 'ListIpamPoolAllocations', { RegionId: R, IpamPoolId, MaxResults: 100, ...(token ? { NextToken: token } : {}) });
    out.push(...body.IpamPoolAllocations);
    token = body.NextToken;
  } while (token);
  return out;
}

describe('crashes and concurrency', () => {
  it('keeps every acknowledged allocation through repeated SIGKILLs', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'wasm-ipam-crash-'));
    let { child, port } = await start(dataDir);
    const ipam = (await call(port, 'CreateIpam', { RegionId: R, 'OperatingRegionList.1': R })).body;
    const { IpamPoolId } = (await call(port, 'CreateIpamPool', { RegionId: R, IpamScopeId: ipam.PrivateDefaultScopeId, PoolRegionId: R })).body;
    await call(port, 'AddIpamPoolCidr', { RegionId: R, IpamPoolId, Cidr: '10.0.0.0/8' });
    const acknowledged = new Map<string, string>();
    let unanswered = 0;

    for (let round = 0; round < 4; round++) {
      let killed = false;
      const worker = async (w: number) => {
        for (let i = 0; !killed; i++) {
          try {
            const { status, body } = await call(port, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId, CidrMask: 22 + ((w + i) % 7) });
            if (status === 200) acknowledged.set(body.IpamPoolAllocationId, body.Cidr);
          } catch {
            unanswered++; // the connection died with the server: never acknowledged
            return;
          }
        }
      };
      const workers = Array.from({ length: 8 }, (_, w) => worker(w));
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 300));
      killed = true;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await Promise.all(workers);
      await exited;
      ({ child, port } = await start(dataDir));

      const listed = await listAll(port, IpamPoolId);
      const byId = new Map(listed.map((a) => [a.IpamPoolAllocationId, a.Cidr]));
      for (const [id, cidr] of acknowledged) expect(byId.get(id), `acknowledged ${id} after round ${round}`).toBe(cidr);
      // at most the requests that were in flight when the server died can have landed unanswered
      expect(listed.length).toBeLessThanOrEqual(acknowledged.size + unanswered);
      const blocks = listed.map((a) => parseCidr(a.Cidr)).sort((a, b) => (a.address < b.address ? -1 : 1));
      for (let i = 1; i < blocks.length; i++) expect(cidrOverlaps(blocks[i - 1]!, blocks[i]!)).toBe(false);
      // count what landed unanswered as known from now on
      for (const a of listed) acknowledged.set(a.IpamPoolAllocationId, a.Cidr);
    }
    expect(acknowledged.size).toBeGreaterThan(50);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0); // SIGTERM: finish, flush, exit 0
  }, 60_000);

  it('never hands out overlapping CIDRs to concurrent clients, and a repeated ClientToken creates one allocation', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'wasm-ipam-concurrent-'));
    const { child, port } = await start(dataDir);
    const ipam = (await call(port, 'CreateIpam', { RegionId: R, 'OperatingRegionList.1': R })).body;
    const { IpamPoolId } = (await call(port, 'CreateIpamPool', { RegionId: R, IpamScopeId: ipam.PrivateDefaultScopeId, PoolRegionId: R })).body;
    await call(port, 'AddIpamPoolCidr', { RegionId: R, IpamPoolId, Cidr: '10.0.0.0/16' });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => call(port, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId, CidrMask: 24 + (i % 5) })));
    const blocks = answers.filter((a) => a.status === 200).map((a) => parseCidr(a.body.Cidr));
    expect(blocks.length).toBe(200);
    for (let i = 0; i < blocks.length; i++) for (let j = i + 1; j < blocks.length; j++) expect(cidrOverlaps(blocks[i]!, blocks[j]!)).toBe(false);

    const repeats = await Promise.all(Array.from({ length: 10 }, () => call(port, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId, CidrMask: 26, ClientToken: 'same-token' })));
    expect(new Set(repeats.map((r) => r.body.IpamPoolAllocationId)).size).toBe(1);
    expect((await listAll(port, IpamPoolId)).length).toBe(201);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }, 60_000);

  it('stops when the journal cannot be written, and restarts with exactly the acknowledged changes', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'wasm-ipam-full-'));
    // a 64 KiB file size limit fails journal writes as a full disk would (Node ignores SIGXFSZ: writes get EFBIG)
    let { child, port } = await start(dataDir, 64);
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const ipam = (await call(port, 'CreateIpam', { RegionId: R, 'OperatingRegionList.1': R })).body;
    const { IpamPoolId } = (await call(port, 'CreateIpamPool', { RegionId: R, IpamScopeId: ipam.PrivateDefaultScopeId, PoolRegionId: R })).body;
    await call(port, 'AddIpamPoolCidr', { RegionId: R, IpamPoolId, Cidr: '10.0.0.0/8' });
    const acknowledged = new Map<string, string>();
    const refused: number[] = [];
    // eight at a time, so batches share writes, until the limit refuses one
    while (refused.length === 0) {
      const answers = await Promise.all(Array.from({ length: 8 }, () => call(port, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId, CidrMask: 28 }).catch(() => undefined)));
      for (const answer of answers) {
        if (answer?.status === 200) acknowledged.set(answer.body.IpamPoolAllocationId, answer.body.Cidr);
        else refused.push(answer?.status ?? 0);
      }
    }
    // the batch that failed is answered 500; requests of the same round that arrive after it get 503, or are cut off as it stops
    expect(refused).toContain(500);
    expect(refused.filter((status) => status !== 500 && status !== 503 && status !== 0)).toEqual([]);
    // clients that go on sending (on kept-alive connections too) get 503 or no connection, never a change
    const after = await Promise.all(Array.from({ length: 8 }, () => call(port, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId, CidrMask: 28 }).catch(() => undefined)));
    expect(after.filter((answer) => answer !== undefined && answer.status !== 503)).toEqual([]);
    expect(await exited).toBe(1);
    expect(stderr).toMatch(/journal could not be written/);
    expect(acknowledged.size).toBeGreaterThan(50);

    ({ child, port } = await start(dataDir));
    const listed = await listAll(port, IpamPoolId);
    expect(new Map(listed.map((a) => [a.IpamPoolAllocationId, a.Cidr]))).toEqual(acknowledged);
    expect((await call(port, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId, CidrMask: 28 })).status).toBe(200);
    child.kill('SIGTERM');
  }, 60_000);

  it('hands out no RequestId twice across restarts: answers, refusals and requests refused before the service', async () => {
    // a restart restored the service with seed 0, so its RequestIds began again at the same place;
    // requests refused on the wire counted from 1 in every process
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'wasm-ipam-ids-'));
    const seen: string[] = [];
    for (let round = 0; round < 3; round++) {
      const { child, port } = await start(dataDir);
      for (const [action, params] of [['ListIpams', { RegionId: R }], ['ListIpams', {}], ['NoSuchAction', {}]] as const) {
        seen.push((await call(port, action, params)).body.RequestId);
      }
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    expect(seen.every((id) => /^[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}$/.test(id))).toBe(true);
    expect(new Set(seen).size).toBe(seen.length);
  }, 60_000);
});
