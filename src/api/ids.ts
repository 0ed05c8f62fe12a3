/**
 * IDs, RequestIds and timestamps. With a seed and a clock they repeat run after run; without,
 * they come from crypto randomness and the wall clock.
 */

export type Clock = () => Date;

/** Crypto randomness drawn 1024 words at a time (a seeded source never draws, so never allocates). */
function cryptoSource(): () => number {
  let buffer: Uint32Array | undefined;
  let at = 0;
  return () => {
    if (buffer === undefined || at === buffer.length) {
      buffer ??= new Uint32Array(1024);
      globalThis.crypto.getRandomValues(buffer);
      at = 0;
    }
    return buffer[at++]!;
  };
}

// Character-code tables, not Number#toString(radix) or joins: IDs and RequestIds are made on every
// call. String.fromCharCode with each code as an argument builds one flat string at once, several
// times faster than concatenating pieces or applying it to an array.
const ID_CODES = Array.from('abcdefghijklmnopqrstuvwxyz234567', (c) => c.charCodeAt(0)); // 5 bits each
const HEX_CODES = Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));
const DASH = 45;
/** The character for bits [shift, shift + 5) or [shift, shift + 4) of n. */
const idChar = (n: number, shift: number) => ID_CODES[(n >>> shift) & 31]!;
const hexChar = (n: number, shift: number) => HEX_CODES[(n >>> shift) & 15]!;

export class IdSource {
  /** Without a seed: crypto randomness. */
  #seeded = false;
  /**
   * splitmix32 state when seeded (exported with the service state). Always a number: V8 keeps a
   * number-only field unboxed, where a field that may hold undefined boxes every u32 written.
   */
  #state = 0;
  readonly #random = cryptoSource();

  constructor(seed?: number) {
    this.state = seed;
  }

  get state(): number | undefined {
    return this.#seeded ? this.#state : undefined;
  }

  set state(value: number | undefined) {
    this.#seeded = value !== undefined;
    this.#state = value === undefined ? 0 : value >>> 0;
  }

  #next(): number {
    if (!this.#seeded) return this.#random();
    // splitmix32: small, seedable, good enough for identifiers
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** prefix + 20 lower-case alphanumerics, e.g. ipam-pool-3kz9… */
  id(prefix: string): string {
    return this.#id(prefix, this.#next());
  }

  /**
   * An ID whose characters also carry a number below 2^25 (see slotOfId): the first five
   * characters hold it XOR the next five, so IDs still look random and cost the same draws.
   */
  slotId(prefix: string, slot: number): string {
    this.#next();
    return this.#id(prefix, -1, slot);
  }

  #id(prefix: string, first: number, slot = 0): string {
    const b = this.#next(), c = this.#next(), d = this.#next();
    const a = first === -1 ? (slot ^ b) & SLOT_MASK : first;
    const id = prefix + String.fromCharCode(
      idChar(a, 0), idChar(a, 5), idChar(a, 10), idChar(a, 15), idChar(a, 20), idChar(b, 0), idChar(b, 5), idChar(b, 10), idChar(b, 15), idChar(b, 20),
      idChar(c, 0), idChar(c, 5), idChar(c, 10), idChar(c, 15), idChar(c, 20), idChar(d, 0), idChar(d, 5), idChar(d, 10), idChar(d, 15), idChar(d, 20));
    // IDs live as long as their resource: reading a character flattens the two-part string in place
    // (the GC then drops the parts), so it keeps the memory of one flat string
    id.charCodeAt(0);
    return id;
  }

  /** A RequestId in Alibaba's upper-case UUID shape (8-4-4-4-12 hex digits). */
  requestId(): string {
    const a = this.#next(), b = this.#next(), c = this.#next(), d = this.#next();
    return String.fromCharCode(
      hexChar(a, 28), hexChar(a, 24), hexChar(a, 20), hexChar(a, 16), hexChar(a, 12), hexChar(a, 8), hexChar(a, 4), hexChar(a, 0), DASH,
      hexChar(b, 28), hexChar(b, 24), hexChar(b, 20), hexChar(b, 16), DASH, hexChar(b, 12), hexChar(b, 8), hexChar(b, 4), hexChar(b, 0), DASH,
      hexChar(c, 28), hexChar(c, 24), hexChar(c, 20), hexChar(c, 16), DASH, hexChar(c, 12), hexChar(c, 8), hexChar(c, 4), hexChar(c, 0),
      hexChar(d, 28), hexChar(d, 24), hexChar(d, 20), hexChar(d, 16), hexChar(d, 12), hexChar(d, 8), hexChar(d, 4), hexChar(d, 0));
  }
}

const SLOT_MASK = 0x1ffffff;
/** ID character code → its 5-bit value, -1 for any other code. */
const ID_VALUES = new Int8Array(128).fill(-1);
ID_CODES.forEach((code, value) => (ID_VALUES[code] = value));

/**
 * The number slotId put into an ID made with this prefix length, or -1 when the ID cannot
 * carry one (wrong length or characters). Any ID gives some number: callers check that the
 * record found there has this very ID.
 */
export function slotOfId(id: string, prefixLength: number): number {
  if (id.length !== prefixLength + 20) return -1;
  let slot = 0;
  for (let i = 4; i >= 0; i--) {
    const code = id.charCodeAt(prefixLength + i), mixed = id.charCodeAt(prefixLength + 5 + i);
    const v = code < 128 ? ID_VALUES[code]! : -1, w = mixed < 128 ? ID_VALUES[mixed]! : -1;
    if ((v | w) < 0) return -1;
    slot = (slot << 5) | (v ^ w);
  }
  return slot;
}

/** YYYY-MM-DDThh:mm:ssZ, the API's time format. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
