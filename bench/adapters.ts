/** Each contender as a BlockAllocator over the same address words (w0 lowest). */
import type { AddressSpace } from '../src/engine/index.js';
import { BigIntBuddy, JsBuddy } from './contenders/js-buddy.js';
import type { Ipv4Contender } from './contenders/contender.js';
import type { BlockAllocator } from './workloads.js';

/** `strategy`: the number of an allocation strategy (STRATEGIES); first-fit by default. */
export function engineCall(space: AddressSpace, strategy = 0): BlockAllocator {
  if (space.family === 4) {
    return {
      name: 'engine, one call per op',
      allocate(prefix, out, at) {
        const address = space.allocateV4(prefix, strategy);
        out[at] = address;
        return address >= 0;
      },
      release(words, at, prefix) {
        if (space.releaseV4(words[at]!, prefix) !== 0) throw new Error('release refused');
      },
    };
  }
  const result = new Uint32Array(4);
  return {
    name: 'engine, one call per op',
    allocate(prefix, out, at) {
      if (space.allocateV6(prefix, strategy) !== 0) return false;
      space.resultWords(result);
      out.set(result, at);
      return true;
    },
    release(words, at, prefix) {
      if (space.releaseV6(words[at]!, words[at + 1]!, words[at + 2]!, words[at + 3]!, prefix) !== 0) throw new Error('release refused');
    },
  };
}

export function engineBatch(space: AddressSpace): BlockAllocator {
  const single = engineCall(space);
  return {
    ...single,
    name: 'engine, batch calls',
    allocateMany: (prefixes, out) => space.allocateMany(prefixes, out),
    releaseMany(prefixes, words) {
      if (space.releaseMany(prefixes, words) !== prefixes.length) throw new Error('release refused');
    },
  };
}

/** The tuned JS port; IPv4 uses word 0 only. */
export function jsBuddy(buddy: JsBuddy, name = 'plain JS, typed arrays (same algorithm)'): BlockAllocator {
  const wordsPer = buddy.width === 32 ? 1 : 4;
  const address = buddy.address;
  return {
    name,
    allocate(prefix, out, at) {
      if (!buddy.allocate(prefix)) return false;
      for (let k = 0; k < wordsPer; k++) out[at + k] = address[k]!;
      return true;
    },
    release(words, at, prefix) {
      for (let k = 0; k < wordsPer; k++) address[k] = words[at + k]!;
      if (!buddy.release(prefix)) throw new Error('release refused');
    },
  };
}

/** The BigInt port: addresses cross as BigInt, as a straightforward 128-bit JS port would keep them. */
export function bigIntBuddy(buddy: BigIntBuddy): BlockAllocator {
  const words = (value: bigint, out: Uint32Array, at: number) => {
    for (let k = 0; k < 4; k++) out[at + k] = Number((value >> BigInt(32 * k)) & 0xffffffffn);
  };
  const value = (w: Uint32Array, at: number) =>
    (BigInt(w[at + 3]!) << 96n) | (BigInt(w[at + 2]!) << 64n) | (BigInt(w[at + 1]!) << 32n) | BigInt(w[at]!);
  return {
    name: 'plain JS, BigInt addresses (same algorithm)',
    allocate(prefix, out, at) {
      if (!buddy.allocate(prefix)) return false;
      words(buddy.value, out, at);
      return true;
    },
    release(w, at, prefix) {
      buddy.value = value(w, at);
      if (!buddy.release(prefix)) throw new Error('release refused');
    },
  };
}

export function ipv4Contender(c: Ipv4Contender): BlockAllocator {
  return {
    name: c.name,
    allocate(prefix, out, at) {
      const address = c.allocate(prefix);
      out[at] = address;
      return address >= 0;
    },
    release(words, at, prefix) {
      c.release(words[at]!, prefix);
    },
  };
}
