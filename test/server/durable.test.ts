import { spawn } from 'node:child_process';
import fsCallbacks, { promises as fs } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IdSource } from '../../src/api/ids.js';
import { IpamService } from '../../src/api/index.js';
import { Engine } from '../../src/engine/index.js';
import { digest as serviceDigest } from '../api/fixture.js';
import { DurableState, DurableStateError } from '../../src/server/durable.js';
import { journaledCall } from '../support/durable-call.js';

const R = 'cn-hangzhou';

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'wasm-ipam-durable-'));
}

/** An IPAM, a pool and its CIDR: three records, each its own batch. */
async function threeRecords(state: DurableState) {
  const ipam = await journaledCall(state, 'CreateIpam', { RegionId: R, OperatingRegionList: [R] });
  const pool = await journaledCall(state, 'CreateIpamPool', { RegionId: R, IpamScopeId: ipam.PrivateDefaultScopeId, PoolRegionId: R });
  await journaledCall(state, 'AddIpamPoolCidr', { RegionId: R, IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.0/8' });
  return { scope: ipam.PrivateDefaultScopeId as string, pool: pool.IpamPoolId as string };
}

/** A new data directory, opened and holding threeRecords: where the journal tests begin. */
async function openedWithThreeRecords() {
  const dir = await tempDir();
  const first = await DurableState.open(dir);
  return { dir, journalPath: path.join(dir, 'journal.log'), first, ...(await threeRecords(first)) };
}

async function populate(state: DurableState) {
  const { pool: IpamPoolId } = await threeRecords(state);
  const allocations = [];
  for (let i = 0; i < 20; i++) allocations.push(await journaledCall(state, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId, CidrMask: 20 + (i % 6) }));
  await journaledCall(state, 'DeleteIpamPoolAllocation', { RegionId: R, IpamPoolAllocationId: allocations[7].IpamPoolAllocationId });
  await journaledCall(state, 'DeleteIpamPoolAllocation', { RegionId: R, IpamPoolAllocationId: allocations[3].IpamPoolAllocationId });
  // these take the freed slots of the allocation table (IDs carry theirs): a replay, from a
  // snapshot holding both deletes too, must make the same IDs
  await journaledCall(state, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId, CidrMask: 26 });
  await journaledCall(state, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId, CidrMask: 26 });
  return { pool: IpamPoolId };
}

const digest = (state: DurableState) => serviceDigest(state.service);
const zeroed = (line: string) => '\0'.repeat(line.length);
const joinLines = (lines: string[]) => lines.map((l) => `${l}\n`).join('');

describe('durable state', () => {
  it('replays the journal to the same IDs, CIDRs and next allocation', async () => {
    const dir = await tempDir();
    const first = await DurableState.open(dir);
    const { pool } = await populate(first);
    const before = digest(first);
    const next = first.service.call('GetIpamPoolNextAvailableCidr', { RegionId: R, IpamPoolId: pool, CidrMask: 24 });
    await first.close();
    const second = await DurableState.open(dir);
    expect(digest(second)).toBe(before);
    expect(second.service.call('GetIpamPoolNextAvailableCidr', { RegionId: R, IpamPoolId: pool, CidrMask: 24 }).CidrBlock).toBe(next.CidrBlock);
    await second.close();
  });

  it('compacts into a snapshot and still restores everything', async () => {
    const dir = await tempDir();
    // every 5 records: the last snapshot (record 25) holds the deletes, the creates after it are replayed
    const first = await DurableState.open(dir, { compactEvery: 5, compactRatio: 0 });
    await populate(first);
    const before = digest(first);
    await first.close();
    expect((await fs.readFile(path.join(dir, 'journal.log'), 'utf8')).split('\n').length).toBeLessThan(8);
    const second = await DurableState.open(dir);
    expect(digest(second)).toBe(before);
    await second.close();
  });

  it('compacts once the journal has grown to the last snapshot\'s size, not sooner (a snapshot costs the whole state: 17–30 s at 1,000,000 allocations, every 10,000 records)', async () => {
    const dir = await tempDir();
    const state = await DurableState.open(dir, { compactEvery: 5 });
    const { pool } = await threeRecords(state);
    await Promise.all(Array.from({ length: 300 }, () => journaledCall(state, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask: 28 })));
    await state.snapshot();
    const snapshotBytes = (await fs.stat(path.join(dir, 'snapshot.json'))).size;
    const journalBytes = async () => (await fs.stat(path.join(dir, 'journal.log'))).size;
    let older = 0, before = 0, grown = 0, calls = 0;
    while (grown >= before) {
      [older, before] = [before, grown];
      await journaledCall(state, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask: 28 });
      calls++;
      grown = await journalBytes();
    }
    // a call is answered before the compaction it makes: the journal had just reached the
    // snapshot's size with the last record before it was emptied, and not without it
    expect(before).toBeGreaterThanOrEqual(snapshotBytes);
    expect(older).toBeLessThan(snapshotBytes);
    expect(calls).toBeGreaterThan(5);
    await state.close();
    const reopened = await DurableState.open(dir);
    expect(reopened.service.listIpamPoolAllocations({ RegionId: R, IpamPoolId: pool }).TotalCount).toBe(300 + calls);
    await reopened.close();
  });

  it('counts the records replayed at start towards compactEvery, so a server restarted more often than that still compacts', async () => {
    // replayed records did not count (the count began at 0 on every open): 10 starts of 4 writes
    // with compactEvery 10 never compacted, and the journal, and every start's replay, grew without bound
    const dir = await tempDir();
    const compactEvery = 10;
    let pool: string | undefined;
    for (let run = 0; run < 10; run++) {
      const state = await DurableState.open(dir, { compactEvery, compactRatio: 0 });
      if (pool === undefined) {
        pool = (await threeRecords(state)).pool;
        await journaledCall(state, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask: 24 });
      } else {
        for (let i = 0; i < 4; i++) await journaledCall(state, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask: 24 });
      }
      await state.close();
    }
    const records = (await fs.readFile(path.join(dir, 'journal.log'), 'utf8')).split('\n').filter(Boolean);
    expect(records.length).toBeLessThan(compactEvery);
    expect(JSON.parse(await fs.readFile(path.join(dir, 'snapshot.json'), 'utf8')).lastSeq).toBe(40 - records.length);
  });

  it('drops a torn last record, which was never acknowledged', async () => {
    const dir = await tempDir();
    const first = await DurableState.open(dir);
    await populate(first);
    const before = digest(first);
    await first.close();
    await fs.appendFile(path.join(dir, 'journal.log'), '1a2b3c4d {"seq":99,"time":"2026-');
    const second = await DurableState.open(dir);
    expect(digest(second)).toBe(before);
    await second.close();
    const journal = await fs.readFile(path.join(dir, 'journal.log'), 'utf8');
    expect(journal.endsWith('\n')).toBe(true);
  });

  it('drops the last batch from its first damaged record on when a power cut left one of its pages unwritten, and refuses such damage before a later batch', async () => {
    const dir = await tempDir();
    const first = await DurableState.open(dir);
    const { pool } = await populate(first);
    // four calls in one turn of the event loop: one batch, one write, one sync
    await Promise.all([24, 25, 26, 27].map((CidrMask) => journaledCall(first, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask })));
    await first.close();
    const journalPath = path.join(dir, 'journal.log');
    const lines = (await fs.readFile(journalPath, 'utf8')).split('\n').slice(0, -1);
    const batchOf = (line: string) => JSON.parse(line.slice(9)).batch;
    const firstOfBatch = JSON.parse(lines.at(-4)!.slice(9)).seq;
    expect(lines.slice(-4).map(batchOf)).toEqual([firstOfBatch, firstOfBatch, firstOfBatch, firstOfBatch]);
    expect(batchOf(lines.at(-5)!)).toBe(firstOfBatch - 1); // the batch before: one record

    // what the journal holds up to the damage, replayed on its own
    const upToDamage = lines.slice(0, -3).map((l) => `${l}\n`).join('');
    const expected = await tempDir();
    await fs.copyFile(path.join(dir, 'snapshot.json'), path.join(expected, 'snapshot.json'));
    await fs.writeFile(path.join(expected, 'journal.log'), upToDamage);
    const reference = await DurableState.open(expected);
    const wanted = digest(reference);
    await reference.close();

    // the batch's second record on a page that never reached the disk: zeros, the rest intact
    const torn = [...lines.slice(0, -3), '\0'.repeat(lines.at(-3)!.length), ...lines.slice(-2)].map((l) => `${l}\n`).join('');
    await fs.writeFile(journalPath, torn);
    const second = await DurableState.open(dir);
    expect(digest(second)).toBe(wanted);
    await second.close();
    expect(await fs.readFile(journalPath, 'utf8')).toBe(upToDamage);

    // damage in the one-record batch before it: that batch was synced and answered
    const acknowledged = [...lines.slice(0, -5), '\0'.repeat(lines.at(-5)!.length), ...lines.slice(-4)].map((l) => `${l}\n`).join('');
    await fs.writeFile(journalPath, acknowledged);
    await expect(DurableState.open(dir)).rejects.toThrow(/damaged at record \d+, not as a crash tears the last write/);
  });

  it('refuses damage to a record the snapshot already holds (left in the journal by a crash before its reset), which must not take acknowledged batches after it along', async () => {
    const { dir, journalPath, first, pool } = await openedWithThreeRecords();
    // kill -9 between the snapshot's rename and the journal's reset: records 1..3 stay behind it
    const leftover = await fs.readFile(journalPath);
    await first.snapshot();
    await first.close();
    await fs.writeFile(journalPath, leftover);
    // the next start skips them and acknowledges one batch of three (seqs 4..6, batch 4)
    const second = await DurableState.open(dir);
    await Promise.all([24, 25, 26].map((CidrMask) => journaledCall(second, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask })));
    await second.close();
    const lines = (await fs.readFile(journalPath, 'utf8')).split('\n');
    expect(lines.slice(3, 6).map((l) => JSON.parse(l.slice(9)).batch)).toEqual([4, 4, 4]);
    // a changed byte in record 3 (synced long ago), or NULs there as after a power cut: cutting the
    // journal there would drop 4..6 (records the snapshot holds count as read)
    for (const damaged of [lines[2]!.replace('10.0.0.0/8', '10.0.0.0/9'), zeroed(lines[2]!)]) {
      await fs.writeFile(journalPath, [...lines.slice(0, 2), damaged, ...lines.slice(3)].join('\n'));
      await expect(DurableState.open(dir)).rejects.toThrow(/damaged at record 3, not as a crash tears the last write/);
    }
  });

  it('drops a last batch of large records torn by a power cut in two of its pages, with no whole record after the damage', async () => {
    const { dir, journalPath, first, scope } = await openedWithThreeRecords();
    const expected = digest(first);
    await first.snapshot(); // the journal starts empty at offset 0: its pages are file offsets / 4096
    // one batch of two pools with 20 tags each (Chinese keys and values: about 11.5 KB a record)
    const tags = (n: number) => Array.from({ length: 20 }, (_, i) => ({ Key: `键${n}${i}`.padEnd(64, '键'), Value: '值'.repeat(128) }));
    await Promise.all([1, 2].map((n) => journaledCall(first, 'CreateIpamPool', { RegionId: R, IpamScopeId: scope, PoolRegionId: R, Tag: tags(n) })));
    await first.close();
    const bytes = await fs.readFile(journalPath);
    const newlines = [...bytes.entries()].filter(([, b]) => b === 10).map(([i]) => i);
    expect(newlines).toHaveLength(2);
    expect(newlines[0]!).toBeGreaterThan(2 * 4096);
    // page 1 (inside record A) and the page holding record B's tail never reached the disk (zeros,
    // the file's size already set); A's newline, on page 2, did
    const torn = Buffer.from(bytes);
    torn.fill(0, 4096, 8192);
    const lastPage = Math.floor(newlines[1]! / 4096) * 4096;
    expect(lastPage).toBeGreaterThan(newlines[0]!);
    torn.fill(0, lastPage, torn.length);
    await fs.writeFile(journalPath, torn);
    const second = await DurableState.open(dir);
    expect(digest(second)).toBe(expected);
    await second.close();
  });

  it('refuses a damaged record in the middle of the journal, and a damaged snapshot, loudly', async () => {
    const dir = await tempDir();
    const first = await DurableState.open(dir);
    await populate(first);
    await first.close();
    const journalPath = path.join(dir, 'journal.log');
    const lines = (await fs.readFile(journalPath, 'utf8')).split('\n');
    lines[2] = lines[2]!.replace('10.0.0.0/8', '11.0.0.0/8');
    await fs.writeFile(journalPath, lines.join('\n'));
    await expect(DurableState.open(dir)).rejects.toThrow(DurableStateError);
    await expect(DurableState.open(dir)).rejects.toThrow(/damaged at record 3/);

    const other = await tempDir();
    const state = await DurableState.open(other, { compactEvery: 1, compactRatio: 0 });
    await populate(state);
    await state.close();
    const snapshotPath = path.join(other, 'snapshot.json');
    await fs.writeFile(snapshotPath, (await fs.readFile(snapshotPath, 'utf8')).replace('10.0.0.0/8', '10.0.0.0/9'));
    await expect(DurableState.open(other)).rejects.toThrow(/snapshot.json is damaged/);
  });

  it('keeps a change whose journal write failed out of every snapshot, and refuses everything after', async () => {
    const dir = await tempDir();
    const state = await DurableState.open(dir, { compactEvery: 3, compactRatio: 0 });
    const ipam = await journaledCall(state, 'CreateIpam', { RegionId: R, OperatingRegionList: [R] });
    const pool = (await journaledCall(state, 'CreateIpamPool', { RegionId: R, IpamScopeId: ipam.PrivateDefaultScopeId, PoolRegionId: R })).IpamPoolId;
    // the third record makes a snapshot due; a fourth arrives while the third is being synced
    const third = journaledCall(state, 'AddIpamPoolCidr', { RegionId: R, IpamPoolId: pool, Cidr: '10.0.0.0/8' });
    await new Promise((resolve) => setImmediate(resolve)); // the third's batch is written, its sync under way
    const full = vi.spyOn(fsCallbacks, 'writeSync').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    syncBuiltinESMExports();
    try {
      const fourth = journaledCall(state, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask: 24 });
      await third;
      await expect(fourth).rejects.toThrow(DurableStateError);
      await expect(state.failure).resolves.toBeInstanceOf(DurableStateError);
      await expect(journaledCall(state, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask: 24 })).rejects.toThrow(/journal could not be written/);
      await expect(state.snapshot()).rejects.toThrow(DurableStateError);
    } finally {
      full.mockRestore();
      syncBuiltinESMExports();
    }
    await state.close();
    const restarted = await DurableState.open(dir);
    const listed = restarted.service.call('ListIpamPoolAllocations', { RegionId: R, IpamPoolId: pool });
    expect(listed.TotalCount).toBe(0); // the refused allocation is neither in the snapshot nor in the journal
    expect(restarted.service.call('ListIpamPoolCidrs', { RegionId: R, IpamPoolId: pool }).TotalCount).toBe(1);
    await restarted.close();
  });

  it('replays random-strategy allocations to the blocks they answered, and refuses records made with another random draw', async () => {
    const dir = await tempDir();
    const first = await DurableState.open(dir);
    const ipam = await journaledCall(first, 'CreateIpam', { RegionId: R, OperatingRegionList: [R] });
    const scope = ipam.PrivateDefaultScopeId;
    const parent = (await journaledCall(first, 'CreateIpamPool', { RegionId: R, IpamScopeId: scope, PoolRegionId: R, AllocationStrategy: 'random' })).IpamPoolId;
    await journaledCall(first, 'AddIpamPoolCidr', { RegionId: R, IpamPoolId: parent, Cidr: '10.0.0.0/8' });
    const child = (await journaledCall(first, 'CreateIpamPool', { RegionId: R, IpamScopeId: scope, PoolRegionId: R, SourceIpamPoolId: parent, AllocationStrategy: 'random' })).IpamPoolId;
    await journaledCall(first, 'AddIpamPoolCidr', { RegionId: R, IpamPoolId: child, NetmaskLength: 16 });
    const taken = [];
    for (let i = 0; i < 10; i++) taken.push((await journaledCall(first, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: child, CidrMask: 24 })).Cidr);
    const before = digest(first);
    await first.close();
    // this build's records carry its draw: a restart replays them to the same blocks
    const second = await DurableState.open(dir);
    expect(digest(second)).toBe(before);
    const listed = second.service.call('ListIpamPoolAllocations', { RegionId: R, IpamPoolId: child, MaxResults: 100 }).IpamPoolAllocations as Array<Record<string, unknown>>;
    expect(listed.map((a) => a.Cidr).sort()).toEqual([...taken].sort());
    await second.close();
    // the same records as a build before the counted draw wrote them (no draw field): the
    // random ones are refused, naming the record; the journal is left as it was
    const journalPath = path.join(dir, 'journal.log');
    const journal = await fs.readFile(journalPath, 'utf8');
    const line = (record: object) => { const json = JSON.stringify(record); return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`; };
    const old = journal.split('\n').filter(Boolean).map((l) => { const { draw, ...record } = JSON.parse(l.slice(9)); expect(draw).toBe(3); return line(record); }).join('');
    await fs.writeFile(journalPath, old);
    const refused = await DurableState.open(dir).then(() => 'opened', (error: unknown) => error);
    expect(refused).toBeInstanceOf(DurableStateError);
    expect((refused as Error).message).toMatch(/record 5 \(AddIpamPoolCidr\) took a block at random with the random strategy's draw 1, and this build draws differently \(draw 3\)/);
    expect(await fs.readFile(journalPath, 'utf8')).toBe(old);
    // without the random records, a journal of that build replays
    await fs.writeFile(journalPath, old.split('\n').slice(0, 4).map((l) => `${l}\n`).join(''));
    const third = await DurableState.open(dir);
    expect(third.service.call('ListIpamPoolCidrs', { RegionId: R, IpamPoolId: parent }).TotalCount).toBe(1);
    await third.close();
  });

  it('refuses the records of draw 2 (before 2026-11-27) that took a block at random: an IPv6 pool\'s took another block', async () => {
    const line = (record: object) => { const json = JSON.stringify(record); return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`; };
    // what the build of draw 2 wrote for an IPv6 pool of 2001:db8::/48 and 2001:db8:2::/48 (it
    // answered 2001:db8:2:5371::/64 where this build takes 2001:db8:0:22be::/64)
    const dir = await tempDir();
    const stateText = JSON.stringify({ format: 'wasm-ipam/state', version: 1, seq: 0, idState: 77, ipams: [], scopes: [], pools: [], allocations: [], clientTokens: [] });
    const sha256 = createHash('sha256').update(stateText).digest('hex');
    await fs.writeFile(path.join(dir, 'snapshot.json'), `{"format":"wasm-ipam/snapshot","lastSeq":0,"sha256":"${sha256}","state":${stateText}}`);
    const pool = 'ipam-pool-k5erfulbxi267rrya6pb';
    const records = [
      { action: 'CreateIpam', params: { RegionId: R, OperatingRegionList: [R] } },
      { action: 'CreateIpamPool', params: { RegionId: R, IpamScopeId: 'ipam-scope-ufu7pvien7cwtwpomi7m', PoolRegionId: R, IpVersion: 'IPv6', AllocationStrategy: 'random' } },
      { action: 'AddIpamPoolCidr', params: { RegionId: R, IpamPoolId: pool, Cidr: '2001:db8::/48' } },
      { action: 'AddIpamPoolCidr', params: { RegionId: R, IpamPoolId: pool, Cidr: '2001:db8:2::/48' } },
      { action: 'CreateIpamPoolAllocation', params: { RegionId: R, IpamPoolId: pool, CidrMask: 64 } },
    ];
    const journal = records.map((r, i) => line({ seq: i + 1, time: '2026-11-27T16:52:23.000Z', ...r, draw: 2, batch: i + 1 })).join('');
    await fs.writeFile(path.join(dir, 'journal.log'), journal);
    const refused = await DurableState.open(dir).then(() => 'opened', (error: unknown) => error);
    expect(refused).toBeInstanceOf(DurableStateError);
    expect((refused as Error).message).toMatch(/record 5 \(CreateIpamPoolAllocation\) took a block at random with the random strategy's draw 2, and this build draws differently \(draw 3\)/);
    expect(await fs.readFile(path.join(dir, 'journal.log'), 'utf8')).toBe(journal);
  });

  it('refuses records of another random draw in a pool whose region is not its IPAM\'s (its allocations carry the pool\'s region)', async () => {
    const dir = await tempDir();
    const first = await DurableState.open(dir);
    const ipam = await journaledCall(first, 'CreateIpam', { RegionId: R, OperatingRegionList: [R, 'cn-beijing'] });
    const pool = (await journaledCall(first, 'CreateIpamPool', { RegionId: R, IpamScopeId: ipam.PrivateDefaultScopeId, PoolRegionId: 'cn-beijing', AllocationStrategy: 'random' })).IpamPoolId;
    await journaledCall(first, 'AddIpamPoolCidr', { RegionId: R, IpamPoolId: pool, Cidr: '10.0.0.0/8' });
    await journaledCall(first, 'CreateIpamPoolAllocation', { RegionId: 'cn-beijing', IpamPoolId: pool, CidrMask: 24 });
    await first.close();
    const journalPath = path.join(dir, 'journal.log');
    const line = (record: object) => { const json = JSON.stringify(record); return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`; };
    const journal = await fs.readFile(journalPath, 'utf8');
    await fs.writeFile(journalPath, journal.split('\n').filter(Boolean).map((l) => { const { draw: _, ...record } = JSON.parse(l.slice(9)); return line(record); }).join(''));
    const refused = await DurableState.open(dir).then(() => 'opened', (error: unknown) => error);
    expect(refused).toBeInstanceOf(DurableStateError);
    expect((refused as Error).message).toMatch(/record 4 \(CreateIpamPoolAllocation\) took a block at random/);
  });

  it('replays a journal written by a build that made allocation IDs without slots to the IDs it answered', async () => {
    // what that build wrote on first start (an empty state; its documents have no allocationIds field)
    const dir = await tempDir();
    const stateText = JSON.stringify({ format: 'wasm-ipam/state', version: 1, seq: 0, idState: 77, ipams: [], scopes: [], pools: [], allocations: [], clientTokens: [] });
    const sha256 = createHash('sha256').update(stateText).digest('hex');
    await fs.writeFile(path.join(dir, 'snapshot.json'), `{"format":"wasm-ipam/snapshot","lastSeq":0,"sha256":"${sha256}","state":${stateText}}`);
    // its first records, which make the same IDs in both builds
    const first = await DurableState.open(dir);
    const ipam = await journaledCall(first, 'CreateIpam', { RegionId: R, OperatingRegionList: [R] });
    const pool = (await journaledCall(first, 'CreateIpamPool', { RegionId: R, IpamScopeId: ipam.PrivateDefaultScopeId, PoolRegionId: R })).IpamPoolId;
    await journaledCall(first, 'AddIpamPoolCidr', { RegionId: R, IpamPoolId: pool, Cidr: '10.0.0.0/8' });
    const idState = first.service.exportState().idState as number;
    await first.close();
    // then it answered a create with a plain random ID (its ID source's next), and deleted it by that ID
    const answered = new IdSource(idState).id('ipam-pool-alloc-');
    const line = (record: object) => { const json = JSON.stringify(record); return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`; };
    const time = new Date().toISOString();
    await fs.appendFile(path.join(dir, 'journal.log'), line({ seq: 4, time, action: 'CreateIpamPoolAllocation', params: { RegionId: R, IpamPoolId: pool, CidrMask: 24 } }) +
      line({ seq: 5, time, action: 'UpdateIpamPoolAllocation', params: { RegionId: R, IpamPoolAllocationId: answered, IpamPoolAllocationName: 'kept' } }));
    const second = await DurableState.open(dir);
    const listed = second.service.call('ListIpamPoolAllocations', { RegionId: R, IpamPoolId: pool }).IpamPoolAllocations as Array<Record<string, unknown>>;
    expect(listed.map((a) => [a.IpamPoolAllocationId, a.IpamPoolAllocationName])).toEqual([[answered, 'kept']]);
    await second.close();
  });
});

/** A directory as builds before the ID state left it: a snapshot without idState (they restored from seed 0). */
async function legacyDirectory(): Promise<{ dir: string; pool: string; state: unknown }> {
  const dir = await tempDir();
  const first = await DurableState.open(dir, { compactEvery: 1, compactRatio: 0 });
  const { pool } = await populate(first);
  await first.close();
  const snapshotPath = path.join(dir, 'snapshot.json');
  const snapshot = JSON.parse(await fs.readFile(snapshotPath, 'utf8'));
  delete snapshot.state.idState;
  snapshot.sha256 = createHash('sha256').update(JSON.stringify(snapshot.state)).digest('hex');
  await fs.writeFile(snapshotPath, JSON.stringify(snapshot));
  return { dir, pool, state: snapshot.state };
}

describe('RequestIds across starts', () => {
  it('are drawn from crypto randomness after a restart, not from a 32-bit seed whose streams can meet', async () => {
    const dir = await tempDir();
    const first = await DurableState.open(dir);
    const { pool } = await threeRecords(first);
    await first.close();
    const twin = await tempDir();
    await fs.cp(dir, twin, { recursive: true });
    await fs.rm(path.join(twin, 'lock'), { force: true });
    // the same state and the same Math.random: a seed drawn from it would start both streams alike
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      const answers = [];
      for (const where of [dir, twin]) {
        const state = await DurableState.open(where);
        answers.push(await journaledCall(state, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask: 24 }));
        await state.close();
      }
      expect(answers[0]!.IpamPoolAllocationId).toBe(answers[1]!.IpamPoolAllocationId); // the same state, the same IDs
      expect(answers[0]!.RequestId).not.toBe(answers[1]!.RequestId);
    } finally {
      random.mockRestore();
    }
  });
});

describe('a directory whose snapshot predates the ID generator\'s state', () => {
  it('is carried over on its first start, so no two starts answer with the same RequestIds, and keeps its state and next IDs', async () => {
    const { dir, pool, state: document } = await legacyDirectory();
    const legacy = await IpamService.restore(document, { seed: 0 });
    const nextId = legacy.call('CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask: 24 }).IpamPoolAllocationId;

    const answers = [];
    for (let start = 0; start < 2; start++) {
      const state = await DurableState.open(dir);
      answers.push(await journaledCall(state, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask: 24 }));
      await journaledCall(state, 'DeleteIpamPoolAllocation', { RegionId: R, IpamPoolAllocationId: answers.at(-1)!.IpamPoolAllocationId });
      await state.close();
    }
    expect(answers[0]!.RequestId).not.toBe(answers[1]!.RequestId);
    // the IDs go on from where seed 0's replay left them, as before the carry-over
    expect(answers[0]!.IpamPoolAllocationId).toBe(nextId);
    expect(JSON.parse(await fs.readFile(path.join(dir, 'snapshot.json'), 'utf8')).state.idState).toEqual(expect.any(Number));
  });

  it('leaves nothing of the service it replaced in an engine it was given', async () => {
    const { dir } = await legacyDirectory();
    const carried = await Engine.load();
    const state = await DurableState.open(dir, { service: { engine: carried } });
    await state.close();
    // the same directory, now carried over, opened once on an engine of its own
    const plain = await Engine.load();
    const again = await DurableState.open(dir, { service: { engine: plain } });
    await again.close();
    expect(carried.nodesInUse).toBe(plain.nodesInUse);
  });
});

describe('ClientTokens, held 24 hours, replay as they were served', () => {
  const DAY = 24 * 3600_000;
  const t0 = Date.parse('2026-11-20T00:00:00Z');
  afterEach(() => vi.useRealTimers());

  /** A new directory opened at t0 (the clock faked from there) with an IPAM and a scope made with ClientToken 'tok'. */
  async function withTokenedScope() {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(t0);
    const dir = await tempDir();
    const state = await DurableState.open(dir);
    const { IpamId } = await journaledCall(state, 'CreateIpam', { RegionId: R, OperatingRegionList: [R] });
    const params = { RegionId: R, IpamId, ClientToken: 'tok' };
    await journaledCall(state, 'CreateIpamScope', params);
    return { dir, state, params };
  }
  const scopes = (state: DurableState) => state.service.call('ListIpamScopes', { RegionId: R }).TotalCount;

  it('forgets a token only by a call the journal holds: a DryRun does not, so a clock stepped back replays alike', async () => {
    // a DryRun (never journaled) used to forget expired tokens; a token sent again after the
    // clock stepped back then ran anew live, and was answered from the store on replay
    const { dir, state: live, params } = await withTokenedScope();
    const late = new Date(t0 + DAY + 1000);
    vi.setSystemTime(late);
    live.setTime(late);
    expect(() => live.service.call('CreateIpamScope', { ...params, ClientToken: 'other', DryRun: true })).toThrow(/validation has been passed/);
    vi.setSystemTime(t0 + DAY - 1000); // an NTP step back; the client sends 'tok' again
    await journaledCall(live, 'CreateIpamScope', params);
    const served = scopes(live);
    await live.close();
    const replayed = await DurableState.open(dir);
    expect(scopes(replayed)).toBe(served);
    await replayed.close();
  });

  it('carries a snapshot whose tokens have no time over at its first start, so later starts replay its journal alike', async () => {
    // tokens of a document written before they expired are held 24 hours from their restore: that
    // was each start's clock, so a journal replayed a day later answered from the store a call
    // that had run anew, and its scope was lost
    const { dir, state: first, params } = await withTokenedScope();
    await first.snapshot();
    await first.close();
    // the snapshot as the build before wrote it: its tokens have no time
    const snapshotPath = path.join(dir, 'snapshot.json');
    const snapshot = JSON.parse(await fs.readFile(snapshotPath, 'utf8'));
    for (const token of snapshot.state.clientTokens) delete token.time;
    snapshot.sha256 = createHash('sha256').update(JSON.stringify(snapshot.state)).digest('hex');
    await fs.writeFile(snapshotPath, JSON.stringify(snapshot));

    const t1 = t0 + 3600_000;
    vi.setSystemTime(t1);
    const second = await DurableState.open(dir);
    expect(JSON.parse(await fs.readFile(snapshotPath, 'utf8')).state.clientTokens[0].time).toBe('2026-11-20T01:00:00Z');
    vi.setSystemTime(t1 + DAY + 1000);
    await journaledCall(second, 'CreateIpamScope', params); // a day after that start: a new scope
    const served = scopes(second);
    expect(served).toBe(4);
    await second.close();
    vi.setSystemTime(t1 + DAY + 2000);
    const third = await DurableState.open(dir);
    expect(scopes(third)).toBe(served);
    await third.close();
  });
});

describe('one owner at a time, and what it needs on disk before it answers', () => {
  it('refuses the second of two opens of one directory started together in one process', async () => {
    const dir = await tempDir();
    await (await DurableState.open(dir)).close();
    const results = await Promise.allSettled([DurableState.open(dir), DurableState.open(dir)]);
    const opened = results.filter((r): r is PromiseFulfilledResult<DurableState> => r.status === 'fulfilled');
    for (const { value } of opened) await value.close().catch(() => undefined);
    // both took it: each would journal its own records from the same seq
    expect(opened).toHaveLength(1);
    expect(String((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason)).toMatch(/in use by this process/);
  });

  it('refuses a data directory another DurableState holds open, and takes it once that one closes', async () => {
    const dir = await tempDir();
    const first = await DurableState.open(dir);
    // two owners would each number their records from the same seq: the next start refused them all
    const second = await DurableState.open(dir).then(() => 'opened', (error: unknown) => error);
    expect(second).toBeInstanceOf(DurableStateError);
    expect((second as Error).message).toMatch(/is in use by this process/);
    await first.close();
    await (await DurableState.open(dir)).close();
  });

  it('wasm-ipam serve refuses a data directory another serve is using, naming its PID; a killed owner leaves no lock in the way', async () => {
    const dir = await tempDir();
    const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
    const serve = () => {
      const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (chunk) => (stderr += chunk));
      const outcome = new Promise<string>((resolve) => {
        child.stdout!.on('data', (chunk) => String(chunk).includes('listening') && resolve('listening'));
        child.once('exit', (code) => resolve(`exit ${code}: ${stderr}`));
      });
      return { child, outcome };
    };
    const first = serve();
    try {
      expect(await first.outcome).toBe('listening');
      const second = serve();
      expect(await second.outcome).toMatch(new RegExp(`^exit 1: .*in use by process ${first.child.pid}`));
    } finally {
      first.child.kill('SIGKILL');
    }
    await new Promise((resolve) => first.child.once('exit', resolve));
    const restarted = serve();
    expect(await restarted.outcome).toBe('listening');
    restarted.child.kill('SIGKILL');
  }, 20_000);

  it('refuses to start when the first snapshot, which holds the ID seed, cannot be written', async () => {
    const dir = await tempDir();
    // in the way of the snapshot's temp file (a full disk or another user's file do the same):
    // served without a snapshot, a restart drew another seed and the journal no longer replayed
    await fs.mkdir(path.join(dir, 'snapshot.json.tmp'));
    const refused = await DurableState.open(dir).then(() => 'opened', (error: unknown) => error);
    expect(refused).toBeInstanceOf(DurableStateError);
    expect((refused as Error).message).toMatch(/first snapshot .* could not be written/);
    await fs.rmdir(path.join(dir, 'snapshot.json.tmp'));
    await (await DurableState.open(dir)).close(); // the refusal left the directory free
  });

  it('refuses a journal with records and no snapshot beside it', async () => {
    const dir = await tempDir();
    const state = await DurableState.open(dir);
    await journaledCall(state, 'CreateIpam', { RegionId: R, OperatingRegionList: [R] });
    await state.close();
    await fs.rm(path.join(dir, 'snapshot.json'));
    const refused = await DurableState.open(dir).then(() => 'opened', (error: unknown) => error);
    expect(refused).toBeInstanceOf(DurableStateError);
    expect((refused as Error).message).toMatch(/journal\.log has records but .*snapshot\.json is missing/);
  });

  it('snapshot() rejects when the snapshot could not be written (open() tells users to carry state over with it)', async () => {
    const dir = await tempDir();
    const state = await DurableState.open(dir);
    try {
      await journaledCall(state, 'CreateIpam', { RegionId: R, OperatingRegionList: [R] });
      await fs.mkdir(path.join(dir, 'snapshot.json.tmp'));
      await expect(state.snapshot()).rejects.toThrow();
      expect(JSON.parse(await fs.readFile(path.join(dir, 'snapshot.json'), 'utf8')).lastSeq).toBe(0);
      await fs.rmdir(path.join(dir, 'snapshot.json.tmp'));
      await state.snapshot(); // and resolves once it is written
      expect(JSON.parse(await fs.readFile(path.join(dir, 'snapshot.json'), 'utf8')).lastSeq).toBe(1);
    } finally {
      await state.close();
    }
  });

  it('removes the temp file of a snapshot that failed midway, and a leftover one at the next start', async () => {
    // a compaction snapshot cut short by a full disk left its partial snapshot.json.tmp behind for
    // good: on a nearly full disk it took the room the journal needed, and the endpoint stopped sooner
    const dir = await tempDir();
    const temp = path.join(dir, 'snapshot.json.tmp');
    const state = await DurableState.open(dir);
    const realWriteFile = fs.writeFile.bind(fs);
    const spy = vi.spyOn(fs, 'writeFile').mockImplementation(async (target, data, options) => {
      if (target !== temp) return realWriteFile(target, data, options);
      await realWriteFile(target, String(data).slice(0, String(data).length >> 1)); // the disk fills up halfway
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    try {
      await journaledCall(state, 'CreateIpam', { RegionId: R, OperatingRegionList: [R] });
      await expect(state.snapshot()).rejects.toThrow(/ENOSPC/);
    } finally {
      spy.mockRestore();
    }
    // the journal still holds the record (nothing is lost), and the failed attempt's bytes are given back
    expect((await fs.readFile(path.join(dir, 'journal.log'), 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
    await expect(fs.stat(temp)).rejects.toMatchObject({ code: 'ENOENT' });
    await state.close();
    // one left by a process killed while writing it goes at the next start
    await fs.writeFile(temp, '{"format":"wasm-ipam/snap');
    await (await DurableState.open(dir)).close();
    await expect(fs.stat(temp)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fsyncs the parent of a data directory it makes (the new entry, without which a power cut can lose the directory)', async () => {
    const parent = await tempDir();
    const dir = path.join(parent, 'state', 'ipam');
    const synced: string[] = [];
    const realOpen = fs.open.bind(fs);
    const spy = vi.spyOn(fs, 'open').mockImplementation(async (...args: Parameters<typeof fs.open>) => {
      const handle = await realOpen(...args);
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        synced.push(path.resolve(String(args[0])));
        return sync();
      };
      return handle;
    });
    try {
      await (await DurableState.open(dir)).close();
    } finally {
      spy.mockRestore();
    }
    expect(synced).toEqual(expect.arrayContaining([path.resolve(dir), path.join(parent, 'state'), parent]));
  });
});

describe('durable journal: what counts as the torn last batch', () => {
  // guards against durable.ts `batch <= prev + 1` → `batch <= prev` (a power cut that leaves the
  // FIRST page of the last batch unwritten must drop that batch, not refuse to start)
  it('drops the last batch when its first record is the one a power cut left unwritten', async () => {
    const { dir, journalPath, first, pool } = await openedWithThreeRecords();
    const wanted = digest(first);
    await Promise.all([24, 25, 26, 27].map((CidrMask) => journaledCall(first, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask })));
    await first.close();
    const lines = (await fs.readFile(journalPath, 'utf8')).split('\n').slice(0, -1);
    expect(lines).toHaveLength(7);
    await fs.writeFile(journalPath, joinLines([...lines.slice(0, 3), zeroed(lines[3]!), ...lines.slice(4)]));
    const second = await DurableState.open(dir);
    expect(digest(second)).toBe(wanted);
    await second.close();
    expect(await fs.readFile(journalPath, 'utf8')).toBe(joinLines(lines.slice(0, 3)));
  });

  // guards against durable.ts dropping `record.batch === batch &&` (damage inside an acknowledged
  // batch followed by a later batch must be refused, not silently drop the later batch)
  it('refuses unwritten pages inside a batch of several records when a later batch follows', async () => {
    const { dir, journalPath, first, pool } = await openedWithThreeRecords();
    await Promise.all([24, 25, 26].map((CidrMask) => journaledCall(first, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask }))); // seqs 4..6, batch 4
    await journaledCall(first, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask: 27 }); // seq 7, batch 7
    await first.close();
    const lines = (await fs.readFile(journalPath, 'utf8')).split('\n').slice(0, -1);
    expect(lines.map((l) => JSON.parse(l.slice(9)).batch)).toEqual([1, 2, 3, 4, 4, 4, 7]);
    await fs.writeFile(journalPath, joinLines([...lines.slice(0, 4), zeroed(lines[4]!), ...lines.slice(5)]));
    await expect(DurableState.open(dir)).rejects.toThrow(/damaged at record 5, not as a crash tears the last write/);
  });
});

describe('durable state: the lock and the service are given back on every way out', () => {
  // guards against durable.ts removing `HELD.delete(key)` from acquireLock's catch (a refusal because
  // another live process holds the directory left it claimed by this process for good)
  it('takes the directory once a live other owner\'s lock is gone, after refusing it', async () => {
    const dir = await tempDir();
    await (await DurableState.open(dir)).close();
    const lockPath = path.join(dir, 'lock');
    await fs.writeFile(lockPath, `${process.ppid}\n`); // a live process that is not this one
    await expect(DurableState.open(dir)).rejects.toThrow(new RegExp(`in use by process ${process.ppid}`));
    await fs.rm(lockPath);
    await (await DurableState.open(dir)).close();
  });

  it('does not delete the lock of a live owner that took a stale lock over between reading its PID and taking it over', async () => {
    // the takeover read the dead PID, then deleted the lock and made its own: when another start
    // had taken the stale lock over in between, that delete removed the live owner's lock and both
    // opened the directory (two `serve` on one directory with a stale lock both started in 4 of 30 trials)
    const dir = await tempDir();
    await (await DurableState.open(dir)).close();
    const lockPath = path.join(dir, 'lock');
    await fs.writeFile(lockPath, '999999\n'); // left by an owner that was killed
    const other = spawn('sleep', ['30'], { stdio: 'ignore' }); // another start, a live process
    const realReadFile = fs.readFile.bind(fs) as (...args: unknown[]) => Promise<string | Buffer>;
    let raced = false;
    const spy = vi.spyOn(fs, 'readFile').mockImplementation((async (target: unknown, ...rest: unknown[]) => {
      const text = await realReadFile(target, ...rest);
      if (target === lockPath && !raced) {
        // right after this start read the dead PID, the other one (which read it too) takes the lock over
        raced = true;
        await fs.rm(lockPath);
        await fs.writeFile(lockPath, `${other.pid}\n`, { flag: 'wx' });
      }
      return text;
    }) as typeof fs.readFile);
    try {
      const opened = await DurableState.open(dir).then(async (state) => {
        await state.close();
        return 'opened';
      }, (error: Error) => error.message);
      expect(raced).toBe(true);
      expect(opened).toMatch(new RegExp(`in use by process ${other.pid}`));
      expect(await fs.readFile(lockPath, 'utf8')).toBe(`${other.pid}\n`);
    } finally {
      spy.mockRestore();
      other.kill('SIGKILL');
    }
  });

  it('takes a stale lock over when a start killed while taking it over left its lock.break behind, and refuses while a live start holds it', async () => {
    const dir = await tempDir();
    await (await DurableState.open(dir)).close();
    await fs.writeFile(path.join(dir, 'lock'), '999999\n');
    await fs.writeFile(path.join(dir, 'lock.break'), `${process.ppid}\n`); // a live start taking it over right now
    await expect(DurableState.open(dir)).rejects.toThrow(new RegExp(`in use by process ${process.ppid} \\(.*lock\\.break\\)`));
    await fs.writeFile(path.join(dir, 'lock.break'), '999998\n'); // that start was killed
    await (await DurableState.open(dir)).close();
    expect((await fs.readdir(dir)).sort()).toEqual(['journal.log', 'snapshot.json']);
  });

  it('removes the lock.<pid> files of starts killed before they linked or removed them, not a live start\'s', async () => {
    // each start writes lock.<its pid> whole before linking it as the lock: one killed in between
    // left it for good (no later start, with another PID, removed it)
    const dir = await tempDir();
    await (await DurableState.open(dir)).close();
    await fs.writeFile(path.join(dir, 'lock.999999'), '999999\n');
    await fs.writeFile(path.join(dir, `lock.${process.ppid}`), `${process.ppid}\n`); // a live start about to link it
    await (await DurableState.open(dir)).close();
    expect((await fs.readdir(dir)).sort()).toEqual(['journal.log', `lock.${process.ppid}`, 'snapshot.json']);
  });

  // guards against durable.ts close() without try/finally (a failing journal close kept the lock)
  it('close() releases the directory even when closing the journal fails', async () => {
    const dir = await tempDir();
    const realOpen = fs.open.bind(fs);
    const spy = vi.spyOn(fs, 'open').mockImplementation(async (...args: Parameters<typeof fs.open>) => {
      const handle = await realOpen(...args);
      if (path.basename(String(args[0])) === 'journal.log') {
        const close = handle.close.bind(handle);
        handle.close = async () => {
          await close();
          throw new Error('EIO: the journal could not be closed');
        };
      }
      return handle;
    });
    let state: DurableState;
    try {
      state = await DurableState.open(dir);
    } finally {
      spy.mockRestore();
    }
    await expect(state.close()).rejects.toThrow(/EIO/);
    await (await DurableState.open(dir)).close();
  });

  // guards against durable.ts removing `service.dispose()` from open()'s catch (a refused start left
  // the replayed service's spaces in an engine the caller gave)
  it('a refused start leaves nothing in an engine it was given', async () => {
    const { dir, journalPath, first, pool } = await openedWithThreeRecords();
    for (let i = 0; i < 10; i++) await journaledCall(first, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask: 24 });
    await first.close();
    const lines = (await fs.readFile(journalPath, 'utf8')).split('\n');
    lines[11] = lines[11]!.replace('"CidrMask":24', '"CidrMask":25'); // a changed byte: refused
    await fs.writeFile(journalPath, lines.join('\n'));
    const engine = await Engine.load();
    const before = engine.nodesInUse;
    await expect(DurableState.open(dir, { service: { engine } })).rejects.toThrow(/damaged at record 12/);
    expect(engine.nodesInUse).toBe(before);
  });
});
