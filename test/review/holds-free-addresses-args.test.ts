// Review of 2b3c895 (holdsFreeAddresses moved into the engine): prefixes outside 0..bits are
// refused with BAD_PREFIX, but a prefix that is not an integer reaches the wasm export through
// ToInt32 and is answered as some other prefix: NaN and undefined as /0, 24.5 as /24,
// 2^32 + 8 as /8. Bad input should get the documented error (BAD_PREFIX), not an answer about
// a block size nobody asked for. (The JS version before answered false for NaN as well;
// capacity() and fits() take such prefixes too.)
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError, type Engine } from '../../src/engine/index.js';
import { sharedEngine } from '../support/engine.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sharedEngine();
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof EngineError) return error.code;
    throw error;
  }
  return undefined;
}

describe('review: holdsFreeAddresses with a prefix that is not an integer in range', () => {
  it('refuses NaN, fractions, 2^32 + n and undefined with BAD_PREFIX', () => {
    const space = engine.createSpace(4);
    space.addSource('10.0.0.0/24');
    // (control) in-range and out-of-range integers
    expect(space.holdsFreeAddresses(24)).toBe(true);
    expect(space.holdsFreeAddresses(8)).toBe(false);
    expect(codeOf(() => space.holdsFreeAddresses(33))).toBe('BAD_PREFIX');
    for (const bad of [Number.NaN, 24.5, 2 ** 32 + 8, undefined as unknown as number]) {
      expect(codeOf(() => space.holdsFreeAddresses(bad)), String(bad)).toBe('BAD_PREFIX');
    }
    space.destroy();
  });
});
