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

const FIVE_BASE36 = 36 ** 5;
const base36 = (n: number) => (n % FIVE_BASE36).toString(36).padStart(5, '0');
const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');

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
    return prefix + base36(this.#next()) + base36(this.#next()) + base36(this.#next()) + base36(this.#next());
  }

  /** A RequestId in Alibaba's upper-case UUID shape. */
  requestId(): string {
    const a = this.#next(), b = this.#next(), c = this.#next(), d = this.#next();
    return `${hex(a, 8)}-${hex(b >>> 16, 4)}-${hex(b & 0xffff, 4)}-${hex(c >>> 16, 4)}-${hex(c & 0xffff, 4)}${hex(d, 8)}`;
  }
}

/** YYYY-MM-DDThh:mm:ssZ, the API's time format. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
