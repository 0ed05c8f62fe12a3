/**
 * Arguments wasm would narrow before the engine could check them (NaN → 0, 24.5 → 24, 2^32 + n
 * → n), and batch arrays of the wrong length: each is refused (EngineError, or a negative status
 * on the numeric paths) with the space exactly unchanged. Every case once gave a wrong answer:
 * a /0 for NaN, a wrapped address reserved, blocks taken and not reported, or released unasked.
 */
import { describe, expect, it } from 'vitest';
import { formatCidr, type Cidr } from '../src/cidr/index.js';
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
