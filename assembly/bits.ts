// 128-bit address helpers. An address is a (hi, lo) pair of u64; IPv4 spaces use lo only.

/** The 4-bit group of the address starting at bit `shift` (a multiple of 4). */
@inline export function nibbleAt(hi: u64, lo: u64, shift: u32): u32 {
  return <u32>((shift >= 64 ? hi >> <u64>(shift - 64) : lo >> <u64>shift) & 15);
}

/** Low `n` bits set, for n in 0..64. */
@inline export function lowMask(n: u32): u64 {
  return n >= 64 ? <u64>-1 : (<u64>1 << <u64>n) - 1;
}

/** True when the address fits the width and has no bits set below the prefix. */
export function isAlignedBlock(hi: u64, lo: u64, width: u32, prefix: u32): bool {
  let order = width - prefix;
  if (width == 32 && (hi != 0 || (lo >> 32) != 0)) return false;
  if (order >= 64) return (lo == 0) && (hi & lowMask(order - 64)) == 0;
  return (lo & lowMask(order)) == 0;
}

/** (aHi, aLo) < (bHi, bLo) */
@inline export function lessThan(aHi: u64, aLo: u64, bHi: u64, bLo: u64): bool {
  return aHi < bHi || (aHi == bHi && aLo < bLo);
}

// A 129-bit accumulator for exact counts: at most 2^128 (every address of an IPv6 /0).
export let sumLo: u64 = 0;
export let sumHi: u64 = 0;
export let sumTop: u64 = 0;

export function resetSum(): void {
  sumLo = 0; sumHi = 0; sumTop = 0;
}

/** Adds count * 2^shift, shift in 0..128. */
export function addShifted(count: u64, shift: u32): void {
  let lo: u64 = 0, hi: u64 = 0, top: u64 = 0;
  if (shift == 0) {
    lo = count;
  } else if (shift < 64) {
    lo = count << <u64>shift;
    hi = count >> <u64>(64 - shift);
  } else if (shift == 64) {
    hi = count;
  } else if (shift < 128) {
    hi = count << <u64>(shift - 64);
    top = count >> <u64>(128 - shift);
  } else {
    top = count;
  }
  let newLo = sumLo + lo;
  let carry: u64 = newLo < sumLo ? 1 : 0;
  let newHi = sumHi + hi;
  let carryHi: u64 = newHi < sumHi ? 1 : 0;
  let newHi2 = newHi + carry;
  if (newHi2 < newHi) carryHi++;
  sumLo = newLo;
  sumHi = newHi2;
  sumTop += top + carryHi;
}
