// Restore refuses documents the API could never have produced (each mutation of a rich, valid
// document) with IpamStateError, loading nothing; and a document whose ID generator was set back
// still never makes an ID twice.
import { describe, expect, it } from 'vitest';
import { IpamService, IpamStateError } from '../../src/index.js';
import { rich, sharedEngine, H, B } from './rich-state.js';

const clock = () => new Date('2026-11-26T00:00:00Z');
type Doc = any;
const poolOf = (d: Doc, id: string) => d.pools.find((p: Doc) => p.IpamPoolId === id);
const scopeOf = (d: Doc, id: string) => d.scopes.find((s: Doc) => s.IpamScopeId === id);
const ipamOf = (d: Doc, id: string) => d.ipams.find((i: Doc) => i.IpamId === id);
/** The allocation in its parent that holds a sub-pool's CIDR. */
const heldFor = (d: Doc, subPool: string) => d.allocations.find((a: Doc) => a.ResourceType === 'IpamPool' && a.ResourceId === subPool);

/** Restoring the corrupted document must throw IpamStateError and give back every engine node it took. */
async function refused(doc: Doc): Promise<void> {
  const engine = await sharedEngine();
  const before = engine.nodesInUse;
  const outcome = await IpamService.restore(doc, { engine, seed: 7, clock }).then(() => 'restored', (error: unknown) => error);
  expect(outcome).toBeInstanceOf(IpamStateError);
  expect(engine.nodesInUse).toBe(before);
}

describe('restore refuses documents the API could never have produced', () => {
  const cases: Array<[string, (d: Doc, ids: Record<string, string>) => void]> = [
    // README "State documents": refused "with IpamStateError"; an unknown RegionId escapes as IpamApiError InvalidRegionId.NotFound
    ['an IPAM hosted in an unknown region (IpamStateError, not the API\'s InvalidRegionId.NotFound)', (d, ids) => {
      const b = ipamOf(d, ids.ipamB); b.RegionId = 'xx-nowhere-1'; b.OperatingRegionList = ['xx-nowhere-1'];
      for (const s of d.scopes) if (s.IpamId === ids.ipamB) s.RegionId = 'xx-nowhere-1';
    }],
    // spec 2.1: CreateIpam makes two default scopes, a private and a public one
    ['an IPAM whose private and public default scope are one scope', (d, ids) => {
      const a = ipamOf(d, ids.ipamA);
      const pub = d.pools.filter((p: Doc) => p.IpamScopeId === ids.pubA).map((p: Doc) => p.IpamPoolId);
      d.pools = d.pools.filter((p: Doc) => !pub.includes(p.IpamPoolId));
      d.allocations = d.allocations.filter((x: Doc) => !pub.includes(x.IpamPoolId));
      d.scopes = d.scopes.filter((s: Doc) => s.IpamScopeId !== ids.pubA);
      a.PublicDefaultScopeId = ids.privA;
    }],
    ['an IPAM whose default scope is a scope of another IPAM', (d, ids) => {
      ipamOf(d, ids.ipamB).PrivateDefaultScopeId = ids.lab;
      scopeOf(d, ids.privB).IsDefault = false;
    }],
    ['a private default scope typed public', (d, ids) => { scopeOf(d, ids.privB).IpamScopeType = 'public'; }],
    // CreateIpamScope: OperationDenied.UnsupportedScopeType (spec 2.1: only private scopes can be created)
    ['a non-default public scope', (d, ids) => { scopeOf(d, ids.lab).IpamScopeType = 'public'; }],
    // spec 2.1 ScopeCount 2..5; CreateIpamScope: QuotaExceeded.IpamScope (MAX_SCOPES)
    ['an IPAM with 6 scopes', (d, ids) => {
      for (let i = 0; i < 3; i++) d.scopes.push({ ...scopeOf(d, ids.lab), IpamScopeId: `ipam-scope-extra${i}`, seq: ++d.seq });
    }],
    // CreateIpamPool: IllegalParam.Ipv6Isp "only public IPv6 pools have an ISP" (a rule since the first API build)
    ['an IPv4 pool with an Ipv6Isp', (d, ids) => { poolOf(d, ids.p1).Ipv6Isp = 'BGP'; }],
    ['a private IPv6 pool with an Ipv6Isp', (d, ids) => { poolOf(d, ids.v6).Ipv6Isp = 'ChinaTelecom'; }],
    // CreateIpamPool / UpdateIpamPool: OperationDenied.IpamPoolNotInRegion "AutoImport needs a pool region"
    ['AutoImport on a pool without a region', (d, ids) => { poolOf(d, ids.plain).AutoImport = true; }],
    // CreateIpam: IllegalParam.OperatingRegionList "appears twice"
    ['an operating region listed twice', (d, ids) => { ipamOf(d, ids.ipamA).OperatingRegionList.push(B); }],
    // recordAllocation: a Custom allocation's ResourceId is its own ID, its ResourceRegionId its pool's region
    ['a Custom allocation whose ResourceId is not its own ID', (d, ids) => {
      d.allocations.find((x: Doc) => x.IpamPoolAllocationId === ids.a1).ResourceId = 'vpc-elsewhere';
    }],
    ['a Custom allocation whose ResourceRegionId is an unknown region', (d, ids) => {
      d.allocations.find((x: Doc) => x.IpamPoolAllocationId === ids.a1).ResourceRegionId = 'xx-nowhere-1';
    }],
    // README: "ClientToken entries the API could not have made" are refused; digestOf always starts with the entry's action
    ['a ClientToken entry whose digest is of another action', (d) => {
      const entry = d.clientTokens.find((t: Doc) => t.action === 'CreateIpamPoolAllocation');
      entry.digest = entry.digest.replace('"CreateIpamPoolAllocation"', '"DeleteIpam"');
    }],
    // formatTime: the API's time format is YYYY-MM-DDThh:mm:ssZ
    ['a CreateTime that is not a time', (d, ids) => { poolOf(d, ids.p1).CreateTime = 'yesterday'; }],
    // addIpamPoolCidr: a sub-pool's CIDR is held in its parent with the sub-pool's region (or, before
    // 2026-11-27, the parent's), and with no name or description
    ['an IpamPool allocation whose ResourceRegionId is neither its sub-pool\'s region nor its own', (d, ids) => {
      heldFor(d, ids.pub6sub).ResourceRegionId = 'cn-shanghai';
    }],
    ['an IpamPool allocation with a name', (d, ids) => { heldFor(d, ids.p2).IpamPoolAllocationName = 'named'; }],
  ];

  it.each(cases)('refuses %s, loading nothing', async (_label, corrupt) => {
    const { s, ids } = await rich();
    const doc = JSON.parse(JSON.stringify(s.exportState()));
    // the unmodified document restores (so the refusal below is the mutation's doing)
    await expect(IpamService.restore(JSON.parse(JSON.stringify(doc)), { engine: await sharedEngine(), seed: 7, clock })).resolves.toBeInstanceOf(IpamService);
    corrupt(doc, ids);
    await refused(doc);
  });
});

describe('restore never lets future IDs collide with restored ones', () => {
  it('a document whose idState was set back makes new IPAM and scope IDs, never those of existing records', async () => {
    const engine = await sharedEngine();
    const s = await IpamService.create({ engine, seed: 9, clock });
    const early = s.exportState().idState;
    s.createIpam({ RegionId: H, OperatingRegionList: [H] });
    const doc = JSON.parse(JSON.stringify(s.exportState()));
    doc.idState = early; // the generator's state before the IPAM's IDs were drawn
    const service = await IpamService.restore(doc, { engine, seed: 9, clock });
    const made = service.createIpam({ RegionId: B, OperatingRegionList: [B] });
    const existing = doc.ipams[0];
    expect(made.IpamId).not.toBe(existing.IpamId);
    expect([made.PrivateDefaultScopeId, made.PublicDefaultScopeId]).not.toContain(existing.PrivateDefaultScopeId);
    // and the first IPAM's default scope still belongs to it
    const scopes = service.listIpamScopes({ RegionId: H }).IpamScopes;
    expect(scopes.map((x) => x.IpamScopeId).sort()).toEqual([existing.PrivateDefaultScopeId, existing.PublicDefaultScopeId].sort());
  });
});

describe('restore keeps loading what older builds wrote', () => {
  it("takes an IpamPool allocation whose ResourceRegionId is its own region, as builds before 2026-11-27 wrote it", async () => {
    const { s, ids } = await rich();
    const doc = JSON.parse(JSON.stringify(s.exportState()));
    const held = heldFor(doc, ids.pub6sub);
    expect(held.ResourceRegionId).toBe(B); // the sub-pool's region; the parent's is H
    held.ResourceRegionId = held.RegionId;
    expect(held.RegionId).toBe(H);
    await expect(IpamService.restore(doc, { engine: await sharedEngine(), seed: 7, clock })).resolves.toBeInstanceOf(IpamService);
  });
});

describe('new IDs after a set-back generator state', () => {
  // guards against context.ts dropping `pools.has(id) ||` from newId's check, and pool.ts
  // `ctx.newId('ipam-pool-')` → `ctx.ids.id('ipam-pool-')` (a pool made twice the same ID)
  it('makes a new pool ID, never that of an existing pool', async () => {
    const s = await IpamService.create({ engine: await sharedEngine(), seed: 9 });
    const { PrivateDefaultScopeId } = s.createIpam({ RegionId: H, OperatingRegionList: [H] });
    const early = s.exportState().idState;
    const existing = s.createIpamPool({ RegionId: H, IpamScopeId: PrivateDefaultScopeId }).IpamPoolId;
    const doc = JSON.parse(JSON.stringify(s.exportState()));
    doc.idState = early;
    const restored = await IpamService.restore(doc, { engine: await sharedEngine(), seed: 9 });
    const made = restored.createIpamPool({ RegionId: H, IpamScopeId: PrivateDefaultScopeId }).IpamPoolId;
    expect(made).not.toBe(existing);
    expect(restored.listIpamPools({ RegionId: H }).TotalCount).toBe(2);
  });
});

describe('restore refuses what the API could not have written, and takes a scope quota reached', () => {
  const cases: Array<[string, (d: Doc, ids: Record<string, string>) => void]> = [
    // guards against state.ts removing checkTime for IPAMs
    ['an IPAM CreateTime that is not a time', (d, ids) => { d.ipams.find((x: Doc) => x.IpamId === ids.ipamA).CreateTime = 'yesterday'; }],
    // guards against state.ts removing checkTime for scopes
    ['a scope CreateTime that is not a time', (d, ids) => { d.scopes.find((x: Doc) => x.IpamScopeId === ids.lab).CreateTime = 'yesterday'; }],
    // guards against state.ts removing checkTime for allocations
    ['an allocation CreationTime that is not a time', (d, ids) => { d.allocations.find((x: Doc) => x.IpamPoolAllocationId === ids.a1).CreationTime = 'yesterday'; }],
    // guards against state.ts dropping `formatTime(date) !== text` (a date in another format)
    ['a pool CreateTime with milliseconds (not the API\'s format)', (d, ids) => { d.pools.find((x: Doc) => x.IpamPoolId === ids.p1).CreateTime = '2026-11-26T00:00:01.000Z'; }],
    // guards against state.ts removing the "one scope for both defaults" check (the one scope public)
    ['an IPAM whose only scope, public, is both its default scopes', (d, ids) => {
      d.allocations = d.allocations.filter((x: Doc) => x.IpamPoolId !== ids.poolB);
      d.pools = d.pools.filter((p: Doc) => p.IpamScopeId !== ids.privB);
      d.scopes = d.scopes.filter((s: Doc) => s.IpamScopeId !== ids.privB);
      d.ipams.find((x: Doc) => x.IpamId === ids.ipamB).PrivateDefaultScopeId = ids.pubB;
    }],
    // guards against state.ts holding ResourceRegionId only to known regions (not to its pool's)
    ['a Custom allocation whose ResourceRegionId is another (known, operating) region', (d, ids) => {
      d.allocations.find((x: Doc) => x.IpamPoolAllocationId === ids.a1).ResourceRegionId = B;
    }],
  ];

  it.each(cases)('refuses %s', async (_label, corrupt) => {
    const { s, ids } = await rich();
    const doc = JSON.parse(JSON.stringify(s.exportState()));
    await expect(IpamService.restore(JSON.parse(JSON.stringify(doc)), { engine: await sharedEngine(), seed: 7 })).resolves.toBeInstanceOf(IpamService);
    corrupt(doc, ids);
    await refused(doc);
  });

  // guards against state.ts `scopeCount > MAX_SCOPES` → `>=` (an IPAM at its quota of 5 scopes)
  it('restores an IPAM holding 5 scopes, its quota', async () => {
    const s = await IpamService.create({ engine: await sharedEngine(), seed: 3 });
    const { IpamId } = s.createIpam({ RegionId: H, OperatingRegionList: [H] });
    for (let i = 0; i < 3; i++) s.createIpamScope({ RegionId: H, IpamId });
    expect(s.listIpamScopes({ RegionId: H }).TotalCount).toBe(5);
    const restored = await IpamService.restore(s.exportState(), { engine: await sharedEngine(), seed: 3 });
    expect(restored.listIpamScopes({ RegionId: H }).TotalCount).toBe(5);
  });
});
