/**
 * exportState and restore edges left open by the API suite (mutation review): records' keys in
 * sorted order (equal states export equal text), a document that shares nothing with the live
 * records, a ClientToken document restored whole, and the refusal message of a format.
 */
import { describe, expect, it } from 'vitest';
import { IpamService } from '../../src/index.js';
import { fixture, OTHER, R } from './fixture.js';

const sorted = (keys: string[]) => [...keys].sort();

describe('exportState', () => {
  it('writes each record\'s keys sorted, so a restored service exports the very same text', async () => {
    const f = await fixture();
    f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24, IpamPoolAllocationName: 'a', IpamPoolAllocationDescription: 'd' });
    f.ipam.createIpam({ RegionId: OTHER, OperatingRegionList: [OTHER], IpamName: 'n', Tag: [{ Key: 'k', Value: 'v' }] });
    const doc = f.ipam.exportState() as Record<string, Record<string, unknown>[]>;
    const records = [...doc.ipams!, ...doc.scopes!, ...doc.allocations!, ...doc.pools!.flatMap((p) => p.Cidrs as Record<string, unknown>[])];
    expect(records.length).toBeGreaterThan(4);
    for (const record of records) expect(Object.keys(record)).toEqual(sorted(Object.keys(record)));
    const restored = await IpamService.restore(JSON.parse(JSON.stringify(doc)), { engine: f.ipam.engine });
    expect(JSON.stringify(restored.exportState())).toBe(JSON.stringify(f.ipam.exportState()));
  });

  it('shares no array or object with the service: changing the document changes nothing', async () => {
    const f = await fixture();
    f.ipam.createIpam({ RegionId: OTHER, OperatingRegionList: [OTHER], Tag: [{ Key: 'k', Value: 'v' }] });
    const before = JSON.stringify(f.ipam.exportState());
    const doc = f.ipam.exportState() as Record<string, Record<string, unknown>[]>;
    (doc.ipams![1]!.Tags as unknown[]).push({ Key: 'x', Value: 'y' });
    (doc.ipams![0]!.OperatingRegionList as unknown[]).push('nowhere');
    expect(JSON.stringify(f.ipam.exportState())).toBe(before);
  });
});

describe('restore', () => {
  it('keeps every ClientToken a document lists, forgetting none on the way in (add, not remember)', async () => {
    const f = await fixture();
    f.ipam.createIpamPool({ RegionId: R, IpamScopeId: f.privateScope, ClientToken: 'first' });
    f.ipam.createIpamPool({ RegionId: R, IpamScopeId: f.privateScope, ClientToken: 'second' });
    const doc = JSON.parse(JSON.stringify(f.ipam.exportState())) as { clientTokens: { token: string; time: string }[] };
    // the document says 'second' came 30 hours after 'first' (a document is input: taken as it is)
    doc.clientTokens[0]!.time = '2026-11-24T18:00:00Z';
    doc.clientTokens[1]!.time = '2026-11-26T00:00:00Z';
    const restored = await IpamService.restore(doc, { engine: f.ipam.engine, clock: () => new Date('2026-11-26T00:00:00Z') });
    expect(restored.exportState().clientTokens).toEqual(doc.clientTokens);
  });

  it('names a refused format as JSON text', async () => {
    const f = await fixture();
    const doc = f.ipam.exportState();
    await expect(IpamService.restore({ ...doc, format: '1' })).rejects.toThrow('unknown format "1"');
    await expect(IpamService.restore({ ...doc, version: 10n })).rejects.toThrow('unsupported version a bigint that JSON cannot hold');
  });
});
