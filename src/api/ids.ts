/**
 * IDs, RequestIds and timestamps. With a seed and a clock they repeat run after run; without,
 * they come from crypto randomness and the wall clock.
 */

export type Clock = () => Date;

function cryptoSource(): () => number {
  const buffer = new Uint32Array(64);
  let at = buffer.length;
  return () => {
    if (at === buffer.length) {
      globalThis.crypto.getRandomValues(buffer);
      at = 0;
    }
    return buffer[at++]!;
  };
}

// Table lookups, not Number#toString(radix): IDs and RequestIds are made on every call.
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'; // 32 lower-case alphanumerics: 5 bits each
const ID_CODES = Array.from(ID_ALPHABET, (c) => c.charCodeAt(0));
const HEX_PAIRS = Array.from({ length: 256 }, (_, n) => n.toString(16).toUpperCase().padStart(2, '0'));
const hex4 = (n: number) => HEX_PAIRS[(n >>> 8) & 255]! + HEX_PAIRS[n & 255]!;
const hex8 = (n: number) => hex4(n >>> 16) + hex4(n);

export class IdSource {
  /** splitmix32 state when seeded (exported with the service state); undefined for crypto randomness. */
  #state: number | undefined;
  readonly #random = cryptoSource();

  constructor(seed?: number) {
    this.#state = seed === undefined ? undefined : seed >>> 0;
  }

  get state(): number | undefined {
    return this.#state;
  }

  set state(value: number | undefined) {
    this.#state = value === undefined ? undefined : value >>> 0;
  }

  #next(): number {
    if (this.#state === undefined) return this.#random();
    // splitmix32: small, seedable, good enough for identifiers
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  readonly #codes = new Map<string, number[]>();

  /**
   * prefix + 20 lower-case alphanumerics, e.g. ipam-pool-3kz9…, built from character codes: a flat
   * string of ~64 bytes, where concatenation would keep a tree of ~330 (IDs live as long as their resource).
   */
  id(prefix: string): string {
    let codes = this.#codes.get(prefix);
    if (!codes) this.#codes.set(prefix, (codes = [...Array.from(prefix, (c) => c.charCodeAt(0)), ...new Array<number>(20).fill(0)]));
    let at = prefix.length;
    for (let draw = 0; draw < 4; draw++) {
      let n = this.#next();
      for (let k = 0; k < 5; k++, n >>>= 5) codes[at++] = ID_CODES[n & 31]!;
    }
    return String.fromCharCode.apply(null, codes);
  }

  /** A RequestId in Alibaba's upper-case UUID shape. */
  requestId(): string {
    const a = this.#next(), b = this.#next(), c = this.#next(), d = this.#next();
    return `${hex8(a)}-${hex4(b >>> 16)}-${hex4(b)}-${hex4(c >>> 16)}-${hex4(c)}${hex8(d)}`;
  }
}

/** YYYY-MM-DDThh:mm:ssZ, the API's time format. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
