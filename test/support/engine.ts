import { Engine } from '../../src/engine/index.js';

let shared: Promise<Engine> | undefined;

/** One engine instance per test file (spaces are independent inside it). */
export function sharedEngine(): Promise<Engine> {
  shared ??= Engine.load();
  return shared;
}

/** Splits an address into the four u32 words the numeric IPv6 methods take, lowest first. */
export function words(address: bigint): [number, number, number, number] {
  const w = (i: number) => Number((address >> BigInt(32 * i)) & 0xffffffffn);
  return [w(0), w(1), w(2), w(3)];
}

export function fromWords(w: ArrayLike<number>): bigint {
  return (BigInt(w[3]!) << 96n) | (BigInt(w[2]!) << 64n) | (BigInt(w[1]!) << 32n) | BigInt(w[0]!);
}
