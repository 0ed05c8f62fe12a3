/**
 * Arguments wasm would narrow before the engine could check them (NaN → 0, 24.5 → 24, 2^32 + n
 * → n), and batch arrays of the wrong length: each is refused (EngineError, or a negative status
 * on the numeric paths) with the space exactly unchanged. Every case once gave a wrong answer:
 * a /0 for NaN, a wrapped address reserved, blocks taken and not reported, or released unasked.
 * Also: the numeric IPv4 methods on an IPv6 space, batch arrays of the wrong kind, and the
 * result slot that reading randomState or listing used to overwrite, and null, undefined or bigint
 * arguments (they threw TypeErrors).
 */
import { describe, expect, it } from 'vitest';
import { formatCidr, formatCidrV6, type Cidr } from '../src/cidr/index.js';
import { EngineError, EngineStatus, type AddressSpace } from '../src/engine/index.js';
import { sharedEngine } from './support/engine.js';

async function space(family: 4 | 6, source: string): Promise<AddressSpace> {
  const s = (await sharedEngine()).createSpace(family);
  s.addSource(source);
  return s;
}

const snapshot = (s: AddressSpace) => ({
  allocations: s.allocations().map(formatCidr),
  free: s.freeBlocks().map(formatCidr),
  sources: s.sources().map(formatCidr),
});

describe('batch buffers of the wrong length', () => {
  it('allocateMany with `out` too short is refused with BAD_ARGUMENT and takes nothing', async () => {
    const s = await space(4, '10.0.0.0/8');
    expect(() => s.allocateMany(new Uint8Array([24, 24, 24, 24]), new Uint32Array(2))).toThrow(expect.objectContaining({ name: 'EngineError', code: 'BAD_ARGUMENT' }));
    expect(s.allocations()).toEqual([]);
  });

  it('allocateMany on IPv6 with one word per item (not four) is refused with BAD_ARGUMENT and takes nothing', async () => {
    const s = await space(6, '2001:db8::/32');
    expect(() => s.allocateMany(new Uint8Array([64, 64]), new Uint32Array(2))).toThrow(expect.objectContaining({ name: 'EngineError', code: 'BAD_ARGUMENT' }));
    expect(s.allocations()).toEqual([]);
  });

  it('releaseMany with fewer addresses than prefix lengths releases nothing it was not given', async () => {
    const s = await space(4, '10.0.0.0/8');
    const out = new Uint32Array(3);
    expect(s.allocateMany(new Uint8Array([24, 24, 24]), out)).toBe(3);
    // 10.0.1.0/24 and 10.0.2.0/24 were never passed: the IO area still holds them from the batch
    // before, and a call that read past the addresses it was given released them
    expect(() => s.releaseMany(new Uint8Array([24, 24, 24]), out.subarray(0, 1))).toThrow(expect.objectContaining({ name: 'EngineError', code: 'BAD_ARGUMENT' }));
    expect(s.allocations().map(formatCidr)).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']);
  });
});

describe('numeric hot paths: numbers wasm would narrow', () => {
  it('allocateV4(NaN) is refused, not an allocation of /0', async () => {
    const s = await space(4, '0.0.0.0/0');
    expect(s.allocateV4(NaN)).toBe(EngineStatus.BAD_PREFIX);   // actual: 0, the whole 0.0.0.0/0 taken
    expect(s.allocations()).toEqual([]);
  });

  it('allocateV4(24.5) and allocateV6(64.5) are refused, not /24 and /64', async () => {
    const s = await space(4, '10.0.0.0/8');
    expect(s.allocateV4(24.5)).toBe(EngineStatus.BAD_PREFIX);  // actual: 167772160 (10.0.0.0/24)
    const v = await space(6, '2001:db8::/32');
    expect(v.allocateV6(64.5)).toBe(EngineStatus.BAD_PREFIX);  // actual: 0 (2001:db8::/64)
    expect(snapshot(s).allocations).toEqual([]);
    expect(snapshot(v).allocations).toEqual([]);
  });

  it('allocateV4(2^32 + 24) is refused, not /24', async () => {
    const s = await space(4, '10.0.0.0/8');
    expect(s.allocateV4(2 ** 32 + 24)).toBe(EngineStatus.BAD_PREFIX);
    expect(s.allocations()).toEqual([]);
  });

  it('allocateV4(24, 1.5) is refused, not a last-fit', async () => {
    const s = await space(4, '10.0.0.0/8');
    expect(s.allocateV4(24, 1.5)).toBe(EngineStatus.BAD_STRATEGY); // actual: 184549120 (10.255.255.0/24)
    expect(s.allocations()).toEqual([]);
  });

  it('reserveV4 / releaseV4 with an address outside u32 are refused, not wrapped', async () => {
    const s = await space(4, '10.0.0.0/8');
    const before = snapshot(s);
    expect(s.reserveV4(2 ** 32 + 0x0a010000, 16)).toBe(EngineStatus.HOST_BITS); // actual: 0, 10.1.0.0/16 reserved
    expect(snapshot(s)).toEqual(before);
    expect(s.reserveV4(0x0a010000, 16)).toBe(EngineStatus.OK);
    expect(s.releaseV4(0x0a010000 + 0.5, 16)).not.toBe(EngineStatus.OK);        // actual: 0, released
    expect(s.allocations().map(formatCidr)).toEqual(['10.1.0.0/16']);
  });

  it('reserveV6 with a word outside u32 is refused, not wrapped', async () => {
    const v = await space(6, '2001:db8::/32');
    const before = snapshot(v);
    // w0 = 2^32 would be the bit above w0; the Uint32Array store drops it
    expect(v.reserveV6(2 ** 32, 0, 0, 0x20010db8, 64)).not.toBe(EngineStatus.OK); // actual: 0, 2001:db8::/64
    expect(snapshot(v)).toEqual(before);
  });
});

describe('Cidr values the wrapper narrows before the engine checks them', () => {
  const refused = (fn: () => unknown) => {
    try { fn(); } catch (error) { return error; }
    return undefined;
  };

  it('an IPv4 Cidr whose address is 2^32 or more is refused, not wrapped into the space', async () => {
    const s = await space(4, '10.0.0.0/8');
    const before = snapshot(s);
    const bogus: Cidr = { family: 4, address: (1n << 32n) + 0x0a000000n, prefixLength: 24 };
    const error = refused(() => s.reserve(bogus));
    expect(error).toBeInstanceOf(EngineError);          // actual: no error, 10.0.0.0/24 reserved
    expect((error as EngineError).code).toBe('HOST_BITS');
    expect(snapshot(s)).toEqual(before);
  });

  it('a Cidr with a fractional prefix length is refused, not truncated', async () => {
    const s = await space(4, '10.0.0.0/8');
    const before = snapshot(s);
    const error = refused(() => s.reserve({ family: 4, address: 0x0a010000n, prefixLength: 24.5 }));
    expect(error).toBeInstanceOf(EngineError);          // actual: no error, 10.1.0.0/24 reserved
    expect(snapshot(s)).toEqual(before);
  });

  it('an IPv6 Cidr whose address is 2^128 or more is refused, not wrapped into the space', async () => {
    const v = await space(6, '2001:db8::/32');
    const before = snapshot(v);
    const error = refused(() => v.reserve({ family: 6, address: (1n << 128n) + (0x20010db8n << 96n), prefixLength: 48 }));
    expect(error).toBeInstanceOf(EngineError);          // actual: no error, 2001:db8::/48 reserved
    expect(snapshot(v)).toEqual(before);
  });
});

describe('numeric IPv4 methods on an IPv6 space', () => {
  // The convenience methods refuse a block of the other family; allocateV4/previewV4 do not:
  // they take (or name) an IPv6 block and return its low 64 bits as a float, which is no u32
  // address (README: "u32 address, or a negative EngineStatus").
  it('allocateV4 on an IPv6 space is refused with a negative status and takes nothing', async () => {
    const v6 = await space(6, '2001:db8::/32');
    const before = snapshot(v6);
    const result = v6.allocateV4(128, 1);
    expect(result).toBeLessThan(0);                 // was: 18446744073709552000 (2^64 − 1 as f64)
    expect(snapshot(v6)).toEqual(before);           // was: 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/128 taken
  });

  it('allocateV4(64) on an IPv6 space does not answer 0 (0.0.0.0) for 2001:db8::/64', async () => {
    const v6 = await space(6, '2001:db8::/32');
    expect(v6.allocateV4(64)).toBeLessThan(0);      // was: 0, and 2001:db8::/64 is taken
    expect(v6.allocations()).toEqual([]);
  });

  it('previewV4 on an IPv6 space answers a negative status, not a non-u32 number', async () => {
    const v6 = await space(6, '2001:db8::/32');
    expect(v6.previewV4(120, 1)).toBeLessThan(0);   // was: 18446744073709552000
  });
});

describe('resultWords() holds the last allocateV6/previewV6 result', () => {
  // JSDoc: "The address written by the last allocateV6/previewV6". Reading randomState or listing
  // the space once wrote to the same IO slot (IO_ADDRESS_OUT), so resultWords() then answered the
  // generator state or a listing cursor instead of the address just allocated.
  const text = (w: Uint32Array) => formatCidrV6(w[0]!, w[1]!, w[2]!, w[3]!, 64);
  const addressAfter = async (between: (s: AddressSpace) => unknown) => {
    const s = await space(6, '2001:db8::/32');
    s.seedRandom(7);
    expect(s.allocateV6(64)).toBe(EngineStatus.OK);
    const right = text(s.resultWords());
    between(s);
    return [text(s.resultWords()), right];
  };

  it('is not overwritten by reading randomState', async () => {
    const [after, right] = await addressAfter((s) => s.randomState);
    expect(after).toBe(right);                      // was: 2001:db8::/64 became ::7/64 (the state)
  });

  it('is not overwritten by allocations()', async () => {
    const [after, right] = await addressAfter((s) => s.allocations());
    expect(after).toBe(right);                      // was: the listing's cursor, 2001:db8:0:1::/64
  });

  it('is not overwritten by utilization()', async () => {
    const [after, right] = await addressAfter((s) => s.utilization());
    expect(after).toBe(right);                      // was: 2001:db9::/64 (the sources() cursor)
  });
});

describe('batch arrays that are not Uint8Array / Uint32Array (plain JS callers)', () => {
  // README: "an out or address array shorter than the prefix lengths need throws BAD_ARGUMENT
  // before the first item". An array of the wrong kind is checked for length only: a plain Array
  // `out` passes, the blocks are taken, and then `addresses.set is not a function` is thrown:
  // blocks taken and never reported.
  it('allocateMany with a plain Array `out` is refused (EngineError) before taking anything', async () => {
    const s = await space(4, '10.0.0.0/8');
    const out = [0, 0] as unknown as Uint32Array;
    expect(() => s.allocateMany(new Uint8Array([24, 24]), out)).toThrow(expect.objectContaining({ name: 'EngineError', code: 'BAD_ARGUMENT' }));
    expect(s.allocations()).toEqual([]);            // was: TypeError, 10.0.0.0/24 and 10.0.1.0/24 taken
  });

  it('allocateMany with prefix lengths wider than bytes does not narrow 280 to /24', async () => {
    const s = await space(4, '10.0.0.0/8');
    const prefixes = new Uint16Array([280]) as unknown as Uint8Array;
    let taken = -1;
    try { taken = s.allocateMany(prefixes, new Uint32Array(1)); } catch { /* a refusal is fine */ }
    expect(taken).toBeLessThanOrEqual(0);           // was: 1 — 280 & 255 = 24
    expect(s.allocations()).toEqual([]);            // was: ['10.0.0.0/24']
  });
});

describe('arguments of the wrong type give EngineError or a status, not an internal TypeError', () => {
  it('reserve / release / addSource / removeSource / overlapsAllocation / insideSource of null or undefined throw EngineError BAD_ARGUMENT and change nothing', async () => {
    const s = await space(4, '10.0.0.0/8');
    s.reserve('10.0.0.0/24');
    const before = snapshot(s);
    for (const bad of [null, undefined, 24]) {
      for (const call of [
        () => s.reserve(bad as unknown as Cidr),
        () => s.release(bad as unknown as Cidr),
        () => s.addSource(bad as unknown as Cidr),
        () => s.removeSource(bad as unknown as Cidr),
        () => s.overlapsAllocation(bad as unknown as Cidr),
        () => s.insideSource(bad as unknown as Cidr),
      ]) {
        expect(call, String(bad)).toThrow(expect.objectContaining({ name: 'EngineError', code: 'BAD_ARGUMENT' }));
      }
    }
    expect(snapshot(s)).toEqual(before);
  });

  it('numeric methods given a bigint (as Cidr.address is) answer a status, and setRandomState throws BAD_ARGUMENT', async () => {
    const v4 = await space(4, '10.0.0.0/8');
    const v6 = await space(6, '2001:db8::/32');
    const before = [snapshot(v4), snapshot(v6), v4.randomState];
    const big = 24n as unknown as number;
    expect(v4.allocateV4(big)).toBe(EngineStatus.BAD_PREFIX);
    expect(v4.previewV4(big)).toBe(EngineStatus.BAD_PREFIX);
    expect(v6.allocateV6(big)).toBe(EngineStatus.BAD_PREFIX);
    expect(v4.reserveV4(167772160n as unknown as number, 24)).toBe(EngineStatus.HOST_BITS);
    expect(v4.releaseV4(167772160n as unknown as number, 24)).toBe(EngineStatus.HOST_BITS);
    expect(v6.reserveV6(0, 0, 0, 0x20010db8n as unknown as number, 32)).toBe(EngineStatus.HOST_BITS);
    expect(() => v4.setRandomState(1n as unknown as number, 0)).toThrow(expect.objectContaining({ name: 'EngineError', code: 'BAD_ARGUMENT' }));
    expect([snapshot(v4), snapshot(v6), v4.randomState]).toEqual(before);
  });
});
