import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCidr, parseCidr, type Cidr } from '../../src/cidr/index.js';
import {
  decodePoolMapCells,
  hilbertIndexToXY,
  hilbertXYToIndex,
  mapSide,
  MAX_MAP_CHILDREN,
  rasterisePoolMap,
  smallestCommonBlock,
  type PoolMapInput,
} from '../../src/report/hilbert.js';
import { CELL_ALLOCATED, CELL_CHILD, CELL_FREE, CELL_OUTSIDE, CELL_PARTLY } from '../../src/report/summary.js';

describe('Hilbert curve', () => {
  for (let order = 1; order <= 8; order++) {
    it(`order ${order}: a bijection onto the grid, walking between neighbours, inverted exactly`, () => {
      const side = 1 << order;
      const seen = new Uint8Array(side * side);
      // plain checks in the loop (65,536 expect() calls would dominate), one assertion at the end
      const problems: string[] = [];
      let previous: [number, number] | null = null;
      for (let d = 0; d < side * side; d++) {
        const [x, y] = hilbertIndexToXY(order, d);
        if (!(x >= 0 && x < side && y >= 0 && y < side)) problems.push(`${d}: (${x}, ${y}) off the grid`);
        else if (seen[y * side + x]++ !== 0) problems.push(`${d}: (${x}, ${y}) visited twice`);
        if (hilbertXYToIndex(order, x, y) !== d) problems.push(`${d}: inverse gives ${hilbertXYToIndex(order, x, y)}`);
        if (previous !== null && Math.abs(x - previous[0]) + Math.abs(y - previous[1]) !== 1) problems.push(`${d}: not a neighbour of ${d - 1}`);
        previous = [x, y];
      }
      expect(problems).toEqual([]);
      expect(seen.every((v) => v === 1)).toBe(true);
      expect(hilbertIndexToXY(order, 0)).toEqual([0, 0]);
      expect(hilbertIndexToXY(order, side * side - 1)).toEqual([side - 1, 0]);
    });
  }

  it('each quarter of the indices fills one quadrant (address blocks stay compact)', () => {
    const order = 4;
    const quarter = 1 << (2 * order - 2);
    for (let q = 0; q < 4; q++) {
      const quadrants = new Set<string>();
      for (let d = q * quarter; d < (q + 1) * quarter; d++) {
        const [x, y] = hilbertIndexToXY(order, d);
        quadrants.add(`${x >> (order - 1)},${y >> (order - 1)}`);
      }
      expect(quadrants.size).toBe(1);
    }
  });

  it('refuses indices and coordinates off the grid', () => {
    expect(() => hilbertIndexToXY(2, 16)).toThrow(RangeError);
    expect(() => hilbertIndexToXY(2, -1)).toThrow(RangeError);
    expect(() => hilbertIndexToXY(2, 1.5)).toThrow(RangeError);
    expect(() => hilbertXYToIndex(2, 4, 0)).toThrow(RangeError);
    expect(() => hilbertIndexToXY(13, 0)).toThrow(RangeError);
  });
});

// ---- brute-force reference: one role per address of a small IPv4 span ----

type Role = { kind: 'outside' } | { kind: 'free' } | { kind: 'allocated' } | { kind: 'child'; index: number };

interface Layout {
  input: PoolMapInput;
  roles: Role[];
}

/** A deterministic pseudo-random layout: the span cut into aligned blocks, each given a role. */
function randomLayout(seed: number, spanPrefix: number, side: number, childCount: number, asStrings: boolean): Layout {
  let state = seed >>> 0 || 1;
  const random = (): number => {
    // xorshift32: enough to shape layouts, reproducible from fast-check's seed
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
  const span: Cidr = { family: 4, address: 0x0a000000n, prefixLength: spanPrefix };
  const size = 2 ** (32 - spanPrefix);
  const roles: Role[] = Array.from({ length: size }, () => ({ kind: 'outside' }) as Role);
  const input: PoolMapInput = { poolId: 'p', span, side, provisioned: [], allocated: [], children: [] };
  const children = Array.from({ length: childCount }, (_, i) => ({ name: `child-${i}`, blocks: [] as (Cidr | string)[] }));
  input.children = children;
  const provisioned = input.provisioned as (Cidr | string)[];
  const allocated = input.allocated as (Cidr | string)[];
  const asGiven = (c: Cidr): Cidr | string => (asStrings && random() < 0.5 ? formatCidr(c) : c);

  function mark(offset: number, prefix: number, role: Role): void {
    for (let i = 0; i < 2 ** (32 - prefix); i++) roles[offset + i] = role;
  }
  function fill(offset: number, prefix: number, inPool: boolean): void {
    const block: Cidr = { family: 4, address: span.address + BigInt(offset), prefixLength: prefix };
    const r = random();
    if (prefix < 32 && r < 0.45) {
      const half = 2 ** (32 - prefix - 1);
      fill(offset, prefix + 1, inPool);
      fill(offset + half, prefix + 1, inPool);
    } else if (!inPool) {
      if (r < 0.65) return; // stays outside
      provisioned.push(asGiven(block));
      mark(offset, prefix, { kind: 'free' });
      // the provisioned block is itself cut into free, allocated and sub-pool parts
      if (prefix < 32) {
        const half = 2 ** (32 - prefix - 1);
        fill(offset, prefix + 1, true);
        fill(offset + half, prefix + 1, true);
      } else {
        fill(offset, prefix, true);
      }
    } else if (r < 0.6) {
      mark(offset, prefix, { kind: 'free' });
    } else if (r < 0.8 || childCount === 0) {
      allocated.push(asGiven(block));
      mark(offset, prefix, { kind: 'allocated' });
    } else {
      const index = Math.floor(random() * childCount);
      children[index]!.blocks.push(asGiven(block));
      mark(offset, prefix, { kind: 'child', index });
    }
  }
  fill(0, spanPrefix, false);
  return { input, roles };
}

/** The cell codes the rules give, by counting every address. Cell d in curve order. */
function referenceCodes(roles: Role[], cellCount: number, childCount: number): number[] {
  const cellSize = roles.length / cellCount;
  const codes: number[] = [];
  for (let d = 0; d < cellCount; d++) {
    let provisioned = 0;
    let allocated = 0;
    const perChild = new Array<number>(childCount).fill(0);
    for (const role of roles.slice(d * cellSize, (d + 1) * cellSize)) {
      if (role.kind === 'outside') continue;
      provisioned++;
      if (role.kind === 'allocated') allocated++;
      if (role.kind === 'child') {
        allocated++;
        perChild[role.index]!++;
      }
    }
    const majority = perChild.findIndex((n) => n * 2 > provisioned);
    if (provisioned === 0) codes.push(CELL_OUTSIDE);
    else if (majority >= 0) codes.push(CELL_CHILD + majority);
    else if (allocated === 0) codes.push(CELL_FREE);
    else if (allocated === provisioned) codes.push(CELL_ALLOCATED);
    else codes.push(CELL_PARTLY);
  }
  return codes;
}

/** The map's cells back in curve order. */
function codesInCurveOrder(map: ReturnType<typeof rasterisePoolMap>): number[] {
  const cells = decodePoolMapCells(map);
  const order = Math.log2(map.side);
  return Array.from({ length: map.side * map.side }, (_, d) => {
    const [x, y] = hilbertIndexToXY(order, d);
    return cells[y * map.side + x]!;
  });
}

describe('rasterisePoolMap against a brute-force count of every address', () => {
  it('agrees on random layouts of small IPv4 spans', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 22, max: 32 }),
        fc.constantFrom(1, 2, 4, 8, 16, 32, 64),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        (seed, spanPrefix, requestedSide, childCount, asStrings) => {
          const { input, roles } = randomLayout(seed, spanPrefix, requestedSide, childCount, asStrings);
          const map = rasterisePoolMap(input);
          const side = Math.min(requestedSide, 2 ** Math.floor((32 - spanPrefix) / 2));
          expect(map.side).toBe(side);
          expect(map.span).toBe(formatCidr(input.span as Cidr));
          expect(map.children).toEqual(input.children.map((c) => c.name));
          expect(codesInCurveOrder(map)).toEqual(referenceCodes(roles, side * side, childCount));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('paints a /24 quarter by quarter along the curve', () => {
    const map = rasterisePoolMap({
      poolId: 'p',
      span: '192.168.1.0/24',
      side: 2,
      provisioned: ['192.168.1.0/25', '192.168.1.128/26'],
      allocated: ['192.168.1.64/26'],
      children: [],
    });
    // quarters 0..2 provisioned (free, allocated, free), quarter 3 outside; curve: (0,0) (0,1) (1,1) (1,0)
    expect([...decodePoolMapCells(map)]).toEqual([CELL_FREE, CELL_OUTSIDE, CELL_ALLOCATED, CELL_FREE]);
  });
});

describe('rasterisePoolMap on IPv6, where one cell holds 2^80 addresses', () => {
  const span = parseCidr('2001:db8::/32');
  const cellOf = (map: ReturnType<typeof rasterisePoolMap>, d: number): number => codesInCurveOrder(map)[d]!;
  const base: Omit<PoolMapInput, 'allocated' | 'children'> = { poolId: 'v6', span, side: 256, provisioned: [span] };

  it('sizes cells of 2^80 and places /48s one per cell', () => {
    const map = rasterisePoolMap({ ...base, allocated: ['2001:db8:1::/48', '2001:db8:ff00::/40'], children: [] });
    expect(map.side).toBe(256);
    const codes = codesInCurveOrder(map);
    expect(codes[0]).toBe(CELL_FREE);
    expect(codes[1]).toBe(CELL_ALLOCATED);
    // a /40 covers the 256 cells from 0xff00 >> 8 ... i.e. the last 256 curve positions
    expect(codes.slice(0xff00).every((c) => c === CELL_ALLOCATED)).toBe(true);
    expect(codes.filter((c) => c === CELL_ALLOCATED)).toHaveLength(257);
  });

  it('counts exactly: one address short of a whole cell is partly allocated', () => {
    // /49 + /50 + ... + /128 covers 2^80 - 1 addresses of the cell 2001:db8:2::/48
    const cellStart = parseCidr('2001:db8:2::/48').address;
    const blocks: Cidr[] = [];
    let address = cellStart;
    for (let prefix = 49; prefix <= 128; prefix++) {
      blocks.push({ family: 6, address, prefixLength: prefix });
      address += 1n << BigInt(128 - prefix);
    }
    const lastAddress: Cidr = { family: 6, address, prefixLength: 128 };
    expect(address).toBe(cellStart + (1n << 80n) - 1n);
    expect(cellOf(rasterisePoolMap({ ...base, allocated: blocks, children: [] }), 2)).toBe(CELL_PARTLY);
    expect(cellOf(rasterisePoolMap({ ...base, allocated: [...blocks, lastAddress], children: [] }), 2)).toBe(CELL_ALLOCATED);
  });

  it('gives a cell to the sub-pool holding more than half of it, exactly', () => {
    const half = parseCidr('2001:db8:3::/49');
    const oneMore = parseCidr('2001:db8:3:8000::/128');
    const exactlyHalf = rasterisePoolMap({ ...base, allocated: [], children: [{ name: 'a', blocks: [half] }] });
    expect(cellOf(exactlyHalf, 3)).toBe(CELL_PARTLY);
    const justOver = rasterisePoolMap({ ...base, allocated: [], children: [{ name: 'a', blocks: [half, oneMore] }] });
    expect(cellOf(justOver, 3)).toBe(CELL_CHILD);
    // half to a sub-pool, half to resources: nobody has a majority, and the cell is full
    const shared = rasterisePoolMap({ ...base, allocated: ['2001:db8:3:8000::/49'], children: [{ name: 'a', blocks: [half] }] });
    expect(cellOf(shared, 3)).toBe(CELL_ALLOCATED);
    // three eighths to one sub-pool, five eighths to the other
    const split = rasterisePoolMap({
      ...base,
      allocated: [],
      children: [
        { name: 'a', blocks: ['2001:db8:4::/50', '2001:db8:4:4000::/51'] },
        { name: 'b', blocks: ['2001:db8:4:6000::/51', '2001:db8:4:8000::/49'] },
      ],
    });
    expect(cellOf(split, 4)).toBe(CELL_CHILD + 1);
    expect(split.children).toEqual(['a', 'b']);
    // a sub-pool block spanning many cells takes each of them
    const wide = rasterisePoolMap({ ...base, allocated: [], children: [{ name: 'x', blocks: [] }, { name: 'y', blocks: ['2001:db8:100::/40'] }] });
    expect(codesInCurveOrder(wide).slice(0x100, 0x200).every((c) => c === CELL_CHILD + 1)).toBe(true);
  });

  it('measures majority against provisioned addresses only', () => {
    // only the lower half of the span is provisioned; in a cell half provisioned, a quarter of the cell is a majority
    const map = rasterisePoolMap({
      poolId: 'v6',
      span,
      side: 2,
      provisioned: ['2001:db8::/34', '2001:db8:4000::/35'],
      allocated: [],
      children: [{ name: 'a', blocks: ['2001:db8:4000::/36', '2001:db8:5000::/40'] }],
    });
    expect(codesInCurveOrder(map)).toEqual([CELL_FREE, CELL_CHILD, CELL_OUTSIDE, CELL_OUTSIDE]);
  });
});

describe('map sizes, spans and input checks', () => {
  it('shrinks the side for tiny spans: side^2 never exceeds the address count', () => {
    expect(mapSide(parseCidr('10.0.0.0/30'), 256)).toBe(2);
    expect(mapSide(parseCidr('10.0.0.0/31'), 256)).toBe(1);
    expect(mapSide(parseCidr('10.0.0.0/32'), 256)).toBe(1);
    expect(mapSide(parseCidr('10.0.0.0/24'), 256)).toBe(16);
    expect(mapSide(parseCidr('10.0.0.0/8'), 256)).toBe(256);
    expect(mapSide(parseCidr('2001:db8::/127'), 64)).toBe(1);
    expect(() => mapSide(parseCidr('10.0.0.0/8'), 100)).toThrow(RangeError);
    const tiny = rasterisePoolMap({ poolId: 't', span: '10.0.0.0/30', side: 128, provisioned: ['10.0.0.0/30'], allocated: ['10.0.0.1/32'], children: [] });
    expect(tiny.side).toBe(2);
    expect(codesInCurveOrder(tiny)).toEqual([CELL_FREE, CELL_ALLOCATED, CELL_FREE, CELL_FREE]);
  });

  it('finds the smallest aligned block holding a pool\'s CIDRs', () => {
    expect(formatCidr(smallestCommonBlock(['10.0.0.0/16', '10.1.0.0/16']))).toBe('10.0.0.0/15');
    expect(formatCidr(smallestCommonBlock(['10.0.0.0/24', '10.128.0.0/24']))).toBe('10.0.0.0/8');
    expect(formatCidr(smallestCommonBlock(['10.0.0.0/8']))).toBe('10.0.0.0/8');
    expect(formatCidr(smallestCommonBlock(['2001:db8::/48', '2001:db9::/48']))).toBe('2001:db8::/31');
    expect(() => smallestCommonBlock(['10.0.0.0/8', '2001:db8::/32'])).toThrow(RangeError);
  });

  it('codes at most MAX_MAP_CHILDREN sub-pools; the rest count as allocated', () => {
    // a /16 at side 16: cells are /24s; sub-pool i takes cell i whole
    const children = Array.from({ length: MAX_MAP_CHILDREN + 2 }, (_, i) => ({ name: `s${i}`, blocks: [`10.0.${i}.0/24`] }));
    const map = rasterisePoolMap({ poolId: 'p', span: '10.0.0.0/16', side: 16, provisioned: ['10.0.0.0/16'], allocated: [], children });
    expect(map.children).toHaveLength(MAX_MAP_CHILDREN);
    expect(map.children.at(-1)).toBe(`s${MAX_MAP_CHILDREN - 1}`);
    const codes = codesInCurveOrder(map);
    expect(codes[0]).toBe(CELL_CHILD);
    expect(codes[MAX_MAP_CHILDREN - 1]).toBe(255);
    expect(codes.slice(MAX_MAP_CHILDREN, MAX_MAP_CHILDREN + 2)).toEqual([CELL_ALLOCATED, CELL_ALLOCATED]);
    expect(codes.slice(MAX_MAP_CHILDREN + 2)).toEqual(new Array(256 - MAX_MAP_CHILDREN - 2).fill(CELL_FREE));
  });

  it('refuses blocks outside the span', () => {
    const input = { poolId: 'p', span: '10.0.0.0/16', side: 16, provisioned: ['10.0.0.0/16'], children: [] };
    expect(() => rasterisePoolMap({ ...input, allocated: ['10.1.0.0/24'] })).toThrow(/not inside/);
    expect(() => rasterisePoolMap({ ...input, allocated: ['10.0.0.0/15'] })).toThrow(/not inside/);
    expect(() => rasterisePoolMap({ ...input, allocated: ['2001:db8::/64'] })).toThrow(/not inside/);
  });

  it('rasterises 300,000 blocks into 256 x 256 cells well under a second', () => {
    const blocks: Cidr[] = [];
    for (let i = 0; i < 300_000; i++) blocks.push({ family: 4, address: 0x0a000000n + BigInt(i) * 48n, prefixLength: 28 });
    const v6blocks: Cidr[] = blocks.map((b, i) => ({ family: 6, address: span6.address + (BigInt(i) << 77n), prefixLength: 64 }));
    const started = performance.now();
    const v4 = rasterisePoolMap({ poolId: 'v4', span: '10.0.0.0/8', side: 256, provisioned: ['10.0.0.0/8'], allocated: blocks, children: [] });
    const v6 = rasterisePoolMap({ poolId: 'v6', span: span6, side: 256, provisioned: [span6], allocated: v6blocks, children: [] });
    const elapsed = performance.now() - started;
    expect(codesInCurveOrder(v4).slice(0, 10)).toEqual(new Array(10).fill(CELL_PARTLY));
    expect(codesInCurveOrder(v6).filter((c) => c === CELL_PARTLY).length).toBe(300_000 / 8);
    // generous for a shared 2-core machine; typically ~0.3 s for both
    expect(elapsed).toBeLessThan(1500);
  });
});

const span6 = parseCidr('2001:db8::/32');

describe('mapSide for large IPv6 spans (a 32-bit shift once wrapped: a /56 got 16 × 16, a /64 one cell)', () => {
  it.each(['2001:db8::/64', '2001:db8::/60', '2001:db8::/56', '2001:db8::/52', '::/0'])('%s gets the requested 128 × 128 map', (span) => {
    expect(mapSide(parseCidr(span), 128)).toBe(128);
  });

  it('a /48 gets a 4096 map when asked (its 80 host bits allow it)', () => {
    expect(mapSide(parseCidr('2001:db8::/48'), 4096)).toBe(4096);
  });

  it('rasterisePoolMap of a /56 pool is as large as that of a /16', () => {
    const v6 = rasterisePoolMap({ poolId: 'p6', span: '2001:db8:0:100::/56', side: 64, provisioned: ['2001:db8:0:100::/56'], allocated: ['2001:db8:0:100::/60'], children: [] });
    const v4 = rasterisePoolMap({ poolId: 'p4', span: '10.0.0.0/16', side: 64, provisioned: ['10.0.0.0/16'], allocated: ['10.0.0.0/20'], children: [] });
    expect(v4.side).toBe(64);
    expect(v6.side).toBe(64);
  });
});
