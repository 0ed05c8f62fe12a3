/**
 * The engine surface's refusals, each test killing a mutant the other engine tests let live:
 * reserveV4/releaseV4 on an IPv6 space, batch arrays from another realm, the loader's memory and
 * export checks, and formatCidr's refusals of a negative, non-bigint or unknown-family value.
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { formatCidr, type Cidr } from '../src/cidr/index.js';
import { Engine, EngineLoadError, EngineStatus, type AddressSpace } from '../src/index.js';
import { ENGINE_FUNCTIONS } from '../src/engine/exports.js';
import { sharedEngine } from './support/engine.js';

async function space(family: 4 | 6, source: string): Promise<AddressSpace> {
  const s = (await sharedEngine()).createSpace(family);
  s.addSource(source);
  return s;
}

describe('reserveV4 / releaseV4 on an IPv6 space', () => {
  it('reserveV4 answers BAD_ARGUMENT and reserves nothing', async () => {
    const v6 = await space(6, '::/0');
    expect(v6.reserveV4(0x0a000000, 104)).toBe(EngineStatus.BAD_ARGUMENT);
    expect(v6.reserveV4(0, 64)).toBe(EngineStatus.BAD_ARGUMENT);
    expect(v6.allocations()).toEqual([]);
  });

  it('releaseV4 answers BAD_ARGUMENT and releases nothing', async () => {
    const v6 = await space(6, '::/0');
    v6.reserve('::/64');
    expect(v6.releaseV4(0, 64)).toBe(EngineStatus.BAD_ARGUMENT);
    expect(v6.allocations().map(formatCidr)).toEqual(['::/64']);
  });
});

describe('batch arrays made in another realm', () => {
  it('a Uint8Array and Uint32Array from a vm context are taken (checked by tag, not instanceof)', async () => {
    const s = await space(4, '10.0.0.0/8');
    const other = vm.runInNewContext('({ lengths: new Uint8Array([24, 24]), out: new Uint32Array(2) })') as { lengths: Uint8Array; out: Uint32Array };
    expect(other.lengths instanceof Uint8Array).toBe(false);
    expect(s.allocateMany(other.lengths, other.out)).toBe(2);
    expect(s.allocations()).toHaveLength(2);
  });
});

// ---- minimal wasm modules ----
const leb = (n: number) => { const out: number[] = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
const name = (s: string) => [...leb(s.length), ...Buffer.from(s, 'utf8')];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
/** A module exporting the given function names (all one `() -> ()` function) and, if asked, a memory. */
function moduleWith(functions: readonly string[], memory: boolean): Uint8Array {
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  bytes.push(...section(1, [1, 0x60, 0, 0]));           // one type () -> ()
  bytes.push(...section(3, [1, 0]));                     // one function of type 0
  if (memory) bytes.push(...section(5, [1, 0x00, 1]));   // one memory, min 1 page
  const exports: number[] = [];
  for (const f of functions) exports.push(...name(f), 0x00, 0);
  if (memory) exports.push(...name('memory'), 0x02, 0);
  bytes.push(...section(7, [...leb(functions.length + (memory ? 1 : 0)), ...exports]));
  bytes.push(...section(10, [1, 2, 0, 0x0b]));           // the function's body: end
  return new Uint8Array(bytes);
}

describe('Engine.load of a module that compiles and instantiates but is not the engine', () => {
  it('one with a memory and only some of the functions (an older engine.wasm) is refused, naming what it lacks', async () => {
    const older = moduleWith(ENGINE_FUNCTIONS.filter((f) => f !== 'freeCountMismatches'), true);
    const error = await Engine.load(older).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(EngineLoadError);
    expect((error as Error).message).toMatch(/lacks freeCountMismatches/);
  });

  it('one with every function but no memory is refused with EngineLoadError', async () => {
    const noMemory = moduleWith(ENGINE_FUNCTIONS, false);
    const error = await Engine.load(noMemory).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(EngineLoadError);
    expect((error as Error).message).toMatch(/exports no memory/);
  });
});

describe('formatCidr refuses what parseCidr never makes', () => {
  it('a negative address', () => {
    expect(() => formatCidr({ family: 4, address: -1n, prefixLength: 32 })).toThrow(RangeError);
    expect(() => formatCidr({ family: 6, address: -(1n << 64n), prefixLength: 64 })).toThrow(RangeError);
  });
  it('an address that is a number, not a bigint', () => {
    expect(() => formatCidr({ family: 4, address: 167772160 as unknown as bigint, prefixLength: 8 })).toThrow(RangeError);
  });
  it('a family that is neither 4 nor 6', () => {
    expect(() => formatCidr({ family: 5 as 4, address: 0n, prefixLength: 8 } as Cidr)).toThrow(RangeError);
  });
});
