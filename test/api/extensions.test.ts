// The two extensions to the cloud's API: a pool's AllocationStrategy and GetIpamPoolUtilization.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixture, newService, R, refuses } from './fixture.js';

interface Block { address: bigint; prefix: number }
const size = (bits: number, prefix: number) => 1n << BigInt(bits - prefix);

/** Maximal free aligned blocks of `span` around `taken`, by plain recursive splitting. */
function freeBlocks(bits: number, span: Block, taken: Block[]): Block[] {
  const end = (b: Block) => b.address + size(bits, b.prefix);
  const touching = taken.filter((t) => t.address < end(span) && span.address < end(t));
  if (touching.length === 0) return [span];
  if (touching.some((t) => t.prefix <= span.prefix)) return [];
  const half = size(bits, span.prefix + 1);
  return [
    ...freeBlocks(bits, { address: span.address, prefix: span.prefix + 1 }, touching),
    ...freeBlocks(bits, { address: span.address + half, prefix: span.prefix + 1 }, touching),
  ];
}

function parse4(cidr: string): Block {
  const [ip, prefix] = cidr.split('/');
  return { address: ip!.split('.').reduce((a, o) => (a << 8n) | BigInt(o), 0n), prefix: Number(prefix) };
}

describe('AllocationStrategy (extension)', () => {
  it('defaults to first-fit, is listed, and steers CidrMask allocations, previews and sub-pool provisioning', async () => {
    const f = await fixture();
    const { ipam } = f;
    const listed = () => ipam.listIpamPools({ RegionId: R, IpamPoolIds: [f.pool] }).IpamPools[0]!;
    expect(listed().AllocationStrategy).toBe('first-fit');
    ipam.updateIpamPool({ RegionId: R, IpamPoolId: f.pool, AllocationStrategy: 'last-fit' });
    expect(listed().AllocationStrategy).toBe('last-fit');
    expect(ipam.getIpamPoolNextAvailableCidr({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24 }).CidrBlock).toBe('10.255.255.0/24');
    expect(ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24 }).Cidr).toBe('10.255.255.0/24');
    // a sub-pool's NetmaskLength request is an allocation of its parent: the parent's strategy applies
    expect(ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: f.child, NetmaskLength: 16 }).Cidr).toBe('10.254.0.0/16');
    ipam.updateIpamPool({ RegionId: R, IpamPoolId: f.pool, AllocationStrategy: 'first-fit' });
    expect(ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24 }).Cidr).toBe('10.0.0.0/24');
    // an explicit Cidr is taken as given whatever the strategy
    expect(ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, Cidr: '10.7.0.0/24' }).Cidr).toBe('10.7.0.0/24');
  });

  it('survives export and restore', async () => {
    const f = await fixture();
    f.ipam.updateIpamPool({ RegionId: R, IpamPoolId: f.pool, AllocationStrategy: 'last-fit' });
    const { IpamService } = await import('../../src/index.js');
    const copy = await IpamService.restore(f.ipam.exportState(), { engine: f.ipam.engine });
    expect(copy.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 20 }).Cidr).toBe('10.255.240.0/20');
  });
});

describe('the random strategy through the API', () => {
  async function randomPool(seed?: number) {
    const ipam = await newService(7);
    const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
    const { IpamPoolId } = ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId, AllocationStrategy: 'random', ...(seed === undefined ? {} : { RandomSeed: seed }) });
    ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId, Cidr: '10.0.0.0/8' });
    const take = (n: number) => Array.from({ length: n }, () => ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId, CidrMask: 24 }).Cidr);
    return { ipam, IpamPoolId, take };
  }

  it('repeats for the same RandomSeed, differs for another, and previews exactly what it then takes', async () => {
    const a = await randomPool(42);
    const b = await randomPool(42);
    const c = await randomPool(43);
    const first = a.take(20);
    expect(b.take(20)).toEqual(first);
    expect(c.take(20)).not.toEqual(first);
    expect(new Set(first).size).toBe(20);
    const preview = a.ipam.getIpamPoolNextAvailableCidr({ RegionId: R, IpamPoolId: a.IpamPoolId, CidrMask: 24 }).CidrBlock;
    expect(a.take(1)).toEqual([preview]);
  });

  it('goes on where it left off after export and restore', async () => {
    const a = await randomPool();
    a.take(5);
    const { IpamService } = await import('../../src/index.js');
    const copy = await IpamService.restore(a.ipam.exportState(), { engine: a.ipam.engine });
    const next = a.take(5);
    expect(Array.from({ length: 5 }, () => copy.createIpamPoolAllocation({ RegionId: R, IpamPoolId: a.IpamPoolId, CidrMask: 24 }).Cidr)).toEqual(next);
  });

  it('refuses a RandomState that is not 16 hex digits', async () => {
    const a = await randomPool();
    const doc = a.ipam.exportState() as { pools: { RandomState: string }[] };
    doc.pools[0]!.RandomState = 'xyz';
    const { IpamService, IpamStateError } = await import('../../src/index.js');
    await expect(IpamService.restore(doc, { engine: a.ipam.engine })).rejects.toThrow(IpamStateError);
  });
});

describe('GetIpamPoolUtilization (extension)', () => {
  it('counts an IPv6 pool exactly, as decimal strings', async () => {
    const f = await fixture();
    f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool6, CidrMask: 64 });
    const u = f.ipam.getIpamPoolUtilization({ RegionId: R, IpamPoolId: f.pool6 });
    expect(u).toMatchObject({
      IpVersion: 'IPv6',
      TotalAddresses: (1n << 96n).toString(),
      AllocatedAddresses: (1n << 64n).toString(),
      FreeAddresses: ((1n << 96n) - (1n << 64n)).toString(),
      LargestAllocatableCidrMask: 33,
    });
    expect(u.UtilizationPercent).toBeCloseTo(100 / 2 ** 32, 15);
    // free space is one block of each size /33 … /64
    expect(u.FreeBlocks).toEqual(Array.from({ length: 32 }, (_, i) => ({ CidrMask: 33 + i, Count: 1 })));
    expect(u.AllocatableCidrCounts.find((c) => c.CidrMask === 64)!.Count).toBe(((1n << 32n) - 1n).toString());
  });

  it('gives a single address of a /32 its tiny share, not 0', async () => {
    // the ratio used to be taken on both counts cut to 53 bits, which rounded one address away
    const f = await fixture();
    f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool6, CidrMask: 128 });
    const u = f.ipam.getIpamPoolUtilization({ RegionId: R, IpamPoolId: f.pool6 });
    expect(u.AllocatedAddresses).toBe('1');
    expect(u.UtilizationPercent / (100 / 2 ** 96)).toBeCloseTo(1, 12);
  });

  it('honours the mask rule for the largest allocatable block and the counts it lists', async () => {
    const f = await fixture();
    f.ipam.updateIpamPool({ RegionId: R, IpamPoolId: f.plainPool, AllocationMinCidrMask: 20, AllocationMaxCidrMask: 24 });
    const u = f.ipam.getIpamPoolUtilization({ RegionId: R, IpamPoolId: f.plainPool });
    expect(u.LargestAllocatableCidrMask).toBe(20); // a /16 is free but the rule allows /20 at most
    expect(u.AllocatableCidrCounts).toEqual([20, 21, 22, 23, 24].map((m) => ({ CidrMask: m, Count: String(2 ** (m - 16)) })));
    expect(u.FragmentationIndex).toBe(0);
    f.ipam.updateIpamPool({ RegionId: R, IpamPoolId: f.plainPool, AllocationMinCidrMask: 28, AllocationMaxCidrMask: 28 });
    f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.plainPool, Cidr: '192.168.0.0/28' });
    expect(f.ipam.getIpamPoolUtilization({ RegionId: R, IpamPoolId: f.plainPool }).LargestAllocatableCidrMask).toBe(28);
  });

  it('is refused for an unknown pool and changes nothing', async () => {
    const f = await fixture();
    refuses(f.ipam, () => f.ipam.getIpamPoolUtilization({ RegionId: R, IpamPoolId: 'ipam-pool-nope' }), 'ResourceNotFound.IpamPool', 404);
  });

  it('matches a brute-force count after random allocations and releases', async () => {
    const f = await fixture();
    const { ipam } = f;
    ipam.updateIpamPool({ RegionId: R, IpamPoolId: f.plainPool, AllocationMinCidrMask: 16, AllocationMaxCidrMask: 30 });
    const span = parse4('192.168.0.0/16');
    const live: { id: string; block: Block }[] = [];
    await fc.assert(fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 17, max: 30 }), fc.nat()), { maxLength: 40 }),
      (steps) => {
        for (const [allocate, mask, pick] of steps) {
          if (allocate || live.length === 0) {
            const free = ipam.getIpamPoolUtilization({ RegionId: R, IpamPoolId: f.plainPool }).AllocatableCidrCounts.find((c) => c.CidrMask === mask)!;
            if (free.Count === '0') continue;
            const a = ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.plainPool, CidrMask: mask });
            live.push({ id: a.IpamPoolAllocationId, block: parse4(a.Cidr) });
          } else {
            const [gone] = live.splice(pick % live.length, 1);
            ipam.deleteIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: gone!.id });
          }
          const blocks = freeBlocks(32, span, live.map((l) => l.block));
          const free = blocks.reduce((s, b) => s + size(32, b.prefix), 0n);
          const largest = blocks.reduce((m, b) => Math.min(m, b.prefix), 99);
          const u = ipam.getIpamPoolUtilization({ RegionId: R, IpamPoolId: f.plainPool });
          expect(u.FreeAddresses).toBe(free.toString());
          expect(u.AllocatedAddresses).toBe((65536n - free).toString());
          expect(u.FragmentationIndex).toBeCloseTo(free === 0n ? 0 : 1 - Number(size(32, largest)) / Number(free), 12);
          for (const { CidrMask, Count } of u.AllocatableCidrCounts) {
            expect(Count).toBe(blocks.reduce((s, b) => s + (b.prefix <= CidrMask ? size(32, b.prefix) / size(32, CidrMask) : 0n), 0n).toString());
          }
        }
      },
    ), { numRuns: 25 });
  });
});
