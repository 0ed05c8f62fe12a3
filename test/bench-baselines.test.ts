/**
 * The benchmark's baselines must do the same work as the engine, or the ratios mean nothing:
 * the JS ports and the library contenders are checked against the engine on seeded sequences.
 */
import { describe, expect, it } from 'vitest';
import { parseCidr } from '../src/cidr/index.js';
import { CidrToolsContender } from '../bench/contenders/cidr-tools.js';
import { IpNumContender } from '../bench/contenders/ip-num.js';
import { BigIntBuddy, JsBuddy } from '../bench/contenders/js-buddy.js';
import { Random } from '../bench/workloads.js';
import { fromWords, sharedEngine } from './support/engine.js';
import { Engine, STRATEGIES, type AllocationStrategy } from '../src/engine/index.js';
import { IpamService, type IpamApiError } from '../src/api/index.js';
import { runJob } from '../src/sim/simulate.js';
import { builtInScenario, DEFAULT_SCENARIO } from '../src/sim/scenarios.js';
import { CeilingStore } from '../bench/api-ceiling.js';
import { slotOfId } from '../src/api/ids.js';
import { ALLOCATION_ID_PREFIX } from '../src/api/allocation-index.js';
import { runThroughCeiling } from '../bench/sim-ceiling.js';
import { buildOracleEngine, randomBounds, withoutTimes } from '../bench/random-oracle.js';

/** Takes a random entry out of `live` (swap-remove): a churn's release. */
function takeRandom<T>(live: T[], random: Random): T {
  const at = random.below(live.length);
  const taken = live[at]!;
  live[at] = live[live.length - 1]!;
  live.pop();
  return taken;
}

describe('benchmark baselines agree with the engine', () => {
  it('the typed-array JS port, IPv4 churn', async () => {
    const engine = await sharedEngine();
    const space = engine.createSpace(4);
    space.addSource('10.0.0.0/8');
    const js = new JsBuddy(32);
    js.address[0] = 0x0a000000;
    js.addSource(8);
    const random = new Random(3);
    const live: Array<[number, number]> = [];
    for (let i = 0; i < 20_000; i++) {
      if (live.length > 0 && random.next() < 0.45) {
        const [address, prefix] = takeRandom(live, random);
        js.address[0] = address;
        expect(js.release(prefix)).toBe(space.releaseV4(address, prefix) === 0);
      } else if (random.next() < 0.2) {
        const prefix = 24 + random.below(5);
        const address = (0x0a000000 + random.below(2 ** 24)) & ~(2 ** (32 - prefix) - 1);
        js.address[0] = address;
        const taken = js.reserve(prefix);
        expect(taken).toBe(space.reserveV4(address >>> 0, prefix) === 0);
        if (taken) live.push([address >>> 0, prefix]);
      } else {
        const prefix = 20 + random.below(9);
        const address = space.allocateV4(prefix);
        expect(js.allocate(prefix)).toBe(address >= 0);
        expect(js.address[0]).toBe(address);
        live.push([address, prefix]);
      }
    }
    expect(js.liveAllocations).toBe(space.liveAllocations);
  });

  it('the typed-array and BigInt JS ports, IPv6 allocations across the 64-bit boundary', async () => {
    const engine = await sharedEngine();
    const space = engine.createSpace(6);
    space.addSource('2001:db8::/32');
    const base = parseCidr('2001:db8::/32').address;
    const js = new JsBuddy(128);
    for (let k = 0; k < 4; k++) js.address[k] = Number((base >> BigInt(32 * k)) & 0xffffffffn);
    js.addSource(32);
    const big = new BigIntBuddy(128);
    big.value = base;
    big.addSource(32);
    for (let i = 0; i < 5_000; i++) {
      const prefix = i % 7 === 0 ? 56 : i % 11 === 0 ? 48 : 64;
      expect(space.allocateV6(prefix)).toBe(0);
      expect(js.allocate(prefix)).toBe(true);
      expect(big.allocate(prefix)).toBe(true);
      const expected = fromWords(space.resultWords());
      expect(fromWords(js.address)).toBe(expected);
      expect(big.value).toBe(expected);
    }
  });

  it.each([
    ['cidr-tools', () => new CidrToolsContender()],
    ['ip-num', () => new IpNumContender()],
  ])('the %s contender allocates first-fit like the engine', async (_name, make) => {
    const engine = await sharedEngine();
    const space = engine.createSpace(4);
    space.addSource('10.0.0.0/16');
    const contender = make();
    contender.addSource(0x0a000000, 16);
    const random = new Random(9);
    const live: Array<[number, number]> = [];
    for (let i = 0; i < 300; i++) {
      if (live.length > 0 && random.next() < 0.4) {
        const [address, prefix] = live.splice(random.below(live.length), 1)[0]!;
        contender.release(address, prefix);
        expect(space.releaseV4(address, prefix)).toBe(0);
      } else {
        const prefix = 20 + random.below(9);
        const address = space.allocateV4(prefix);
        expect(contender.allocate(prefix)).toBe(address >= 0 ? address : -1);
        if (address >= 0) live.push([address, prefix]);
      }
    }
  });
});

describe('the benchmark bounds do the work they stand for', () => {
  it.each(Object.keys(STRATEGIES) as AllocationStrategy[])('the API ceiling answers creates with the blocks and provisioned CIDRs the API answers, IPv4 and IPv6 (%s)', async (strategy) => {
    const R = 'cn-hangzhou';
    const ipam = await IpamService.create({ seed: 9 });
    const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R] });
    const engine = await Engine.load((await sharedEngine()).module);
    const ceiling = new CeilingStore();
    const pools: Array<{ id: string; pool: number; masks: [number, number] }> = [];
    // sources that differ only in a low word, and IPv4 addresses past 2^31
    for (const [IpVersion, cidrs, masks] of [
      ['IPv4', ['10.8.0.0/16', '10.2.0.0/16', '172.16.0.0/20', '192.168.0.0/18'], [22, 28]],
      // 2001:db8:ff00:0:4000:: and …:8000:: differ only in w1, fd00:: and fd00::8000:0 only in w0
      ['IPv6', ['2400:cb00::/40', '2001:db8::/40', '2001:db8:ff00:0:8000::/66', '2001:db8:ff00:0:4000::/66', 'fd00::1:0:0/96', 'fd00::/97', 'fd00::8000:0/97'], [48, 100]],
    ] as const) {
      const RandomSeed = 77 + pools.length;
      const { IpamPoolId } = ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId, IpVersion, AllocationStrategy: strategy, RandomSeed });
      const space = engine.createSpace(IpVersion === 'IPv4' ? 4 : 6);
      space.seedRandom(RandomSeed);
      for (const Cidr of cidrs) {
        ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId, Cidr });
        space.addSource(Cidr);
      }
      pools.push({ id: IpamPoolId, pool: ceiling.addPool(space), masks: [...masks] });
    }
    const random = new Random(5);
    const live: Array<[string, string]> = [];
    const sources = new Set<string>();
    let released: string | undefined; // the ceiling ID released last, whose slot the next create takes
    for (let i = 0; i < 3_000; i++) {
      if (live.length > 0 && random.next() < 0.4) {
        const [apiId, ceilingId] = takeRandom(live, random);
        ipam.deleteIpamPoolAllocation({ RegionId: R, IpamPoolAllocationId: apiId });
        expect(ceiling.delete(ceilingId).RequestId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-/);
        expect(() => ceiling.delete(ceilingId)).toThrow(/no allocation/);
        released = ceilingId;
        continue;
      }
      const { id, pool, masks } = pools[random.below(2)]!;
      const mask = masks[0] + random.below(masks[1] - masks[0] + 1);
      let fromApi: { IpamPoolAllocationId: string; Cidr: string; SourceCidr: string } | undefined;
      try {
        fromApi = ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: id, CidrMask: mask });
      } catch (error) {
        expect((error as IpamApiError).code).toBe('OperationDenied.AvailableCidrInsufficient');
      }
      const fromCeiling = ceiling.create(pool, mask, STRATEGIES[strategy]);
      expect(fromCeiling === undefined).toBe(fromApi === undefined);
      if (!fromApi || !fromCeiling) continue;
      expect([fromCeiling.Cidr, fromCeiling.SourceCidr]).toEqual([fromApi.Cidr, fromApi.SourceCidr]);
      live.push([fromApi.IpamPoolAllocationId, fromCeiling.IpamPoolAllocationId]);
      sources.add(fromApi.SourceCidr);
      if (released !== undefined) {
        // its slot now holds another allocation, under another ID: the old one stays refused
        expect(slotOfId(fromCeiling.IpamPoolAllocationId, ALLOCATION_ID_PREFIX.length)).toBe(slotOfId(released, ALLOCATION_ID_PREFIX.length));
        expect(() => ceiling.delete(released!)).toThrow(/no allocation/);
        released = undefined;
      }
    }
    expect(sources.size).toBeGreaterThanOrEqual(3); // answers came from several CIDRs (first-fit fills the lowest ones)
    expect(ceiling.create(pools[0]!.pool, 8)).toBeUndefined(); // no room: an answer, not a throw
  });

  it('the simulator through the API ceiling runs the engine path\'s run, every strategy', async () => {
    const engine = await sharedEngine();
    const scenario = { ...builtInScenario(DEFAULT_SCENARIO)!, events: 30_000 };
    for (const strategy of scenario.strategies) {
      const viaEngine = await runJob(await Engine.load(engine.module), { scenario, strategy, via: 'engine', mapSide: 0 });
      const viaCeiling = await runThroughCeiling(engine.module, scenario, strategy);
      expect(viaEngine.allocations).toBeGreaterThan(10_000);
      expect(withoutTimes(viaCeiling)).toEqual(withoutTimes(viaEngine));
    }
  });

  it('random without its draws replays the recorded run, every take; without counts its other draws serve', async () => {
    // 100,000 events: enough for calls that reach the walk through every fitting block
    const scenario = { ...builtInScenario(DEFAULT_SCENARIO)!, events: 100_000 };
    const shipped = await runJob(await Engine.load((await sharedEngine()).module), { scenario, strategy: 'random', via: 'engine', mapSide: 0 });
    // randomBounds itself refuses a recording that is not the shipped engine's run, a replay that
    // is not the recorded run, one that leaves takes unused, and counted draws without counts
    const bounds = await randomBounds(await buildOracleEngine(), scenario, JSON.stringify(withoutTimes(shipped)), 1);
    expect(bounds.takes).toBeGreaterThan(10_000);
    for (const rate of [bounds.withDraws, bounds.withoutDraws, bounds.withoutDrawsOrCounts, bounds.withoutCounts.eventsPerSecond]) expect(rate).toBeGreaterThan(0);
    // without counts: each draw served some calls, never the biased descent; rejection sampling
    // tried 1 to 32 blocks for each call it served and 32 for each call the walk served
    const { listed, uniform, walked, descent, tries } = bounds.withoutCounts;
    expect(listed + uniform + walked).toBeGreaterThan(10_000);
    expect(Math.min(listed, uniform, walked)).toBeGreaterThan(0);
    expect(descent).toBe(0);
    expect(tries - 32 * walked).toBeGreaterThanOrEqual(uniform);
    expect(tries - 32 * walked).toBeLessThanOrEqual(32 * uniform);
  }, 120_000);
});
