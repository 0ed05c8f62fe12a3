/**
 * The simulator, naively: an independent reference for its figures (test/sim/reference.test.ts).
 * Plain JS with bigints: each pool is a list of source blocks and a list of taken blocks, and its
 * free space is recomputed from scratch (a buddy split of each source) whenever it is needed. It
 * replays the event stream of reference-stream.ts and applies the README's rules for growth
 * (a full pool takes a chunk from its parent, recursively, up to the cloud's 50 CIDRs), failure
 * causes and samples. Nothing of src/ but the stream's scenario type.
 */
import type { Scenario } from '../../src/sim/scenario.js';
import { ReferenceStream } from './reference-stream.js';

const ARRIVAL = 0x100;

export interface Block { a: bigint; p: number }
export interface RefPool {
  name: string; parent: number; bits: number; chunk?: number;
  sources: Block[]; taken: Block[]; chunks: Block[];
  workload?: { weight: number; masks: Record<string, number> };
}

const size = (b: Block, bits: number) => 1n << BigInt(bits - b.p);
const overlaps = (x: Block, y: Block, bits: number) => x.a < y.a + size(y, bits) && y.a < x.a + size(x, bits);

export function parseBlock(text: string): Block {
  const [addr, len] = text.split('/');
  const p = Number(len);
  if (addr!.includes(':')) {
    // expand IPv6
    const [head, tail] = addr!.split('::');
    const h = head ? head.split(':') : [];
    const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
    const groups = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    let a = 0n;
    for (const g of groups) a = (a << 16n) | BigInt(parseInt(g, 16));
    return { a, p };
  }
  let a = 0n;
  for (const o of addr!.split('.')) a = (a << 8n) | BigInt(Number(o));
  return { a, p };
}

export function formatBlock(b: Block, bits: number): string {
  if (bits === 32) return `${[24n, 16n, 8n, 0n].map((s) => (b.a >> s) & 255n).join('.')}/${b.p}`;
  const groups = [];
  for (let i = 7; i >= 0; i--) groups.push(((b.a >> BigInt(16 * i)) & 0xffffn).toString(16));
  return `${groups.join(':')}/${b.p}`;
}

/** Maximal free blocks of the pool, each inside one source, in address order. */
export function freeBlocks(pool: RefPool): Block[] {
  const out: Block[] = [];
  const visit = (b: Block, taken: Block[]) => {
    const inside = taken.filter((t) => overlaps(t, b, pool.bits));
    if (inside.length === 0) return void out.push(b);
    if (inside.some((t) => t.p <= b.p)) return; // wholly taken
    const half = 1n << BigInt(pool.bits - b.p - 1);
    visit({ a: b.a, p: b.p + 1 }, inside);
    visit({ a: b.a + half, p: b.p + 1 }, inside);
  };
  for (const s of [...pool.sources].sort((x, y) => (x.a < y.a ? -1 : 1))) visit(s, pool.taken);
  return out.sort((x, y) => (x.a < y.a ? -1 : x.a > y.a ? 1 : 0));
}

export type Strategy = 'first-fit' | 'last-fit' | 'best-fit' | 'sparse';

/** The block the strategy takes, or null. */
export function choose(pool: RefPool, mask: number, strategy: Strategy): Block | null {
  const fit = freeBlocks(pool).filter((b) => b.p <= mask);
  if (fit.length === 0) return null;
  let pick: Block;
  switch (strategy) {
    case 'first-fit': pick = fit[0]!; break;
    case 'last-fit': {
      const f = fit[fit.length - 1]!;
      return { a: f.a + size(f, pool.bits) - (1n << BigInt(pool.bits - mask)), p: mask };
    }
    case 'best-fit': pick = fit.reduce((m, b) => (b.p > m.p ? b : m)); break; // reduce keeps the lowest on ties
    case 'sparse': pick = fit.reduce((m, b) => (b.p < m.p ? b : m)); break;
  }
  return { a: pick.a, p: mask };
}

export function figures(pool: RefPool) {
  const total = pool.sources.reduce((s, b) => s + size(b, pool.bits), 0n);
  const free = freeBlocks(pool);
  const freeAddr = free.reduce((s, b) => s + size(b, pool.bits), 0n);
  const largest = free.reduce<number | null>((m, b) => (m === null || b.p < m ? b.p : m), null);
  const largestSize = largest === null ? 0n : 1n << BigInt(pool.bits - largest);
  return {
    total, freeAddr,
    utilisation: total === 0n ? 0 : (Number(total - freeAddr) / Number(total)) * 100,
    fragmentation: freeAddr === 0n ? 0 : Number(freeAddr - largestSize) / Number(freeAddr),
    largestPrefix: largest,
  };
}

export interface RefRun {
  allocations: number; releases: number;
  failures: { total: number; noSpace: number; fragmentation: number; quota: number };
  firstFailure: null | { event: number; poolId: string; mask: number; cause: string; treeId: string; utilisation: number; inUse: number };
  series: { poolId: string; event: number[]; utilisation: number[]; fragmentation: number[]; largestPrefix: (number | null)[]; failures: number[] }[];
  /** Every pool's final taken blocks, as text, sorted. */
  finalTaken: Record<string, string[]>;
}

/** Replays the scenario with a deterministic strategy. */
export function referenceRun(scenario: Scenario, strategy: Strategy): RefRun {
  const pools: RefPool[] = [];
  const rootOf: number[] = [];
  const visit = (plan: Scenario['pools'][number], parent: number, bits: number, root: number) => {
    const i = pools.length;
    pools.push({ name: plan.name, parent, bits, chunk: plan.chunk, sources: (plan.cidrs ?? []).map(parseBlock), taken: [], chunks: [], workload: plan.workload });
    rootOf.push(root < 0 ? i : root);
    for (const c of plan.children ?? []) visit(c, i, bits, root < 0 ? i : root);
  };
  for (const top of scenario.pools) visit(top, -1, top.ipVersion === 'IPv6' ? 128 : 32, -1);
  const roots = pools.flatMap((p, i) => (p.parent < 0 ? [i] : []));
  const leafIdx = pools.flatMap((p, i) => (p.workload ? [i] : []));
  const E = scenario.events;
  const samplePoints = new Set<number>();
  for (let k = 0; k < scenario.samples; k++) {
    const e = Math.round((k * E) / (scenario.samples - 1));
    if (e < E) samplePoints.add(e);
  }
  samplePoints.add(E);
  const series = roots.map((r) => ({ poolId: pools[r]!.name, event: [] as number[], utilisation: [] as number[], fragmentation: [] as number[], largestPrefix: [] as (number | null)[], failures: [] as number[] }));
  const treeFailures = new Map<number, number>();
  const sample = (e: number) => roots.forEach((r, i) => {
    const f = figures(pools[r]!);
    const s = series[i]!;
    s.event.push(e); s.utilisation.push(f.utilisation); s.fragmentation.push(f.fragmentation); s.largestPrefix.push(f.largestPrefix); s.failures.push(treeFailures.get(r) ?? 0);
  });
  const live: { pool: number; block: Block }[] = [];
  let allocations = 0, releases = 0, noSpace = 0, frag = 0, quota = 0;
  let firstFailure: RefRun['firstFailure'] = null;

  const take = (pool: number, mask: number): Block | null => {
    const b = choose(pools[pool]!, mask, strategy);
    if (b) pools[pool]!.taken.push(b);
    return b;
  };
  let asked: { pool: number; prefix: number }[] = [];
  let atQuota = false;
  const obtain = (pool: number, prefix: number): boolean => {
    const p = pools[pool]!;
    if (p.parent < 0) return false;
    const tryGrow = () => {
      if (p.chunks.length >= 50) return 'quota';
      const b = take(p.parent, prefix);
      if (!b) return 'no-fit';
      p.chunks.push(b); p.sources.push(b);
      return 'ok';
    };
    let r = tryGrow();
    if (r === 'quota') { atQuota = true; return false; }
    asked.push({ pool: p.parent, prefix });
    if (r === 'no-fit') {
      const pc = pools[p.parent]!.chunk;
      if (pc !== undefined && obtain(p.parent, Math.min(pc, prefix))) r = tryGrow();
    }
    return r === 'ok';
  };

  const stream = new ReferenceStream(scenario, leafIdx.map((_, i) => i));
  const words = stream.draw(0, E);
  for (let e = 0; e < E; e++) {
    const [leaf, flags, which] = [words[3 * e]!, words[3 * e + 1]!, words[3 * e + 2]!];
    const ev = { arrival: (flags & ARRIVAL) !== 0, leaf, mask: flags & 0xff, which };
    if (samplePoints.has(e)) sample(e);
    if (ev.arrival || live.length === 0) {
      const pool = leafIdx[ev.leaf]!;
      let b = take(pool, ev.mask);
      if (!b) {
        asked = [{ pool, prefix: ev.mask }];
        atQuota = false;
        const ch = pools[pool]!.chunk;
        if (ch !== undefined && obtain(pool, Math.min(ch, ev.mask))) b = take(pool, ev.mask);
      }
      if (b) {
        live.push({ pool, block: b });
        allocations++;
      } else {
        const cause = asked.some(({ pool: q, prefix }) => figures(pools[q]!).freeAddr >= 1n << BigInt(pools[q]!.bits - prefix)) ? 'fragmentation' : atQuota ? 'quota' : 'no-space';
        if (cause === 'fragmentation') frag++; else if (cause === 'quota') quota++; else noSpace++;
        const root = rootOf[pool]!;
        treeFailures.set(root, (treeFailures.get(root) ?? 0) + 1);
        if (!firstFailure) {
          // what the tree's resources hold: its live allocations, summed
          const inTree = live.filter((l) => rootOf[l.pool] === root).reduce((sum, l) => sum + (1n << BigInt(pools[l.pool]!.bits - l.block.p)), 0n);
          firstFailure = { event: e, poolId: pools[pool]!.name, mask: ev.mask, cause, treeId: pools[root]!.name, utilisation: figures(pools[root]!).utilisation, inUse: (Number(inTree) / Number(figures(pools[root]!).total)) * 100 };
        }
      }
    } else {
      const idx = Math.floor((ev.which / 4294967296) * live.length);
      const gone = live[idx]!;
      const t = pools[gone.pool]!.taken;
      t.splice(t.findIndex((x) => x.a === gone.block.a && x.p === gone.block.p), 1);
      live[idx] = live[live.length - 1]!;
      live.pop();
      releases++;
    }
  }
  sample(E);
  const finalTaken: Record<string, string[]> = {};
  for (const p of pools) finalTaken[p.name] = p.taken.map((b) => formatBlock(b, p.bits)).sort();
  return { allocations, releases, failures: { total: noSpace + frag + quota, noSpace, fragmentation: frag, quota }, firstFailure, series, finalTaken };
}
