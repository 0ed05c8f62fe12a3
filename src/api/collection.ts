/**
 * Records kept in creation order with stable paging: a NextToken names the sequence number of
 * the last record returned, so it stays valid while records are added or deleted, and a page
 * costs O(log n + page) when no filter narrows it.
 */
import { illegalParam } from './errors.js';

export interface Sequenced {
  readonly seq: number;
}

export interface Page<T> {
  items: T[];
  nextToken: string | undefined;
  totalCount: number;
}

export class Collection<T extends Sequenced> {
  /** By ID, when the collection is looked up by ID (a pool's allocations are found through the store instead). */
  readonly #byId: Map<string, T> | undefined;
  #ordered: Array<T | undefined> = []; // by seq; deleted records leave holes, compacted when sparse
  #holes = 0;

  constructor(indexed = true) {
    this.#byId = indexed ? new Map() : undefined;
  }

  get size(): number {
    return this.#ordered.length - this.#holes;
  }

  get(id: string): T | undefined {
    return this.#byId!.get(id);
  }

  has(id: string): boolean {
    return this.#byId!.has(id);
  }

  /** Adds a record; records normally arrive in seq order (a restore may not). */
  add(id: string, record: T): void {
    this.#byId?.set(id, record);
    const last = this.#ordered[this.#ordered.length - 1];
    if (last === undefined || last.seq < record.seq) this.#ordered.push(record);
    else this.#ordered.splice(this.#indexOf(record.seq), 0, record);
  }

  /** Removes a record (an unindexed collection needs the record itself). */
  delete(id: string, record: T | undefined = this.#byId?.get(id)): void {
    if (!record) return;
    this.#byId?.delete(id);
    this.#ordered[this.#indexOf(record.seq)] = undefined;
    if (++this.#holes > 64 && this.#holes > this.#ordered.length / 2) {
      this.#ordered = this.#ordered.filter((r) => r !== undefined);
      this.#holes = 0;
    }
  }

  /** The oldest record. */
  first(): T | undefined {
    for (const record of this.#ordered) if (record !== undefined) return record;
    return undefined;
  }

  /** Records in creation order. */
  *values(): IterableIterator<T> {
    for (const record of this.#ordered) if (record !== undefined) yield record;
  }

  /** First index whose record (or hole's neighbours) has seq >= the given one. */
  #indexOf(seq: number): number {
    let lo = 0, hi = this.#ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      let probe = mid;
      while (probe < hi && this.#ordered[probe] === undefined) probe++;
      if (probe === hi) { hi = mid; continue; }
      if (this.#ordered[probe]!.seq < seq) lo = probe + 1;
      else hi = mid;
    }
    while (lo < this.#ordered.length && this.#ordered[lo] === undefined) lo++;
    return lo;
  }

  /**
   * One page of the records that pass `filter`, after the record named by nextToken.
   * `total` is the number of matches (all records when there is no filter).
   */
  page(maxResults: number, nextToken: string | undefined, filter?: (record: T) => boolean): Page<T> {
    const after = nextToken === undefined ? 0 : decodeToken(nextToken);
    const items: T[] = [];
    let i = this.#indexOf(after + 1);
    for (; i < this.#ordered.length && items.length < maxResults; i++) {
      const record = this.#ordered[i];
      if (record && (!filter || filter(record))) items.push(record);
    }
    let more = false;
    for (; i < this.#ordered.length && !more; i++) {
      const record = this.#ordered[i];
      more = record !== undefined && (!filter || filter(record));
    }
    let totalCount = this.size;
    if (filter) {
      totalCount = 0;
      for (const record of this.values()) if (filter(record)) totalCount++;
    }
    return { items, nextToken: more ? encodeToken(items[items.length - 1]!.seq) : undefined, totalCount };
  }
}

function encodeToken(seq: number): string {
  return `nt-${seq.toString(36)}`;
}

function decodeToken(token: string): number {
  const match = /^nt-([0-9a-z]{1,11})$/.exec(token);
  if (!match) throw illegalParam('NextToken', 'not a token returned by this list');
  return parseInt(match[1]!, 36);
}
