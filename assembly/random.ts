// The `random` strategy's generator: splitmix64 (Steele, Lea and Flood 2014), one u64 of state
// per space. Any state is valid (a zero state is fine), every output is a full-period bijection
// of the state, and one step costs a few multiplies, so a space can store, restore and seed it
// as a single 64-bit number.
//
// A draw works on a copy (`state` below) loaded from the space; only a successful allocation
// writes it back. So a preview, a refused call (NO_FIT, OUT_OF_MEMORY) or a bad argument never
// moves a space's generator, and a preview answers exactly what the next allocate would take.

let state: u64 = 0;

@inline export function beginDraws(spaceState: u64): void {
  state = spaceState;
}

/** The state after the draws made since beginDraws. */
@inline export function drawnState(): u64 {
  return state;
}

export function nextRandom(): u64 {
  state += 0x9e3779b97f4a7c15;
  let z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/**
 * One set bit of a non-zero mask, each with probability 1/popcnt(mask) (up to 2^-32: the
 * index is a 32-bit fixed-point product, not a modulo, so it needs no rejection loop).
 */
export function pickRandomBit(mask: u32): u32 {
  let index = <u32>((<u64>(<u32>nextRandom()) * <u64>popcnt(mask)) >> 32);
  for (; index > 0; index--) mask &= mask - 1;
  return ctz(mask);
}

/**
 * A uniform integer in [0, total), total >= 1: the draw's bits below total's next power of two,
 * drawn again while out of range (fewer than two draws on average).
 */
export function randomBelow(total: u64): u64 {
  let range: u64 = total <= 1 ? 0 : <u64>-1 >> clz(total - 1);
  let r = nextRandom() & range;
  while (r >= total) r = nextRandom() & range;
  return r;
}
