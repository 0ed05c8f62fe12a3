// Documents and journals written by the build before 2026-11-27 (3a0d0a3): they still load, or
// the refusal says how to carry them over.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { IpamService } from '../../src/index.js';
import { DurableState, DurableStateError } from '../../src/server/durable.js';
import { journaledCall } from '../support/durable-call.js';

const R = 'cn-hangzhou';
const clock = () => new Date('2026-11-26T00:00:00Z');

describe('compatibility with the build before', () => {
  it('a ClientToken stored by the previous version for a call with DryRun: false still answers its retry', async () => {
    const ipam = await IpamService.create({ seed: 1, clock });
    const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
    const pool = ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId }).IpamPoolId;
    ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: pool, Cidr: '10.0.0.0/8' });
    const params = { RegionId: R, IpamPoolId: pool, CidrMask: 24, ClientToken: 'tok', DryRun: false };
    const first = ipam.createIpamPoolAllocation(params);
    const doc = JSON.parse(JSON.stringify(ipam.exportState()));
    // the digest 3a0d0a3's digestOf made for it: every parameter but ClientToken, sorted, DryRun: false included
    const { ClientToken: _t, ...rest } = params as Record<string, unknown>;
    const oldDigest = JSON.stringify(['CreateIpamPoolAllocation', Object.keys(rest).sort().map((k) => [k, rest[k]])]);
    doc.clientTokens[0].digest = oldDigest;
    const restored = await IpamService.restore(doc, { seed: 2, clock });
    // the very same retry the client sent before the upgrade
    expect(restored.createIpamPoolAllocation(params)).toEqual(first);
  });

  it('restore takes a document of the previous version with two top-level public IPv6 pools of one ISP and region', async () => {
    // 3a0d0a3's CreateIpamPool made both; exportState wrote them
    const ipam = await IpamService.create({ seed: 1, clock });
    const { PublicDefaultScopeId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R, 'cn-beijing'] });
    ipam.createIpamPool({ RegionId: R, IpamScopeId: PublicDefaultScopeId, IpVersion: 'IPv6' });
    const second = ipam.createIpamPool({ RegionId: R, IpamScopeId: PublicDefaultScopeId, IpVersion: 'IPv6', PoolRegionId: 'cn-beijing' }).IpamPoolId;
    const doc = JSON.parse(JSON.stringify(ipam.exportState()));
    delete doc.pools.find((p: { IpamPoolId: string }) => p.IpamPoolId === second).PoolRegionId; // as the old build had it: both in cn-hangzhou
    await expect(IpamService.restore(doc, { seed: 1, clock })).resolves.toBeInstanceOf(IpamService);
  });

  it('a data directory whose older journal holds a second top-level public IPv6 pool of one ISP and region says how to carry it over', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wasm-ipam-compat-'));
    const state = await DurableState.open(dir);
    const { PublicDefaultScopeId } = await journaledCall(state, 'CreateIpam', { RegionId: R, OperatingRegionList: [R] });
    await journaledCall(state, 'CreateIpamPool', { RegionId: R, IpamScopeId: PublicDefaultScopeId, IpVersion: 'IPv6' });
    await state.close();
    // the record 3a0d0a3's serve journaled for a second such pool, which it answered 200 (no requestId then)
    const json = JSON.stringify({ seq: 3, time: new Date().toISOString(), action: 'CreateIpamPool', params: { RegionId: R, IpamScopeId: PublicDefaultScopeId, IpVersion: 'IPv6' }, draw: 2 });
    await fs.appendFile(path.join(dir, 'journal.log'), `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`);
    try {
      const refused = await DurableState.open(dir).then(() => undefined, (error: unknown) => error);
      expect(refused).toBeInstanceOf(DurableStateError);
      expect((refused as Error).message).toMatch(/record 3 \(CreateIpamPool\) no longer applies: .*QuotaExceeded|record 3 \(CreateIpamPool\) no longer applies: A region holds at most one/);
      expect((refused as Error).message).toMatch(/written by an older build: .*take a snapshot there/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
