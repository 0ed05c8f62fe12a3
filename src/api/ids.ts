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

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

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

  /** prefix + 20 lower-case alphanumerics, e.g. ipam-pool-3kz9… */
  id(prefix: string): string {
    let out = prefix;
    for (let i = 0; i < 20; i++) out += ALPHABET[this.#next() % ALPHABET.length];
    return out;
  }

  /** A RequestId in Alibaba's upper-case UUID shape. */
  requestId(): string {
    const hex = Array.from({ length: 4 }, () => this.#next().toString(16).padStart(8, '0')).join('').toUpperCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  }
}

/** YYYY-MM-DDThh:mm:ssZ, the API's time format. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
