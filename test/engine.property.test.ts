/**
 * Differential test: random operation sequences run against the engine and the reference
 * model step by step; statuses, chosen blocks, capacity figures and listings must agree after
 * every step. WASM_IPAM_PROPERTY_SCALE=N multiplies the number of runs (default: ~100,000
 * operations per `npm test` in Node, a fifth of that in the browser; see test/support/settings.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Cidr } from '../src/cidr/index.js';
import type { AddressSpace } from '../src/engine/index.js';
import { EngineError, EngineStatus, STRATEGIES } from '../src/engine/index.js';
import { ReferenceSpace, type Block, type Strategy } from './support/reference-space.js';
import { fromWords, sharedEngine, words } from './support/engine.js';
import { PROPERTY, propertyParameters } from './support/settings.js';

const RUNS_PER_FAMILY = Math.max(1, Math.round(130 * PROPERTY.scale));
const OPS_PER_RUN = 400;

type OpKind = 'addSource' | 'removeSource' | 'reserve' | 'release' | 'allocate' | 'preview' | 'overlaps' | 'inside';
interface Op {
  kind: OpKind;
  offset: bigint;    // where in the universe
  depth: number;     // prefix = universe prefix + depth
  pick: number;      // which existing source/allocation to reuse
  reuse: boolean;    // use an existing block rather than a random one
  misalign: boolean; // set a host bit on purpose
  numeric: boolean;  // go through the numeric methods instead of Cidr ones
  strategy: Strategy;
  capacityDepth: number;
}

const opArb = fc.record<Op>({
  kind: fc.constantFrom<OpKind>(
    'addSource', 'removeSource', 'reserve', 'reserve', 'release', 'release', 'release',
    'allocate', 'allocate', 'allocate', 'allocate', 'preview', 'overlaps', 'inside',
  ),
  offset: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
  depth: fc.nat({ max: 8 }),
  pick: fc.nat(),
  reuse: fc.boolean(),
  misalign: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
  numeric: fc.boolean(),
  strategy: fc.constantFrom<Strategy>('first-fit', 'last-fit', 'best-fit', 'sparse', 'random'),
  capacityDepth: fc.nat({ max: 9 }),
});

// Universes put the action at the edges that matter: /0, the 64-bit word boundary, the last bits.
const UNIVERSE_PREFIXES = { 4: [0, 3, 8, 13, 16, 22, 24, 27], 6: [0, 1, 29, 56, 61, 63, 64, 66, 93, 100, 120, 125] } as const;

const runArb = (family: 4 | 6) =>
  fc.record({
    universePrefix: fc.constantFrom(...UNIVERSE_PREFIXES[family]),
    universeSeed: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
    ops: fc.array(opArb, { minLength: OPS_PER_RUN, maxLength: OPS_PER_RUN }),
  });

function statusOf(fn: () => unknown): number {
  try {
    fn();
    return EngineStatus.OK;
  } catch (error) {
    if (error instanceof EngineError) return error.status;
    throw error;
  }
}

function asCidr(family: 4 | 6, b: Block): Cidr {
  return { family, address: b.address, prefixLength: b.prefix };
}

/** Runs one op on the engine; returns a status, or the block for allocate/preview. */
function runOnEngine(space: AddressSpace, op: Op, block: Block): number | Block | undefined {
  const family = space.family;
  const cidr = asCidr(family, block);
  if (op.kind === 'allocate' || op.kind === 'preview') {
    const take = op.kind === 'allocate';
    const strategy = STRATEGIES[op.strategy];
    if (op.numeric && family === 4) {
      const r = take ? space.allocateV4(block.prefix, strategy) : space.previewV4(block.prefix, strategy);
      return r < 0 ? r : { address: BigInt(r), prefix: block.prefix };
    }
    if (op.numeric) {
      const r = take ? space.allocateV6(block.prefix, strategy) : space.previewV6(block.prefix, strategy);
      return r < 0 ? r : { address: fromWords(space.resultWords()), prefix: block.prefix };
    }
    try {
      const c = take ? space.allocate(block.prefix, op.strategy) : space.preview(block.prefix, op.strategy);
      if (!take) expect(space.fits(block.prefix)).toBe(c !== undefined); // what the API's create checks instead of a preview
      return c ? { address: c.address, prefix: c.prefixLength } : EngineStatus.NO_FIT;
    } catch (error) {
      if (error instanceof EngineError) return error.status;
      throw error;
    }
  }
  if (op.numeric && (op.kind === 'reserve' || op.kind === 'release')) {
    if (family === 4) {
      const a = Number(block.address);
      return op.kind === 'reserve' ? space.reserveV4(a, block.prefix) : space.releaseV4(a, block.prefix);
    }
    const [w0, w1, w2, w3] = words(block.address);
    return op.kind === 'reserve' ? space.reserveV6(w0, w1, w2, w3, block.prefix) : space.releaseV6(w0, w1, w2, w3, block.prefix);
  }
  switch (op.kind) {
    case 'addSource': return statusOf(() => space.addSource(cidr));
    case 'removeSource': return statusOf(() => space.removeSource(cidr));
    case 'reserve': return statusOf(() => space.reserve(cidr));
    case 'release': return statusOf(() => space.release(cidr));
    case 'overlaps': return booleanOrStatus(() => space.overlapsAllocation(cidr));
    default: return booleanOrStatus(() => space.insideSource(cidr));
  }
}

function booleanOrStatus(fn: () => boolean): number {
  let answer = false;
  const status = statusOf(() => (answer = fn()));
  return status < 0 ? status : answer ? 1 : 0;
}

function runOnModel(model: ReferenceSpace, op: Op, block: Block): number | Block | undefined {
  switch (op.kind) {
    case 'addSource': return model.addSource(block);
    case 'removeSource': return model.removeSource(block);
    case 'reserve': return model.reserve(block);
    case 'release': return model.release(block);
    case 'allocate': return model.allocate(block.prefix, op.strategy);
    case 'preview': return model.fit(block.prefix, op.strategy) ?? EngineStatus.NO_FIT;
    case 'overlaps': return model.check(block) || (model.overlapsAllocation(block) ? 1 : 0);
    default: return model.check(block) || (model.insideSource(block) ? 1 : 0);
  }
}

/**
 * The reference cannot predict a random block, so it judges the engine's: NO_FIT exactly when
 * nothing fits, otherwise a block of the asked size that could be taken, which an allocate
 * then takes in the model too. Returns what the engine should have answered.
 */
function judgeRandom(model: ReferenceSpace, op: Op, prefix: number, actual: number | Block | undefined): number | Block | string {
  if (prefix < 0 || prefix > model.bits) return EngineStatus.BAD_PREFIX;
  if (!model.fit(prefix, 'first-fit')) return EngineStatus.NO_FIT;
  if (typeof actual !== 'object' || actual.prefix !== prefix || !model.canTake(actual)) return `a free /${prefix} inside a source`;
  if (op.kind === 'allocate') same(model.reserve(actual), EngineStatus.OK, 'model takes the random block');
  return actual;
}

const key = (b: Block) => `${b.address}/${b.prefix}`;

/** A cheap equality assertion for hot loops; vitest's expect costs ~0.1 ms per call. */
function same<T>(actual: T, expected: T, what: string): void {
  if (actual === expected) return;
  if (typeof actual === 'object' && JSON.stringify(actual) === JSON.stringify(expected)) return;
  throw new Error(`${what}: engine gave ${String(actual)}, reference ${String(expected)}`);
}

/** Steps whose space kept counts when checked: the check must not be vacuous. */
let countedSteps = 0;

function checkInvariants(space: AddressSpace, model: ReferenceSpace, op: Op, step: number): void {
  const listed = space.allocations().map((c) => ({ address: c.address, prefix: c.prefixLength }));
  same(listed.map(key).join(' '), model.allocations.map(key).join(' '), `allocations after step ${step}`);
  const bits = model.bits;
  for (let i = 0; i < listed.length; i++) {
    const a = listed[i]!;
    if (i > 0) {
      const prev = listed[i - 1]!;
      same(prev.address + (1n << BigInt(bits - prev.prefix)) <= a.address, true, `${key(prev)} overlaps ${key(a)}`);
    }
    same(model.insideSource(a), true, `${key(a)} lies outside every source`);
  }
  const prefix = Math.min(bits, (model.sources[0]?.prefix ?? 0) + op.capacityDepth);
  const capacity = space.capacity(prefix);
  same(capacity.freeAddresses, model.freeAddresses(), `free addresses after step ${step}`);
  same(capacity.blocksThatFit, model.blocksThatFit(prefix), `/${prefix} blocks that fit after step ${step}`);
  same(capacity.largestFreePrefix, model.largestFreePrefix(), `largest free prefix after step ${step}`);
  same(capacity.liveAllocations, model.allocations.length, 'live allocations');
  same(capacity.sources, model.sources.length, 'sources');
  // holdsFreeAddresses against the model's exact count, on both sides of where it turns true
  const free = model.freeAddresses();
  const edge = free === 0n ? bits : bits - (free.toString(2).length - 1); // the largest power of two <= free is a /edge
  for (const p of [prefix, edge, edge - 1, bits]) {
    if (p >= 0 && p <= bits) same(space.holdsFreeAddresses(p), free >= 1n << BigInt(bits - p), `holds a /${p}'s worth after step ${step}`);
  }
  // random's free-address counts (assembly/counts.ts), once kept, agree with the tree
  same(space.engine.raw.freeCountMismatches(space.id), 0, `free-address counts after step ${step}`);
  if (space.engine.raw.keepsFreeCounts(space.id) === 1) countedSteps++;
  if (step % 16 === 0) {
    same(space.freeBlocks().map((c) => key({ address: c.address, prefix: c.prefixLength })).join(' '), model.freeBlocks().map(key).join(' '), `free blocks after step ${step}`);
    same(space.sources().map((c) => key({ address: c.address, prefix: c.prefixLength })).join(' '), model.sources.map(key).join(' '), `sources after step ${step}`);
  }
}

function blockFor(op: Op, model: ReferenceSpace, universe: Block): Block {
  const bits = model.bits;
  const pool = op.kind === 'removeSource' || op.kind === 'addSource' ? model.sources : model.allocations;
  if (op.reuse && pool.length > 0) return { ...pool[op.pick % pool.length]! };
  // sources are large, allocations smaller
  const depth = op.kind === 'addSource' || op.kind === 'removeSource' ? op.depth % 4 : op.depth;
  const prefix = Math.min(bits, universe.prefix + depth);
  const hostBits = BigInt(bits - prefix);
  const universeSize = 1n << BigInt(bits - universe.prefix);
  let address = ((universe.address + (op.offset % universeSize)) >> hostBits) << hostBits;
  if (op.misalign && prefix < bits) address += 1n;
  return { address, prefix };
}

async function differential(family: 4 | 6): Promise<void> {
  const engine = await sharedEngine();
  countedSteps = 0;
  const bits = family === 4 ? 32 : 128;
  fc.assert(
    fc.property(runArb(family), ({ universePrefix, universeSeed, ops }) => {
      const hostBits = BigInt(bits - universePrefix);
      const universe = { address: ((universeSeed % (1n << BigInt(bits))) >> hostBits) << hostBits, prefix: universePrefix };
      const space = engine.createSpace(family);
      const model = new ReferenceSpace(bits);
      try {
        // start with one or two sources so most runs allocate something
        for (const op of ops.slice(0, 2)) {
          const block = blockFor({ ...op, kind: 'addSource', misalign: false, reuse: false }, model, universe);
          same(runOnEngine(space, { ...op, kind: 'addSource', numeric: false }, block), model.addSource(block), 'initial source');
        }
        ops.forEach((op, step) => {
          const block = blockFor(op, model, universe);
          const judgedAfter = op.strategy === 'random' && (op.kind === 'allocate' || op.kind === 'preview');
          const expected = judgedAfter ? undefined : runOnModel(model, op, block);
          const actual = runOnEngine(space, op, block);
          const judged = judgedAfter ? judgeRandom(model, op, block.prefix, actual) : expected;
          const shown = (r: typeof judged) => (typeof r === 'object' ? key(r) : r);
          same(shown(actual), shown(judged), `step ${step} ${op.kind} ${op.strategy} ${key(block)}`);
          checkInvariants(space, model, op, step);
        });
      } finally {
        space.destroy();
      }
    }),
    propertyParameters(RUNS_PER_FAMILY),
  );
  // about a fifth of the steps follow a random draw that kept counts, in both families
  expect(countedSteps).toBeGreaterThan(RUNS_PER_FAMILY * OPS_PER_RUN * 0.05);
}

// Best-fit across the whole range of block sizes: a node keeps its children's order sets as
// windows of the 62 orders below their top (order-sets.ts), so in an IPv6 /0../32 source
// small blocks lie below the windows of the upper nodes and are found through full sets.
const wideRunArb = fc.record({
  sourcePrefix: fc.constantFrom(0, 1, 8, 32),
  sourceSeed: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
  ops: fc.array(
    fc.record({
      kind: fc.constantFrom('allocate', 'allocate', 'allocate', 'preview', 'release', 'release'),
      size: fc.nat({ max: 1000 }), // prefix = source prefix + 1 + size * (128 - source prefix - 1) / 1000
      strategy: fc.constantFrom<Strategy>('best-fit', 'best-fit', 'best-fit', 'first-fit', 'last-fit'),
      pick: fc.nat(),
    }),
    { minLength: 150, maxLength: 150 },
  ),
});

describe('best-fit matches the reference model when the blocks range from the source size to single addresses', () => {
  it(`IPv6: ${RUNS_PER_FAMILY} runs of 150 operations`, async () => {
    const engine = await sharedEngine();
    fc.assert(
      fc.property(wideRunArb, ({ sourcePrefix, sourceSeed, ops }) => {
        const hostBits = BigInt(128 - sourcePrefix);
        const source = { address: ((sourceSeed % (1n << 128n)) >> hostBits) << hostBits, prefix: sourcePrefix };
        const space = engine.createSpace(6);
        const model = new ReferenceSpace(128);
        try {
          space.addSource(asCidr(6, source));
          model.addSource(source);
          ops.forEach((op, step) => {
            if (op.kind === 'release') {
              if (model.allocations.length === 0) return;
              const block = model.allocations[op.pick % model.allocations.length];
              space.release(asCidr(6, block));
              same(model.release(block), EngineStatus.OK, `step ${step} release ${key(block)}`);
              return;
            }
            const prefix = sourcePrefix + 1 + Math.floor((op.size * (127 - sourcePrefix)) / 1000);
            const take = op.kind === 'allocate';
            let actual: Block | number = EngineStatus.NO_FIT;
            const status = statusOf(() => {
              const c = take ? space.allocate(prefix, op.strategy) : space.preview(prefix, op.strategy);
              if (c) actual = { address: c.address, prefix: c.prefixLength };
            });
            if (status !== EngineStatus.OK) actual = status;
            const expected = take ? model.allocate(prefix, op.strategy) : model.fit(prefix, op.strategy) ?? EngineStatus.NO_FIT;
            const shown = (r: Block | number) => (typeof r === 'object' ? key(r) : r);
            same(shown(actual), shown(expected), `step ${step} ${op.kind} ${op.strategy} /${prefix}`);
          });
        } finally {
          space.destroy();
        }
      }),
      propertyParameters(RUNS_PER_FAMILY),
    );
  }, 600_000);
});

describe('engine matches the reference model on random operation sequences', () => {
  it(`IPv4: ${RUNS_PER_FAMILY} runs of ${OPS_PER_RUN} operations`, () => differential(4), 600_000);
  it(`IPv6: ${RUNS_PER_FAMILY} runs of ${OPS_PER_RUN} operations`, () => differential(6), 600_000);
});
