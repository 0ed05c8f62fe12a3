/**
 * The compaction rule's edges left open by the server suite (mutation review): a journal exactly
 * as large as the last snapshot (× compactRatio) compacts — the rule is "at least" — and a
 * restart knows the size of the snapshot it read (else its first compaction went by the count alone).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DurableState } from '../../src/server/durable.js';
import { journaledCall } from '../support/durable-call.js';

const R = 'cn-hangzhou';
const tempDir = () => fs.mkdtemp(path.join(os.tmpdir(), 'wasm-ipam-compaction-'));
const size = async (dir: string, name: string) => (await fs.stat(path.join(dir, name))).size;

/** A closed directory with a fresh snapshot of a pool and 20 allocations, and an empty journal. */
async function snapshotted(): Promise<{ dir: string; pool: string }> {
  const dir = await tempDir();
  const state = await DurableState.open(dir);
  const ipam = await journaledCall(state, 'CreateIpam', { RegionId: R, OperatingRegionList: [R] });
  const { IpamPoolId: pool } = await journaledCall(state, 'CreateIpamPool', { RegionId: R, IpamScopeId: ipam.PrivateDefaultScopeId, PoolRegionId: R });
  await journaledCall(state, 'AddIpamPoolCidr', { RegionId: R, IpamPoolId: pool, Cidr: '10.0.0.0/8' });
  for (let i = 0; i < 20; i++) await journaledCall(state, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask: 24 });
  await state.snapshot();
  await state.close();
  expect(await size(dir, 'journal.log')).toBe(0);
  return { dir, pool };
}

describe('compaction by the journal\'s size', () => {
  it('compacts when the journal reaches exactly compactRatio × the snapshot\'s bytes', async () => {
    const { dir, pool } = await snapshotted();
    const copy = await tempDir();
    await fs.cp(dir, copy, { recursive: true });
    const snapshotBytes = await size(dir, 'snapshot.json');
    const call = { RegionId: R, IpamPoolId: pool, CidrMask: 28 };
    // the record's length, measured on a copy that never compacts (its time and RequestId have fixed lengths)
    const probe = await DurableState.open(copy, { compactEvery: 1, compactRatio: 1e9 });
    await journaledCall(probe, 'CreateIpamPoolAllocation', call);
    await probe.close();
    const recordBytes = await size(copy, 'journal.log');
    const ratio = recordBytes / snapshotBytes;
    expect(snapshotBytes * ratio).toBe(recordBytes); // the rule's product is exact here
    const state = await DurableState.open(dir, { compactEvery: 1, compactRatio: ratio });
    await journaledCall(state, 'CreateIpamPoolAllocation', call);
    await state.close();
    expect(await size(dir, 'journal.log')).toBe(0); // compacted: the journal was as large as the rule asks
    expect(await size(dir, 'snapshot.json')).toBeGreaterThan(snapshotBytes);
  });

  it('after a restart, waits for the journal to grow to the snapshot it read, not only for compactEvery records', async () => {
    const { dir, pool } = await snapshotted();
    const snapshot = await fs.readFile(path.join(dir, 'snapshot.json'), 'utf8');
    const state = await DurableState.open(dir, { compactEvery: 2 });
    for (let i = 0; i < 3; i++) await journaledCall(state, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask: 28 });
    await state.close();
    // three short records are far below the snapshot's size: no compaction yet
    expect(await size(dir, 'journal.log')).toBeGreaterThan(0);
    expect(await size(dir, 'journal.log')).toBeLessThan(snapshot.length);
    expect(await fs.readFile(path.join(dir, 'snapshot.json'), 'utf8')).toBe(snapshot);
  });
});
