/**
 * The API and the endpoint when the engine's memory runs out part-way through a call: a refused
 * call (InternalError for OUT_OF_MEMORY) leaves the state exactly as it was, records, ID
 * generator, random generators and engine spaces alike, and gives back what it took from the
 * engine. Every test uses build/engine.limited.wasm (memory capped at 5 pages).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, EngineError, EngineStatus, type AddressSpace } from '../../src/engine/index.js';
import { IpamApiError, IpamService } from '../../src/index.js';
import { DurableState } from '../../src/server/durable.js';
import { journaledCall } from '../support/durable-call.js';
import { digest } from './fixture.js';

const R = 'cn-hangzhou';
const LIMITED = new URL('../../build/engine.limited.wasm', import.meta.url);
const clock = () => new Date('2026-11-26T00:00:00Z');
let module: WebAssembly.Module;

beforeAll(async () => {
  module = (await Engine.load(LIMITED)).module;
});

const fresh = () => Engine.load(module);

function codeOf(call: () => unknown): string | undefined {
  try {
    call();
    return undefined;
  } catch (error) {
    return error instanceof IpamApiError ? error.code : String(error);
  }
}

/** A raw space (not part of the service) filled with /32s until the engine's memory is full. */
function filler(engine: Engine): { space: AddressSpace; taken: number[] } {
  const space = engine.createSpace(4);
  space.addSource('11.0.0.0/8');
  const taken: number[] = [];
  for (;;) {
    const address = space.allocateV4(32, 0);
    if (address < 0) {
      expect(address).toBe(EngineStatus.OUT_OF_MEMORY);
      return { space, taken };
    }
    taken.push(address);
  }
}

/**
 * Fills the engine: nodes (filler) and then fresh memory with raw spaces until none more fits.
 * Returns the filler and the raw spaces, so that a test can give back exactly what it wants.
 */
function exhaust(engine: Engine): { fill: ReturnType<typeof filler>; spaces: AddressSpace[] } {
  const fill = filler(engine);
  const spaces: AddressSpace[] = [];
  for (;;) {
    try {
      spaces.push(engine.createSpace(4));
    } catch {
      return { fill, spaces };
    }
  }
}

describe('scopes and IPAMs refused for memory', () => {
  it('CreateIpamScope refused with OUT_OF_MEMORY leaves exportState unchanged (it draws the scope ID first)', async () => {
    const engine = await fresh();
    const ipam = await IpamService.create({ engine, seed: 1, clock });
    const { IpamId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
    exhaust(engine);
    const before = digest(ipam);
    expect(codeOf(() => ipam.createIpamScope({ RegionId: R, IpamId }))).toBe('InternalError');
    expect(digest(ipam)).toBe(before);
  });

  it('CreateIpam refused part-way (the public scope does not fit) records nothing: no orphan scope, no ID drawn, export restorable', async () => {
    const engine = await fresh();
    const ipam = await IpamService.create({ engine, seed: 1, clock });
    const { fill, spaces } = exhaust(engine);
    // give back the filler's nodes and exactly three space records: the private scope's two
    // spaces fit, the public scope's IPv4 space too, its IPv6 space does not
    fill.space.destroy();
    spaces.slice(0, 2).forEach((s) => s.destroy());
    const before = digest(ipam);
    expect(codeOf(() => ipam.createIpam({ RegionId: R, OperatingRegionList: [R] }))).toBe('InternalError');
    const after = ipam.exportState() as { scopes: unknown[]; ipams: unknown[] };
    expect({ ipams: after.ipams.length, scopes: after.scopes.length }).toEqual({ ipams: 0, scopes: 0 });
    expect(digest(ipam)).toBe(before);
    // the exported document must stay restorable
    await expect(IpamService.restore(after, { wasm: LIMITED })).resolves.toBeInstanceOf(IpamService);
  });

  it('a CreateIpamScope refused for memory gives back the engine space it made before running out', async () => {
    const engine = await fresh();
    const ipam = await IpamService.create({ engine, seed: 1, clock });
    const { IpamId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
    const { spaces } = exhaust(engine);
    spaces[0]!.destroy(); // one record free: the scope's IPv4 space is made, its IPv6 space is not
    const nodes = engine.nodesInUse;
    expect(codeOf(() => ipam.createIpamScope({ RegionId: R, IpamId }))).toBe('InternalError');
    expect(engine.nodesInUse).toBe(nodes);
    // and the record is still there for the next space
    expect(() => engine.createSpace(4)).not.toThrow();
  });
});

describe('AddIpamPoolCidr on a sub-pool of a random pool, refused for memory', () => {
  it('leaves the parent pool\'s RandomState as it was, at every amount of memory left', async () => {
    const changed: string[] = [];
    let refused = 0;
    for (let keep = 0; keep <= 8; keep++) {
      const engine = await fresh();
      const ipam = await IpamService.create({ engine, seed: 1, clock });
      const { PrivateDefaultScopeId: scope } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
      const parent = ipam.createIpamPool({ RegionId: R, IpamScopeId: scope, AllocationMinCidrMask: 8, AllocationMaxCidrMask: 32, AllocationStrategy: 'random' }).IpamPoolId;
      ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: parent, Cidr: '10.0.0.0/8' });
      const child = ipam.createIpamPool({ RegionId: R, IpamScopeId: scope, SourceIpamPoolId: parent, AllocationStrategy: 'random' }).IpamPoolId;
      ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: child, Cidr: '10.1.0.0/16' });
      for (let i = 0; i < 5; i++) ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: parent, CidrMask: 28 });
      ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: child, CidrMask: 28 });
      // memory full, then a few node blocks given back (one per 16 /32s released)
      const { space, taken } = filler(engine);
      for (let i = 0; i < keep * 16; i++) space.releaseV4(taken.pop()!, 32);
      const before = digest(ipam);
      const code = codeOf(() => ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: child, NetmaskLength: 20 }));
      if (code === undefined) continue;
      expect(code).toBe('InternalError');
      refused++;
      if (digest(ipam) !== before) changed.push(`room ${keep}: ${diffOf(before, digest(ipam))}`);
    }
    expect(refused).toBeGreaterThan(0);
    expect(changed).toEqual([]);
  }, 60_000);
});

function diffOf(a: string, b: string): string {
  let i = 0;
  while (a[i] === b[i]) i++;
  return `${a.slice(i - 40, i + 24)} -> ${b.slice(i - 40, i + 24)}`;
}

describe('restore into an engine short of memory', () => {
  it('a restore that runs out of memory leaves no engine space behind', async () => {
    const src = await IpamService.create({ engine: await fresh(), seed: 1, clock });
    const { PrivateDefaultScopeId: scope } = src.createIpam({ RegionId: R, OperatingRegionList: [R] });
    const pool = src.createIpamPool({ RegionId: R, IpamScopeId: scope, AllocationMaxCidrMask: 32 }).IpamPoolId;
    src.addIpamPoolCidr({ RegionId: R, IpamPoolId: pool, Cidr: '10.0.0.0/8' });
    const doc = src.exportState();
    const leaks: string[] = [];
    for (let records = 1; records <= 3; records++) {
      const engine = await fresh();
      const { fill, spaces } = exhaust(engine);
      fill.space.destroy();
      spaces.slice(0, records - 1).forEach((s) => s.destroy()); // `records` space records free
      const nodes = engine.nodesInUse;
      await expect(IpamService.restore(doc, { engine, seed: 1, clock })).rejects.toThrow(/memory could not grow|OUT_OF_MEMORY/);
      if (engine.nodesInUse !== nodes) leaks.push(`${records} records free: ${engine.nodesInUse - nodes} node(s) left behind`);
    }
    expect(leaks).toEqual([]);
  });
});

describe('the durable endpoint after a call refused for memory', () => {
  it('replay after a restart gives the pool created after a refused CreateIpamScope the ID it was answered with', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wasm-ipam-oom-'));
    const options = { service: { wasm: LIMITED } };
    const first = await DurableState.open(dir, options);
    const { IpamId, PrivateDefaultScopeId: scope } = await journaledCall(first, 'CreateIpam', { RegionId: R, OperatingRegionList: [R] });
    // two spare pools hold space records that are given back later
    const spares = [];
    for (let i = 0; i < 2; i++) spares.push((await journaledCall(first, 'CreateIpamPool', { RegionId: R, IpamScopeId: scope })).IpamPoolId);
    const pool = (await journaledCall(first, 'CreateIpamPool', { RegionId: R, IpamScopeId: scope, AllocationStrategy: 'random' })).IpamPoolId;
    await journaledCall(first, 'AddIpamPoolCidr', { RegionId: R, IpamPoolId: pool, Cidr: '10.0.0.0/8' });
    const ids: string[] = [];
    for (;;) {
      let answer: Record<string, any>;
      try {
        answer = await journaledCall(first, 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: pool, CidrMask: 32 });
      } catch (error) {
        expect((error as IpamApiError).code).toBe('InternalError'); // refused: not journaled
        break;
      }
      ids.push(answer.IpamPoolAllocationId);
    }
    // memory is full: this call is refused and, as the server does, not journaled
    expect(codeOf(() => first.service.call('CreateIpamScope', { RegionId: R, IpamId }))).toBe('InternalError');
    for (const id of ids) await journaledCall(first, 'DeleteIpamPoolAllocation', { RegionId: R, IpamPoolAllocationId: id });
    for (const id of spares) await journaledCall(first, 'DeleteIpamPool', { RegionId: R, IpamPoolId: id });
    const { IpamPoolId: answered } = await journaledCall(first, 'CreateIpamPool', { RegionId: R, IpamScopeId: scope });
    const before = JSON.stringify(first.service.exportState());
    await first.close();

    const second = await DurableState.open(dir, options);
    const pools = second.service.call('ListIpamPools', { RegionId: R, MaxResults: 100 }).IpamPools as Array<{ IpamPoolId: string }>;
    expect(pools.map((p) => p.IpamPoolId)).toContain(answered);
    expect(JSON.stringify(second.service.exportState())).toBe(before);
    await second.close();
    await fs.rm(dir, { recursive: true, force: true });
  }, 60_000);
});

describe('restore short of memory while it reserves a document\'s allocations', () => {
  it('throws EngineError OUT_OF_MEMORY, which says nothing of the document, not IpamStateError', async () => {
    const source = await IpamService.create({ seed: 1, clock }); // the full engine
    const { PrivateDefaultScopeId: scope } = source.createIpam({ RegionId: R, OperatingRegionList: [R] });
    const pool = source.createIpamPool({ RegionId: R, IpamScopeId: scope, AllocationMaxCidrMask: 32 }).IpamPoolId;
    source.addIpamPoolCidr({ RegionId: R, IpamPoolId: pool, Cidr: '10.0.0.0/8' });
    for (let i = 0; i < 20_000; i++) source.createIpamPoolAllocation({ RegionId: R, IpamPoolId: pool, Cidr: `10.${i % 256}.${(i >> 8) % 256}.${(i * 7) % 256}/32` });
    const error = await IpamService.restore(source.exportState(), { wasm: LIMITED, seed: 1, clock }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('OUT_OF_MEMORY');
  }, 60_000);
});
