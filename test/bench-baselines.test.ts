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
        const at = random.below(live.length);
        const [address, prefix] = live[at]!;
        live[at] = live[live.length - 1]!;
        live.pop();
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
