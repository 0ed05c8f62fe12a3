import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.js';
import { ALLOCATION_ID_PREFIX } from '../../src/api/allocation-index.js';
import { IdSource, slotOfId } from '../../src/api/ids.js';
import { IpamService, IpamStateError } from '../../src/index.js';
import { clock, digest, fixture, newService, R, type Fixture } from './fixture.js';

async function populated(): Promise<Fixture> {
  const f = await fixture();
  const { ipam } = f;
  ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: f.child, NetmaskLength: 16 });
  ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '172.16.0.0/12' });
  for (let i = 0; i < 30; i++) ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 20 + (i % 8), IpamPoolAllocationName: `a${i}` });
  ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.child, CidrMask: 24, ClientToken: 'once' });
  ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool6, CidrMask: 56, IpamPoolAllocationDescription: 'Ünïcödé ✓ 描述' });
  const doomed = ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24 });
  ipam.deleteIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: doomed.IpamPoolAllocationId });
  ipam.createIpamScope({ RegionId: R, IpamId: f.IpamId, IpamScopeName: 'lab', Tag: [{ Key: 'team', Value: 'net' }] });
  return f;
}

async function restoreCopy(doc: unknown): Promise<IpamService> {
  return IpamService.restore(JSON.parse(JSON.stringify(doc)), { seed: 5, clock });
}

describe('exportState / restore', () => {
  it('answers a retry of a call with a tag without a Value against a document of the build before', async () => {
    // such a tag is now `Value: ''`, which changed its request's digest; the stored one was
    // carried over without it, and the retry was refused IdempotentParameterMismatch
    const ipam = await newService();
    const { IpamId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
    const params = { RegionId: R, IpamId, ClientToken: 'tok', Tag: [{ Key: 'team' }] };
    const first = ipam.call('CreateIpamScope', params);
    const doc = ipam.exportState() as { clientTokens: Array<{ digest: string; time?: string }> };
    for (const token of doc.clientTokens) {
      expect(token.digest).toContain('{"Key":"team","Value":""}');
      token.digest = token.digest.replace('{"Key":"team","Value":""}', '{"Key":"team"}');
      delete token.time;
    }
    const restored = await IpamService.restore(doc, { engine: ipam.engine, clock });
    expect(restored.call('CreateIpamScope', params)).toEqual(first);
  });

  it('round-trips exactly: same document, same listings, same next allocation and IDs', async () => {
    const f = await populated();
    const doc = f.ipam.exportState();
    expect(doc).toMatchObject({ format: 'wasm-ipam/state', version: 1 });
    const copy = await restoreCopy(doc);
    expect(digest(copy)).toBe(digest(f.ipam));
    for (const pool of [f.pool, f.child, f.pool6, f.plainPool]) {
      const list = (s: IpamService) => s.listIpamPoolAllocations({ RegionId: R, IpamPoolId: pool, MaxResults: 100 });
      expect({ ...list(copy), RequestId: '' }).toEqual({ ...list(f.ipam), RequestId: '' });
    }
    const next = (s: IpamService) => {
      const { RequestId: _r, ...rest } = s.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 22 });
      return rest;
    };
    expect(next(copy)).toEqual(next(f.ipam));
    // the ClientToken still answers with the first response
    const replay = (s: IpamService) => s.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.child, CidrMask: 24, ClientToken: 'once' }).IpamPoolAllocationId;
    expect(replay(copy)).toBe(replay(f.ipam));
  });

  const corruptions: Array<[string, (doc: any) => void, RegExp]> = [
    ['an unknown format', (d) => { d.format = 'other'; }, /unknown format/],
    ['a future version', (d) => { d.version = 2; }, /unsupported version 2/],
    ['a missing list', (d) => { delete d.pools; }, /"pools" must be a list/],
    ['overlapping allocations', (d) => { d.allocations[1].Cidr = d.allocations[0].Cidr; d.allocations[1].SourceCidr = d.allocations[0].SourceCidr; }, /overlaps another allocation|not free/],
    ['an allocation outside its pool', (d) => { const a = d.allocations.find((x: any) => x.ResourceType === 'Custom'); a.Cidr = '11.0.0.0/24'; }, /outside the pool/],
    ['two pools overlapping in a scope', (d) => { const p = d.pools.find((x: any) => x.Cidrs.some((c: any) => c.Cidr === '192.168.0.0/16')); p.Cidrs.find((c: any) => c.Cidr === '192.168.0.0/16').Cidr = '10.0.0.0/16'; }, /overlaps another pool/],
    ['a dangling scope', (d) => { d.pools[0].IpamScopeId = 'ipam-scope-gone'; }, /unknown scope/],
    ['a wrong SourceCidr', (d) => { const a = d.allocations.find((x: any) => x.ResourceType === 'Custom'); a.SourceCidr = '10.0.0.0/9'; }, /SourceCidr should be/],
    ['a bad name', (d) => { d.pools[0].IpamPoolName = 'https://x'; }, /IpamPoolName/],
    ['a sub-pool CIDR without its parent allocation', (d) => { d.allocations = d.allocations.filter((x: any) => x.ResourceType !== 'IpamPool'); }, /no matching IpamPool allocation/],
    ['a non-canonical CIDR', (d) => { d.pools[0].Cidrs[0].Cidr = '010.0.0.0/8'; }, /Cidr/],
    ['a reused sequence number', (d) => { d.pools[1].seq = d.pools[0].seq; }, /used twice/],
    ['a wrong PoolDepth', (d) => { d.pools[1].PoolDepth = 5; }, /PoolDepth/],
    ['not an object', (d) => { Object.keys(d).forEach((k) => delete d[k]); }, /unknown format/],
    ['an unknown kind of allocation IDs', (d) => { d.allocationIds = 'sequential'; }, /"allocationIds" must be "slot" or absent/],
    ['a "seq" past 2^52 (new records would share numbers and list out of order)', (d) => { d.seq = 2 ** 53 - 2; }, /"seq" must be .* at most 2\^52/],
    ['a record\'s seq past 2^52', (d) => { d.pools[0].seq = 2 ** 52 + 1; }, /pools\[0\].*seq/],
    ['an unknown field in the document', (d) => { d.allocation = []; }, /unknown field "allocation" in the document/],
    ['a __proto__ field, as JSON.parse makes it', (d) => { Object.defineProperty(d, '__proto__', { value: { pools: [] }, enumerable: true }); }, /unknown field "__proto__"/],
    ['a ClientToken response that is not JSON data', (d) => { d.clientTokens[0].response.f = () => 1; }, /clientTokens\[0\]: "response" must be a JSON object/],
    ['a BigInt in a ClientToken response', (d) => { d.clientTokens[0].response.Extra = 10n; }, /clientTokens\[0\]: "response" must be a JSON object/],
    ['a ClientToken of an action that takes none', (d) => { d.clientTokens[0].action = 'ListIpamPools'; }, /clientTokens\[0\].*action/],
    ['a ClientToken longer than the API takes', (d) => { d.clientTokens[0].token = 'x'.repeat(65); }, /clientTokens\[0\].*token/],
    ['an unknown field in a ClientToken entry', (d) => { d.clientTokens[0].extra = 1; }, /clientTokens\[0\]/],
    ['the same ClientToken twice', (d) => { d.clientTokens.push({ ...d.clientTokens[0], response: { RequestId: 'other' } }); }, /token "once" is there twice/],
  ];

  it.each(corruptions)('refuses a document with %s, loading nothing', async (_label, corrupt, why) => {
    const f = await populated();
    const doc = JSON.parse(JSON.stringify(f.ipam.exportState()));
    corrupt(doc);
    const before = f.ipam.engine.nodesInUse;
    await expect(IpamService.restore(doc, { engine: f.ipam.engine })).rejects.toThrow(why);
    await expect(IpamService.restore(doc, { engine: f.ipam.engine })).rejects.toBeInstanceOf(IpamStateError);
    // whatever the failed restore built in the shared engine was given back
    expect(f.ipam.engine.nodesInUse).toBe(before);
  });

  it('refuses what the API\'s rules and quotas would have refused: masks out of order, a 51st CIDR', async () => {
    const f = await fixture();
    const bgp = f.ipam.createIpamPool({ RegionId: R, IpamScopeId: f.publicScope, IpVersion: 'IPv6' }).IpamPoolId;
    f.ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: bgp, Cidr: '2400:3200::/56' });
    const exported = JSON.stringify(f.ipam.exportState());
    const refused = async (corrupt: (d: any) => void, why: RegExp) => {
      const doc = JSON.parse(exported);
      corrupt(doc);
      const before = f.ipam.engine.nodesInUse;
      await expect(IpamService.restore(doc, { engine: f.ipam.engine })).rejects.toThrow(why);
      expect(f.ipam.engine.nodesInUse).toBe(before);
    };
    const pool = (d: any) => d.pools.find((p: any) => p.IpamPoolId === bgp);
    await refused((d) => { d.pools.find((p: any) => p.IpamPoolId === f.pool).AllocationMinCidrMask = 30; }, /AllocationMinCidrMask.*not be greater than AllocationMaxCidrMask/);
    const plain = (d: any) => d.pools.find((p: any) => p.IpamPoolId === f.plainPool);
    await refused((d) => { for (let i = 0; i < 50; i++) plain(d).Cidrs.push({ seq: ++d.seq, Cidr: `172.16.${i}.0/24` }); }, /more provisioned CIDRs than a pool may hold \(50\)/);
    // 50 are fine; a second BGP pool and a second CIDR of one come from builds before those rules, and load
    const fifty = JSON.parse(exported);
    for (let i = 0; i < 49; i++) plain(fifty).Cidrs.push({ seq: ++fifty.seq, Cidr: `172.16.${i}.0/24` });
    fifty.pools.push({ ...pool(fifty), IpamPoolId: 'ipam-pool-second-bgp', seq: ++fifty.seq, Cidrs: [{ seq: ++fifty.seq, Cidr: '2400:3200:0:200::/56' }] });
    pool(fifty).Cidrs.push({ seq: ++fifty.seq, Cidr: '2400:3200:0:100::/56' });
    await expect(IpamService.restore(fifty, { engine: f.ipam.engine })).resolves.toBeInstanceOf(IpamService);
  });

  it('refuses a pool deeper than the API allows (a chain of 11, where CreateIpamPool stops at 10)', async () => {
    const f = await fixture();
    let parent = f.pool;
    for (let depth = 2; depth <= 10; depth++) parent = f.ipam.createIpamPool({ RegionId: R, IpamScopeId: f.privateScope, SourceIpamPoolId: parent }).IpamPoolId;
    expect(() => f.ipam.createIpamPool({ RegionId: R, IpamScopeId: f.privateScope, SourceIpamPoolId: parent })).toThrow(expect.objectContaining({ code: 'OperationDenied.PoolDepthExceeded' }));
    const doc = JSON.parse(JSON.stringify(f.ipam.exportState()));
    const deepest = doc.pools.find((p: any) => p.IpamPoolId === parent);
    expect(deepest.PoolDepth).toBe(10);
    doc.pools.push({ ...deepest, IpamPoolId: 'ipam-pool-eleventh', SourceIpamPoolId: parent, PoolDepth: 11, seq: ++doc.seq, Cidrs: [] });
    await expect(IpamService.restore(doc, { engine: f.ipam.engine })).rejects.toThrow(/PoolDepth/);
    doc.pools.pop();
    doc.seq--;
    await expect(IpamService.restore(doc, { engine: f.ipam.engine })).resolves.toBeInstanceOf(IpamService);
  });

  it('finds, renames and deletes allocations whose IDs share their last characters', async () => {
    // restored IDs may be anything; these are too short to carry a slot of the index, and share their tails
    const f = await populated();
    const doc = JSON.parse(JSON.stringify(f.ipam.exportState()));
    const custom = doc.allocations.filter((a: any) => a.ResourceType === 'Custom').slice(0, 4);
    custom.forEach((a: any, i: number) => { a.IpamPoolAllocationId = a.ResourceId = `${'abcd'[i]}-same-tail-12345678`; });
    const copy = await restoreCopy(doc);
    const get = (id: string) => copy.getIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: id });
    for (const a of custom) expect(get(a.IpamPoolAllocationId).Cidr).toBe(a.Cidr);
    copy.deleteIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: custom[0].IpamPoolAllocationId });
    copy.deleteIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: custom[2].IpamPoolAllocationId });
    expect(() => get(custom[0].IpamPoolAllocationId)).toThrow(/does not exist/);
    expect(() => get(custom[2].IpamPoolAllocationId)).toThrow(/does not exist/);
    copy.updateIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: custom[3].IpamPoolAllocationId, IpamPoolAllocationName: 'kept' });
    expect(get(custom[1].IpamPoolAllocationId).Cidr).toBe(custom[1].Cidr);
    expect(get(custom[3].IpamPoolAllocationId).IpamPoolAllocationName).toBe('kept');
    expect(() => get('z-same-tail-12345678')).toThrow(/does not exist/);
  });

  it('goes on making plain random allocation IDs, as the build that wrote it did, for a document without allocationIds', async () => {
    const f = await populated();
    const doc = JSON.parse(JSON.stringify(f.ipam.exportState()));
    expect(doc.allocationIds).toBe('slot');
    delete doc.allocationIds;
    const old = await restoreCopy(doc);
    const made = old.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24 }).IpamPoolAllocationId;
    expect(made).toBe(new IdSource(doc.idState).id(ALLOCATION_ID_PREFIX));
    // and so does a restore of its own export
    const exported = old.exportState();
    expect(exported.allocationIds).toBeUndefined();
    const again = await restoreCopy(exported);
    const next = (s: IpamService) => s.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24 }).IpamPoolAllocationId;
    expect(next(again)).toBe(next(old));
    expect(old.getIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: made }).Cidr).toMatch(/\/24$/);
  });

  describe('with imported allocation IDs that name the same slot of the index', () => {
    /** A pool with two allocations whose IDs are replaced by `ids` in the exported document. */
    async function importing(ids: (idState: number) => string[]) {
      const ipam = await newService(9);
      const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
      const pool = ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId, PoolRegionId: R }).IpamPoolId;
      ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: pool, Cidr: '10.0.0.0/8' });
      for (let i = 0; i < 2; i++) ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: pool, CidrMask: 24 });
      const doc = JSON.parse(JSON.stringify(ipam.exportState()));
      const imported = ids(doc.idState);
      doc.allocations.forEach((a: any, i: number) => { a.IpamPoolAllocationId = a.ResourceId = imported[i]; });
      const restored = await IpamService.restore(doc, { engine: ipam.engine });
      const create = (s: IpamService) => s.createIpamPoolAllocation({ RegionId: R, IpamPoolId: pool, CidrMask: 24 }).IpamPoolAllocationId;
      const listed = (s: IpamService) => s.listIpamPoolAllocations({ RegionId: R, IpamPoolId: pool, MaxResults: 10 }).IpamPoolAllocations.map((a) => a.IpamPoolAllocationId);
      return { restored, imported, create, listed };
    }
    const P = ALLOCATION_ID_PREFIX.length;

    it('a restore of its export makes the same next IDs after the first of them is deleted', async () => {
      const { restored, imported, create } = await importing(() => [ALLOCATION_ID_PREFIX + 'a'.repeat(20), ALLOCATION_ID_PREFIX + 'a'.repeat(10) + 'b'.repeat(10)]);
      expect(imported.map((id) => slotOfId(id, P))).toEqual([0, 0]);
      restored.deleteIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: imported[0]! });
      const copy = await IpamService.restore(restored.exportState(), { engine: restored.engine });
      expect(create(copy)).toBe(create(restored));
    });

    it('never makes a new ID equal to one of them, even one the generator would make next', async () => {
      // the second is exactly what the document's generator state makes next for slot 0
      const { restored, imported, create, listed } = await importing((idState) => [ALLOCATION_ID_PREFIX + 'a'.repeat(20), new IdSource(idState).slotId(ALLOCATION_ID_PREFIX, 0)]);
      restored.deleteIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: imported[0]! });
      expect(create(restored)).not.toBe(imported[1]);
      expect(new Set(listed(restored)).size).toBe(2);
    });
  });

  it('restores a "seq" up to 2^52 and goes on numbering exactly: lists stay in creation order and the next export reads back', async () => {
    const f = await populated();
    const doc = JSON.parse(JSON.stringify(f.ipam.exportState()));
    doc.seq = 2 ** 52 - 10;
    const restored = await IpamService.restore(doc, { engine: f.ipam.engine });
    const made = Array.from({ length: 4 }, () => restored.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.child, CidrMask: 28 }).Cidr);
    const listed = restored.listIpamPoolAllocations({ RegionId: R, IpamPoolId: f.child, MaxResults: 100 }).IpamPoolAllocations.map((a) => a.Cidr);
    expect(listed.slice(-4)).toEqual(made);
    const again = await IpamService.restore(JSON.parse(JSON.stringify(restored.exportState())), { engine: f.ipam.engine });
    expect(digest(again)).toBe(digest(restored));
  });

  it('refuses non-documents', async () => {
    for (const doc of [null, 42, 'state', [], { format: 'wasm-ipam/state' }]) {
      await expect(IpamService.restore(doc)).rejects.toBeInstanceOf(IpamStateError);
    }
  });

  // from a review that restored mutated documents: these three were accepted, or refused with a TypeError
  it('refuses a format or version JSON cannot hold with IpamStateError (its message threw a TypeError)', async () => {
    const doc = (await populated()).ipam.exportState();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const change of [{ version: 1n }, { format: 1n }, { format: cyclic }]) {
      await expect(IpamService.restore({ ...doc, ...change })).rejects.toBeInstanceOf(IpamStateError);
    }
  });

  it('refuses a sub-pool numbered before its source pool (accepted, its own export then listed the sub-pool first and was refused)', async () => {
    const f = await populated();
    const doc = JSON.parse(JSON.stringify(f.ipam.exportState()));
    doc.pools.find((p: { IpamPoolId: string }) => p.IpamPoolId === f.pool).seq = ++doc.seq; // after its sub-pool
    await expect(IpamService.restore(doc)).rejects.toThrow(/a sub-pool numbered before its source pool/);
  });

  it('refuses one ID naming two resources (two IPAMs\' resource discoveries, a pool and a scope)', async () => {
    const ipam = await newService();
    ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
    ipam.createIpam({ RegionId: 'cn-beijing', OperatingRegionList: ['cn-beijing'] });
    const { IpamScopeId } = ipam.listIpamScopes({ RegionId: R }).IpamScopes[0]!;
    ipam.createIpamPool({ RegionId: R, IpamScopeId });
    const doc = JSON.parse(JSON.stringify(ipam.exportState()));
    const twoDiscoveries = structuredClone(doc);
    twoDiscoveries.ipams[1].DefaultResourceDiscoveryId = twoDiscoveries.ipams[0].DefaultResourceDiscoveryId;
    await expect(IpamService.restore(twoDiscoveries)).rejects.toThrow(/names two resources/);
    const poolAsScope = structuredClone(doc);
    poolAsScope.pools[0].IpamPoolId = IpamScopeId;
    await expect(IpamService.restore(poolAsScope)).rejects.toThrow(/names two resources/);
  });
});

describe('exportState / restore and RequestIds', () => {
  it('a service restored with its seed does not answer new requests with RequestIds it already gave out', async () => {
    const clock = () => new Date('2026-11-26T00:00:00Z');
    const original = await IpamService.create({ seed: 42, clock });
    const seen = new Set<string>();
    const { PrivateDefaultScopeId, RequestId } = original.createIpam({ RegionId: R, OperatingRegionList: [R] });
    seen.add(RequestId);
    const pool = original.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId });
    seen.add(pool.RequestId);
    seen.add(original.addIpamPoolCidr({ RegionId: R, IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.0/8' }).RequestId);
    const restored = await IpamService.restore(JSON.parse(JSON.stringify(original.exportState())), { seed: 42, clock });
    const next = { RegionId: R, IpamPoolId: pool.IpamPoolId, CidrMask: 24 };
    const fromRestored = restored.createIpamPoolAllocation(next);
    expect(seen.has(fromRestored.RequestId), `RequestId ${fromRestored.RequestId} was already answered`).toBe(false);
    // everything else as the original answers it
    const { RequestId: _a, ...restoredRest } = fromRestored;
    const { RequestId: _b, ...originalRest } = original.createIpamPoolAllocation(next);
    expect(restoredRest).toEqual(originalRest);
  });
});

describe('dispose', () => {
  it('gives back every engine node the service holds in a shared engine, and the service answers nothing after it', async () => {
    const engine = await Engine.load();
    const before = engine.nodesInUse;
    const service = await IpamService.create({ engine });
    const { PrivateDefaultScopeId } = service.createIpam({ RegionId: R, OperatingRegionList: [R] });
    const { IpamPoolId } = service.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId, IpVersion: 'IPv4' });
    service.addIpamPoolCidr({ RegionId: R, IpamPoolId, Cidr: '10.0.0.0/8' });
    for (let i = 0; i < 50; i++) service.createIpamPoolAllocation({ RegionId: R, IpamPoolId, CidrMask: 24 + (i % 5) });
    expect(engine.nodesInUse).toBeGreaterThan(before);
    service.dispose();
    expect(engine.nodesInUse).toBe(before);
    // its spaces' numbers may be another service's now: it must not touch them
    expect(() => service.call('ListIpams', { RegionId: R })).toThrow(/disposed/);
    expect(() => service.createIpamPoolAllocation({ RegionId: R, IpamPoolId, CidrMask: 24 })).toThrow(/disposed/);
    expect(() => service.exportState()).toThrow(/disposed/);
    service.dispose(); // a second time: nothing more to give back
    expect(engine.nodesInUse).toBe(before);
  });
});
