// A realistic SimulationSummary made without the simulator: two pool trees (IPv4 /8 and
// IPv6 /32, each with two sub-pools), five strategies placing blocks in their own manner,
// a few hundred samples per series, and maps drawn by the real rasteriser.

import { parseCidr, type Cidr } from '../../src/cidr/index.js';
import { rasterisePoolMap } from '../../src/report/hilbert.js';
import {
  SUMMARY_FORMAT,
  SUMMARY_VERSION,
  type PoolInfo,
  type PoolMap,
  type PoolSeries,
  type SimulationSummary,
  type StrategyRun,
} from '../../src/report/summary.js';
import { seededRandom } from '../support/random.js';

export const STRATEGIES = ['first-fit', 'last-fit', 'best-fit', 'sparse', 'random'];

export const POOLS: PoolInfo[] = [
  { id: 'ipam-pool-v4', name: 'corp-ipv4', parentId: null, ipVersion: 'IPv4', cidrs: ['10.0.0.0/8'] },
  { id: 'ipam-pool-v4-hz', name: 'cn-hangzhou', parentId: 'ipam-pool-v4', ipVersion: 'IPv4', cidrs: ['10.0.0.0/10'] },
  { id: 'ipam-pool-v4-bj', name: 'cn-beijing', parentId: 'ipam-pool-v4', ipVersion: 'IPv4', cidrs: ['10.64.0.0/11'] },
  { id: 'ipam-pool-v6', name: 'corp-ipv6', parentId: null, ipVersion: 'IPv6', cidrs: ['2001:db8::/32'] },
  { id: 'ipam-pool-v6-hz', name: 'cn-hangzhou-v6', parentId: 'ipam-pool-v6', ipVersion: 'IPv6', cidrs: ['2001:db8::/36'] },
  { id: 'ipam-pool-v6-bj', name: 'cn-beijing-v6', parentId: 'ipam-pool-v6', ipVersion: 'IPv6', cidrs: ['2001:db8:1000::/36'] },
];

const EVENTS = 200_000;
const SAMPLES = 300;

/** Slot numbers 0..count-1 in the order a strategy would take them. */
function slotOrder(strategy: string, count: number, random: () => number): number[] {
  const slots = Array.from({ length: count }, (_, i) => i);
  switch (strategy) {
    case 'last-fit':
      return slots.reverse();
    case 'best-fit':
      // low addresses first, but filling holes left by earlier releases: a little shuffled locally
      const key = slots.map((i) => i + random() * 40);
      return slots.sort((a, b) => key[a]! - key[b]!);
    case 'sparse': {
      const bits = Math.ceil(Math.log2(count));
      const reversed = (i: number): number => parseInt(i.toString(2).padStart(bits, '0').split('').reverse().join(''), 2);
      return slots.filter((i) => reversed(i) < count).map(reversed);
    }
    case 'random':
      for (let i = slots.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [slots[i], slots[j]] = [slots[j]!, slots[i]!];
      }
      return slots;
    default:
      return slots;
  }
}

/** `taken` blocks of `prefix` from the region, in the strategy's order, then some released. */
function placeBlocks(region: Cidr, prefix: number, taken: number, strategy: string, random: () => number): Cidr[] {
  const bits = region.family === 4 ? 32 : 128;
  const count = 2 ** (prefix - region.prefixLength);
  const order = slotOrder(strategy, count, random).slice(0, taken);
  const step = 1n << BigInt(bits - prefix);
  return order
    .filter(() => random() > 0.15)
    .map((slot) => ({ family: region.family, address: region.address + BigInt(slot) * step, prefixLength: prefix }));
}

/** Small blocks inside some of the given blocks: they make cells partly allocated. */
function smallBlocksIn(regions: Cidr[], prefix: number, perRegion: number): Cidr[] {
  const bits = regions[0]?.family === 6 ? 128 : 32;
  return regions.flatMap((r) =>
    Array.from({ length: perRegion }, (_, i) => ({ family: r.family, address: r.address + (BigInt(i * 2) << BigInt(bits - prefix)), prefixLength: prefix })),
  );
}

function mapsFor(strategy: string, seed: number, fill: number): PoolMap[] {
  const random = seededRandom(seed);
  const maps: PoolMap[] = [];
  for (const root of POOLS.filter((p) => p.parentId === null)) {
    const v4 = root.ipVersion === 'IPv4';
    const children = POOLS.filter((p) => p.parentId === root.id);
    const childCidrs = children.map((c) => parseCidr(c.cidrs[0]!));
    // the root's own allocations go to its upper half, where no sub-pool sits
    const rootCidr = parseCidr(root.cidrs[0]!);
    const upperHalf: Cidr = { family: rootCidr.family, address: rootCidr.address + (1n << BigInt((v4 ? 32 : 128) - rootCidr.prefixLength - 1)), prefixLength: rootCidr.prefixLength + 1 };
    const bigPrefix = v4 ? 20 : 44;
    const rootBlocks = placeBlocks(upperHalf, bigPrefix, Math.floor(2 ** (bigPrefix - upperHalf.prefixLength) * fill), strategy, random);
    // a few small ones in the lower half's free gap (between the sub-pools and the upper half)
    const gap: Cidr = { family: rootCidr.family, address: rootCidr.address + (3n << BigInt((v4 ? 32 : 128) - rootCidr.prefixLength - 3)), prefixLength: rootCidr.prefixLength + 3 };
    const smallPrefix = v4 ? 26 : 64;
    maps.push(
      rasterisePoolMap({
        poolId: root.id,
        span: rootCidr,
        side: 256,
        provisioned: [rootCidr],
        allocated: [...rootBlocks, ...placeBlocks(gap, gap.prefixLength + 9, 300, strategy, random).flatMap((b) => smallBlocksIn([b], smallPrefix, 3))],
        children: children.map((c, i) => ({ name: c.name, blocks: [childCidrs[i]!] })),
      }),
    );
    children.forEach((child, i) => {
      const cidr = childCidrs[i]!;
      const prefix = cidr.prefixLength + 10;
      const blocks = placeBlocks(cidr, prefix, Math.floor(1024 * fill), strategy, random);
      maps.push(
        rasterisePoolMap({
          poolId: child.id,
          span: cidr,
          side: 128,
          provisioned: [cidr],
          allocated: [...blocks, ...smallBlocksIn(blocks.slice(0, 40).map((b) => ({ ...b, address: b.address + (1n << BigInt((v4 ? 32 : 128) - prefix - 1)), prefixLength: prefix + 1 })), prefix + 4, 2)],
          children: [],
        }),
      );
    });
  }
  return maps;
}

function seriesFor(poolId: string, strategyIndex: number, random: () => number, exhausts: boolean): PoolSeries {
  const event: number[] = [];
  const utilisation: number[] = [];
  const fragmentation: number[] = [];
  const largestPrefix: (number | null)[] = [];
  const failures: number[] = [];
  const eventsPerSecond: number[] = [];
  let failed = 0;
  let frag = 0.02;
  const v4 = poolId.includes('v4');
  for (let i = 0; i < SAMPLES; i++) {
    const t = i / (SAMPLES - 1);
    event.push(Math.round(t * EVENTS));
    const u = Math.min(100, 100 * t * (0.85 + 0.04 * strategyIndex) + random() * 2);
    utilisation.push(Number(u.toFixed(3)));
    frag = Math.min(1, Math.max(0, frag + (random() - 0.45) * 0.02 * (1 + strategyIndex)));
    fragmentation.push(Number(frag.toFixed(4)));
    const base = v4 ? 9 : 33;
    largestPrefix.push(exhausts && u >= 99.5 ? null : base + Math.floor(u / (v4 ? 8 : 6)));
    // each strategy starts failing at its own point and at its own pace, so no line hides another
    if (t > 0.2 + 0.1 * strategyIndex) failed += Math.round((1 + random()) * 30 * (1 + strategyIndex));
    failures.push(failed);
    eventsPerSecond.push(i === 0 ? 0 : Math.round(800_000 + random() * 400_000 - strategyIndex * 60_000));
  }
  return { poolId, event, utilisation, fragmentation, largestPrefix, failures, eventsPerSecond };
}

export interface RunFigures {
  allocations: number;
  releases: number;
  failures: { total: number; noSpace: number; fragmentation: number; quota: number };
  firstFailure: StrategyRun['firstFailure'];
  eventsPerSecond: number;
  elapsedMs: number;
}

/** The table figures of each run, also what the browser test expects to read back. */
export const RUN_FIGURES: RunFigures[] = [
  { allocations: 151_234, releases: 40_112, failures: { total: 8654, noSpace: 7900, fragmentation: 654, quota: 100 }, firstFailure: { event: 171_042, poolId: 'ipam-pool-v4-hz', mask: 24, treeId: 'ipam-pool-v4', utilisation: 97.25, inUse: 88.5, cause: 'fragmentation' }, eventsPerSecond: 1_234_567.4, elapsedMs: 162 },
  { allocations: 150_998, releases: 40_020, failures: { total: 8982, noSpace: 8100, fragmentation: 882, quota: 0 }, firstFailure: { event: 169_999, poolId: 'ipam-pool-v4', mask: 20, treeId: 'ipam-pool-v4', utilisation: 96.4, inUse: 96.4, cause: 'no-space' }, eventsPerSecond: 1_198_000, elapsedMs: 167 },
  { allocations: 152_001, releases: 40_500, failures: { total: 7499, noSpace: 7000, fragmentation: 0, quota: 499 }, firstFailure: { event: 175_310, poolId: 'ipam-pool-v6-bj', mask: 56, treeId: 'ipam-pool-v6', utilisation: 99.1, inUse: 61.25, cause: 'quota' }, eventsPerSecond: 987_654, elapsedMs: 1_503 },
  { allocations: 159_500, releases: 40_500, failures: { total: 0, noSpace: 0, fragmentation: 0, quota: 0 }, firstFailure: null, eventsPerSecond: 1_100_200, elapsedMs: 182 },
  { allocations: 140_000, releases: 39_000, failures: { total: 21_000, noSpace: 3000, fragmentation: 18_000, quota: 0 }, firstFailure: { event: 120_400, poolId: 'ipam-pool-v6', mask: 48, treeId: 'ipam-pool-v6', utilisation: 71.3, inUse: 70.05, cause: 'fragmentation' }, eventsPerSecond: 850_000, elapsedMs: 235 },
];

export function syntheticSummary(overrides: { strategies?: string[]; pools?: PoolInfo[]; scenario?: SimulationSummary['scenario'] } = {}): SimulationSummary {
  const strategies = overrides.strategies ?? STRATEGIES;
  const pools = overrides.pools ?? POOLS;
  const runs: StrategyRun[] = strategies.map((strategy, i) => {
    const random = seededRandom(1000 + i);
    const figures = RUN_FIGURES[i % RUN_FIGURES.length]!;
    const kind = STRATEGIES[i % STRATEGIES.length]!;
    const finalMaps = mapsFor(kind, 7 + i, 0.8);
    const failureMaps = figures.firstFailure === null ? null : mapsFor(kind, 7 + i, 0.55);
    // maps name pools by id; renaming pools (as the escaping test does) keeps ids, so maps still match
    return {
      strategy,
      ...figures,
      series: pools.filter((p) => p.parentId === null).map((p) => seriesFor(p.id, i, random, figures.firstFailure !== null)),
      maps: {
        final: finalMaps.map((m) => ({ ...m, children: childNames(pools, m.poolId) })),
        atFirstFailure: failureMaps?.map((m) => ({ ...m, children: childNames(pools, m.poolId) })) ?? null,
      },
    };
  });
  return {
    format: SUMMARY_FORMAT,
    version: SUMMARY_VERSION,
    scenario: overrides.scenario ?? {
      name: 'Regional VPC growth',
      description: 'Each region asks for /20 VPCs and /24 subnets; 20% of them are released again.',
      events: EVENTS,
      seed: 42,
    },
    strategies,
    pools,
    runs,
    environment: { node: 'v20.19.0', platform: 'linux x64', cpus: 2, workers: 2, date: '2026-11-26T07:00:00.000Z' },
  };
}

function childNames(pools: PoolInfo[], poolId: string): string[] {
  return pools.filter((p) => p.parentId === poolId).map((p) => p.name);
}
